<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use Illuminate\Queue\Jobs\RedisJob;
use Illuminate\Queue\Queue as LaravelBaseQueue;
use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\TestSupport\Fork;
use PhpGrc\Bus\Tests\Support\Laravel;
use PhpGrc\Bus\Tests\Support\QueueTestCase;
use PhpGrc\Bus\Tests\Support\RecordingHandler;

/**
 * Wire compatibility with Laravel 8's own RedisQueue and Worker on phpredis (issue 4,
 * "Interoperability tests"), both sides on one redis-server with the same key prefix.
 */
final class LaravelInteropTest extends QueueTestCase
{
    /** Rule 1: a job pushed by the extension is popped and run by Laravel's RedisQueue + Worker, and its handler receives the envelope. */
    public function testAJobPushedByTheExtensionIsRunByLaravelsWorkerAndItsHandlerReceivesTheEnvelope(): void
    {
        $envelope = Envelopes::asset('i-rule1', ['correlationId' => '0f8fad5b-d9cb-469f-a165-70867728950e']);
        $id = $this->queue()->push($envelope);

        $laravel = $this->laravel();
        self::assertStringStartsWith(dirname(__DIR__, 2) . '/laravel/src/', (string) (new \ReflectionClass(EnvelopeJob::class))->getFileName(), 'the real glue, not a stub');
        $laravel->workOnce();

        self::assertSame([], array_map(static fn ($e) => get_class($e) . ': ' . $e->getMessage(), $laravel->exceptions->reported));
        self::assertEquals([Envelopes::decoded($envelope)], RecordingHandler::$received, 'the handler got the envelope, unchanged');
        self::assertSame([['event' => 'processed', 'id' => $id, 'attempts' => 1]], $laravel->jobEvents);
        $logLines = array_values(array_filter($laravel->logger->records, static fn ($r) => $r['message'] === EnvelopeJob::LOG_MESSAGE));
        self::assertCount(1, $logLines);
        self::assertSame('processed', $logLines[0]['context']['status']);
        self::assertSame($envelope['id'], $logLines[0]['context']['envelope_id']);

        $raw = $this->raw();
        self::assertSame(0, $raw->lLen($this->key()), 'ready list empty');
        self::assertSame(0, $raw->zCard($this->key(':reserved')), 'EnvelopeJob deleted the job: nothing left reserved');
        self::assertSame(0, $this->queue()->size());
    }

    /** Rule 2: a job pushed by Laravel's RedisQueue (pushRaw of our payload layout) is popped by the extension, and ack works. */
    public function testAJobPushedByLaravelsRedisQueueIsPoppedByTheExtensionAndAckWorks(): void
    {
        $envelope = Envelopes::asset('i-rule2');
        $laravel = $this->laravel();
        $id = $laravel->queue()->pushRaw(Envelopes::payload($envelope), 'integration-bus');
        self::assertIsString($id);
        self::assertSame(1, $this->raw()->lLen($this->key()), 'Laravel wrote under the shared prefix');

        $queue = $this->queue();
        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job);
        self::assertSame($id, $job->id());
        self::assertSame('integration-bus', $job->queue());
        self::assertSame(1, $job->attempts());
        self::assertEquals(Envelopes::decoded($envelope), $job->envelope());
        self::assertEquals(Envelopes::decoded($envelope), json_decode($job->envelopeJson(), true));
        self::assertSame(Envelope::headers($envelope), $job->headers());
        self::assertSame(1, json_decode($job->rawPayload(), true)['attempts']);
        self::assertSame(1, $this->raw()->zCard($this->key(':reserved')));

