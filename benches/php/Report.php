<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

/**
 * Collects the run's figures, prints them as tables while the run goes, judges the targets of
 * issue 6 and writes everything as JSON. Ratios are peer ÷ ours (> 1: the extension is faster;
 * for rates, ours ÷ peer), always from the same run.
 */
final class Report
{
    /** The issue's "~1 KB envelope" targets apply to the seven kinds, not to the large one. */
    private const LARGE = 'large';

    /** Issue 16's goals: [section, ratio, what, at least]. */
    private const E2E_GOALS = [
        ['consumer', 'default', 'consumer, defaults ≥ 3× the peer', 3.0],
        ['consumer', 'prefetch_deferred', 'consumer, prefetch 16 + deferred acks ≥ 6× the peer', 6.0],
        ['producer', 'push', 'producer, push ≥ 2.5× the peer', 2.5],
        ['producer', 'batch', 'producer, pushBatch(100) ≥ 15× the peer', 15.0],
    ];
    /** Our contenders whose CPU per job (client + server) must not exceed the peer's: [section, contender, ratio]. */
    private const E2E_CPU = [['consumer', 'ext', 'default'], ['consumer', 'ext_prefetch_deferred', 'prefetch_deferred'],
        ['producer', 'push', 'push'], ['producer', 'batch', 'batch']];

    private array $data = ['machine' => [], 'settings' => [], 'notes' => [], 'e2e' => null, 'validation' => [], 'memory' => [], 'queue' => null, 'targets' => []];

    public function machine(array $settings, bool $quick): void
    {
        $cpu = preg_match('/^model name\s*:\s*(.+)$/m', (string) @file_get_contents('/proc/cpuinfo'), $m) ? trim($m[1]) : php_uname('m');
        $this->data['machine'] = [
            'cpu' => $cpu,
            'cores' => (int) trim((string) shell_exec('nproc 2>/dev/null')) ?: null,
            'os' => php_uname('s') . ' ' . php_uname('r'),
            'php' => PHP_VERSION . (PHP_ZTS ? ' ZTS' : ' NTS'),
            'phpgrc_bus' => phpversion('phpgrc_bus') ?: (defined('PhpGrc\\Bus\\VERSION') ? \PhpGrc\Bus\VERSION : '?'),
            'opcache' => (bool) ini_get('opcache.enable_cli'),
            'load_start' => sys_getloadavg()[0] ?? null,
            'date' => gmdate('Y-m-d\TH:i:s\Z'),
        ];
        $this->data['settings'] = $settings + ['mode' => $quick ? 'quick' : 'default'];
        $m = $this->data['machine'];
        printf("phpgrc_bus %s benchmark (%s) — PHP %s, %s × %s, load %.2f\n", $m['phpgrc_bus'], $this->data['settings']['mode'],
            $m['php'], $m['cores'] ?? '?', $m['cpu'], $m['load_start'] ?? 0);
        printf("per call: median and p99 in µs; ratio = peer ÷ ours (> 1: ours is faster), same run\n");
    }

    public function note(string $message): void
    {
        $this->data['notes'][] = $message;
        fwrite(STDOUT, "note: {$message}\n");
    }

    public function baseline(float $ns): void
    {
        $this->data['baseline_ns'] = round($ns, 1);
        printf("timing overhead subtracted from every call: %.0f ns (empty closure + 2 × hrtime)\n", $ns);
    }

    public function invalidFixture(string $envelope, string $file, int $violations): void
    {
        $this->data['invalid_fixtures'][$envelope] = ['file' => $file, 'violations' => $violations];
    }

    /** @param array<string, Stats> $cases */
    public function envelope(string $name, int $bytes, array $cases): void
    {
        $median = static fn (string $case): ?float => isset($cases[$case]) ? $cases[$case]->medianNs : null;
        $ratio = static fn (?float $peer, ?float $ours): ?float => $peer !== null && $ours ? round($peer / $ours, 2) : null;
        $ratios = [
            'justinrainbow / validate(array)' => $ratio($median('justinrainbow'), $median('validate(array)')),
            'partial check / validate(array)' => $ratio($median('partial PHP check'), $median('validate(array)')),
            'json_decode / validate(string)' => $ratio($median('json_decode(assoc)'), $median('validate(string)')),
            'justinrainbow / validate(string)' => $ratio($median('justinrainbow'), $median('validate(string)')),
            'plain summary / Summary::of' => $ratio($median('plain PHP summary'), $median('Summary::of(array)')),
        ];
        $this->data['validation'][$name] = [
            'bytes' => $bytes,
            'cases' => array_map(static fn (Stats $s) => $s->toArray(), $cases),
            'ratios' => $ratios,
        ];

        printf("\n%s (%s bytes compact)\n", $name, number_format($bytes));
        printf("  %-26s %11s %11s %10s\n", 'case', 'median µs', 'p99 µs', 'calls');
        foreach ($cases as $case => $s) {
            printf("  %-26s %11s %11s %10s\n", $case, self::us($s->medianNs), self::us($s->p99Ns), number_format($s->calls));
        }
    }

