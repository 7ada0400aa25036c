<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Contracts\Queue\ClearableQueue;
use Illuminate\Queue\RedisQueue;
use Illuminate\Support\Facades\Queue;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusJob;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusQueue;
use PhpGrc\Bus\Laravel\Tests\Support\Envelopes;
use PhpGrc\Bus\Laravel\Tests\Support\PlainJob;
use PhpGrc\Bus\Laravel\Tests\Support\QueueName;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;

/**
 * Laravel 13's queue contract (sizes, the oldest pending job, pop's queue index, ClearableQueue)
 * and the artisan commands built on it, on whichever Laravel runs the suite (8, 10 or 13). Both
 * of the driver's queues count: envelopes and the companion queue of plain Laravel jobs.
 */
final class QueueContractTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->boot();
    }

    private function queue(): IntegrationBusQueue
    {
        $queue = Queue::connection('integration-bus');
        $this->assertInstanceOf(IntegrationBusQueue::class, $queue);

        return $queue;
    }

    /** Two ready, one reserved, two delayed: half envelopes, half plain jobs. */
    private function fill(): void
    {
        $queue = $this->queue();
        $queue->push(Envelopes::of());
        $queue->push(Envelopes::of('incident.event'));
        $queue->push(new PlainJob('ready'));
        $queue->later(600, Envelopes::of('vendor.profile'));
        $queue->later(600, new PlainJob('later'));
        $this->assertInstanceOf(IntegrationBusJob::class, $queue->pop());
    }

    public function test_pending_delayed_and_reserved_sizes_count_both_queues_as_redis_queue_counts_them(): void
    {
        $this->fill();
        $queue = $this->queue();

        $this->assertSame(2, $queue->pendingSize());
        $this->assertSame(2, $queue->delayedSize());
        $this->assertSame(1, $queue->reservedSize());
        $this->assertSame(5, $queue->size());
        $this->assertSame(5, $queue->pendingSize() + $queue->delayedSize() + $queue->reservedSize());
        $this->assertSame([0, 0, 0], [$queue->pendingSize('elsewhere'), $queue->delayedSize('elsewhere'), $queue->reservedSize('elsewhere')]);
    }

    public function test_the_sizes_agree_with_laravels_own_redis_queue_where_it_has_them(): void
    {
        $this->fill();
        $redis = new RedisQueue($this->app['redis'], 'integration-bus', 'default', 900);
        if (! method_exists($redis, 'pendingSize')) {
            // Laravel 8 and 10 have no such methods: compare with the keys they would read.
            $raw = TestApplication::rawRedis();
            $key = TestApplication::PREFIX . 'queues:integration-bus';
            $this->assertSame($raw->lLen($key) + $raw->lLen("{$key}:laravel"), $this->queue()->pendingSize());
            $this->assertSame($raw->zCard("{$key}:delayed") + $raw->zCard("{$key}:laravel:delayed"), $this->queue()->delayedSize());

            return;
        }
        foreach (['pendingSize', 'delayedSize', 'reservedSize'] as $method) {
            $this->assertSame(
                $redis->{$method}('integration-bus') + $redis->{$method}('integration-bus:laravel'),
                $this->queue()->{$method}(),
                $method,
            );
        }
    }

    public function test_the_oldest_pending_job_is_dated_by_its_created_at(): void
    {
        $queue = $this->queue();
        $this->assertNull($queue->creationTimeOfOldestPendingJob(), 'an empty queue has no oldest job');

        $before = time();
        $queue->push(Envelopes::of());
        $after = time();

        $payload = json_decode(TestApplication::rawRedis()->lIndex(TestApplication::PREFIX . 'queues:integration-bus', 0), true);
        $this->assertIsInt($payload['createdAt'], 'our payloads carry createdAt, as Laravel 12+ writes it');
        $this->assertGreaterThanOrEqual($before, $payload['createdAt']);
        $this->assertLessThanOrEqual($after, $payload['createdAt']);
        $this->assertSame($payload['createdAt'], $queue->creationTimeOfOldestPendingJob());
    }

    public function test_the_oldest_pending_job_of_the_companion_queue_counts_when_laravel_dates_it(): void
    {
        $queue = $this->queue();
        $queue->push(new PlainJob('plain'));
        $plain = json_decode(TestApplication::rawRedis()->lIndex(TestApplication::PREFIX . 'queues:integration-bus:laravel', 0), true);

        // Laravel 12+ writes createdAt; 8 and 10 do not, and their jobs' age is unknown, not 0.
        $this->assertSame($plain['createdAt'] ?? null, $queue->creationTimeOfOldestPendingJob());

        TestApplication::rawRedis()->lSet(TestApplication::PREFIX . 'queues:integration-bus:laravel', 0, json_encode(['createdAt' => 1000] + $plain));
        $queue->push(Envelopes::of());
        $this->assertSame(1000, $queue->creationTimeOfOldestPendingJob(), 'the older of the two queues\' heads');
    }

    public function test_a_job_without_created_at_leaves_the_oldest_pending_time_unknown(): void
    {
        TestApplication::rawRedis()->rPush(
            TestApplication::PREFIX . 'queues:integration-bus',
            json_encode(['uuid' => 'u', 'job' => 'X@handle', 'data' => [], 'id' => 'u', 'attempts' => 0]),
        );

        $this->assertNull($this->queue()->creationTimeOfOldestPendingJob());
    }

    public function test_clear_deletes_the_jobs_of_both_queues_and_keeps_the_dead_letters(): void
    {
        $this->fill();
        $queue = $this->queue();
        $this->assertInstanceOf(ClearableQueue::class, $queue);
        $dead = $queue->pop();
        $queue->native()->deadLetter($dead->reservedJob(), 'TEST', 'kept through clear');

        $this->assertSame(4, $queue->clear('integration-bus'));

        $this->assertSame(0, $queue->size());
        $this->assertCount(1, $queue->native()->deadLetters());
        $this->assertSame([], TestApplication::rawRedis()->keys(TestApplication::PREFIX . 'queues:integration-bus*'));
        $this->assertSame(0, $queue->clear(), 'the default queue, now empty');
    }

    public function test_pop_waits_for_the_first_queue_only_as_laravel_13s_worker_expects(): void
    {
        $this->boot([], ['block_for' => 2]);
        $queue = $this->queue();

        $started = microtime(true);
        $this->assertNull($queue->pop('quiet', 1));
        $this->assertLessThan(1.5, microtime(true) - $started, 'a secondary queue (index 1) never blocks');

        $queue->push(Envelopes::of(), '', 'busy');
        $this->assertInstanceOf(IntegrationBusJob::class, $queue->pop('busy', 1));
        $started = microtime(true);
        $this->assertNull($queue->pop('quiet', 0));
        $this->assertLessThan(1.5, microtime(true) - $started, 'right after a secondary queue had a job, the first does not block');

        $started = microtime(true);
        $this->assertNull($queue->pop('quiet', 0));
        $this->assertGreaterThanOrEqual(1.5, microtime(true) - $started, 'otherwise the first queue waits block_for');
    }

    public function test_an_enum_names_the_queue(): void
    {
        $queue = $this->queue();

        $queue->push(Envelopes::of(), '', QueueName::Urgent);

        $this->assertSame(1, TestApplication::rawRedis()->lLen(TestApplication::PREFIX . 'queues:urgent'));
        $this->assertSame(1, $queue->pendingSize(QueueName::Urgent));
        $this->assertInstanceOf(IntegrationBusJob::class, $queue->pop(QueueName::Urgent));
    }

    public function test_a_forwarded_queue_name_is_followed_where_laravel_has_forwards(): void
    {
        $manager = $this->app['queue'];
        $forwards = method_exists($manager, 'forward'); // Laravel 13
        if ($forwards) {
            $manager->forward('legacy', 'integration-bus');
        }

        $this->queue()->push(Envelopes::of(), '', 'legacy');

        $raw = TestApplication::rawRedis();
        $this->assertSame($forwards ? 0 : 1, $raw->lLen(TestApplication::PREFIX . 'queues:legacy'));
        $this->assertSame($forwards ? 1 : 0, $raw->lLen(TestApplication::PREFIX . 'queues:integration-bus'));
    }

    public function test_queue_clear_empties_the_connections_queue(): void
    {
        $this->fill();

        [$code, $output] = $this->artisan(['command' => 'queue:clear', 'connection' => 'integration-bus']);

        $this->assertSame(0, $code, $output);
        $this->assertMatchesRegularExpression('/Cleared 5 jobs? from the \[integration-bus\] queue/', $output);
        $this->assertSame(0, $this->queue()->size());
    }

    public function test_queue_monitor_reports_the_sizes(): void
    {
        $this->fill();

        [$code, $output] = $this->artisan(['command' => 'queue:monitor', 'queues' => 'integration-bus:integration-bus', '--max' => 3]);

        $this->assertSame(0, $code, $output);
        $this->assertMatchesRegularExpression('/integration-bus\W+integration-bus\W+(\S+\W+)?5\W.*ALERT/s', $output);
        if (method_exists(RedisQueue::class, 'pendingSize')) {
            // Laravel 12+ prints each count and the oldest pending job's age.
            $this->assertMatchesRegularExpression('/Pending jobs\s*\.*\s*2\b/', $output);
            $this->assertMatchesRegularExpression('/Delayed jobs\s*\.*\s*2\b/', $output);
            $this->assertMatchesRegularExpression('/Reserved jobs\s*\.*\s*1\b/', $output);
            $this->assertMatchesRegularExpression('/Oldest pending job\s*\.*\s*\d+ seconds? ago|Oldest pending job\s*\.*\s*\S+ ago/', $output);
        }
    }

    /** @return array{int, string} exit code and output */
    private function artisan(array $input): array
    {
        $output = new BufferedOutput();
        $code = TestApplication::artisan($this->app)->run(new ArrayInput($input), $output);

        return [$code, $output->fetch()];
    }
}
