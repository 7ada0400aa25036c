<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Queue\Events\JobFailed;
use Illuminate\Support\Facades\Queue;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Laravel\FailureReason;
use PhpGrc\Bus\Laravel\Metrics;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusJob;
use PhpGrc\Bus\Laravel\Tests\Support\Envelopes;
use PhpGrc\Bus\Laravel\Tests\Support\RecordingEnvelopeHandler;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\Laravel\Tests\Support\ThrowingEnvelopeHandler;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;

/** The error contract under Laravel's stock Worker: annotate, back off, dead-letter, fail. */
final class RetryAndDeadLetterTest extends TestCase
{
    private const DELAYED = TestApplication::PREFIX . 'queues:integration-bus:delayed';

    protected function setUp(): void
    {
        parent::setUp();
    }

    public function test_a_throwing_handler_is_retried_with_backoff_then_dead_lettered_with_its_error(): void
    {
        $this->boot([
            'max_attempts' => 3, 'retry_seconds' => 30, 'backoff_exp' => 3,
            'handlers' => ['asset.discovery' => ThrowingEnvelopeHandler::class],
        ]);
        $failed = [];
        $this->app['events']->listen(JobFailed::class, function (JobFailed $event) use (&$failed): void {
            $failed[] = $event;
        });
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);

        // Attempt n waits retry_seconds × backoff_exp^(n−1): 30 s, then 90 s.
        foreach ([1 => 30, 2 => 90] as $attempt => $wait) {
            $this->work();

            [$payload, $availableAt] = $this->onlyDelayedJob();
            $this->assertEqualsWithDelta(time() + $wait, $availableAt, 2, "attempt {$attempt}: wrong backoff");
            $this->assertSame($attempt, $payload['attempts']);
            $this->assertSame(FailureReason::HANDLER_EXCEPTION, $payload['data']['error']['code']);
            $this->assertSame($attempt, $payload['data']['error']['attempt']);
            $this->assertSame(3, $payload['data']['error']['maxAttempts']);
            $this->assertSame([], $failed, "attempt {$attempt} already failed the job");
            $this->makeDelayedJobsDue();
        }

        $this->work();

        $this->assertSame(3, ThrowingEnvelopeHandler::$calls);
        $this->assertSame(0, Queue::connection('integration-bus')->size());
        $dead = Queue::connection('integration-bus')->native()->deadLetters();
        $this->assertCount(1, $dead);
        $this->assertSame($envelope['id'], $dead[0]['data']['id']);
        $error = $dead[0]['data']['error'];
        $this->assertSame(FailureReason::HANDLER_EXCEPTION, $error['code']);
        $this->assertSame('RuntimeException: ' . ThrowingEnvelopeHandler::MESSAGE, $error['message']);
        $this->assertSame(3, $error['attempt']);
        $this->assertSame(3, $error['maxAttempts']);
        $this->assertArrayHasKey('occurredAt', $error);

        $this->assertCount(1, $failed, "Laravel's failed-job path did not run once");
        $this->assertInstanceOf(IntegrationBusJob::class, $failed[0]->job);
        $this->assertSame('integration-bus', $failed[0]->connectionName);
        $this->assertSame(ThrowingEnvelopeHandler::MESSAGE, $failed[0]->exception->getMessage());

