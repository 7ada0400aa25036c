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

    private function record(string $outcome, float $seconds): void
    {
        $this->redis->eval(self::RECORD_SCRIPT, 1, $this->key, $outcome, self::DURATION, sprintf('%.6F', $seconds));
    }
}
