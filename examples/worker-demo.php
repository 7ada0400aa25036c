<?php
/**
 * phpgrc_bus worker demo: the Laravel glue end to end, on a throwaway Redis.
 *
 * Starts its own redis-server on a free loopback port, boots a minimal Laravel application (Debian's
 * Laravel components, no Composer) with PhpGrc\Bus\Laravel\IntegrationBusServiceProvider, pushes one
 * envelope of each of the seven kinds through Queue::connection('integration-bus'), then runs the
 * stock Illuminate\Queue\Worker until the queue is empty. A listener per kind prints one line; the
 * `integration.bus.message` log line goes to stdout with its JSON context (PhpGrc\Bus\Summary::of()).
 *
 * Exit 0 when all seven were handled, logged and acknowledged and the queue is empty; 1 otherwise.
 * Run with `make demo`, or `php examples/worker-demo.php` once the extension is installed.
 */

declare(strict_types=1);

use Illuminate\Bus\BusServiceProvider;
use Illuminate\Cache\CacheServiceProvider;
use Illuminate\Config\Repository;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Foundation\Application;
use Illuminate\Log\Events\MessageLogged;
use Illuminate\Queue\Events\JobFailed;
use Illuminate\Queue\QueueServiceProvider;
use Illuminate\Queue\WorkerOptions;
use Illuminate\Redis\RedisServiceProvider;
use Illuminate\Support\Facades\Facade;
use Illuminate\Support\Facades\Queue;
use Monolog\Formatter\LineFormatter;
use Monolog\Handler\StreamHandler;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Laravel\Events;
use PhpGrc\Bus\Laravel\IntegrationBusServiceProvider;
use PhpGrc\Bus\Laravel\Metrics;
use PhpGrc\Bus\Run;

const QUEUE = 'integration-bus';
const DEADLINE_SECONDS = 10.0;

if (!extension_loaded('phpgrc_bus')) {
    fwrite(STDERR, "phpgrc_bus is not loaded: run `make install` (or php -d extension=phpgrc_bus.so)\n");
    exit(1);
}

