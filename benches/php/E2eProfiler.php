<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use stdClass;

/**
 * Where one end-to-end contender's time goes, over its timed part only (e2e-child.php with
 * E2E_PROFILE=TOOL:OUT). excimer: CPU-time samples of the PHP stacks every 200 µs (php-excimer
 * loaded with -d extension=...), collapsed stacks in OUT, the top functions by self and inclusive
 * CPU per job in the report. strace: `strace -c -f` attached for the timed part, its table in OUT.
 * commandstats: redis-server's INFO commandstats over the timed part (CONFIG RESETSTAT at its
 * start), per job, in OUT. callgrind: the child runs under `valgrind --tool=callgrind
 * --instr-atstart=no` (OUT unused) and `callgrind_control -i` turns instrumentation on for the timed
 * part only: instructions per job by shared object, which no machine load changes (polling loops
 * aside: under valgrind a reply is always there at the first look). none: only the figures (with
 * E2E_WITHOUT, see E2eChild::$without).
 */
final class E2eProfiler
{
    public const TOOLS = ['excimer', 'strace', 'commandstats', 'callgrind', 'none'];

    private stdClass $state;

    public function __construct(private readonly string $tool, private readonly string $out, private readonly int $port)
    {
        $this->state = new stdClass();
    }

    public function attach(E2eChild $child): void
    {
        $state = $this->state;
        $out = $this->out;
        $probe = new \Redis();
        $probe->connect('127.0.0.1', $this->port);
        $child->onTimed = match ($this->tool) {
            'none' => null,
            'excimer' => static function (string $edge) use ($state, $out): void {
                if ($edge === 'start') {
                    $state->profiler = new \ExcimerProfiler();
                    $state->profiler->setEventType(EXCIMER_CPU);
                    $state->profiler->setPeriod(0.0002);
                    $state->profiler->setMaxDepth(200);
                    $state->profiler->start();

                    return;
                }
                $state->profiler->stop();
                file_put_contents($out, $state->profiler->getLog()->formatCollapsed());
            },
            'strace' => static function (string $edge) use ($state, $out): void {
                if ($edge === 'start') {
                    $state->strace = proc_open(['strace', '-c', '-f', '-o', $out, '-p', (string) getmypid()], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
                    usleep(300_000); // strace attaches and stops us once; let it settle before the timed part
                    return;
                }
                proc_terminate($state->strace, SIGINT);
                proc_close($state->strace);
            },
            'callgrind' => static function (string $edge): void {
                shell_exec(sprintf('callgrind_control -i %s %d >/dev/null 2>&1', $edge === 'start' ? 'on' : 'off', getmypid()));
            },
            'commandstats' => static function (string $edge) use ($state, $out, $probe): void {
                if ($edge === 'start') {
                    $probe->rawCommand('CONFIG', 'RESETSTAT');

                    return;
                }
                $state->stats = $probe->info('commandstats');
            },
        };
    }

    /** @param array<string, mixed> $result E2eChild's */
    public function report(array $result): string
    {
        $out = $this->out;
        $state = $this->state;
        $jobs = $result['jobs'];
        ob_start();
        printf("%s %s%s: %d jobs, %.1f µs wall, %.1f µs client CPU, %.1f µs server CPU per job, checks %s\n", $result['mode'], $result['contender'],
            ($result['without'] ?? []) === [] ? '' : ' without ' . implode(',', $result['without']), $jobs, $result['wall_ns'] / $jobs / 1e3,
            $result['cpu_client_ns'] / $jobs / 1e3, $result['cpu_server_ns'] / $jobs / 1e3, $result['ok'] ? 'ok' : 'FAILED');
        if ($this->tool === 'commandstats') {
            $lines = [];
            foreach ($state->stats as $name => $value) {
                preg_match('/calls=(\d+),usec=(\d+)/', (string) $value, $m);
                $lines[] = sprintf("%-28s %8.2f calls/job %8.2f µs/job %7.2f µs/call", $name, $m[1] / $jobs, $m[2] / $jobs, $m[2] / max(1, $m[1]));
            }
            file_put_contents($out, implode("\n", $lines) . "\n");
            echo implode("\n", $lines), "\n";
        } elseif ($this->tool === 'excimer') {
            // Self and inclusive CPU samples per function, from the collapsed stacks.
            $self = [];
            $inclusive = [];
            $total = 0;
            foreach (file($out, FILE_IGNORE_NEW_LINES) as $line) {
                $space = strrpos($line, ' ');
                $n = (int) substr($line, $space + 1);
                $frames = explode(';', substr($line, 0, $space));
                $total += $n;
                $self[end($frames)] = ($self[end($frames)] ?? 0) + $n;
                foreach (array_unique($frames) as $frame) {
                    $inclusive[$frame] = ($inclusive[$frame] ?? 0) + $n;
                }
            }
            arsort($self);
            arsort($inclusive);
            $perJob = static fn (int $n): float => $n * 200 / $jobs;
            printf("%d samples (200 µs of CPU each)\nself, µs per job:\n", $total);
            foreach (array_slice($self, 0, 25, true) as $f => $n) {
                printf("  %7.1f  %4.1f%%  %s\n", $perJob($n), 100 * $n / $total, $f);
            }
            printf("inclusive, µs per job:\n");
            foreach (array_slice($inclusive, 0, 45, true) as $f => $n) {
                printf("  %7.1f  %4.1f%%  %s\n", $perJob($n), 100 * $n / $total, $f);
            }
        } elseif ($this->tool === 'strace') {
            echo file_get_contents($out);
        }

        return (string) ob_get_clean();
    }
}
