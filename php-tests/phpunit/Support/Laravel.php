<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use PhpGrc\Bus\Laravel\Tests\Support\RecordingExceptionHandler;

use Illuminate\Config\Repository;
use Illuminate\Container\Container;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Contracts\Events\Dispatcher as DispatcherContract;
use Illuminate\Events\Dispatcher;
use Illuminate\Queue\Connectors\RedisConnector;
use Illuminate\Queue\Events\JobProcessed;
use Illuminate\Queue\Events\JobExceptionOccurred;
use Illuminate\Queue\QueueManager;
use Illuminate\Queue\RedisQueue;
use Illuminate\Queue\Worker;
use Illuminate\Queue\WorkerOptions;
use Illuminate\Redis\RedisManager;
use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Laravel\Metrics;
use PhpGrc\Bus\Validator;

/**
 * The smallest Laravel 8 world a stock worker needs: a Container with config and events, Redis
 * on phpredis, the QueueManager with Laravel's own `redis` driver (RedisQueue), the Worker with
 * an exception handler, and the real `PhpGrc\Bus\Laravel\EnvelopeJob` (autoloaded read-only
 * from laravel/src) bound with a recording envelope handler for every kind.
 */
final class Laravel
{
    public const CONNECTION = 'redis';

    public readonly Container $app;
    public readonly Dispatcher $events;
    public readonly RedisManager $redis;
    public readonly QueueManager $queues;
    public readonly Worker $worker;
    public readonly RecordingExceptionHandler $exceptions;
    public readonly RecordingLogger $logger;
    /** @var list<array{event: string, id: ?string, attempts: int}> */
    public array $jobEvents = [];

    /**
     * @param array<string, mixed> $redisConnection a config/database.php redis connection
     * @param array<string, mixed> $queueConnection overrides of the queue connection (retry_after, ...)
     * @param list<array<string, mixed>>|null $clusterNodes a Redis Cluster instead: `database.redis.clusters.default`
     */
    public function __construct(array $redisConnection, string $prefix, array $queueConnection = [], ?array $clusterNodes = null)
    {
        $this->app = new Container();
        Container::setInstance($this->app);
        $redisConfig = $clusterNodes === null
            ? ['client' => 'phpredis', 'options' => ['prefix' => $prefix], 'default' => $redisConnection]
            : ['client' => 'phpredis', 'options' => ['prefix' => $prefix, 'cluster' => 'redis'], 'clusters' => ['default' => $clusterNodes]];
        $this->app->instance('config', new Repository([
            'database' => ['redis' => $redisConfig],
            'queue' => [
                'default' => self::CONNECTION,
                'connections' => [self::CONNECTION => $queueConnection + [
                    'driver' => 'redis',
                    'connection' => 'default',
                    'queue' => 'integration-bus',
                    'retry_after' => 900,
                    'block_for' => null,
                ]],
            ],
        ]));

        $this->events = new Dispatcher($this->app);
        $this->app->instance('events', $this->events);
        $this->app->instance(DispatcherContract::class, $this->events);

        $this->redis = new RedisManager($this->app, 'phpredis', $this->app['config']['database.redis']);
        $this->app->instance('redis', $this->redis);

        $this->queues = new QueueManager($this->app);
        $this->queues->addConnector('redis', fn () => new RedisConnector($this->redis));
        $this->app->instance('queue', $this->queues);

        $this->exceptions = new RecordingExceptionHandler();
        $this->app->instance(ExceptionHandler::class, $this->exceptions);
        $this->logger = new RecordingLogger();

        $redis = $this->redis;
        $logger = $this->logger;
        $this->app->bind(EnvelopeJob::class, fn (Container $app) => new EnvelopeJob(
            new Validator(),
            $app,
            $app->make(DispatcherContract::class),
            $logger,
            new Metrics($redis->connection(), 'integration-bus:metrics'),
            array_fill_keys(array_keys(Envelope::kinds()), RecordingHandler::class),
            5,
        ));

        $this->worker = new Worker($this->queues, $this->events, $this->exceptions, fn () => false);

        $this->events->listen(JobProcessed::class, function (JobProcessed $e): void {
            $this->jobEvents[] = ['event' => 'processed', 'id' => $e->job->getJobId(), 'attempts' => $e->job->attempts()];
        });
        $this->events->listen(JobExceptionOccurred::class, function (JobExceptionOccurred $e): void {
            $this->jobEvents[] = ['event' => 'exception', 'id' => $e->job->getJobId(), 'attempts' => $e->job->attempts()];
        });
    }

    /** Laravel's own RedisQueue for the connection. */
    public function queue(): RedisQueue
    {
        $queue = $this->queues->connection(self::CONNECTION);
        assert($queue instanceof RedisQueue);

        return $queue;
    }

    /** One `queue:work --once` step of the stock Worker (no sleep when the queue is empty). */
    public function workOnce(string $queue = 'integration-bus', int $maxTries = 0, int $backoff = 0): void
    {
        $this->worker->runNextJob(self::CONNECTION, $queue, new WorkerOptions('default', $backoff, 128, 60, 0, $maxTries));
    }

    public function disconnect(): void
    {
        foreach ($this->redis->connections() ?? [] as $connection) {
            $connection->disconnect();
        }
        Container::setInstance(null);
    }
}
