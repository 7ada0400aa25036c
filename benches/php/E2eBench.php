<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use PhpGrc\Bus\TestSupport\RedisServer;
use RuntimeException;

/**
 * What an operator feels (issue 16): envelopes drained by the stock Laravel Worker, envelopes
 * built, checked and enqueued by a connector loop, and busy_poll's bill for an FPM producer,
 * each contender against phpGRC's own path (benches/php/Peer/) on one redis-server.
 *
 * Every contender runs in a fresh PHP process (benches/php/e2e-child.php), in interleaved rounds
 * (consumers a, b, c, producers a, b, c, busy_poll 100, 0; again), with the server flushed before
 * each, so a load change on the machine hits every contender alike. Per contender: jobs/s (the
 * median round), per-job p50/p99 over all rounds, and CPU per job of the client process
 * (getrusage) and of redis-server (INFO cpu) over the timed part.
 */
final class E2eBench
{
    public const CONSUMER_LABELS = [
        'ext' => 'ext driver (defaults)',
        'ext_prefetch_deferred' => 'ext driver (prefetch 16, deferred ack)',
        'peer' => 'peer: phpGRC job on redis driver',
        // Not a contender: our EnvelopeJob fed from a queue in PHP memory, so the same Worker,
        // log line, listener and counters with a bus that costs nothing. Its ratio to the peer
        // is the most any bus can reach against this peer under the stock Worker.
        'floor' => 'no bus (EnvelopeJob from PHP memory)',
    ];
    public const PRODUCER_LABELS = [
        'push' => 'ext Run::envelope + push',
        'batch' => 'ext Run::envelope + bulk (pushBatch 100)',
        'peer' => 'peer: array + PHP check + dispatch',
    ];
    /** busy_poll values compared for the FPM producer: the default and off. */
    public const BUSY_POLLS = [100, 0];
    /**
     * What an FPM request does in its millisecond besides the push: CPU work (rendering,
     * hydrating models) keeps the core awake; waiting on a database lets it sleep.
     */
    public const FPM_WORK = ['spin' => 'a CPU busy loop', 'sleep' => 'usleep, as a request waiting on its database'];

    private \Redis $redis;

    public function __construct(
        private readonly RedisServer $server,
        private readonly int $jobs,
        private readonly int $rounds,
        private readonly int $fpmRequests,
        private readonly int $fpmWorkUs,
    ) {
        $this->redis = $server->client();
    }

    /**
     * @param callable(string): void $progress told what runs next
     * @return array<string, mixed>
     */
    public function run(callable $progress): array
    {
        $runs = ['consumer' => [], 'producer' => [], 'fpm' => []];
        for ($round = 1; $round <= $this->rounds; $round++) {
            foreach (array_keys(self::CONSUMER_LABELS) as $bus) {
                $progress("round {$round}/{$this->rounds}: consumer {$bus}");
                $runs['consumer'][$bus][] = $this->child(['consume', $bus, $this->jobs]);
            }
            foreach (array_keys(self::PRODUCER_LABELS) as $bus) {
                $progress("round {$round}/{$this->rounds}: producer {$bus}");
                $runs['producer'][$bus][] = $this->child(['produce', $bus, $this->jobs]);
            }
            foreach (array_keys(self::FPM_WORK) as $work) {
                foreach (self::BUSY_POLLS as $busyPoll) {
                    $progress("round {$round}/{$this->rounds}: fpm {$work} busy_poll {$busyPoll}");
                    $runs['fpm'][$work][$busyPoll][] = $this->child(['fpm', $busyPoll, $this->fpmRequests], [$this->fpmWorkUs, $work]);
                }
            }
        }
        $this->redis->flushAll();

        $consumer = array_map(static fn (array $r) => self::summary($r, 'cycle_ns') + self::percentiles($r, 'in_job_ns', 'in_job_'), $runs['consumer']);
        $producer = array_map(static fn (array $r) => self::summary($r, 'latency_ns'), $runs['producer']);
        $fpm = [];
        foreach ($runs['fpm'] as $work => $byBusyPoll) {
            foreach ($byBusyPoll as $busyPoll => $r) {
                $fpm[$work][$busyPoll] = self::summary($r, 'latency_ns') + self::percentiles($r, 'push_cpu_ns', 'push_cpu_')
                    + ['push_cpu_us_mean' => round(array_sum(array_map(static fn ($x) => array_sum($x['samples']['push_cpu_ns']), $r)) / self::total($r, 'jobs') / 1e3, 2)];
            }
        }
        $ratio = static fn (array $ours, array $peer): ?float => $peer['jobs_per_s'] > 0 ? round($ours['jobs_per_s'] / $peer['jobs_per_s'], 2) : null;

        return [
            'consumer' => ['default' => $ratio($consumer['ext'], $consumer['peer']),
                'prefetch_deferred' => $ratio($consumer['ext_prefetch_deferred'], $consumer['peer']),
                'ceiling' => $ratio($consumer['floor'], $consumer['peer'])],
            'producer' => ['push' => $ratio($producer['push'], $producer['peer']), 'batch' => $ratio($producer['batch'], $producer['peer'])],
            'raw' => ['consumer' => $consumer, 'producer' => $producer],
            'busy_poll' => ['requests_per_round' => $this->fpmRequests, 'work_us' => $this->fpmWorkUs, 'work' => self::FPM_WORK, 'by_work' => $fpm],
            'settings' => ['jobs_per_round' => $this->jobs, 'rounds' => $this->rounds, 'kinds' => 7],
            'definitions' => [
                'jobs_per_s' => 'jobs ÷ wall time of the timed part, median of the rounds',
                'consumer p50/p99' => 'time between successive JobProcessed events (pop, Worker loop, job, ack): what each job costs the worker',
                'consumer in_job p50/p99' => 'JobProcessing → JobProcessed: the job itself and its ack, without the pop',
                'producer p50/p99' => 'from the start of building an envelope to the return of the call that enqueued it (batch: its bulk())',
                'cpu_client_us_per_job' => 'getrusage user+sys of the contender process over the timed part ÷ jobs',
                'cpu_server_us_per_job' => 'redis-server INFO cpu used_cpu_user+used_cpu_sys over the timed part ÷ jobs',
                'ratio' => 'our jobs/s ÷ the peer\'s jobs/s, same run',
                'consumer ceiling' => 'the floor consumer\'s jobs/s ÷ the peer\'s: what a bus that costs nothing would reach',
            ],
        ];
    }