// Debian's php-laravel-framework (or ILLUMINATE_AUTOLOAD), plus laravel/src by PSR-4.
require_once getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';
spl_autoload_register(static function (string $class): void {
    $prefix = 'PhpGrc\\Bus\\Laravel\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/../laravel/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

/* ---------------------------------------------------------------- redis-server, stopped by pid */

/**
 * @param array|null $server set as soon as the process exists, so a signal during startup still stops it
 * @return array{port: int, pid: int, process: resource, log: string}
 */
function startRedis(?array &$server): array
{
    $probe = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
    if ($probe === false) {
        throw new RuntimeException("no free loopback port: $error");
    }
    $port = (int) substr((string) strrchr((string) stream_socket_get_name($probe, false), ':'), 1);
    fclose($probe);

    $log = sys_get_temp_dir() . "/phpgrc-bus-worker-demo-redis-$port.log";
    // An argv array: proc_open execs redis-server itself, so the pid is the server's.
    $process = proc_open(
        ['redis-server', '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--port', (string) $port],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
        $pipes,
    );
    if (!is_resource($process)) {
        throw new RuntimeException('could not start redis-server (is it installed?)');
    }
    $server = ['port' => $port, 'pid' => (int) proc_get_status($process)['pid'], 'process' => $process, 'log' => $log];

    $deadline = microtime(true) + 5.0;
    while (microtime(true) < $deadline && proc_get_status($process)['running']) {
        $socket = @fsockopen('127.0.0.1', $port, $errno, $error, 0.2);
        if ($socket !== false) {
            fwrite($socket, "PING\r\n");
            $reply = fgets($socket);
            fclose($socket);
            if ($reply === "+PONG\r\n") {
                return $server;
            }
        }
        usleep(20_000);
    }
    $output = (string) @file_get_contents($log);

    throw new RuntimeException("redis-server did not answer on port $port: $output");
}

/** @param array{port: int, pid: int, process: resource, log: string} $server */
function stopRedis(array $server): void
{
    if (!is_resource($server['process'])) {
        return;
    }
    if (proc_get_status($server['process'])['running']) {
        posix_kill($server['pid'], SIGTERM);
    }
    proc_close($server['process']);
    @unlink($server['log']);
}

/* ---------------------------------------------------------------- the minimal application */

function bootApplication(int $redisPort): Application
{
    $basePath = sys_get_temp_dir() . '/phpgrc-bus-worker-demo-app';
    @mkdir($basePath . '/storage/framework', 0777, true);

    $app = new Application($basePath);
    $app->instance('config', new Repository([
        'app' => ['name' => 'phpgrc-bus-worker-demo', 'env' => 'local', 'debug' => true],
        'database' => ['redis' => [
            'client' => 'phpredis',
            'options' => ['prefix' => 'phpgrc_demo:'],
            'default' => ['host' => '127.0.0.1', 'port' => $redisPort, 'database' => 0, 'password' => null, 'url' => null],
        ]],
        'queue' => [
            'default' => 'integration-bus',
            'connections' => [
                // Exactly what laravel/README.md tells a user to put in config/queue.php.
                'integration-bus' => [
                    'driver' => 'integration-bus',
                    'connection' => 'default',
                    'queue' => QUEUE,
                    'retry_after' => 900,
                    'block_for' => null,
                ],
            ],
            'failed' => ['driver' => 'null'],
        ],
        'logging' => ['default' => 'stdout', 'channels' => [
            'stdout' => [
                'driver' => 'monolog',
                'handler' => StreamHandler::class,
                'with' => ['stream' => 'php://stdout'],
                'formatter' => LineFormatter::class,
                'formatter_with' => ['format' => "%level_name% %message% %context%\n", 'ignoreEmptyContextAndExtra' => true],
            ],
        ]],
        'cache' => ['default' => 'array', 'stores' => ['array' => ['driver' => 'array']]],
        'integration-bus' => ['log_channel' => 'stdout'],
    ]));

    // The Worker reports a job's exception here; a real app has App\Exceptions\Handler.
    $app->singleton(ExceptionHandler::class, static fn () => new class implements ExceptionHandler {
        /** @var list<Throwable> */
        public array $reported = [];

        public function report(Throwable $e)
        {
            $this->reported[] = $e;
            fwrite(STDERR, sprintf("reported %s: %s\n", get_class($e), $e->getMessage()));
        }

        public function shouldReport(Throwable $e)
        {
            return true;
        }

        public function render($request, Throwable $e)
        {
            throw $e;
        }

        public function renderForConsole($output, Throwable $e)
        {
            $output->writeln((string) $e);
        }
    });

    foreach ([BusServiceProvider::class, CacheServiceProvider::class, RedisServiceProvider::class,
        QueueServiceProvider::class, IntegrationBusServiceProvider::class] as $provider) {
        $app->register($provider);
    }
    $app->boot();
    Facade::setFacadeApplication($app);

    return $app;
}

/* ---------------------------------------------------------------- one envelope per kind */

/** kind => [connector, event, default event class, payload, provenance.externalId] */
const ENVELOPES = [
    'asset.discovery' => ['aws-config', 'asset.upserted', Events\AssetDiscoveryMessageReceived::class, [
        'assetId' => 'i-0abc', 'name' => 'web-1', 'type' => 'ec2.instance', 'environment' => 'production',
        'tags' => ['web', 'pci'], 'attributes' => ['region' => 'eu-west-1', 'cpu' => 4],
    ], 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc'],
    'asset.lifecycle' => ['servicenow-cmdb', 'asset.status_changed', Events\AssetLifecycleMessageReceived::class, [
        'assetId' => 'i-0abc', 'status' => 'retired', 'effectiveAt' => '2025-02-01T00:00:00Z',
    ], 'cmdb_ci/4f1c2d'],
    'incident.event' => ['servicenow-sir', 'incident.opened', Events\IncidentEventMessageReceived::class, [
        'incidentId' => 'INC-42', 'status' => 'NEW', 'severity' => 'HIGH', 'summary' => 'Impossible travel login',
    ], 'sn_si_incident/INC-42'],
    'vendor.profile' => ['onetrust', 'vendor.updated', Events\VendorProfileMessageReceived::class, [
        'vendorId' => 'v-7', 'name' => 'Acme', 'category' => 'saas',
        'contacts' => [['name' => 'Ann', 'email' => 'ann@example.com', 'role' => 'owner']],
        'services' => [['name' => 'CRM', 'description' => 'Customer records']],
    ], 'vendor/v-7'],
    'indicator.metric' => ['phpgrc-kpi', 'indicator.measured', Events\IndicatorMetricMessageReceived::class, [
        'indicatorKey' => 'mttr.hours', 'window' => 'P7D', 'value' => 4.5, 'unit' => 'hours', 'context' => ['team' => 'ops'],
    ], 'kpi/mttr.hours/P7D'],
    'cyber.metric' => ['splunk', 'metric.observed', Events\CyberMetricMessageReceived::class, [
        'sourceType' => 'siem', 'assetKey' => 'web-1', 'observedAt' => '2025-02-01T00:00:00Z', 'metrics' => ['alerts' => 3],
    ], 'search/alerts/web-1'],
    'auth.provider' => ['okta', 'provider.checked', Events\AuthProviderMessageReceived::class, [
        'providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2025-02-01T00:00:00Z',
    ], 'idp/okta'],
];

/* ---------------------------------------------------------------- main */

$started = microtime(true);
$redis = null;
$cleanup = static function () use (&$redis): void {
    if ($redis !== null) {
        stopRedis($redis);
        $redis = null;
    }
};
// Stop the server however the script ends: normal exit, exception, fatal error, Ctrl-C / SIGTERM.
register_shutdown_function($cleanup);
pcntl_async_signals(true);
foreach ([SIGINT, SIGTERM] as $signal) {
    pcntl_signal($signal, static function (int $signal): void {
        fwrite(STDERR, "interrupted\n");
        exit(128 + $signal);
    });
}

try {
    startRedis($redis);
    $app = bootApplication($redis['port']);
    printf("phpgrc_bus %s, Laravel %s, redis-server pid %d on 127.0.0.1:%d\n\n",
        PhpGrc\Bus\VERSION, $app->version(), $redis['pid'], $redis['port']);

    // The application's handlers: the default kind → event map, one listener per event.
    $handled = [];
    foreach (ENVELOPES as $kind => [, , $eventClass]) {
        $app['events']->listen($eventClass, static function (Events\MessageReceived $event) use (&$handled, $eventClass): void {
            $envelope = $event->envelope;
            $handled[] = $envelope['kind'];
            printf("handled %-16s %s → %s (%s, %s)\n", $envelope['kind'], $envelope['event'],
                substr(strrchr($eventClass, '\\'), 1), $envelope['connectorKey'], $envelope['id']);
        });
    }
    $logged = [];
    $app['events']->listen(MessageLogged::class, static function (MessageLogged $log) use (&$logged): void {
        if ($log->level === 'info' && $log->message === EnvelopeJob::LOG_MESSAGE) {
            $logged[] = [$log->context['kind'] ?? null, $log->context['status'] ?? null];
        }
    });
    $failed = 0;
    $app['events']->listen(JobFailed::class, static function () use (&$failed): void {
        $failed++;
    });

    // Producer side: one envelope per kind, validated by the driver before it is enqueued.
    $queue = Queue::connection('integration-bus');
    foreach (ENVELOPES as $kind => [$connector, $event, , $payload, $externalId]) {
        $run = new Run($connector, '2025.10.0');
        $envelope = $run->envelope($kind, $event, $payload,
            ['source' => $connector, 'externalId' => $externalId],
            ['meta' => ['pipeline' => 'worker-demo']]);
        $jobId = $queue->push($envelope);
        printf("pushed  %-16s job %s\n", $kind, $jobId);
    }
    printf("\nqueue %s holds %d jobs; running the stock Worker\n\n", QUEUE, $queue->size());

    // Consumer side: what `php artisan queue:work integration-bus --once` does, until the queue is empty.
    $worker = $app['queue.worker'];
    $options = new WorkerOptions('default', 0, 128, 60, 0, 1);
    $passes = 0;
    while ($queue->size() > 0 && $passes < 2 * count(ENVELOPES) && microtime(true) - $started < DEADLINE_SECONDS) {
        $worker->runNextJob('integration-bus', QUEUE, $options);
        $passes++;
    }
    pcntl_alarm(0); // the Worker's per-job timeout alarm

    $metrics = $app->make(Metrics::class)->read();
    $remaining = $queue->size();
    $deadLetters = count($queue->native()->deadLetters());
    printf("\n%d handled, %d logged, %d failed; queue size %d, dead letters %d; counters %s (%.2f s)\n",
        count($handled), count($logged), $failed, $remaining, $deadLetters,
        json_encode($metrics, JSON_UNESCAPED_SLASHES), microtime(true) - $started);

    $kinds = array_keys(ENVELOPES);
    $sorted = static function (array $list): array {
        sort($list);

        return $list;
    };
    $problems = [];
    if ($sorted($handled) !== $sorted($kinds)) {
        $problems[] = 'not every kind was handled exactly once: ' . implode(', ', $handled);
    }
    if ($sorted(array_column($logged, 0)) !== $sorted($kinds) || array_unique(array_column($logged, 1)) !== ['processed']) {
        $problems[] = 'expected one integration.bus.message line with status processed per kind, got ' . json_encode($logged);
    }
    if ($failed > 0 || $app[ExceptionHandler::class]->reported !== []) {
        $problems[] = "$failed job(s) failed, " . count($app[ExceptionHandler::class]->reported) . ' exception(s) reported';
    }
    if ($remaining !== 0 || $deadLetters !== 0) {
        $problems[] = "queue not empty: $remaining job(s) left, $deadLetters dead letter(s)";
    }
    if ($metrics[Metrics::PROCESSED] !== count($kinds) || $metrics[Metrics::FAILED] !== 0) {
        $problems[] = 'counters do not show ' . count($kinds) . ' processed and 0 failed';
    }
    if ($problems !== []) {
        fwrite(STDERR, "\nworker demo failed:\n  " . implode("\n  ", $problems) . "\n");
        exit(1);
    }
    echo "✓ all 7 kinds processed by the stock Worker, queue empty\n";
} catch (Throwable $e) {
    fwrite(STDERR, sprintf("worker demo failed: %s: %s\n", get_class($e), $e->getMessage()));
    exit(1);
} finally {
    $cleanup();
}
exit(0);
