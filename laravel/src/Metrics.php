<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel;

use Illuminate\Redis\Connections\Connection;

/**
 * The runbook's worker counters, kept in one Redis hash so any process (an exporter, a health
 * check) reads all of them with one HGETALL. processed_total counts handler runs that succeeded,
 * failed_total handler runs that threw (every attempt), duration_seconds the summed wall time of both.
 */
final class Metrics
{
    public const PROCESSED = 'phpgrc_integration_bus_jobs_processed_total';
    public const FAILED = 'phpgrc_integration_bus_jobs_failed_total';
    public const DURATION = 'phpgrc_integration_bus_jobs_duration_seconds';

    /**
     * KEYS[1] the counters hash; ARGV[1] the outcome field to count, ARGV[2] the duration field,
     * ARGV[3] the seconds to add. One script so a reader never sees a job counted without its time.
     */
    private const RECORD_SCRIPT = <<<'LUA'
        redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
        redis.call('HINCRBYFLOAT', KEYS[1], ARGV[2], ARGV[3])
        LUA;

    public function __construct(private readonly Connection $redis, private readonly string $key)
    {
    }

    public function recordProcessed(float $seconds): void
    {
        $this->record(self::PROCESSED, $seconds);
    }

    public function recordFailed(float $seconds): void
    {
        $this->record(self::FAILED, $seconds);
    }

    /** @return array{phpgrc_integration_bus_jobs_processed_total: int, phpgrc_integration_bus_jobs_failed_total: int, phpgrc_integration_bus_jobs_duration_seconds: float} */
    public function read(): array
    {
        $hash = $this->redis->hgetall($this->key) ?: [];

        return [
            self::PROCESSED => (int) ($hash[self::PROCESSED] ?? 0),
            self::FAILED => (int) ($hash[self::FAILED] ?? 0),
            self::DURATION => (float) ($hash[self::DURATION] ?? 0.0),
        ];
    }

    /**
     * phpredis: EVALSHA, and EVAL only when the server answers NOSCRIPT (a restarted or flushed
     * server): sending the script's text with every job cost Redis ~10 µs a job to hash it again.
     * Other clients (Predis) get Laravel's eval().
     */
    private function record(string $outcome, float $seconds): void
    {
        $arguments = [$this->key, $outcome, self::DURATION, sprintf('%.6F', $seconds)];
        $client = $this->redis->client();
        if ($client instanceof \Redis || $client instanceof \RedisCluster) {
            if ($client->evalSha(self::scriptSha(), $arguments, 1) === false
                && str_starts_with((string) $client->getLastError(), 'NOSCRIPT')) {
                $client->clearLastError();
                $client->eval(self::RECORD_SCRIPT, $arguments, 1);
            }

            return;
        }
        $this->redis->eval(self::RECORD_SCRIPT, 1, ...$arguments);
    }

    private static function scriptSha(): string
    {
        static $sha = null;

        return $sha ??= sha1(self::RECORD_SCRIPT);
    }
}
