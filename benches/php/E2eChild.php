<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Illuminate\Foundation\Application;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\Events\JobProcessed;
use Illuminate\Queue\Events\JobProcessing;
use PhpGrc\Bus\Bench\Peer\PeerJob;
use PhpGrc\Bus\Bench\Peer\PeerObservability;
use PhpGrc\Bus\Bench\Peer\PeerValidator;
use PhpGrc\Bus\Run;
use RuntimeException;
use Symfony\Component\Console\Output\StreamOutput;

/**
 * One contender of the end-to-end bench, in a process of its own (benches/php/e2e-child.php runs
 * it; E2eBench starts one per contender and round). Each method returns what it measured:
 * wall time, the per-job samples, the CPU this process spent (getrusage, user + sys) and the CPU
 * redis-server spent (INFO cpu, used_cpu_user + used_cpu_sys) over the timed part only, and the
 * checks that every envelope arrived where it should.
 */
final class E2eChild
{
    /** Consumers: our driver as shipped, our driver with the opt-in throughput options, the peer, and the floor (E2eBench runs these four). */
    public const CONSUMERS = [
        'ext' => ['connection' => 'integration-bus', 'options' => []],
        'ext_prefetch_deferred' => ['connection' => 'integration-bus', 'options' => ['prefetch' => 16, 'ack' => 'deferred']],
        'peer' => ['connection' => 'redis', 'options' => []],
        // The ceiling, reported beside the contenders: our EnvelopeJob from a queue in PHP memory
        // (E2eMemoryQueue), every per-job cost but the bus's. The counters ride on our acks, so
        // with a bus that costs nothing they cost nothing too: sent nowhere here.
        'floor' => ['connection' => 'memory', 'options' => [], 'without' => ['metrics']],
        // Profiling only, not in the bench: our driver never polling for replies.
        'ext_busy_poll_0' => ['connection' => 'integration-bus', 'options' => ['busy_poll' => 0]],
    ];
    public const PRODUCERS = ['push', 'batch', 'peer'];
    public const BATCH = 100;

    /** Told 'start' and 'stop' around the timed part (E2eProfiler, with E2E_PROFILE on e2e-child.php). */
    public ?\Closure $onTimed = null;

    /**
     * For profiling only (E2E_WITHOUT on e2e-child.php), never in the bench: parts of every
     * consumer's per-job work to leave out, to see what each costs. `metrics`: the counter update
     * becomes a call that sends nothing; `log`: the log line goes to Monolog's NullHandler (not
     * formatted); `console`: queue:work's two lines per job go to a NullOutput (not formatted).
     *
     * @var list<string>
     */
    public array $without = [];

    private \Redis $probe;

    public function __construct(private readonly int $port, private readonly string $dir)
    {
        $this->probe = new \Redis();
        $this->probe->connect('127.0.0.1', $port, 2.0);
    }

    /**
     * Enqueues $jobs envelopes (untimed), then drains them with `php artisan queue:work
     * <connection> --stop-when-empty --sleep=0`: the stock Worker's daemon loop, with every event
     * and the console lines queue:work writes (to a file, as under a supervisor).
     *
     * @return array<string, mixed>
     */
    public function consume(string $bus, int $jobs): array
    {
        $contender = self::CONSUMERS[$bus] ?? throw new RuntimeException("unknown consumer {$bus}");
        $log = "{$this->dir}/laravel.log";
        $without = [...$this->without, ...($contender['without'] ?? [])];
        $app = E2eApp::boot($this->port, $log, $contender['connection'], $contender['options'], in_array('log', $without, true));
        if (in_array('metrics', $without, true)) {
            $app->instance(\PhpGrc\Bus\Laravel\Metrics::class, new \PhpGrc\Bus\Laravel\Metrics(new E2eSilentConnection(), 'unused'));
        }
        $this->listen($app, $bus === 'peer');
        $connection = $app['queue']->connection($contender['connection']);

        $envelopes = new E2eEnvelopes();
        if ($bus === 'peer') {
            for ($i = 0; $i < $jobs; $i++) {
                dispatch(PeerJob::fromArray($envelopes->queued($i)));
            }
        } else {
            for ($i = 0; $i < $jobs; $i += self::BATCH) {
                $connection->bulk(array_map([$envelopes, 'queued'], range($i, min($jobs, $i + self::BATCH) - 1)));
            }
        }
        $queued = (int) $connection->size(E2eApp::QUEUE);

        $picked = [];
        $done = [];
        $failed = 0;
        $app['events']->listen(JobProcessing::class, static function () use (&$picked): void {
            $picked[] = hrtime(true);
        });
        $app['events']->listen(JobProcessed::class, static function () use (&$done): void {
            $done[] = hrtime(true);
        });
        $app['events']->listen(JobFailed::class, static function () use (&$failed): void {
            $failed++;
        });
        $artisan = E2eApp::artisan($app);
        $output = in_array('console', $without, true) ? new \Symfony\Component\Console\Output\NullOutput() : new StreamOutput(fopen("{$this->dir}/worker.out", 'w'));
        E2eListener::$calls = 0;

        $before = $this->clocks('start');
        $exit = $artisan->call('queue:work', ['connection' => $contender['connection'], '--queue' => E2eApp::QUEUE,
            '--stop-when-empty' => true, '--sleep' => 0], $output);
        $after = $this->clocks('stop');
        pcntl_alarm(0);

        $cycle = [];
        $inJob = [];
        $previous = $before['t'];
        foreach ($done as $i => $t) {
            $cycle[] = $t - $previous;
            $inJob[] = $t - ($picked[$i] ?? $t);
            $previous = $t;
        }
        $reported = $app[\Illuminate\Contracts\Debug\ExceptionHandler::class]->reported;
        $logged = in_array('log', $without, true) ? $jobs : substr_count((string) file_get_contents($log), PeerObservability::LOG_MESSAGE);

        return $this->result($before, $after, $jobs, [
            'cycle_ns' => $cycle,
            'in_job_ns' => $inJob,
        ], [
            'queued' => [$queued, $jobs],
            'processed' => [count($done), $jobs],
            'listener_calls' => [E2eListener::$calls, $jobs],
            'log_lines' => [$logged, $jobs],
            'failed' => [$failed, 0],
            'reported' => [count($reported), 0],
            'left_in_queue' => [(int) $connection->size(E2eApp::QUEUE), 0],
            'exit_code' => [$exit, 0],
        ]) + ['reported_first' => $reported === [] ? null : get_class($reported[0]) . ': ' . $reported[0]->getMessage()];
    }

