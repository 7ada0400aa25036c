<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Queue;
use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Run;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\Tests\Support\QueueTestCase;
use PhpGrc\Bus\Validator;

/** Issue 4, rule 6: retries with backoff, the dead-letter queue, its retry, pop-time validation and replay dedupe. */
final class DeadLetterTest extends QueueTestCase
{
    private const RFC3339_UTC = '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/';

    /** Exhausting attempts with fail() (backoff waits included) lands the job in the DLQ with the full error object. */
    public function testExhaustingAttemptsWithFailLandsTheJobInTheDlqWithTheFullErrorObject(): void
    {
        $queue = $this->queue(['retry_seconds' => 1, 'backoff_exp' => 1, 'max_attempts' => 3]);
        $envelope = Envelopes::asset('i-rule6-fail');
        $id = $queue->push($envelope);

        $outcomes = [];
        for ($attempt = 1; $attempt <= 3; $attempt++) {
            $job = self::eventually(static fn () => $queue->pop(), 4.0);
            self::assertInstanceOf(ReservedJob::class, $job, "attempt {$attempt} is handed out after the backoff");
            self::assertSame($id, $job->id());
            self::assertSame($attempt, $job->attempts());
            if ($attempt === 1) {
                self::assertNull($job->envelope()['error'], 'no error before the first failure');
            } else {
                $error = $job->envelope()['error'];
                self::assertSame('UPSTREAM_TIMEOUT', $error['code']);
                self::assertSame($attempt - 1, $error['attempt'], 'the previous failure is annotated');
                self::assertSame(3, $error['maxAttempts']);
                self::assertMatchesRegularExpression(self::RFC3339_UTC, $error['retryAt']);
            }
            $outcomes[] = $queue->fail($job, 'UPSTREAM_TIMEOUT', "upstream timed out on attempt {$attempt}");
        }
        self::assertSame(['released', 'released', 'dead-lettered'], $outcomes);

        self::assertSame(0, $queue->size());
        $letters = $queue->deadLetters();
        self::assertCount(1, $letters);
        $letter = $letters[0];
        self::assertSame($id, $letter['id']);
        self::assertSame('integration-bus', $letter['queue']);
        self::assertSame(3, $letter['attempts'], 'the payload keeps its attempt count');
        $error = $letter['data']['error'];
        self::assertSame('UPSTREAM_TIMEOUT', $error['code']);
        self::assertSame('upstream timed out on attempt 3', $error['message']);
        self::assertMatchesRegularExpression(self::RFC3339_UTC, $error['occurredAt']);
        self::assertSame(3, $error['attempt']);
        self::assertSame(3, $error['maxAttempts']);
        $withoutError = $letter['data'];
        unset($withoutError['error']);
        $expected = Envelopes::decoded($envelope);
        unset($expected['error']);
        self::assertEquals($expected, $withoutError, 'the envelope is otherwise unchanged');
        self::assertSame([], (new Validator())->validate(json_encode($letter['data'])), 'the annotated envelope still honours the contract');
        self::assertEquals(Envelope::headers($envelope), $letter['headers']);
        $stats = $queue->stats();
        self::assertSame(1, $stats['dead_letters']);
        self::assertSame(1, $stats['dead_lettered']);
        self::assertSame(2, $stats['released']);
        self::assertSame(1, $this->raw()->lLen(self::PREFIX . 'integration-bus:dlq'), 'the DLQ key is the runbook\'s, under the prefix');
    }

    /** release($job, 0) between attempts, then fail() on the last: dead-lettered at once with the full error object. */
    public function testReleasingWithoutDelayThenFailingTheLastAttemptDeadLettersWithTheFullErrorObject(): void
    {
        $queue = $this->queue(['max_attempts' => 3]);
        $id = $queue->push(Envelopes::asset('i-rule6-release'));
        self::assertSame('released', $queue->release($queue->pop(), 0));
        self::assertSame('released', $queue->release($queue->pop(), 0));
        $last = $queue->pop();
        self::assertSame(3, $last->attempts());
        self::assertSame('dead-lettered', $queue->fail($last, 'SCHEMA_DRIFT', str_repeat('x', 600)));

        $error = $queue->deadLetters()[0]['data']['error'];
        self::assertSame(['code', 'message', 'occurredAt', 'attempt', 'maxAttempts'], array_keys($error));
        self::assertSame('SCHEMA_DRIFT', $error['code']);
        self::assertSame(512, mb_strlen($error['message']), 'message cut to 512 characters');
        self::assertSame(3, $error['attempt']);
        self::assertSame(3, $error['maxAttempts']);
        self::assertNull($queue->pop());
        self::assertSame($id, $queue->deadLetters()[0]['id']);
    }

