<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Support\Facades\Queue;
use InvalidArgumentException;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusJob;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusQueue;
use PhpGrc\Bus\Laravel\Tests\Support\Envelopes;
use PhpGrc\Bus\Laravel\Tests\Support\PlainJob;
use PhpGrc\Bus\Laravel\Tests\Support\RecordingEnvelopeHandler;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\ValidationException;

/** The `integration-bus` driver against Laravel's queue contract. */
final class QueueDriverTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->boot();
    }

    public function test_the_driver_is_registered_under_its_name(): void
    {
        $this->assertInstanceOf(IntegrationBusQueue::class, Queue::connection('integration-bus'));
        $this->assertSame('integration-bus', Queue::connection('integration-bus')->getConnectionName());
    }

    public function test_push_of_an_envelope_enqueues_it_under_the_redis_prefix_with_its_headers(): void
    {
        $envelope = Envelopes::of();

        $id = Queue::connection('integration-bus')->push($envelope);

        $this->assertIsString($id);
        $raw = TestApplication::rawRedis()->lRange(TestApplication::PREFIX . 'queues:integration-bus', 0, -1);
        $this->assertCount(1, $raw);
        $payload = json_decode($raw[0], true);
        $this->assertSame(EnvelopeJob::HANDLER, $payload['job']);
        $this->assertSame($envelope['id'], $payload['data']['id']);
        $this->assertSame($envelope['runId'], $payload['headers']['x-phpgrc-run-id']);
        $this->assertSame($id, $payload['id']);
    }

    public function test_push_of_a_stdclass_envelope_is_accepted(): void
    {
        $envelope = json_decode(json_encode(Envelopes::of()));

        Queue::connection('integration-bus')->push($envelope);

        $this->assertSame(1, Queue::connection('integration-bus')->size());
    }

    public function test_an_invalid_envelope_is_refused_and_nothing_is_enqueued(): void
    {
        $envelope = Envelopes::of();
        unset($envelope['runId']);

        try {
            Queue::connection('integration-bus')->push($envelope);
            $this->fail('push() accepted an envelope without runId');
        } catch (ValidationException $e) {
            $this->assertNotSame([], $e->violations());
        }
        $this->assertSame(0, Queue::connection('integration-bus')->size());
    }

    public function test_pop_returns_an_integration_bus_job_carrying_the_envelope(): void
    {
        $envelope = Envelopes::of();
        $id = Queue::connection('integration-bus')->push($envelope);

        $job = Queue::connection('integration-bus')->pop();

        $this->assertInstanceOf(IntegrationBusJob::class, $job);
        $this->assertSame($id, $job->getJobId());
        $this->assertSame('integration-bus', $job->getQueue());
        $this->assertSame('integration-bus', $job->getConnectionName());
        $this->assertSame(1, $job->attempts());
        $this->assertSame($envelope['id'], $job->payload()['data']['id']);
        $this->assertSame($job->reservedJob()->rawPayload(), $job->getRawBody());
        $this->assertNull(Queue::connection('integration-bus')->pop(), 'the reserved job was handed out twice');
    }

    public function test_pop_on_an_empty_queue_returns_null(): void
    {
        $this->assertNull(Queue::connection('integration-bus')->pop());
    }

    public function test_push_on_a_named_queue_and_size_count_per_queue(): void
    {
        Queue::connection('integration-bus')->pushOn('integration-bus-high', Envelopes::of());
        Queue::connection('integration-bus')->push(Envelopes::of());
        Queue::connection('integration-bus')->push(Envelopes::of());

        $this->assertSame(1, Queue::connection('integration-bus')->size('integration-bus-high'));
        $this->assertSame(2, Queue::connection('integration-bus')->size());
        $this->assertSame('integration-bus-high', Queue::connection('integration-bus')->pop('integration-bus-high')->getQueue());
    }

    public function test_later_delays_the_envelope(): void
    {
        Queue::connection('integration-bus')->later(60, Envelopes::of());

        $this->assertNull(Queue::connection('integration-bus')->pop());
        $this->assertSame(1, Queue::connection('integration-bus')->size());
        $delayed = TestApplication::rawRedis()->zRange(TestApplication::PREFIX . 'queues:integration-bus:delayed', 0, -1, true);
        $this->assertCount(1, $delayed);
        $this->assertEqualsWithDelta(time() + 60, (int) array_values($delayed)[0], 2);
    }

    public function test_later_accepts_a_date(): void
    {
        Queue::connection('integration-bus')->later(new \DateTimeImmutable('+120 seconds'), Envelopes::of());

        $delayed = TestApplication::rawRedis()->zRange(TestApplication::PREFIX . 'queues:integration-bus:delayed', 0, -1, true);
        $this->assertEqualsWithDelta(time() + 120, (int) array_values($delayed)[0], 2);
    }

    public function test_bulk_enqueues_all_envelopes_and_returns_their_ids_in_order(): void
    {
        $envelopes = [Envelopes::of('asset.discovery'), Envelopes::of('incident.event'), Envelopes::of('auth.provider')];

        $ids = Queue::connection('integration-bus')->bulk($envelopes);

        $this->assertCount(3, $ids);
        $this->assertSame(3, Queue::connection('integration-bus')->size());
        foreach ($envelopes as $envelope) {
            $this->assertSame($envelope['id'], Queue::connection('integration-bus')->pop()->payload()['data']['id']);
        }
    }

    public function test_bulk_with_one_invalid_envelope_enqueues_none(): void
    {
        $bad = Envelopes::of();
        $bad['kind'] = 'asset.unknown';

        try {
            Queue::connection('integration-bus')->bulk([Envelopes::of(), $bad]);
            $this->fail('bulk() accepted an invalid envelope');
        } catch (ValidationException) {
        }
        $this->assertSame(0, Queue::connection('integration-bus')->size());
    }

    public function test_a_plain_laravel_job_goes_to_the_companion_queue_and_the_worker_runs_it(): void
    {
        Queue::connection('integration-bus')->push(new PlainJob('first'));

        $this->assertSame(1, TestApplication::rawRedis()->lLen(TestApplication::PREFIX . 'queues:integration-bus:laravel'));
        $this->assertSame(0, TestApplication::rawRedis()->lLen(TestApplication::PREFIX . 'queues:integration-bus'));
        $this->assertSame(1, Queue::connection('integration-bus')->size());

        $this->work();

        $this->assertSame(['first'], PlainJob::$handled);
        $this->assertSame(0, Queue::connection('integration-bus')->size());
    }

    public function test_envelopes_are_served_before_plain_jobs(): void
    {
        Queue::connection('integration-bus')->push(new PlainJob('plain'));
        Queue::connection('integration-bus')->push(Envelopes::of());

        $this->assertInstanceOf(IntegrationBusJob::class, Queue::connection('integration-bus')->pop());
        $this->assertSame('integration-bus:laravel', Queue::connection('integration-bus')->pop()->getQueue());
    }

    public function test_push_raw_of_an_envelope_job_payload_re_enqueues_the_envelope(): void
    {
        $envelope = Envelopes::of();
        Queue::connection('integration-bus')->push($envelope);
        $failedBody = Queue::connection('integration-bus')->pop()->getRawBody();
        TestApplication::rawRedis()->flushAll();

        $id = Queue::connection('integration-bus')->pushRaw($failedBody, 'integration-bus');

        $job = Queue::connection('integration-bus')->pop();
        $this->assertInstanceOf(IntegrationBusJob::class, $job);
        $this->assertSame($id, $job->getJobId());
        $this->assertSame(1, $job->attempts());
        $this->assertSame($envelope['id'], $job->payload()['data']['id']);
    }

    public function test_push_raw_of_another_payload_goes_to_the_companion_queue(): void
    {
        $payload = json_encode(['uuid' => 'u-1', 'job' => 'App\\Jobs\\Nightly@handle', 'data' => ['x' => 1], 'id' => 'raw-1', 'attempts' => 0]);

        $this->assertSame('raw-1', Queue::connection('integration-bus')->pushRaw($payload));

        $this->assertSame([$payload], TestApplication::rawRedis()->lRange(TestApplication::PREFIX . 'queues:integration-bus:laravel', 0, -1));
    }

    public function test_the_redis_connection_prefix_overrides_the_shared_prefix(): void
    {
        $this->app['config']->set('database.redis.default.prefix', 'own:');

        Queue::connection('integration-bus')->push(Envelopes::of());

        $this->assertSame(1, TestApplication::rawRedis()->lLen('own:queues:integration-bus'));
    }

    public function test_an_unknown_redis_connection_is_a_clear_error(): void
    {
        $this->app['config']->set('queue.connections.integration-bus.connection', 'missing');

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('Redis connection [missing] is not configured in database.redis or database.redis.clusters.');

        Queue::connection('integration-bus');
    }

    public function test_wait_replicas_on_the_queue_connection_reaches_the_extension(): void
    {
        // The test server has no replica: a push that must reach one is queued, and says so.
        $this->app['config']->set('queue.connections.integration-bus.wait_replicas', 1);
        $this->app['config']->set('queue.connections.integration-bus.wait_timeout', 0.05);

        try {
            Queue::connection('integration-bus')->push(Envelopes::of());
            $this->fail('an unconfirmed push returned normally');
        } catch (\PhpGrc\Bus\QueueException $e) {
            $this->assertStringContainsString('0 of 1 replica(s) confirmed', $e->getMessage());
        }
        $this->assertSame(1, Queue::connection('integration-bus')->size());
    }

    public function test_busy_poll_on_the_queue_connection_reaches_the_extension(): void
    {
        $this->app['config']->set('queue.connections.integration-bus.busy_poll', 0);
        Queue::connection('integration-bus')->push(Envelopes::of());
        $this->assertSame(1, Queue::connection('integration-bus')->size());
    }

    public function test_an_out_of_range_busy_poll_is_refused_by_the_extension(): void
    {
        $this->app['config']->set('queue.connections.integration-bus.busy_poll', 20000);
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage("Queue option 'busy_poll' must be whole microseconds from 0 to 10000");
        Queue::connection('integration-bus');
    }

    public function test_prefetch_and_deferred_acks_on_the_queue_connection_serve_the_stock_worker(): void
    {
        $this->boot(['handlers' => ['asset.discovery' => RecordingEnvelopeHandler::class]], ['prefetch' => 4, 'ack' => 'deferred']);
        for ($i = 0; $i < 6; $i++) {
            Queue::connection('integration-bus')->push(Envelopes::of());
        }

        $reserved = static fn () => TestApplication::rawRedis()->zCard(TestApplication::PREFIX . 'queues:integration-bus:reserved');

        $this->work();
        // One pop reserved four; the first one's ack waits for the next round trip.
        $this->assertSame(4, $reserved());
        for ($i = 0; $i < 5; $i++) {
            $this->work();
        }

        $this->assertCount(6, RecordingEnvelopeHandler::$received);
        // size() is a round trip, so it writes the last deferred ack first.
        $this->assertSame(0, Queue::connection('integration-bus')->size());
        $this->assertSame(0, $reserved());
    }

    public function test_an_unknown_ack_mode_is_refused_by_the_extension(): void
    {
        $this->app['config']->set('queue.connections.integration-bus.ack', 'later');
        $this->expectException(InvalidArgumentException::class);
        Queue::connection('integration-bus');
    }

    public function test_a_redis_url_is_used_when_the_connection_has_one(): void
    {
        $this->app['config']->set('database.redis.default.url', 'redis://127.0.0.1:' . TestApplication::redisPort() . '/3');

        Queue::connection('integration-bus')->push(Envelopes::of());

        $redis = TestApplication::rawRedis();
        $redis->select(3);
        $this->assertSame(1, $redis->lLen(TestApplication::PREFIX . 'queues:integration-bus'));
    }
}