        $queue->ack($job);
        self::assertSame(0, $this->raw()->zCard($this->key(':reserved')), 'ack removed the reserved bytes');
        self::assertSame(0, $queue->size());
        self::assertNull($queue->pop());
        $stats = $queue->stats();
        self::assertSame(1, $stats['popped']);
        self::assertSame(1, $stats['acked']);
        self::assertSame(0, $stats['dead_letters']);
    }

    /** block_for waits on `:notify`: a pop blocked longer than read_timeout is woken by Laravel's push from another process. */
    public function testABlockedPopIsWokenByAJobLaravelPushesFromAnotherProcess(): void
    {
        $queue = $this->queue(['read_timeout' => 1]);
        $started = microtime(true);
        self::assertNull($queue->pop(null, 2), 'an empty queue: null after block_for, no read timeout');
        $waited = microtime(true) - $started;
        self::assertGreaterThan(1.5, $waited);
        self::assertLessThan(4.0, $waited);

        $envelope = Envelopes::asset('i-block-for');
        $connection = $this->server->connection();
        $child = Fork::child(static function () use ($connection, $envelope): void {
            usleep(500_000);
            $laravel = new Laravel($connection, self::PREFIX);
            $laravel->queue()->pushRaw(Envelopes::payload($envelope), 'integration-bus');
        });
        $started = microtime(true);
        $job = $queue->pop(null, 5);
        $waited = microtime(true) - $started;
        self::assertInstanceOf(ReservedJob::class, $job, 'woken by the push');
        self::assertLessThan(3.0, $waited);
        self::assertEquals(Envelopes::decoded($envelope), $job->envelope());
        $queue->ack($job);
        self::assertChildSucceeded(Fork::wait($child, 10));
    }

    /**
     * Rule 3 (release): the extension releases → Laravel's Worker pops it once due, with attempts
     * counted on; the Worker releases it after a handler exception → the extension pops it, attempts
     * counted on again. The payload carries the extension's retry policy (maxTries, backoff), so the
     * stock Worker re-delays by the same backoff the extension would.
     */
    public function testReleasedJobsAgreeInBothDirectionsWithAttemptsCountedConsistently(): void
    {
        $envelope = Envelopes::asset('i-rule3-release');
        $queue = $this->queue(['retry_seconds' => 1, 'backoff_exp' => 1, 'max_attempts' => 4]);
        $id = $queue->push($envelope);

        $first = $queue->pop();
        self::assertSame(1, $first->attempts());
        $payload = json_decode($first->rawPayload(), true);
        self::assertSame(4, $payload['maxTries'], 'a stock Worker stops where the extension would');
        self::assertSame('1,1,1', $payload['backoff'], 'retry_seconds × backoff_exp^(n−1) for each retry');
        // Due in 2 s (whole seconds): Laravel's first look below is well within the first of them.
        self::assertSame('released', $queue->release($first, 2));

        $laravel = $this->laravel();
        $laravelQueue = $laravel->queue();
        self::assertNull($laravelQueue->pop('integration-bus'), 'not due yet for Laravel either');

        // Laravel's Worker runs it when due; the handler throws, so the Worker releases it (backoff 0).
        RecordingHandler::$failNext = 1;
        $ran = self::eventually(function () use ($laravel) {
            $laravel->workOnce('integration-bus', 0, 0);

            return $laravel->jobEvents === [] ? null : true;
        }, 5.0);
        self::assertTrue($ran, 'Laravel popped the released job once due');
        self::assertSame([['event' => 'exception', 'id' => $id, 'attempts' => 2]], $laravel->jobEvents);
        self::assertCount(1, $laravel->exceptions->reported);
        self::assertCount(1, RecordingHandler::$received);
        self::assertSame(0, $this->raw()->zCard($this->key(':reserved')), 'the Worker moved it out of :reserved');

        $third = self::eventually(static fn () => $queue->pop(), 3.0);
        self::assertInstanceOf(ReservedJob::class, $third, 'the extension pops what the Worker released; queue: ' . json_encode($queue->stats()) . ' delayed: ' . json_encode($this->raw()->zRange($this->key(':delayed'), 0, -1, true)) . ' now ' . time());
        self::assertSame($id, $third->id());
        self::assertSame(3, $third->attempts());
        self::assertEquals(Envelopes::decoded($envelope), $third->envelope());
        $queue->ack($third);
        self::assertSame(0, $queue->size());
    }

    /** Rule 3 (release, Laravel's own API): RedisJob::release() → extension pop, and extension release → RedisJob::attempts(). */
    public function testLaravelReleaseIsPoppedByTheExtensionAndViceVersa(): void
    {
        $envelope = Envelopes::asset('i-rule3-release-api');
        $laravel = $this->laravel();
        $laravelQueue = $laravel->queue();
        $id = $laravelQueue->pushRaw(Envelopes::payload($envelope), 'integration-bus');

        $job = $laravelQueue->pop('integration-bus');
        self::assertInstanceOf(RedisJob::class, $job);
        self::assertSame(1, $job->attempts());
        $job->release(0);

        $queue = $this->queue();
        $second = self::eventually(static fn () => $queue->pop(), 3.0);
        self::assertInstanceOf(ReservedJob::class, $second);
        self::assertSame($id, $second->id());
        self::assertSame(2, $second->attempts());
        self::assertEquals(Envelope::headers($envelope), $second->headers(), 'headers survive Laravel re-encoding the payload (member order aside)');
        self::assertSame('released', $queue->release($second, 0));

        $third = self::eventually(static fn () => $laravelQueue->pop('integration-bus'), 3.0);
        self::assertInstanceOf(RedisJob::class, $third);
        self::assertSame($id, $third->getJobId());
        self::assertSame(3, $third->attempts());
        self::assertEquals(Envelopes::decoded($envelope), $third->payload()['data']);
        $third->delete();
        self::assertSame(0, $queue->size());
    }

    /** Rule 3 (delayed): `later` of either side becomes ready for the other side when due, attempts starting at 1. */
    public function testDelayedJobsAgreeInBothDirections(): void
    {
        $queue = $this->queue();
        $laravel = $this->laravel();
        $laravelQueue = $laravel->queue();

        // Extension later → Laravel pop.
        $envelope = Envelopes::asset('i-rule3-later-ext');
        $id = $queue->later(1, $envelope);
        self::assertSame(1, $this->raw()->zCard($this->key(':delayed')));
        self::assertNull($laravelQueue->pop('integration-bus'), 'not due yet');
        $job = self::eventually(static fn () => $laravelQueue->pop('integration-bus'), 4.0);
        self::assertInstanceOf(RedisJob::class, $job);
        self::assertSame($id, $job->getJobId());
        self::assertSame(1, $job->attempts());
        self::assertEquals(Envelopes::decoded($envelope), $job->payload()['data']);
        $job->delete();

        // Laravel later (a string job with our headers added by a payload hook) → extension pop.
        LaravelBaseQueue::createPayloadUsing(static fn ($connection, $queue, array $payload) => ['headers' => Envelope::headers($payload['data'])]);
        $envelope = Envelopes::asset('i-rule3-later-laravel');
        $id = $laravelQueue->later(1, EnvelopeJob::HANDLER, $envelope, 'integration-bus');
        self::assertIsString($id);
        self::assertNull($queue->pop(), 'not due yet');
        $reserved = self::eventually(static fn () => $queue->pop(), 4.0);
        self::assertInstanceOf(ReservedJob::class, $reserved, 'Laravel\'s delayed job becomes ready for the extension');
        self::assertSame($id, $reserved->id());
        self::assertSame(1, $reserved->attempts());
        self::assertEquals(Envelopes::decoded($envelope), $reserved->envelope());
        $queue->ack($reserved);
        self::assertSame(0, $queue->size());
        self::assertSame(0, $queue->stats()['dead_letters']);
    }

    /**
     * Rule 3 (expired reservation): a job reserved by one side and never finished is handed out
     * again by the other side once retry_after has passed; the stale holder can no longer ack,
     * release or delete it.
     */
    public function testExpiredReservationsAgreeInBothDirections(): void
    {
        $envelope = Envelopes::asset('i-rule3-expired');
        $queue = $this->queue(['retry_after' => 1]);
        $id = $queue->push($envelope);

        $first = $queue->pop();
        self::assertSame(1, $first->attempts());

        $laravel = $this->laravel(['retry_after' => 1]);
        $laravelQueue = $laravel->queue();
        self::assertNull($laravelQueue->pop('integration-bus'), 'still reserved by the extension');
        sleep(2);
        $second = $laravelQueue->pop('integration-bus');
        self::assertInstanceOf(RedisJob::class, $second, 'Laravel takes the expired reservation back');
        self::assertSame($id, $second->getJobId());
        self::assertSame(2, $second->attempts());
        self::assertSame('not-reserved', $queue->release($first), 'the stale holder cannot put it back twice');
        self::assertSame('not-reserved', $queue->fail($first, 'LATE', 'too late'), 'nor fail it');
        self::assertSame('not-reserved', $queue->deadLetter($first, 'LATE', 'too late'), 'nor dead-letter it');
        self::assertSame([], $queue->deadLetters());

        self::assertNull($queue->pop(), 'reserved by Laravel now');
        sleep(2);
        $third = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $third, 'the extension takes Laravel\'s expired reservation back');
        self::assertSame($id, $third->id());
        self::assertSame(3, $third->attempts());

        $second->delete(); // Laravel's stale delete removes nothing
        $queue->ack($first); // nor does the extension's stale ack
        self::assertSame(1, $this->raw()->zCard($this->key(':reserved')), 'only the live reservation remains');
        self::assertSame(1, $queue->size());

        $queue->ack($third);
        self::assertSame(0, $queue->size());
        self::assertSame(0, $this->raw()->lLen($this->key()));
    }

    /**
     * Laravel's own payload builder (its push(), with a createPayloadUsing hook adding the headers)
     * writes `createdAt` on Laravel 12+: the extension pops, releases and re-pops the job with it
     * kept, and reports it as the oldest pending job's creation time, as Laravel's RedisQueue does.
     */
    public function testAJobBuiltByLaravelsOwnPayloadBuilderKeepsItsCreatedAtThroughTheExtension(): void
    {
        $envelope = Envelopes::asset('i-created-at');
        LaravelBaseQueue::createPayloadUsing(static fn ($connection, $queue, array $payload) => ['headers' => Envelope::headers($payload['data'])]);
        try {
            $laravel = $this->laravel();
            $laravel->queue()->push(EnvelopeJob::HANDLER, $envelope, 'integration-bus');
        } finally {
            LaravelBaseQueue::createPayloadUsing(null);
        }
        $written = json_decode($this->raw()->lIndex($this->key(), 0), true);
        $createdAt = $written['createdAt'] ?? null; // Laravel 8 and 10 write none
        $queue = $this->queue();
        self::assertSame($createdAt, $queue->creationTimeOfOldestPendingJob());
        if (method_exists($laravel->queue(), 'creationTimeOfOldestPendingJob')) {
            self::assertIsInt($createdAt, 'Laravel 12+ dates its payloads');
            self::assertSame($laravel->queue()->creationTimeOfOldestPendingJob('integration-bus'), $queue->creationTimeOfOldestPendingJob());
        }

        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job, 'headers from the hook: accepted, not dead-lettered');
        self::assertSame('released', $queue->release($job, 0));
        $again = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $again);
        self::assertSame(2, $again->attempts());
        self::assertSame($createdAt, json_decode($again->rawPayload(), true)['createdAt'] ?? null, 'createdAt survives pop and release');
        $queue->ack($again);
    }

    /** The extension's payloads carry `createdAt`, and Laravel's RedisQueue (12+) reads the same oldest-pending time from them. */
    public function testLaravelReadsTheCreationTimeOfAJobTheExtensionPushed(): void
    {
        $before = time();
        $this->queue()->push(Envelopes::asset('i-dated'));
        $createdAt = json_decode($this->raw()->lIndex($this->key(), 0), true)['createdAt'];
        self::assertIsInt($createdAt);
        self::assertGreaterThanOrEqual($before, $createdAt);
        self::assertLessThanOrEqual(time(), $createdAt);

        $laravel = $this->laravel()->queue();
        if (method_exists($laravel, 'creationTimeOfOldestPendingJob')) {
            self::assertSame($createdAt, $laravel->creationTimeOfOldestPendingJob('integration-bus'));
            self::assertSame(1, $laravel->pendingSize('integration-bus'));
        }
        self::assertSame($createdAt, $this->queue()->creationTimeOfOldestPendingJob());
    }
}