    /**
     * Builds, checks and enqueues $jobs envelopes as a connector loop does. push: Run::envelope
     * (built and validated) then the `integration-bus` connection's push (validated again,
     * enqueued). batch: the same envelopes, 100 per bulk() (pushBatch). peer: the array written
     * by hand (PHP ULID and Carbon timestamps), phpGRC's check, then dispatch() of the queued job
     * through Laravel's `redis` driver. A job's latency runs from the start of its build to the
     * return of the call that enqueued it (for batch, its batch's bulk()).
     *
     * @return array<string, mixed>
     */
    public function produce(string $bus, int $jobs): array
    {
        if (!in_array($bus, self::PRODUCERS, true)) {
            throw new RuntimeException("unknown producer {$bus}");
        }
        $app = E2eApp::boot($this->port, "{$this->dir}/laravel.log", $bus === 'peer' ? 'redis' : 'integration-bus');
        $connection = $app['queue']->connection($bus === 'peer' ? 'redis' : 'integration-bus');
        $inputs = (new E2eEnvelopes())->inputs();
        $kinds = count($inputs);
        $latency = [];

        $before = $this->clocks('start');
        if ($bus === 'peer') {
            $validator = new PeerValidator();
            $runIds = array_map(static fn () => E2eEnvelopes::phpUlid(), $inputs);
            for ($i = 0; $i < $jobs; $i++) {
                $t = hrtime(true);
                $in = $inputs[$i % $kinds];
                $now = E2eEnvelopes::phpNow();
                $provenance = $in['provenance'];
                $provenance['externalId'] .= "-{$i}";
                $envelope = [
                    'id' => E2eEnvelopes::phpUlid(),
                    'busVersion' => '1.0.0',
                    'connectorKey' => $in['connector']['key'],
                    'connectorVersion' => $in['connector']['version'],
                    'tenantId' => $in['connector']['tenant'],
                    'runId' => $runIds[$i % $kinds],
                    'kind' => $in['kind'],
                    'event' => $in['event'],
                    'emittedAt' => $now,
                    'payload' => $in['payload'],
                    'provenance' => $provenance + ['ingestedAt' => $now, 'schemaRef' => $in['schemaRef']],
                ] + $in['options'];
                $problems = $validator->validate($envelope);
                if ($problems !== []) {
                    throw new RuntimeException('the peer check rejected envelope ' . $i . ': ' . implode('; ', $problems));
                }
                dispatch(PeerJob::fromArray($envelope));
                $latency[] = hrtime(true) - $t;
            }
        } else {
            $runs = array_map(static fn (array $in) => new Run($in['connector']['key'], $in['connector']['version'], $in['connector']['tenant']), $inputs);
            $batch = [];
            $started = [];
            for ($i = 0; $i < $jobs; $i++) {
                $t = hrtime(true);
                $in = $inputs[$i % $kinds];
                $provenance = $in['provenance'];
                $provenance['externalId'] .= "-{$i}";
                $envelope = $runs[$i % $kinds]->envelope($in['kind'], $in['event'], $in['payload'], $provenance, $in['options']);
                if ($bus === 'push') {
                    $connection->push($envelope);
                    $latency[] = hrtime(true) - $t;
                    continue;
                }
                $batch[] = $envelope;
                $started[] = $t;
                if (count($batch) === self::BATCH || $i === $jobs - 1) {
                    $connection->bulk($batch);
                    $end = hrtime(true);
                    foreach ($started as $s) {
                        $latency[] = $end - $s;
                    }
                    [$batch, $started] = [[], []];
                }
            }
        }
        $after = $this->clocks('stop');

        return $this->result($before, $after, $jobs, ['latency_ns' => $latency], [
            'queued' => [(int) $connection->size(E2eApp::QUEUE), $jobs],
        ]);
    }

