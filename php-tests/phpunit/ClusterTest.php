<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use Illuminate\Queue\Queue as LaravelBaseQueue;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusConnector;
use PhpGrc\Bus\Queue;
use PhpGrc\Bus\QueueException;
use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\Tests\Support\Laravel;
use PhpGrc\Bus\Tests\Support\RecordingHandler;
use PhpGrc\Bus\TestSupport\RedisCluster;
use PHPUnit\Framework\TestCase;

/**
 * The extension's Queue on a local 3-master Redis Cluster (issue 7, "Redis Cluster"), beside
 * Laravel 8's RedisQueue on phpredis' RedisCluster: one hash-tagged queue both sides share.
 */
final class ClusterTest extends TestCase
{
    private const PREFIX = 'phpgrc_it:';
    private const QUEUE = '{integration-bus}';
    private const OPTIONS = ['queue' => self::QUEUE, 'dlq' => '{integration-bus}:dlq', 'read_timeout' => 5];

    private RedisCluster $cluster;
    /** @var list<Laravel> */
    private array $laravels = [];

    protected function setUp(): void
    {
        RecordingHandler::reset();
        $this->cluster = RedisCluster::start(3);
    }

    protected function tearDown(): void
    {
        foreach ($this->laravels as $laravel) {
            $laravel->disconnect();
        }
        LaravelBaseQueue::createPayloadUsing(null);
        RecordingHandler::reset();
        $this->cluster->stop();
    }

    /** @param array<string, mixed> $options */
    private function queue(array $options = []): Queue
    {
        return new Queue(['cluster' => $this->cluster->seeds(), 'prefix' => self::PREFIX], $options + self::OPTIONS);
    }

    private function laravel(): Laravel
    {
        $laravel = new Laravel([], self::PREFIX, ['queue' => self::QUEUE], $this->cluster->laravelNodes());
        $this->laravels[] = $laravel;

        return $laravel;
    }

    public function testLaravelsWorkerRunsAJobTheExtensionPushedToTheCluster(): void
    {
        $envelope = Envelopes::asset('i-cluster-1');
        $id = $this->queue()->push($envelope);

        $keys = $this->cluster->client();
        self::assertSame(1, $keys->lLen(self::PREFIX . 'queues:{integration-bus}'));

        $laravel = $this->laravel();
        $laravel->workOnce(self::QUEUE);
        self::assertSame([], array_map(static fn ($e) => get_class($e) . ': ' . $e->getMessage(), $laravel->exceptions->reported));
        self::assertEquals([Envelopes::decoded($envelope)], RecordingHandler::$received);
        self::assertSame([['event' => 'processed', 'id' => $id, 'attempts' => 1]], $laravel->jobEvents);
        self::assertSame(0, $this->queue()->size());
    }

    public function testTheExtensionPopsWhatLaravelPushedToTheClusterAndDeadLettersInTheSameSlot(): void
    {
        $envelope = Envelopes::asset('i-cluster-2');
        $id = $this->laravel()->queue()->pushRaw(Envelopes::payload($envelope), self::QUEUE);

        $queue = $this->queue(['max_attempts' => 1]);
        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job);
        self::assertSame($id, $job->id());
        self::assertSame(self::QUEUE, $job->queue());
        self::assertEquals(Envelopes::decoded($envelope), $job->envelope());
        self::assertSame('dead-lettered', $queue->fail($job, 'HANDLER_FAILED', 'no such asset'));

        $keys = $this->cluster->client();
        self::assertSame(1, $keys->lLen(self::PREFIX . '{integration-bus}:dlq'));
        self::assertSame(0, $keys->zCard(self::PREFIX . 'queues:{integration-bus}:reserved'));
        self::assertTrue($queue->retryDeadLetter($id));
        $again = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $again);
        self::assertSame('HANDLER_FAILED', $again->envelope()['error']['code']);
        $queue->ack($again);
        self::assertSame(['ready' => 0, 'delayed' => 0, 'reserved' => 0, 'dead_letters' => 0], array_intersect_key($queue->stats(), ['ready' => 1, 'delayed' => 1, 'reserved' => 1, 'dead_letters' => 1]));
    }

    public function testLaravelsClusterNodeListIsAcceptedAsTheConnection(): void
    {
        $queue = new Queue($this->cluster->laravelNodes(), self::OPTIONS + ['prefix' => self::PREFIX]);
        $queue->push(Envelopes::asset('i-cluster-3'));
        self::assertSame(1, $queue->size());
        $debug = print_r($queue, true);
        self::assertStringContainsString('[cluster] => Array', $debug);
        self::assertStringContainsString($this->cluster->seeds()[0], $debug);
    }

    public function testTheIntegrationBusDriverConnectsToAClusterNamedInDatabaseRedisClusters(): void
    {
        $laravel = $this->laravel();
        $connector = new IntegrationBusConnector($laravel->app['config'], $laravel->redis);
        $queue = $connector->connect(['connection' => 'default', 'queue' => self::QUEUE, 'dlq' => '{integration-bus}:dlq']);
        $envelope = Envelopes::asset('i-cluster-5');
        $queue->native()->push($envelope);
        self::assertSame(1, $this->cluster->client()->lLen(self::PREFIX . 'queues:{integration-bus}'), 'the prefix of database.redis.options');
        self::assertSame(1, $queue->size());

        $laravel->workOnce(self::QUEUE);
        self::assertEquals([Envelopes::decoded($envelope)], RecordingHandler::$received);
        self::assertSame(0, $queue->size());
    }

    public function testAQueueNameWithoutAHashTagIsRefusedBeforeAnythingIsSent(): void
    {
        try {
            new Queue(['cluster' => $this->cluster->seeds()], ['queue' => 'integration-bus']);
            self::fail('an untagged queue name was accepted');
        } catch (QueueException $e) {
            self::assertStringContainsString("'{integration-bus}'", $e->getMessage());
        }
        try {
            $this->queue()->push(Envelopes::asset('i-cluster-4'), '{another}');
            self::assertTrue(true, 'push touches only the queue');
            $this->queue()->pop('{another}');
            self::fail('a pop whose queue and dead-letter list are in different slots was sent');
        } catch (QueueException $e) {
            self::assertStringContainsString('hash tag', $e->getMessage());
        }
    }
}
