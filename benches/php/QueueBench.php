<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Illuminate\Container\Container;
use Illuminate\Queue\RedisQueue;
use Illuminate\Redis\RedisManager;
use PhpGrc\Bus\TestSupport\RedisServer;
use Redis;
use RuntimeException;

/**
 * The queue against its peers on one throwaway redis-server: the extension's push,
 * pushBatch(100) and pop+ack; Laravel 8's RedisQueue on phpredis (push, bulk(100), pop+delete);
 * raw phpredis (one RPUSH, 100 RPUSH pipelined); and redis-benchmark as the ceiling.
 * Every job carries the same envelope.
 *
 * The prefetch rows pop and ack PREFETCH jobs per call: one pop round trip reserves them all, so a
 * call of PREFETCH jobs is the unit that repeats. With deferred acks the acks go out with the
 * next pop; with the default (sync) acks each is its own round trip, as Laravel's delete is.
 * 16: the round trip (~77 µs on loopback) is then a few µs per job, below the client's own work
 * per job, so larger values gain little while each kept job waits longer on its retry_after.
 */
final class QueueBench
{
    private const EXT_QUEUE = 'bench-ext';
    private const LARAVEL_QUEUE = 'bench-laravel';
    private const RAW_KEY = 'queues:bench-raw';
    private const LARAVEL_JOB = 'PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle';
    private const BATCH = 100;
    private const PREFETCH = 16;
    public const PREFETCH_ROW = 'ext pop+ack (prefetch 16, deferred ack)';
    public const PREFETCH_SYNC_ROW = 'ext pop+ack (prefetch 16)';
    public const NO_POLL_PUSH_ROW = 'ext push (busy_poll 0)';
    public const NO_POLL_POP_ROW = 'ext pop+ack (busy_poll 0)';

    private Redis $redis;
    private ?RedisQueue $laravel = null;
    private ?string $laravelSkipped = null;
    private ?object $ext = null;
    private ?object $extPrefetch = null;
    private ?object $extPrefetchSync = null;
    /** The defaults but never polling for replies: what busy_poll is worth, in the same run. */
    private ?object $extNoPoll = null;

    /** @param array<string, mixed> $envelope */
    public function __construct(
        private readonly Sampler $sampler,
        private readonly RedisServer $server,
        private readonly array $envelope,
        private readonly int $calls,
        private readonly int $batchCalls,
        private readonly int $rounds,
    ) {
        $this->redis = new Redis();
        $this->redis->connect('127.0.0.1', $server->port, 2.0);
        $this->ext = new \PhpGrc\Bus\Queue('redis://127.0.0.1:' . $server->port);
        $this->extPrefetch = new \PhpGrc\Bus\Queue('redis://127.0.0.1:' . $server->port, ['prefetch' => self::PREFETCH, 'ack' => 'deferred']);
        $this->extPrefetchSync = new \PhpGrc\Bus\Queue('redis://127.0.0.1:' . $server->port, ['prefetch' => self::PREFETCH]);
        $this->extNoPoll = new \PhpGrc\Bus\Queue('redis://127.0.0.1:' . $server->port, ['busy_poll' => 0]);
        $this->laravel = $this->laravelQueue();
    }

    /**
     * @return array{rows: array<string, array{stats: Stats, jobs_per_call: int}>, laravel: ?string, payload_bytes: int}
     */
    public function run(): array
    {
        $rows = [];
        $envelope = $this->envelope;
        $batch = array_fill(0, self::BATCH, $envelope);
        $payload = $this->rawPayload();
        $ext = $this->ext;
        $extPrefetch = $this->extPrefetch;
        $extPrefetchSync = $this->extPrefetchSync;
        $extNoPoll = $this->extNoPoll;
        $laravel = $this->laravel;
        $redis = $this->redis;

        $pushes = [
            'ext push' => [static fn () => $ext->push($envelope, self::EXT_QUEUE), $this->calls, 1],
            self::NO_POLL_PUSH_ROW => [static fn () => $extNoPoll->push($envelope, self::EXT_QUEUE), $this->calls, 1],
            'ext pushBatch(100)' => [static fn () => $ext->pushBatch($batch, self::EXT_QUEUE), $this->batchCalls, self::BATCH],
            'phpredis RPUSH' => [static fn () => $redis->rPush(self::RAW_KEY, $payload), $this->calls, 1],
            'phpredis pipelined RPUSH x100' => [static function () use ($redis, $payload): void {
                $redis->multi(Redis::PIPELINE);
                for ($i = 0; $i < self::BATCH; $i++) {
                    $redis->rPush(self::RAW_KEY, $payload);
                }
                $redis->exec();
            }, $this->batchCalls, self::BATCH],
        ];
        if ($laravel !== null) {
            $jobs = array_fill(0, self::BATCH, self::LARAVEL_JOB);
            $pushes['laravel push'] = [static fn () => $laravel->push(self::LARAVEL_JOB, $envelope, self::LARAVEL_QUEUE), $this->calls, 1];
            $pushes['laravel bulk(100)'] = [static fn () => $laravel->bulk($jobs, $envelope, self::LARAVEL_QUEUE), $this->batchCalls, self::BATCH];
        }
        $pops = [
            'ext pop+ack' => self::popAck($ext, 'ext pop', 1),
            self::NO_POLL_POP_ROW => self::popAck($extNoPoll, 'ext pop (busy_poll 0)', 1),
            self::PREFETCH_ROW => self::popAck($extPrefetch, 'ext pop (prefetch)', self::PREFETCH),
            self::PREFETCH_SYNC_ROW => self::popAck($extPrefetchSync, 'ext pop (prefetch, sync acks)', self::PREFETCH),
        ];
        $popJobs = [self::PREFETCH_ROW => self::PREFETCH, self::PREFETCH_SYNC_ROW => self::PREFETCH];
        if ($laravel !== null) {
            $pops['laravel pop+delete'] = static function () use ($laravel): void {
                $job = $laravel->pop(self::LARAVEL_QUEUE);
                if ($job === null) {
                    throw new RuntimeException('laravel pop returned no job: the queue ran dry');
                }
                $job->delete();
            };
        }

        $redis->flushDb();
        $samples = [];
        foreach ($pushes + $pops as $name => $_) {
            $samples[$name] = [];
        }
        // Rounds alternate the clients, so a load change on the machine hits all of them alike.
        for ($round = 0; $round < $this->rounds; $round++) {
            foreach ($pushes as $name => [$case, $calls, $_]) {
                $case();
                array_push($samples[$name], ...$this->sampler->sampleCount($case, max(1, intdiv($calls, $this->rounds))));
            }
            // Each pop finds a job: the pushes above left more than a round of pops takes.
            foreach ($pops as $name => $case) {
                $per = $popJobs[$name] ?? 1;
                array_push($samples[$name], ...$this->sampler->sampleCount($case, max(1, intdiv($this->calls, $this->rounds * $per))));
            }
        }
        $redis->flushDb();

        $jobsPerCall = array_map(static fn (array $p) => $p[2], $pushes) + array_map(static fn () => 1, $pops);
        foreach ($popJobs as $name => $per) {
            $jobsPerCall[$name] = $per;
        }
        foreach ($samples as $name => $list) {
            $rows[$name] = ['stats' => $this->sampler->statsOf($list), 'jobs_per_call' => $jobsPerCall[$name]];
        }

        return ['rows' => $rows, 'laravel' => $this->laravelSkipped, 'payload_bytes' => strlen($payload)];
    }