    public function validationTables(): void
    {
        $columns = ['justinrainbow / validate(array)' => 'JR/arr', 'partial check / validate(array)' => 'partial/arr',
            'json_decode / validate(string)' => 'decode/str', 'justinrainbow / validate(string)' => 'JR/str',
            'plain summary / Summary::of' => 'plain/Summary'];
        printf("\nratios (peer median ÷ ours; > 1: ours is faster)\n");
        printf("  %-18s %7s %10s %10s %10s %12s %12s %14s\n", 'envelope', 'bytes', 'arr µs', ...array_values($columns));
        foreach ($this->data['validation'] as $name => $v) {
            $cells = array_map(static fn ($key) => $v['ratios'][$key] === null ? '-' : sprintf('%.2f×', $v['ratios'][$key]), array_keys($columns));
            printf("  %-18s %7d %10s %10s %10s %12s %12s %14s\n", $name, $v['bytes'],
                self::us($v['cases']['validate(array)']['median_ns']), ...$cells);
        }
    }

    /** @param array<string, int> $caught contender => invalid fixtures it rejected */
    public function detection(array $caught, int $of): void
    {
        $this->data['detection'] = ['invalid_fixtures' => $of, 'rejected' => $caught];
        printf("\ninvalid fixtures rejected (of %d):", $of);
        foreach ($caught as $who => $n) {
            printf("  %s %d", $who, $n);
        }
        printf("\n");
    }

    /** @param array{calls: int, rss_kb_before: int, rss_kb_after: int, heap_before: int, heap_after: int, seconds: float} $m */
    public function memory(string $label, array $m, string $detail): void
    {
        $m += ['label' => $label, 'detail' => $detail,
            'rss_growth_kb' => $m['rss_kb_after'] - $m['rss_kb_before'], 'heap_growth' => $m['heap_after'] - $m['heap_before']];
        $this->data['memory'][] = $m;
        printf("\nmemory, %s × %s (%s, %.1f s): RSS %s → %s kB (%+d kB), memory_get_usage %s → %s (%+d bytes)\n",
            $label, number_format($m['calls']), $detail, $m['seconds'], number_format($m['rss_kb_before']),
            number_format($m['rss_kb_after']), $m['rss_growth_kb'], number_format($m['heap_before']),
            number_format($m['heap_after']), $m['heap_growth']);
    }

    public function queueSkipped(string $why): void
    {
        $this->data['queue'] = ['skipped' => $why];
        printf("\nqueue: %s\n", $why);
    }

