<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Illuminate\Bus\BusServiceProvider;
use Illuminate\Cache\CacheServiceProvider;
use Illuminate\Config\Repository;
use Illuminate\Console\Application as Artisan;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Foundation\Application;
use Illuminate\Queue\Console\WorkCommand;
use Illuminate\Queue\QueueServiceProvider;
use Illuminate\Redis\RedisServiceProvider;
use Illuminate\Support\Facades\Facade;
use PhpGrc\Bus\Laravel\IntegrationBusServiceProvider;
use PhpGrc\Bus\Laravel\Tests\Support\RecordingExceptionHandler;

/**
 * The Laravel application every end-to-end child runs: Debian's Laravel 8 with the providers a
 * phpGRC worker has (events, log, Redis, queue with `queue:work`, bus, cache) plus our service
 * provider, and both queue connections on one redis-server: `integration-bus` (our driver) and
 * `redis` (Laravel's driver, phpredis), the peer's. One log sink for every contender: the `single`
 * channel (Monolog StreamHandler + LineFormatter, Laravel's default) writing to a file.
 */
final class E2eApp
{
    public const QUEUE = 'integration-bus';
    public const PREFIX = 'phpgrc_e2e:';

    /** Events our EnvelopeJob fires, by kind (its default handler map). */
    public const OUR_EVENTS = [
        'asset.discovery' => \PhpGrc\Bus\Laravel\Events\AssetDiscoveryMessageReceived::class,
        'asset.lifecycle' => \PhpGrc\Bus\Laravel\Events\AssetLifecycleMessageReceived::class,
        'incident.event' => \PhpGrc\Bus\Laravel\Events\IncidentEventMessageReceived::class,
        'vendor.profile' => \PhpGrc\Bus\Laravel\Events\VendorProfileMessageReceived::class,
        'indicator.metric' => \PhpGrc\Bus\Laravel\Events\IndicatorMetricMessageReceived::class,
        'cyber.metric' => \PhpGrc\Bus\Laravel\Events\CyberMetricMessageReceived::class,
        'auth.provider' => \PhpGrc\Bus\Laravel\Events\AuthProviderMessageReceived::class,
    ];

    /** Loads Illuminate, laravel/src and the peer's classes. */
    public static function load(): void
    {
        require_once getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';
        spl_autoload_register(static function (string $class): void {
            $prefix = 'PhpGrc\\Bus\\Laravel\\';
            if (str_starts_with($class, $prefix)) {
                $file = __DIR__ . '/../../laravel/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                if (is_file($file)) {
                    require $file;
                }
            }
        });
        foreach (['PeerEnvelope', 'PeerValidator', 'PeerJob', 'PeerDispatcher', 'Events', 'PeerObservability'] as $file) {
            require_once __DIR__ . "/Peer/{$file}.php";
        }
        require_once __DIR__ . '/E2eListener.php';
        // The Worker reports a job's exception there (a real app has App\Exceptions\Handler); a child fails on any.
        require_once __DIR__ . '/../../laravel/tests/Support/RecordingExceptionHandler.php';
        require_once __DIR__ . '/E2eSilentConnection.php';
        require_once __DIR__ . '/E2eMemoryQueue.php';
    }

    /**
     * @param string $default the default queue connection: `integration-bus` or `redis`
     * @param array<string, mixed> $ours options added to the `integration-bus` connection (prefetch, ack, busy_poll)
     */
    public static function boot(int $port, string $logFile, string $default, array $ours = [], bool $nullLog = false): Application
    {
        Facade::clearResolvedInstances();
        $app = new Application(sys_get_temp_dir() . '/phpgrc-bus-e2e-app');
        $app->instance('config', new Repository([
            'app' => ['name' => 'phpgrc-bus-e2e', 'env' => 'production', 'debug' => false],
            'database' => ['redis' => [
                'client' => 'phpredis',
                'options' => ['prefix' => self::PREFIX],
                'default' => ['host' => '127.0.0.1', 'port' => $port, 'database' => 0, 'password' => null, 'url' => null],
            ]],
            'queue' => [
                'default' => $default,
                'connections' => [
                    'integration-bus' => $ours + ['driver' => 'integration-bus', 'connection' => 'default',
                        'queue' => self::QUEUE, 'retry_after' => 900, 'block_for' => null],
                    'redis' => ['driver' => 'redis', 'connection' => 'default', 'queue' => self::QUEUE,
                        'retry_after' => 900, 'block_for' => null],
                    // The `floor` consumer, the ceiling row (E2eMemoryQueue).
                    'memory' => ['driver' => 'e2e-memory', 'queue' => self::QUEUE],
                ],
                'failed' => ['driver' => 'null'],
            ],
            'logging' => ['default' => $nullLog ? 'null' : 'single', 'channels' => [
                'single' => ['driver' => 'single', 'path' => $logFile, 'level' => 'debug'],
                // Profiling only (E2eChild::$without): records are dropped before they are formatted.
                'null' => ['driver' => 'monolog', 'handler' => \Monolog\Handler\NullHandler::class],
            ]],
            // The array store: queue:work reads its restart flag from the cache on every loop, and
            // a Redis cache store would add one round trip per job to every contender alike.
            'cache' => ['default' => 'array', 'stores' => ['array' => ['driver' => 'array']]],
            'integration-bus' => [],
        ]));
        $app->singleton(ExceptionHandler::class, static fn () => new RecordingExceptionHandler());
        $app->singleton(WorkCommand::class, static fn (Application $app) => new WorkCommand($app['queue.worker'], $app['cache.store']));
        foreach ([BusServiceProvider::class, CacheServiceProvider::class, RedisServiceProvider::class,
            QueueServiceProvider::class, IntegrationBusServiceProvider::class] as $provider) {
            $app->register($provider);
        }
        $app->boot();
        $app['queue']->addConnector('e2e-memory', static fn () => new E2eMemoryQueue());
        Facade::setFacadeApplication($app);

        return $app;
    }

    /** `php artisan` with `queue:work`, as a console kernel would build it. */
    public static function artisan(Application $app): Artisan
    {
        Artisan::forgetBootstrappers();
        $artisan = new Artisan($app, $app['events'], $app->version());
        $artisan->setAutoExit(false);
        $artisan->resolveCommands([WorkCommand::class]);

        return $artisan;
    }
}