    /**
     * Exhausting attempts with release() alone also dead-letters the job, and the dead letter must
     * still say why (CONTRACT.md rule 4: the DLQ keeps the error object; issue 4: release and
     * fail annotate `error` per the error contract): code, message, occurredAt, attempt, maxAttempts.
     */
    public function testExhaustingAttemptsWithReleaseAloneDeadLettersWithTheFullErrorObject(): void
    {
        $queue = $this->queue(['max_attempts' => 2]);
        $id = $queue->push(Envelopes::asset('i-rule6-release-only'));
        self::assertSame('released', $queue->release($queue->pop(), 0));
        $last = $queue->pop();
        self::assertSame(2, $last->attempts());
        self::assertSame('dead-lettered', $queue->release($last, 0), 'the last attempt is dead-lettered, not released');
        $letters = $queue->deadLetters();
        self::assertCount(1, $letters);
        self::assertSame($id, $letters[0]['id']);

        $error = $letters[0]['data']['error'];
        self::assertIsArray($error, 'the dead letter carries an error object (it was null)');
        self::assertIsString($error['code']);
        self::assertNotSame('', $error['code']);
        self::assertIsString($error['message']);
        self::assertMatchesRegularExpression(self::RFC3339_UTC, $error['occurredAt']);
        self::assertSame(2, $error['attempt']);
        self::assertSame(2, $error['maxAttempts']);
    }