    /**
     * @param array{rows: array<string, array{stats: Stats, jobs_per_call: int}>, laravel: ?string, payload_bytes: int} $result
     * @param array<string, float> $ceiling
     */
    public function queue(array $result, array $ceiling): void
    {
        $rows = [];
        printf("\nqueue (one asset.discovery envelope per job, job JSON %s bytes)\n", number_format($result['payload_bytes']));
        if ($result['laravel'] !== null) {
            $this->note("queue: Laravel skipped: {$result['laravel']}");
        }
        printf("  %-40s %11s %11s %12s %8s\n", 'operation', 'median µs', 'p99 µs', 'jobs/s', 'calls');
        foreach ($result['rows'] as $name => ['stats' => $s, 'jobs_per_call' => $per]) {
            $rows[$name] = $s->toArray() + ['jobs_per_call' => $per, 'jobs_per_s' => round($s->perSecond($per))];
            printf("  %-40s %11s %11s %12s %8s\n", $name, self::us($s->medianNs), self::us($s->p99Ns),
                number_format($s->perSecond($per)), number_format($s->calls));
        }
        foreach ($ceiling as $command => $rate) {
            $rows["redis-benchmark {$command} -P 16 -d 1500"] = ['jobs_per_s' => $rate];
            printf("  %-40s %11s %11s %12s\n", "redis-benchmark {$command} -P16", '', '', number_format($rate));
        }
        $rate = static fn (string $name): ?float => $rows[$name]['jobs_per_s'] ?? null;
        $ratio = static fn (?float $ours, ?float $peer): ?float => $ours !== null && $peer ? round($ours / $peer, 2) : null;
        $ratios = [
            'ext push / laravel push' => $ratio($rate('ext push'), $rate('laravel push')),
            'ext push (busy_poll 0) / laravel push' => $ratio($rate(QueueBench::NO_POLL_PUSH_ROW), $rate('laravel push')),
            'ext pop+ack / laravel pop+delete' => $ratio($rate('ext pop+ack'), $rate('laravel pop+delete')),
            'ext pop+ack (busy_poll 0) / laravel pop+delete' => $ratio($rate(QueueBench::NO_POLL_POP_ROW), $rate('laravel pop+delete')),
            'ext pop+ack (prefetch 16, deferred ack) / laravel pop+delete' => $ratio($rate(QueueBench::PREFETCH_ROW), $rate('laravel pop+delete')),
            'ext pop+ack (prefetch 16) / laravel pop+delete' => $ratio($rate(QueueBench::PREFETCH_SYNC_ROW), $rate('laravel pop+delete')),
            'ext pushBatch(100) / laravel bulk(100)' => $ratio($rate('ext pushBatch(100)'), $rate('laravel bulk(100)')),
            'ext pushBatch(100) / phpredis pipelined x100' => $ratio($rate('ext pushBatch(100)'), $rate('phpredis pipelined RPUSH x100')),
            'ext pushBatch(100) / redis-benchmark RPUSH -P16' => $ratio($rate('ext pushBatch(100)'), $rate('redis-benchmark RPUSH -P 16 -d 1500')),
        ];
        printf("  ratios (ours ÷ peer, jobs/s):\n");
        foreach ($ratios as $name => $r) {
            printf("    %-62s %s\n", $name, $r === null ? '-' : sprintf('%.2f×', $r));
        }
        $this->data['queue'] = ['payload_bytes' => $result['payload_bytes'], 'rows' => $rows, 'ratios' => $ratios];
    }

    public function e2eSkipped(string $why): void
    {
        $this->data['e2e'] = ['skipped' => $why];
        printf("\nend to end (issue 16): %s\n", $why);
    }