    /** One sample's work for a pop+ack row: pop and ack `$jobs` jobs, which must be there. */
    private static function popAck(object $queue, string $what, int $jobs): \Closure
    {
        return static function () use ($queue, $what, $jobs): void {
            for ($i = 0; $i < $jobs; $i++) {
                $job = $queue->pop(self::EXT_QUEUE);
                if ($job === null) {
                    throw new RuntimeException("{$what} returned no job: the queue ran dry");
                }
                $queue->ack($job);
            }
        };
    }

    /**
     * RSS and Zend heap before and after $cycles push/pop/ack cycles (after a warm-up, so
     * connections and caches made once per process are not counted as growth).
     *
     * @return array{cycles: int, rss_kb_before: int, rss_kb_after: int, heap_before: int, heap_after: int, seconds: float}
     */
    public function memory(int $cycles): array
    {
        $ext = $this->ext;
        $envelope = $this->envelope;
        $cycle = static function () use ($ext, $envelope): void {
            $ext->push($envelope, self::EXT_QUEUE);
            $job = $ext->pop(self::EXT_QUEUE);
            if ($job === null) {
                throw new RuntimeException('ext pop returned no job after a push');
            }
            $ext->ack($job);
        };

        return Memory::around($cycle, $cycles);
    }

    /**
     * redis-benchmark against the same server: RPUSH and LPOP with 1,500-byte values,
     * 16 commands pipelined.
     *
     * @return array<string, float> command => requests per second; [] when redis-benchmark is missing
     */
    public function ceiling(int $requests): array
    {
        $command = sprintf('redis-benchmark -h 127.0.0.1 -p %d -t rpush,lpop -P 16 -d 1500 -q -n %d 2>/dev/null',
            $this->server->port, $requests);
        $output = (string) shell_exec($command);
        $this->redis->flushDb();
        preg_match_all('/^(\w+):\s*([\d.]+) requests per second/m', str_replace("\r", "\n", $output), $m, PREG_SET_ORDER);
        $out = [];
        foreach ($m as [, $name, $rate]) {
            $out[strtoupper($name)] = (float) $rate;
        }

        return $out;
    }

    public function close(): void
    {
        $this->redis->close();
    }

    /** The job JSON Laravel's RedisQueue would write for the envelope: what raw phpredis pushes. */
    private function rawPayload(): string
    {
        return json_encode([
            'uuid' => '9f1b6a54-3f1e-4c5e-9a57-0c7f3d8f2b11',
            'displayName' => 'PhpGrc\\Bus\\Laravel\\EnvelopeJob',
            'job' => self::LARAVEL_JOB,
            'maxTries' => null,
            'maxExceptions' => null,
            'failOnTimeout' => false,
            'backoff' => null,
            'timeout' => null,
            'data' => $this->envelope,
            'id' => 'k8Yc2u5Q0b7Wm4Xr1Tz9Lp3Ns6Hd0Gf2',
            'attempts' => 0,
        ], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
    }

    /** Laravel 8's RedisQueue on phpredis, from Debian's autoloaders; null (and why) when absent. */
    private function laravelQueue(): ?RedisQueue
    {
        $autoload = getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';
        if (!class_exists(RedisQueue::class) && is_file($autoload)) {
            require_once $autoload;
        }
        if (!class_exists(RedisQueue::class) || !class_exists(RedisManager::class)) {
            $this->laravelSkipped = "Illuminate\\Queue\\RedisQueue not found (install php-laravel-framework or set ILLUMINATE_AUTOLOAD)";

            return null;
        }
        $container = new Container();
        $manager = new RedisManager($container, 'phpredis', [
            'options' => ['prefix' => ''],
            'default' => ['host' => '127.0.0.1', 'port' => $this->server->port, 'database' => 0, 'timeout' => 2.0],
        ]);
        $queue = new RedisQueue($manager, self::LARAVEL_QUEUE, 'default', 60);
        $queue->setContainer($container);
        $queue->setConnectionName('redis');

        return $queue;
    }
}