    /** retryDeadLetter($id) puts the job back on its queue with attempts reset; only once. */
    public function testRetryDeadLetterPutsItBackWithAttemptsReset(): void
    {
        $queue = $this->queue(['max_attempts' => 2, 'retry_seconds' => 1, 'backoff_exp' => 1]);
        $other = $queue->push(Envelopes::asset('i-rule6-other'));
        $id = $queue->push(Envelopes::asset('i-rule6-retry'));
        $first = $queue->pop();
        self::assertSame($other, $first->id());
        self::assertSame('dead-lettered', $queue->deadLetter($first, 'HANDLER_NOT_CONFIGURED', 'no handler'));
        $job = $queue->pop();
        self::assertSame('released', $queue->fail($job, 'UPSTREAM_TIMEOUT', 'first'));
        self::assertSame(1, $this->raw()->zCard($this->key(':delayed')));
        $job = self::eventuallyDue($queue);
        self::assertSame(2, $job->attempts());
        self::assertSame('dead-lettered', $queue->fail($job, 'UPSTREAM_TIMEOUT', 'second'));
        self::assertCount(2, $queue->deadLetters());

        self::assertFalse($queue->retryDeadLetter('no-such-id'));
        self::assertTrue($queue->retryDeadLetter($id));
        self::assertFalse($queue->retryDeadLetter($id), 'moved once');
        $left = $queue->deadLetters();
        self::assertCount(1, $left);
        self::assertSame($other, $left[0]['id'], 'the other dead letter stays');

        $again = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $again);
        self::assertSame($id, $again->id());
        self::assertSame(1, $again->attempts(), 'attempts reset');
        self::assertSame('second', $again->envelope()['error']['message'], 'the last error travels with it for the next worker');
        self::assertSame(0, $this->raw()->zCard($this->key(':delayed')));
        self::assertSame('released', $queue->fail($again, 'UPSTREAM_TIMEOUT', 'a full set of attempts again'));
        $queue->ack(self::eventuallyDue($queue));
        self::assertSame(0, $queue->size());
    }

    /** A header/body mismatch pushed raw (by Laravel's RedisQueue) goes to the DLQ with VALIDATION_FAILED on pop; the next job is served. */
    public function testAHeaderBodyMismatchPushedRawGoesToTheDlqWithValidationFailedOnPop(): void
    {
        $envelope = Envelopes::asset('i-rule6-mismatch');
        $lying = Envelope::headers($envelope);
        $lying['x-phpgrc-kind'] = 'incident.event';
        $laravelQueue = $this->laravel()->queue();
        $badId = $laravelQueue->pushRaw(Envelopes::payload($envelope, $lying), 'integration-bus');
        $noHeaders = json_decode(Envelopes::payload(Envelopes::asset('i-rule6-no-headers')), true);
        unset($noHeaders['headers']);
        $noHeadersId = $laravelQueue->pushRaw(json_encode($noHeaders), 'integration-bus');

        $queue = $this->queue();
        $goodId = $queue->push(Envelopes::asset('i-rule6-good'));

        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job, 'the mismatching jobs are skipped');
        self::assertSame($goodId, $job->id());
        $queue->ack($job);

        $letters = $queue->deadLetters();
        self::assertSame([$badId, $noHeadersId], array_column($letters, 'id'));
        foreach ($letters as $letter) {
            $error = $letter['data']['error'];
            self::assertSame('VALIDATION_FAILED', $error['code']);
            self::assertNotSame('', $error['message']);
            self::assertSame(1, $error['attempt']);
            self::assertSame(5, $error['maxAttempts']);
            self::assertMatchesRegularExpression(self::RFC3339_UTC, $error['occurredAt']);
            self::assertSame('integration-bus', $letter['queue']);
        }
        self::assertStringContainsString('x-phpgrc-kind', $letters[0]['data']['error']['message']);
        self::assertSame(0, $queue->size());
        self::assertSame(2, $queue->stats()['dead_lettered']);
    }

    /**
     * Replay dedupe: a replayed envelope (provenance.replay = true) with the same connectorKey,
     * externalId, kind and checksum as one already acked is skipped and counted; a changed payload,
     * another identity or dedupe_ttl 0 is delivered.
     */
    public function testReplayDedupeSkipsAnAlreadyProcessedReplayAndCountsIt(): void
    {
        $queue = $this->queue();
        $original = Envelopes::asset('i-rule6-replay');
        $queue->push($original);
        $queue->ack($queue->pop());

        $replayRun = new Run(Envelopes::CONNECTOR, '2025.10.1');
        $replay = Envelopes::asset('i-rule6-replay', ['replay' => true], [], $replayRun);
        self::assertNotSame($original['id'], $replay['id']);
        self::assertSame($original['provenance']['checksum'], $replay['provenance']['checksum']);
        $queue->push($replay);
        self::assertNull($queue->pop(), 'the replay of a processed envelope is not handed out');
        $stats = $queue->stats();
        self::assertSame(1, $stats['replays_skipped']);
        self::assertSame(0, $stats['ready'] + $stats['delayed'] + $stats['reserved'], 'and not left behind');
        self::assertSame(0, $stats['dead_letters']);

        $changed = Envelopes::asset('i-rule6-replay', ['replay' => true], ['name' => 'renamed'], $replayRun);
        $otherIdentity = Envelopes::asset('i-rule6-replay-2', ['replay' => true], [], $replayRun);
        $notAReplay = Envelopes::asset('i-rule6-replay');
        foreach ([$changed, $otherIdentity, $notAReplay] as $envelope) {
            $id = $queue->push($envelope);
            $job = $queue->pop();
            self::assertInstanceOf(ReservedJob::class, $job, $envelope['provenance']['externalId'] . ' is delivered');
            self::assertSame($id, $job->id());
            $queue->ack($job);
        }
        self::assertSame(1, $queue->stats()['replays_skipped']);

        $noDedupe = $this->queue(['dedupe_ttl' => 0]);
        $id = $noDedupe->push($replay);
        $job = $noDedupe->pop();
        self::assertInstanceOf(ReservedJob::class, $job, 'dedupe_ttl 0 turns dedupe off');
        self::assertSame($id, $job->id());
        $noDedupe->ack($job);
        self::assertSame(0, $noDedupe->stats()['replays_skipped']);
    }

    private static function eventuallyDue(Queue $queue): ReservedJob
    {
        $job = self::eventually(static fn () => $queue->pop(), 4.0);
        self::assertInstanceOf(ReservedJob::class, $job);

        return $job;
    }
}