    /**
     * busy_poll's bill for an FPM-style producer: $requests "requests", each $workUs µs of CPU
     * work (a busy loop: an FPM request renders, hydrates models, encodes JSON) or of sleep
     * (`$work = 'sleep'`: a request waiting on its database), then one push of a fresh envelope
     * through a Queue made in that request (the connection outlives requests, as in FPM).
     * Timed: each push, by hrtime and by getrusage around it; and the whole loop.
     *
     * @return array<string, mixed>
     */
    public function fpm(int $busyPoll, int $requests, int $workUs, string $work): array
    {
        $envelopes = new E2eEnvelopes();
        $url = "redis://127.0.0.1:{$this->port}";
        $latency = [];
        $pushCpu = [];

        $before = $this->clocks('start');
        for ($i = 0; $i < $requests; $i++) {
            $envelope = $envelopes->queued(0);
            if ($work === 'sleep') {
                usleep($workUs);
            } else {
                $deadline = hrtime(true) + $workUs * 1000;
                $x = $i;
                while (hrtime(true) < $deadline) {
                    $x = crc32((string) $x);
                }
            }
            $queue = new \PhpGrc\Bus\Queue($url, ['busy_poll' => $busyPoll]);
            $c0 = self::cpuNs();
            $t0 = hrtime(true);
            $queue->push($envelope, E2eApp::QUEUE);
            $latency[] = hrtime(true) - $t0;
            $pushCpu[] = self::cpuNs() - $c0;
        }
        $after = $this->clocks('stop');

        return $this->result($before, $after, $requests, ['latency_ns' => $latency, 'push_cpu_ns' => $pushCpu], [
            'queued' => [$this->probe->lLen('queues:' . E2eApp::QUEUE), $requests],
        ]) + ['busy_poll' => $busyPoll, 'work_us' => $workUs, 'work' => $work];
    }

    /** Our no-op listener on every kind's event; the peer also gets its observability listener, as phpGRC registers it. */
    private function listen(Application $app, bool $peer): void
    {
        $events = $peer ? \PhpGrc\Bus\Bench\Peer\Events\all() : array_values(E2eApp::OUR_EVENTS);
        foreach ($events as $event) {
            if ($peer) {
                $app['events']->listen($event, PeerObservability::class);
            }
            $app['events']->listen($event, E2eListener::class);
        }
    }

    /**
     * The clocks at the start or the end of a timed part: hrtime, this process's CPU, redis-server's CPU.
     *
     * @param 'start'|'stop' $edge
     * @return array{t: int, cpu: int, server: float}
     */
    private function clocks(string $edge): array
    {
        if ($edge === 'stop' && $this->onTimed !== null) {
            ($this->onTimed)('stop');
        }
        $info = $this->probe->info('cpu');
        $clocks = ['t' => hrtime(true), 'cpu' => self::cpuNs(), 'server' => (float) $info['used_cpu_user'] + (float) $info['used_cpu_sys']];
        if ($edge === 'start' && $this->onTimed !== null) {
            ($this->onTimed)('start');
        }

        return $clocks;
    }

    /** This process's CPU time so far, user + system, in ns. */
    private static function cpuNs(): int
    {
        $r = getrusage();

        return ($r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec']) * 1_000_000_000 + ($r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec']) * 1000;
    }

    /**
     * @param array{t: int, cpu: int, server: float} $before
     * @param array{t: int, cpu: int, server: float} $after
     * @param array<string, list<int>> $samples
     * @param array<string, array{0: int, 1: int}> $checks name => [found, expected]
     * @return array<string, mixed>
     */
    private function result(array $before, array $after, int $jobs, array $samples, array $checks): array
    {
        $failed = array_filter($checks, static fn (array $c) => $c[0] !== $c[1]);

        return [
            'jobs' => $jobs,
            'wall_ns' => $after['t'] - $before['t'],
            'cpu_client_ns' => $after['cpu'] - $before['cpu'],
            'cpu_server_ns' => (int) round(($after['server'] - $before['server']) * 1e9),
            'load' => sys_getloadavg()[0] ?? null,
            'samples' => $samples,
            'checks' => $checks,
            'ok' => $failed === [],
        ];
    }
}