        $this->assertSame([1, 2, 3], array_map(fn (array $r) => $r['context']['error']['attempt'], $this->busLog()));
        $this->assertSame(3, $this->app->make(Metrics::class)->read()[Metrics::FAILED]);
    }

    public function test_queue_work_once_logs_the_exhausted_job_in_the_failed_jobs_store(): void
    {
        $this->boot(['max_attempts' => 1, 'handlers' => ['asset.discovery' => ThrowingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);

        $exitCode = TestApplication::artisan($this->app)->run(
            new ArrayInput(['command' => 'queue:work', 'connection' => 'integration-bus', '--once' => true, '--sleep' => 0]),
            new BufferedOutput(),
        );

        $this->assertSame(0, $exitCode);
        $logged = $this->app['queue.failer']->logged;
        $this->assertCount(1, $logged);
        $this->assertSame('integration-bus', $logged[0]['connection']);
        $this->assertSame('integration-bus', $logged[0]['queue']);
        $this->assertSame(EnvelopeJob::HANDLER, json_decode($logged[0]['payload'], true)['job']);
        $this->assertSame($envelope['id'], json_decode($logged[0]['payload'], true)['data']['id']);
        $dead = Queue::connection('integration-bus')->native()->deadLetters();
        $this->assertCount(1, $dead);
        $this->assertSame(1, $dead[0]['data']['error']['attempt']);
        $this->assertSame(1, $dead[0]['data']['error']['maxAttempts']);
    }

    public function test_a_failed_job_retried_like_queue_retry_runs_again(): void
    {
        $this->boot(['max_attempts' => 1, 'handlers' => ['asset.discovery' => ThrowingEnvelopeHandler::class]]);
        $stored = null;
        $this->app['events']->listen(JobFailed::class, function (JobFailed $event) use (&$stored): void {
            $stored = $event->job->getRawBody(); // what queue:work writes to the failed-jobs store
        });
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);
        $this->work();
        $this->assertIsString($stored);

        // `php artisan queue:retry` hands the stored payload to pushRaw() on the job's connection and queue.
        $this->app['config']->set('integration-bus.handlers', ['asset.discovery' => RecordingEnvelopeHandler::class]);
        Queue::connection('integration-bus')->pushRaw($stored, 'integration-bus');
        $this->work();

        $this->assertCount(1, RecordingEnvelopeHandler::$received);
        $this->assertSame($envelope['id'], RecordingEnvelopeHandler::$received[0]['id']);
        $this->assertSame(0, Queue::connection('integration-bus')->size());
    }

    public function test_queue_failed_lists_the_exhausted_job_and_queue_retry_runs_it_again(): void
    {
        $this->boot(['max_attempts' => 1, 'handlers' => ['asset.discovery' => ThrowingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        $id = Queue::connection('integration-bus')->push($envelope);
        // queue:work (not a bare Worker) writes failed jobs to the store.
        TestApplication::artisan($this->app)->run(
            new ArrayInput(['command' => 'queue:work', 'connection' => 'integration-bus', '--once' => true, '--sleep' => 0]),
            new BufferedOutput(),
        );

        $output = new BufferedOutput();
        $this->assertSame(0, TestApplication::artisan($this->app)->run(new ArrayInput(['command' => 'queue:failed']), $output));
        $listed = $output->fetch();
        $this->assertStringContainsString($id, $listed, 'queue:failed lists the job by its id');
        $this->assertStringContainsString('PhpGrc\Bus\Laravel\EnvelopeJob', $listed);

        $this->app['config']->set('integration-bus.handlers', ['asset.discovery' => RecordingEnvelopeHandler::class]);
        $output = new BufferedOutput();
        $this->assertSame(0, TestApplication::artisan($this->app)->run(new ArrayInput(['command' => 'queue:retry', 'id' => ['all']]), $output));
        $this->assertStringContainsString($id, $output->fetch());
        $this->assertSame([], $this->app['queue.failer']->all(), 'queue:retry forgets what it pushed back');
        $this->assertSame(1, Queue::connection('integration-bus')->size(), 'back on the envelope queue, validated again');
        $this->work();

        $this->assertCount(1, RecordingEnvelopeHandler::$received);
        $this->assertSame($envelope['id'], RecordingEnvelopeHandler::$received[0]['id']);
        $this->assertSame(0, Queue::connection('integration-bus')->size());
        $this->assertCount(1, Queue::connection('integration-bus')->native()->deadLetters(), 'the dead letter of the first run stays');
    }

    public function test_success_acknowledges_and_clears_the_error(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        Queue::connection('integration-bus')->push(Envelopes::of());

        $this->work();

        $this->assertSame(0, Queue::connection('integration-bus')->size());
        $this->assertSame([], Queue::connection('integration-bus')->native()->deadLetters());
        $this->assertSame(0, TestApplication::rawRedis()->zCard(TestApplication::PREFIX . 'queues:integration-bus:reserved'));
    }

    public function test_a_release_without_an_exception_uses_the_given_delay_and_no_error(): void
    {
        $this->boot();
        Queue::connection('integration-bus')->push(Envelopes::of());
        $job = Queue::connection('integration-bus')->pop();

        $job->release(7);

        [$payload, $availableAt] = $this->onlyDelayedJob();
        $this->assertEqualsWithDelta(time() + 7, $availableAt, 2);
        $this->assertNull($payload['data']['error'] ?? null);
        $this->assertTrue($job->isReleased());
    }

    /** @return array{0: array<string, mixed>, 1: int} the delayed job's payload and when it is due */
    private function onlyDelayedJob(): array
    {
        $delayed = TestApplication::rawRedis()->zRange(self::DELAYED, 0, -1, true);
        $this->assertCount(1, $delayed, 'expected exactly one delayed job');

        return [json_decode((string) array_key_first($delayed), true), (int) reset($delayed)];
    }

    /** Instead of sleeping through the backoff: make every delayed job due now. */
    private function makeDelayedJobsDue(): void
    {
        $redis = TestApplication::rawRedis();
        foreach (array_keys($redis->zRange(self::DELAYED, 0, -1, true)) as $member) {
            $redis->zAdd(self::DELAYED, ['XX'], time() - 1, $member);
        }
    }
}