    /**
     * The end-to-end section (E2eBench::run()), printed first: each contender's figures, the
     * ratios with issue 16's goals met or missed, and busy_poll's bill.
     *
     * @param array<string, mixed> $e2e
     */
    public function e2e(array $e2e): void
    {
        $goals = [];
        foreach (self::E2E_GOALS as [$section, $ratio, $what, $atLeast]) {
            $measured = $e2e[$section][$ratio];
            $goals[] = ['goal' => $what, 'section' => $section, 'ratio' => $ratio, 'at_least' => $atLeast,
                'measured' => $measured, 'met' => $measured === null ? null : $measured >= $atLeast];
        }
        foreach (self::E2E_CPU as [$section, $ours, $ratio]) {
            $raw = $e2e['raw'][$section];
            $cpu = static fn (array $r): float => $r['cpu_client_us_per_job'] + $r['cpu_server_us_per_job'];
            $goals[] = ['goal' => "{$section} {$ours}: CPU per job (client + server) ≤ the peer's", 'section' => $section,
                'ratio' => "cpu_{$ratio}", 'at_least' => 1.0, 'measured' => round($cpu($raw['peer']) / max(0.001, $cpu($raw[$ours])), 2),
                'ours_us' => round($cpu($raw[$ours]), 1), 'peer_us' => round($cpu($raw['peer']), 1),
                'met' => $cpu($raw[$ours]) <= $cpu($raw['peer'])];
        }
        $e2e['goals'] = $goals;
        $this->data['e2e'] = $e2e;
        $verdict = static fn (?bool $met): string => $met === null ? 'n/a ' : ($met ? 'MET ' : 'MISS');
        $goalOf = static function (string $section, string $ratio) use ($goals): string {
            foreach ($goals as $g) {
                if ($g['section'] === $section && $g['ratio'] === $ratio) {
                    return sprintf('≥ %g× [%s]', $g['at_least'], $g['met'] === null ? 'n/a' : ($g['met'] ? 'MET' : 'MISS'));
                }
            }

            return '';
        };
        $loads = array_merge(...array_map(static fn (array $r) => $r['load'], [...array_values($e2e['raw']['consumer']), ...array_values($e2e['raw']['producer'])]));

        $s = $e2e['settings'];
        printf("\nend to end (issue 16): %s envelopes of the %d kinds per contender and round, %d interleaved rounds, a fresh process each;\n",
            number_format($s['jobs_per_round']), $s['kinds'], $s['rounds']);
        printf("  load %.2f–%.2f during the rounds; ratio = our jobs/s ÷ the peer's, same run; cpu = getrusage of the contender, INFO cpu of redis-server\n",
            min($loads), max($loads));
        $header = static fn (string $title) => printf("  %-42s %8s %9s %9s %10s %14s %8s %8s %7s  %s\n", $title, 'jobs/s', 'p50 µs', 'p99 µs',
            'in-job p50', 'cpu µs/job cli', 'server', 'cli/wall', 'ratio', 'goal');
        $row = static function (string $label, array $r, ?float $ratio, string $goal): void {
            printf("  %-42s %8s %9s %9s %10s %14s %8s %7d%% %7s  %s\n", $label, number_format($r['jobs_per_s']), self::num($r['p50_us']),
                self::num($r['p99_us']), isset($r['in_job_p50_us']) ? self::num($r['in_job_p50_us']) : '', self::num($r['cpu_client_us_per_job']),
                self::num($r['cpu_server_us_per_job']), round(100 * $r['cpu_client_share']), $ratio === null ? '' : sprintf('%.2f×', $ratio), $goal);
        };
        $header('consumer: queue:work, stock Worker');
        $row(E2eBench::CONSUMER_LABELS['ext'], $e2e['raw']['consumer']['ext'], $e2e['consumer']['default'], $goalOf('consumer', 'default'));
        $row(E2eBench::CONSUMER_LABELS['ext_prefetch_deferred'], $e2e['raw']['consumer']['ext_prefetch_deferred'],
            $e2e['consumer']['prefetch_deferred'], $goalOf('consumer', 'prefetch_deferred'));
        $row(E2eBench::CONSUMER_LABELS['peer'], $e2e['raw']['consumer']['peer'], null, '');
        $row(E2eBench::CONSUMER_LABELS['floor'], $e2e['raw']['consumer']['floor'], $e2e['consumer']['ceiling'], 'the ceiling: same Worker, job and log line; no bus, so no counters to send');
        $header('producer: build, check, enqueue');
        $row(E2eBench::PRODUCER_LABELS['push'], $e2e['raw']['producer']['push'], $e2e['producer']['push'], $goalOf('producer', 'push'));
        $row(E2eBench::PRODUCER_LABELS['batch'], $e2e['raw']['producer']['batch'], $e2e['producer']['batch'], $goalOf('producer', 'batch'));
        $row(E2eBench::PRODUCER_LABELS['peer'], $e2e['raw']['producer']['peer'], null, '');
        printf("  consumer p50/p99: between successive JobProcessed events (pop + Worker loop + job + ack); in-job: JobProcessing → JobProcessed.\n");
        printf("  producer p50/p99: start of an envelope's build → return of the call that enqueued it (batch: its bulk()).\n");
        printf("  cli/wall: the contender's CPU time ÷ its wall time (a client that polls for replies keeps its core busy while it waits).\n");
        printf("  CPU per job (client + server) no higher than the peer's:\n");
        foreach ($goals as $g) {
            if (isset($g['ours_us'])) {
                printf("    [%s] %-58s ours %7s µs, peer %7s µs\n", $verdict($g['met']), $g['goal'], self::num($g['ours_us']), self::num($g['peer_us']));
            }
        }

        $b = $e2e['busy_poll'];
        printf("\nbusy_poll's bill: an FPM-style producer, %s requests per round, each %s µs of other work then one push\n",
            number_format($b['requests_per_round']), number_format($b['work_us']));
        printf("  %-6s %-10s %12s %10s %16s %18s %18s %12s\n", 'work', 'busy_poll', 'push p50 µs', 'p99 µs', 'push cpu µs mean', 'push cpu p50/p99', 'request cpu µs', 'redis µs');
        foreach ($b['by_work'] as $work => $byBusyPoll) {
            foreach ($byBusyPoll as $busyPoll => $r) {
                printf("  %-6s %-10s %12s %10s %16s %18s %18s %12s\n", $work, $busyPoll, self::num($r['p50_us']), self::num($r['p99_us']),
                    self::num($r['push_cpu_us_mean']), self::num($r['push_cpu_p50_us']) . ' / ' . self::num($r['push_cpu_p99_us']),
                    self::num($r['cpu_client_us_per_job']), self::num($r['cpu_server_us_per_job']));
            }
        }
        foreach ($b['work'] as $work => $what) {
            printf("  %s: %s\n", $work, $what);
        }
    }