    /**
     * Runs one contender in a fresh process on a flushed server and returns its JSON.
     *
     * @param list<int|string> $args mode, contender, count
     * @param list<int|string> $extra arguments after PORT DIR
     * @return array<string, mixed>
     */
    private function child(array $args, array $extra = []): array
    {
        $this->redis->flushAll();
        $dir = sys_get_temp_dir() . '/phpgrc-bus-e2e-' . bin2hex(random_bytes(4));
        mkdir($dir, 0700);
        try {
            $command = [PHP_BINARY, __DIR__ . '/e2e-child.php', ...array_map('strval', $args), (string) $this->server->port, $dir, ...array_map('strval', $extra)];
            $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', "{$dir}/stderr", 'w']], $pipes);
            if (!is_resource($process)) {
                throw new RuntimeException('could not start ' . implode(' ', $command));
            }
            $stdout = (string) stream_get_contents($pipes[1]);
            fclose($pipes[1]);
            $exit = proc_close($process);
            $result = json_decode($stdout, true);
            if (!is_array($result)) {
                throw new RuntimeException(sprintf('%s exited %d without a result: %s', implode(' ', $args), $exit,
                    trim((string) file_get_contents("{$dir}/stderr")) ?: $stdout));
            }
            if (!$result['ok']) {
                throw new RuntimeException(sprintf('%s failed its checks (found, expected): %s%s', implode(' ', $args),
                    json_encode($result['checks']), isset($result['reported_first']) ? "; first exception: {$result['reported_first']}" : ''));
            }

            return $result;
        } finally {
            foreach (glob("{$dir}/*") ?: [] as $file) {
                unlink($file);
            }
            rmdir($dir);
        }
    }

    /**
     * @param list<array<string, mixed>> $rounds one contender's results
     * @return array<string, mixed>
     */
    private static function summary(array $rounds, string $samples): array
    {
        $rates = array_map(static fn (array $r) => $r['jobs'] * 1e9 / $r['wall_ns'], $rounds);
        sort($rates);
        $jobs = self::total($rounds, 'jobs');

        return [
            'jobs_per_s' => round($rates[intdiv(count($rates), 2)]),
            'jobs_per_s_rounds' => array_map(static fn (float $x) => round($x), $rates),
        ] + self::percentiles($rounds, $samples, '') + [
            'cpu_client_us_per_job' => round(self::total($rounds, 'cpu_client_ns') / $jobs / 1e3, 1),
            'cpu_server_us_per_job' => round(self::total($rounds, 'cpu_server_ns') / $jobs / 1e3, 1),
            'cpu_client_share' => round(self::total($rounds, 'cpu_client_ns') / self::total($rounds, 'wall_ns'), 2),
            'jobs' => $jobs,
            'load' => array_map(static fn (array $r) => $r['load'], $rounds),
        ];
    }

    /**
     * @param list<array<string, mixed>> $rounds
     * @return array<string, float>
     */
    private static function percentiles(array $rounds, string $samples, string $prefix): array
    {
        $all = array_merge(...array_map(static fn (array $r) => $r['samples'][$samples], $rounds));
        sort($all);

        return ["{$prefix}p50_us" => round(Sampler::percentile($all, 0.5) / 1e3, 1), "{$prefix}p99_us" => round(Sampler::percentile($all, 0.99) / 1e3, 1)];
    }

    /** @param list<array<string, mixed>> $rounds */
    private static function total(array $rounds, string $field): int
    {
        return (int) array_sum(array_column($rounds, $field));
    }
}
