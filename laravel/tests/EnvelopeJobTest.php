<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Support\Facades\Queue;
use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Laravel\Events\MessageReceived;
use PhpGrc\Bus\Laravel\FailureReason;
use PhpGrc\Bus\Laravel\Metrics;
use PhpGrc\Bus\Laravel\Tests\Support\Envelopes;
use PhpGrc\Bus\Laravel\Tests\Support\RecordingEnvelopeHandler;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\Laravel\Tests\Support\ThrowingEnvelopeHandler;
use PhpGrc\Bus\Summary;
use PhpGrc\Bus\ValidationException;

/** What a worker does with one envelope: check, dispatch by kind, acknowledge, log, count. */
final class EnvelopeJobTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
    }

    /** @return iterable<string, array{string}> */
    public static function kinds(): iterable
    {
        foreach (array_keys(Envelopes::KINDS) as $kind) {
            yield $kind => [$kind];
        }
    }

    /** @dataProvider kinds */
    #[\PHPUnit\Framework\Attributes\DataProvider('kinds')] // PHPUnit 10+ (Debian 13); the annotation is PHPUnit 9's
    public function test_each_kind_is_dispatched_as_its_laravel_event_by_default(string $kind): void
    {
        $this->boot();
        $received = [];
        $this->app['events']->listen(Envelopes::KINDS[$kind][2], function (MessageReceived $event) use (&$received): void {
            $received[] = $event;
        });
        $envelope = Envelopes::of($kind);
        Queue::connection('integration-bus')->push($envelope);

        $this->work();

        $this->assertCount(1, $received);
        $this->assertInstanceOf(Envelopes::KINDS[$kind][2], $received[0]);
        $this->assertEquals($envelope, $received[0]->envelope);
        $this->assertSame(0, Queue::connection('integration-bus')->size(), 'the job was not acknowledged');
    }

    public function test_an_event_is_dispatched_for_its_own_kind_only(): void
    {
        $this->boot();
        $heard = [];
        foreach (Envelopes::KINDS as [, , $eventClass]) {
            $this->app['events']->listen($eventClass, function (MessageReceived $event) use (&$heard): void {
                $heard[] = get_class($event);
            });
        }
        Queue::connection('integration-bus')->push(Envelopes::of('incident.event'));

        $this->work();

        $this->assertSame([Envelopes::KINDS['incident.event'][2]], $heard);
    }

    public function test_a_configured_handler_class_receives_the_envelope(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);

        $this->work();

        $this->assertCount(1, RecordingEnvelopeHandler::$received);
        $this->assertEquals($envelope, RecordingEnvelopeHandler::$received[0]);
    }

    public function test_the_log_line_context_is_the_summary_of_the_envelope(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);

        $this->work();

        $log = $this->busLog();
        $this->assertCount(1, $log);
        $this->assertSame('INFO', $log[0]['level_name']);
        $this->assertSame(Summary::of($envelope), $log[0]['context']);
        $this->assertSame('processed', $log[0]['context']['status']);
    }

    public function test_the_log_line_goes_to_the_configured_channel(): void
    {
        $this->boot(['log_channel' => 'bus', 'handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        Queue::connection('integration-bus')->push(Envelopes::of());

        $this->work();

        $this->assertCount(1, $this->busLog('bus'));
        $this->assertSame([], $this->busLog('app'));
    }

    public function test_a_success_after_a_failed_attempt_logs_processed_with_the_error_cleared(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $annotated = Envelope::withError(Envelopes::of(), 'HANDLER_EXCEPTION', 'earlier attempt', 1, 5);
        Queue::connection('integration-bus')->push($annotated);

        $this->work();

        $this->assertSame(Summary::of(Envelope::clearError($annotated)), $this->busLog()[0]['context']);
        $this->assertSame('processed', $this->busLog()[0]['context']['status']);
    }

    public function test_a_failing_handler_logs_errored_with_the_attempts_error(): void
    {
        $this->boot(['max_attempts' => 4, 'handlers' => ['asset.discovery' => ThrowingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);

        $this->work();

        $context = $this->busLog()[0]['context'];
        $this->assertSame('errored', $context['status']);
        $this->assertSame($envelope['id'], $context['envelope_id']);
        $this->assertSame(FailureReason::HANDLER_EXCEPTION, $context['error']['code']);
        $this->assertSame('RuntimeException: ' . ThrowingEnvelopeHandler::MESSAGE, $context['error']['message']);
        $this->assertSame(1, $context['error']['attempt']);
        $this->assertSame(4, $context['error']['maxAttempts']);
    }

    public function test_a_kind_without_a_handler_fails_the_job(): void
    {
        $this->boot(['handlers' => ['incident.event' => RecordingEnvelopeHandler::class]]);
        Queue::connection('integration-bus')->push(Envelopes::of('asset.discovery'));

        $this->work();

        $this->assertSame(FailureReason::HANDLER_NOT_CONFIGURED, $this->busLog()[0]['context']['error']['code']);
        $this->assertSame([], RecordingEnvelopeHandler::$received);
    }

    public function test_counters_count_processed_failed_and_duration_in_one_hash(): void
    {
        $this->boot(['handlers' => [
            'asset.discovery' => RecordingEnvelopeHandler::class,
            'incident.event' => ThrowingEnvelopeHandler::class,
        ]]);
        Queue::connection('integration-bus')->push(Envelopes::of('asset.discovery'));
        Queue::connection('integration-bus')->push(Envelopes::of('asset.discovery'));
        Queue::connection('integration-bus')->push(Envelopes::of('incident.event'));

        $this->work();
        $this->work();
        $this->work();

        $metrics = $this->app->make(Metrics::class)->read();
        $this->assertSame(2, $metrics[Metrics::PROCESSED]);
        $this->assertSame(1, $metrics[Metrics::FAILED]);
        $this->assertGreaterThan(0.0, $metrics[Metrics::DURATION]);
        $hash = TestApplication::rawRedis()->hGetAll(TestApplication::PREFIX . 'integration-bus:counters');
        $this->assertSame(['2', '1'], [$hash[Metrics::PROCESSED], $hash[Metrics::FAILED]]);
        $this->assertEqualsWithDelta($metrics[Metrics::DURATION], (float) $hash[Metrics::DURATION], 1e-9);
    }

    public function test_counters_survive_a_server_that_lost_its_scripts(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $raw = TestApplication::rawRedis();
        Queue::connection('integration-bus')->push(Envelopes::of());
        $this->work();
        $raw->script('flush'); // a restarted or flushed server: EVALSHA answers NOSCRIPT
        Queue::connection('integration-bus')->push(Envelopes::of());
        $this->work();
        Queue::connection('integration-bus')->push(Envelopes::of());
        $this->work();

        $this->assertSame(3, $this->app->make(Metrics::class)->read()[Metrics::PROCESSED]);
    }

    public function test_counters_on_another_redis_connection_are_written_by_metrics_not_by_the_queue(): void
    {
        $this->boot([
            'handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class, 'incident.event' => ThrowingEnvelopeHandler::class],
            'metrics' => ['connection' => 'metrics', 'key' => 'integration-bus:counters'],
        ]);
        Queue::connection('integration-bus')->push(Envelopes::of('asset.discovery'));
        Queue::connection('integration-bus')->push(Envelopes::of('incident.event'));
        $this->work();
        $this->work();

        $metrics = $this->app->make(Metrics::class)->read();
        $this->assertSame([1, 1], [$metrics[Metrics::PROCESSED], $metrics[Metrics::FAILED]]);
        $raw = TestApplication::rawRedis();
        $this->assertSame(0, $raw->exists(TestApplication::PREFIX . 'integration-bus:counters'), 'nothing on the queue\'s database');
        $raw->select(1);
        $this->assertSame(1, $raw->exists(TestApplication::PREFIX . 'integration-bus:counters'));
    }

    public function test_counters_read_zero_before_any_job(): void
    {
        $this->boot();

        $this->assertSame(
            [Metrics::PROCESSED => 0, Metrics::FAILED => 0, Metrics::DURATION => 0.0],
            $this->app->make(Metrics::class)->read(),
        );
    }

    public function test_headers_that_do_not_mirror_the_body_fail_the_job_before_any_handler_runs(): void
    {
        // Another producer on Laravel's own redis driver: no native pop checked these headers.
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        $headers = Envelope::headers($envelope);
        $headers['x-phpgrc-kind'] = 'incident.event';
        Queue::connection('redis')->pushRaw(json_encode([
            'uuid' => 'u-1', 'job' => EnvelopeJob::HANDLER, 'data' => $envelope, 'headers' => $headers,
            'id' => 'j-1', 'attempts' => 0, 'maxTries' => 3,
        ]), 'plain');

        $this->work('redis', 'plain');

        $this->assertSame([], RecordingEnvelopeHandler::$received);
        $this->assertInstanceOf(ValidationException::class, $this->app[\Illuminate\Contracts\Debug\ExceptionHandler::class]->reported[0]);
        $this->assertSame(FailureReason::VALIDATION_FAILED, $this->busLog()[0]['context']['error']['code']);
    }

    public function test_a_payload_without_headers_is_refused(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        Queue::connection('redis')->pushRaw(json_encode([
            'uuid' => 'u-2', 'job' => EnvelopeJob::HANDLER, 'data' => Envelopes::of(), 'id' => 'j-2', 'attempts' => 0,
        ]), 'plain');

        $this->work('redis', 'plain');

        $this->assertSame([], RecordingEnvelopeHandler::$received);
        $this->assertSame(FailureReason::VALIDATION_FAILED, $this->busLog()[0]['context']['error']['code']);
    }

    public function test_the_handler_also_serves_laravels_own_redis_driver(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]]);
        $envelope = Envelopes::of();
        Queue::connection('redis')->pushRaw(json_encode([
            'uuid' => 'u-3', 'job' => EnvelopeJob::HANDLER, 'data' => $envelope, 'headers' => Envelope::headers($envelope),
            'id' => 'j-3', 'attempts' => 0,
        ]), 'plain');

        $this->work('redis', 'plain');

        $this->assertEquals([$envelope], RecordingEnvelopeHandler::$received);
        $this->assertSame(0, Queue::connection('redis')->size('plain'));
    }
}