    /** Judges issue 6's targets from this run's figures. */
    public function targets(): void
    {
        $kinds = array_filter($this->data['validation'], static fn ($k) => $k !== self::LARGE, ARRAY_FILTER_USE_KEY);
        $worst = static function (array $envelopes, string $ratio): array {
            $found = [null, null];
            foreach ($envelopes as $name => $v) {
                $r = $v['ratios'][$ratio];
                if ($r !== null && ($found[0] === null || $r < $found[0])) {
                    $found = [$r, $name];
                }
            }

            return $found;
        };
        $targets = [];
        $add = static function (string $name, ?float $measured, float $goal, string $where = '') use (&$targets): void {
            $targets[] = ['target' => $name, 'goal' => $goal, 'measured' => $measured, 'where' => $where,
                'met' => $measured === null ? null : $measured >= $goal];
        };

        [$r, $at] = $worst($kinds, 'justinrainbow / validate(array)');
        $add('validate(array) ≥ 50× justinrainbow (aim 100×), worst kind', $r, 50, (string) $at);
        [$r, $at] = $worst($kinds, 'partial check / validate(array)');
        $add('validate(array) no slower than the partial PHP check, worst kind', $r, 1.0, (string) $at);
        [$r, $at] = $worst($this->data['validation'], 'json_decode / validate(string)');
        $add('validate(string) no slower than json_decode, worst envelope', $r, 1.0, (string) $at);
        $q = $this->data['queue']['ratios'] ?? null;
        if ($q !== null) {
            $add('push ≥ 1.5× Laravel RedisQueue push', $q['ext push / laravel push'], 1.5);
            $add('pop+ack ≥ 5× Laravel pop+delete (defaults)', $q['ext pop+ack / laravel pop+delete'], 5.0);
            $add('pop+ack ≥ 5× Laravel pop+delete (prefetch 16, deferred ack)', $q['ext pop+ack (prefetch 16, deferred ack) / laravel pop+delete'], 5.0);
            $add('pop+ack ≥ 5× Laravel pop+delete (prefetch 16, sync acks)', $q['ext pop+ack (prefetch 16) / laravel pop+delete'], 5.0);
            $add('pushBatch(100) ≥ 60 % of redis-benchmark RPUSH -P 16', $q['ext pushBatch(100) / redis-benchmark RPUSH -P16'], 0.6);
        }
        foreach ($this->data['memory'] as $m) {
            $targets[] = ['target' => "RSS growth < 2 MB across {$m['label']} × " . number_format($m['calls']),
                'goal' => 2048, 'measured' => $m['rss_growth_kb'], 'where' => 'kB', 'met' => $m['rss_growth_kb'] < 2048];
        }
        $this->data['targets'] = $targets;

        if (isset($this->data['e2e']['goals'])) {
            printf("\ngoals (issue 16, end to end)\n");
            foreach ($this->data['e2e']['goals'] as $g) {
                printf("  [%s] %-62s %s\n", $g['met'] === null ? 'n/a ' : ($g['met'] ? 'MET ' : 'MISS'), $g['goal'],
                    $g['measured'] === null ? 'not measured' : sprintf('%.2f×', $g['measured']));
            }
        }

        if ($this->data['validation'] !== []) {
            printf("\ntargets (issue 6)\n");
        }
        foreach ($this->data['validation'] !== [] ? $targets : [] as $t) {
            $shown = $t['measured'] === null ? 'not measured' : ($t['where'] === 'kB'
                ? sprintf('%+d kB', $t['measured'])
                : sprintf('%.2f×%s', $t['measured'], $t['where'] !== '' ? " ({$t['where']})" : ''));
            $verdict = $t['met'] === null ? 'n/a ' : ($t['met'] ? 'MET ' : 'MISS');
            printf("  [%s] %-62s %s\n", $verdict, $t['target'], $shown);
        }
    }

    public function finish(float $seconds): void
    {
        $this->data['machine']['load_end'] = sys_getloadavg()[0] ?? null;
        $this->data['seconds'] = round($seconds, 1);
        printf("\ndone in %.0f s (load %.2f at the end)\n", $seconds, $this->data['machine']['load_end'] ?? 0);
    }

    public function writeJson(string $file): void
    {
        $json = json_encode($this->data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        if ($json === false || file_put_contents($file, $json . "\n") === false) {
            fwrite(STDERR, "could not write {$file}\n");
            exit(1);
        }
        printf("JSON written to %s\n", $file);
    }

    /** A figure already in µs, with the precision us() gives. */
    private static function num(float $us): string
    {
        return self::us($us * 1000);
    }

    private static function us(float $ns): string
    {
        $us = $ns / 1000;

        return match (true) {
            $us < 10 => sprintf('%.2f', $us),
            $us < 100 => sprintf('%.1f', $us),
            default => number_format($us, 0),
        };
    }
}
