<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\TestSupport\Fork;
use PhpGrc\Bus\Tests\Support\QueueTestCase;
use PhpGrc\Bus\Tests\Support\RecordingHandler;

/** Issue 4: a worker killed with SIGKILL after pop loses nothing and runs nothing twice. */
final class WorkerCrashTest extends QueueTestCase
{
    /**
     * Rule 4: a worker process killed with SIGKILL after pop: the job comes back after
     * retry_after and is processed exactly once more, by one of two workers racing for it.
     */
    public function testAWorkerKilledAfterPopLetsTheJobComeBackAfterRetryAfterAndItIsProcessedExactlyOnceMore(): void
    {
        $queue = $this->queue(['retry_after' => 1]);
        $id = $queue->push(Envelopes::asset('i-rule4'));
        self::assertSame(1, $queue->size(), 'connection open before the fork');

        $heldBy = $this->tempFile('held');
        $child = Fork::child(static function () use ($queue, $heldBy): void {
            $job = $queue->pop();
            file_put_contents($heldBy, $job === null ? 'none' : $job->id() . ' ' . $job->attempts());
            Fork::crash(); // mid-job: popped, not acked
        });
        $status = Fork::wait($child, 10);
        self::assertSame(SIGKILL, $status['signal'], 'the worker died by SIGKILL');
        self::assertSame("{$id} 1", file_get_contents($heldBy), 'it held the job when it died');

        $raw = $this->raw();
        self::assertSame(1, $raw->zCard($this->key(':reserved')), 'the job is still reserved by the dead worker');
        self::assertSame(0, $raw->lLen($this->key()));
        self::assertNull($queue->pop(), 'nobody gets it before retry_after');

        // Two workers race for it for 4 s; it must be handed out exactly once.
        $processed = $this->tempFile('processed');
        $workers = [];
        for ($w = 0; $w < 2; $w++) {
            $workers[] = Fork::child(static function () use ($queue, $processed): void {
                $deadline = microtime(true) + 4.0;
                while (microtime(true) < $deadline) {
                    $job = $queue->pop();
                    if ($job === null) {
                        usleep(20_000);
                        continue;
                    }
                    file_put_contents($processed, $job->id() . ' ' . $job->attempts() . ' ' . posix_getpid() . "\n", FILE_APPEND | LOCK_EX);
                    $queue->ack($job);
                }
            });
        }
        foreach ($workers as $pid) {
            self::assertChildSucceeded(Fork::wait($pid, 15), 'worker');
        }

        $lines = file($processed, FILE_IGNORE_NEW_LINES) ?: [];
        self::assertCount(1, $lines, 'processed exactly once more: ' . implode(' | ', $lines));
        [$processedId, $attempts] = explode(' ', $lines[0]);
        self::assertSame($id, $processedId);
        self::assertSame('2', $attempts, 'the killed attempt counts');
        self::assertSame(0, $queue->size());
        self::assertSame(0, $raw->zCard($this->key(':reserved')));
        self::assertSame(0, $queue->stats()['dead_letters']);
    }

    /** Rule 4, with Laravel's stock worker taking over the job of a killed extension worker. */
    public function testAJobHeldByAKilledWorkerIsRunOnceByLaravelsWorkerAfterRetryAfter(): void
    {
        $queue = $this->queue(['retry_after' => 1]);
        $envelope = Envelopes::asset('i-rule4-laravel');
        $id = $queue->push($envelope);
        $queue->size();

        $child = Fork::child(static function () use ($queue): void {
            $queue->pop() instanceof ReservedJob || Fork::exitNow(3);
            Fork::crash();
        });
        self::assertSame(SIGKILL, Fork::wait($child, 10)['signal']);

        $laravel = $this->laravel();
        $laravel->workOnce();
        self::assertSame([], $laravel->jobEvents, 'still reserved');
        $ran = self::eventually(function () use ($laravel) {
            $laravel->workOnce();

            return $laravel->jobEvents === [] ? null : true;
        }, 4.0);
        self::assertTrue($ran);
        self::assertSame([['event' => 'processed', 'id' => $id, 'attempts' => 2]], $laravel->jobEvents);
        self::assertCount(1, RecordingHandler::$received);
        $laravel->workOnce();
        self::assertCount(1, $laravel->jobEvents, 'once');
        self::assertSame(0, $queue->size());
    }
}
