<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use PhpGrc\Bus\Queue;
use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\TestSupport\Fork;
use PhpGrc\Bus\Tests\Support\QueueTestCase;
use PhpGrc\Bus\Run;
use RuntimeException;

/**
 * Issue 4 / issue 7: a process never uses a socket it inherited across pcntl_fork(), so parent and
 * children sharing one Queue object (opened before the fork) never read each other's replies.
 */
final class ForkTest extends QueueTestCase
{
    /** Rule 5: after a forked child pushes and pops, the parent's connection still works. */
    public function testAfterAForkedChildPushesAndPopsTheParentsConnectionStillWorks(): void
    {
        $queue = $this->queue();
        $parentId = $queue->push(Envelopes::asset('i-parent'));

        $child = Fork::child(static function () use ($queue, $parentId): void {
            $childId = $queue->push(Envelopes::asset('i-child'));
            $job = $queue->pop();
            self::check($job instanceof ReservedJob && $job->id() === $parentId, 'the child pops the parent\'s job first (FIFO)');
            $queue->ack($job);
            self::check($queue->size() === 1, 'one job left');
            $stats = $queue->stats();
            self::check($stats['pushed'] === 2 && $stats['popped'] === 1 && $stats['acked'] === 1, 'child counters: ' . json_encode($stats));
            file_put_contents(sys_get_temp_dir() . '/phpgrc-bus-phpunit-fork-' . posix_getppid(), $childId);
        });
        self::assertChildSucceeded(Fork::wait($child, 15));
        $childIdFile = sys_get_temp_dir() . '/phpgrc-bus-phpunit-fork-' . posix_getpid();
        $childId = (string) file_get_contents($childIdFile);
        @unlink($childIdFile);

        // The parent's socket was left alone by the child: same object, no reconnect needed.
        self::assertSame(1, $queue->size());
        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job);
        self::assertSame($childId, $job->id());
        self::assertSame('i-child', $job->envelope()['provenance']['externalId']);
        $queue->ack($job);
        self::assertSame(0, $queue->size());
        self::assertSame(1, $queue->stats()['pushed'], 'the parent\'s counters are its own');
    }

    /** Rule 5 (vice versa): after the parent uses the connection post-fork, a child that inherited it still works. */
    public function testAfterTheParentUsesItsConnectionAForkedChildStillWorks(): void
    {
        $queue = $this->queue();
        $queue->push(Envelopes::asset('i-before-fork'));
        [$parentEnd, $childEnd] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);

        $child = Fork::child(static function () use ($queue, $childEnd, $parentEnd): void {
            fclose($parentEnd);
            stream_set_timeout($childEnd, 10);
            self::check(fgets($childEnd) === "go\n", 'no go from the parent');
            // The parent has pushed, popped and acked on the inherited socket meanwhile.
            $id = $queue->push(Envelopes::asset('i-child-after'));
            $job = $queue->pop();
            self::check($job instanceof ReservedJob && $job->id() === $id, 'the child gets its own job');
            $queue->ack($job);
            self::check($queue->size() === 0, 'empty');
            fwrite($childEnd, "done\n");
        });
        fclose($childEnd);

        $job = $queue->pop();
        self::assertSame('i-before-fork', $job->envelope()['provenance']['externalId']);
        $queue->ack($job);
        $id = $queue->push(Envelopes::asset('i-parent-after'));
        $job = $queue->pop();
        self::assertSame($id, $job->id());
        $queue->ack($job);
        fwrite($parentEnd, "go\n");
        stream_set_timeout($parentEnd, 15);
        self::assertSame("done\n", fgets($parentEnd));
        self::assertChildSucceeded(Fork::wait($child, 15));

        self::assertSame(0, $queue->size(), 'and the parent still works after the child is gone');
        self::assertIsString($queue->push(Envelopes::asset('i-parent-last')));
        self::assertSame(1, $queue->size());
    }

    /**
     * Rule 5: parent and 3 children use one Queue object (opened before the fork) concurrently,
     * 1000 operations each, on their own queues and on one shared queue: every reply is the
     * process's own (each pop returns the job it just pushed), every popped job is one that was
     * pushed, job ids are unique, and the shared queue hands each job out once.
     */
    public function testParentAndThreeChildrenUsingQueuesConcurrentlyNeverReadEachOthersReplies(): void
    {
        $queue = $this->queue();
        $queue->size(); // the socket every child inherits
        $start = $this->tempFile('start');
        $results = [];
        $children = [];
        for ($n = 1; $n <= 3; $n++) {
            $results[$n] = $this->tempFile("result-{$n}");
            $file = $results[$n];
            $children[$n] = Fork::child(static function () use ($queue, $n, $start, $file): void {
                $deadline = microtime(true) + 10;
                while (!is_file($start) && microtime(true) < $deadline) {
                    usleep(1_000);
                }
                file_put_contents($file, json_encode(self::workload($queue, "c{$n}")));
            });
        }
        touch($start);
        $mine = self::workload($queue, 'p0');
        $all = ['p0' => $mine];
        foreach ($children as $n => $pid) {
            self::assertChildSucceeded(Fork::wait($pid, 40), "child {$n}");
            $all["c{$n}"] = json_decode((string) file_get_contents($results[$n]), true);
        }

        // Drain what is left of the shared queue.
        $sharedPopped = [];
        while (($job = $queue->pop('shared')) !== null) {
            $sharedPopped[] = $job->id();
            $queue->ack($job);
        }
        $pushedIds = [];
        $sharedPushed = [];
        foreach ($all as $who => $result) {
            self::assertGreaterThanOrEqual(1000, $result['ops'], "{$who} did 1000 operations");
            self::assertSame([], $result['errors'], "{$who} saw replies that were not its own");
            array_push($pushedIds, ...$result['own'], ...$result['shared']);
            array_push($sharedPushed, ...$result['shared']);
            array_push($sharedPopped, ...$result['sharedPopped']);
        }
        self::assertSame(count($pushedIds), count(array_unique($pushedIds)), 'job ids are unique');
        self::assertSame(count($sharedPopped), count(array_unique($sharedPopped)), 'no shared job handed out twice');
        sort($sharedPushed);
        sort($sharedPopped);
        self::assertSame($sharedPushed, $sharedPopped, 'every shared job popped was pushed, and every pushed one popped');
        foreach (array_keys($all) as $who) {
            self::assertSame(0, $queue->size("own-{$who}"));
        }
        self::assertSame(0, $queue->size('shared'));
        self::assertSame(0, $queue->stats('shared')['dead_letters']);
    }

    /**
     * At least 1000 operations in rounds of: push to its own queue, pop it back (must be that
     * very job), ack, size; every fourth round a push to the shared queue, every other fourth a
     * pop (and ack) from it.
     *
     * @return array{ops: int, errors: list<string>, own: list<string>, shared: list<string>, sharedPopped: list<string>}
     */
    private static function workload(Queue $queue, string $who): array
    {
        $run = new Run('fork-test', '1.0.0');
        $own = $shared = $sharedPopped = $errors = [];
        $ops = 0;
        for ($i = 0; $ops < 1000; $i++) {
            $externalId = "{$who}-{$i}";
            $id = $queue->push(Envelopes::asset($externalId, [], [], $run), "own-{$who}");
            $own[] = $id;
            $job = $queue->pop("own-{$who}");
            $ops += 2;
            if (!$job instanceof ReservedJob || $job->id() !== $id || $job->envelope()['provenance']['externalId'] !== $externalId) {
                $errors[] = "pop after push of {$id} gave " . ($job?->id() ?? 'null');
            } else {
                $queue->ack($job);
                $ops++;
            }
            if ($i % 4 === 0) {
                $shared[] = $queue->push(Envelopes::asset("{$externalId}-s", [], [], $run), 'shared');
                $ops++;
            }
            if ($i % 4 === 2) {
                $job = $queue->pop('shared');
                $ops++;
                if ($job !== null) {
                    if (!str_ends_with($job->envelope()['provenance']['externalId'], '-s')) {
                        $errors[] = "shared pop gave a non-shared job {$job->id()}";
                    }
                    $sharedPopped[] = $job->id();
                    $queue->ack($job);
                    $ops++;
                }
            }
            $size = $queue->size("own-{$who}");
            $ops++;
            if ($size !== 0) {
                $errors[] = "size of the own queue after round {$i} is " . var_export($size, true);
            }
        }

        return ['ops' => $ops, 'errors' => $errors, 'own' => $own, 'shared' => $shared, 'sharedPopped' => $sharedPopped];
    }

    private static function check(bool $condition, string $message): void
    {
        if (!$condition) {
            throw new RuntimeException($message);
        }
    }
}
