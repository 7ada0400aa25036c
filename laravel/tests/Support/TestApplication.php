<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use Illuminate\Bus\BusServiceProvider;
use Illuminate\Cache\CacheServiceProvider;
use Illuminate\Config\Repository;
use Illuminate\Console\Application as Artisan;
use Illuminate\Contracts\Debug\ExceptionHandler;
use Illuminate\Foundation\Application;
use Illuminate\Queue\Console\ClearCommand;
use Illuminate\Queue\Console\ListFailedCommand;
use Illuminate\Queue\Console\MonitorCommand;
use Illuminate\Queue\Console\RetryCommand;
use Illuminate\Queue\Console\WorkCommand;
use Illuminate\Queue\QueueServiceProvider;
use Illuminate\Redis\RedisServiceProvider;
use Illuminate\Support\Facades\Facade;
use Monolog\Handler\TestHandler;
use PhpGrc\Bus\Laravel\IntegrationBusServiceProvider;

/**
 * The smallest Laravel application the glue needs: config, events, log, Redis, queue (with the
 * stock Worker and `queue:work`), bus and cache, plus our service provider, as a package user's
 * app would have them. Logs go to Monolog TestHandlers: channel `app` (default) and `bus`.
 */
final class TestApplication
{
    public const PREFIX = 'phpgrc_test:';
    /** The bootstrap's redis-server port, passed to child processes (tests/bin/artisan). */
    public const PORT_ENV = 'PHPGRC_BUS_TEST_REDIS_PORT';

    /** @param array<string, mixed> $integrationBus config/integration-bus.php overrides */
    public static function create(array $integrationBus = [], array $connection = []): Application
    {
        Artisan::forgetBootstrappers();
        Facade::clearResolvedInstances();

        $basePath = sys_get_temp_dir() . '/phpgrc-bus-laravel-app';
        @mkdir($basePath . '/storage/framework', 0777, true);
        $app = new Application($basePath);
        // What a full app's bootstrap detects from APP_ENV (queue:clear's confirmation reads it).
        $app->instance('env', 'testing');
        $app->instance('config', new Repository([
            'app' => ['name' => 'phpgrc-bus-test', 'env' => 'testing', 'debug' => true],
            'database' => ['redis' => [
                'client' => 'phpredis',
                'options' => ['prefix' => self::PREFIX],
                'default' => ['host' => '127.0.0.1', 'port' => self::redisPort(), 'database' => 0, 'password' => null, 'url' => null],
                // Another connection (same server, database 1), for counters kept apart from the queue.
                'metrics' => ['host' => '127.0.0.1', 'port' => self::redisPort(), 'database' => 1, 'password' => null, 'url' => null],
            ]],
            'queue' => [
                'default' => 'integration-bus',
                'connections' => [
                    'integration-bus' => array_merge([
                        'driver' => 'integration-bus',
                        'connection' => 'default',
                        'queue' => 'integration-bus',
                        'retry_after' => 900,
                        'block_for' => null,
                    ], $connection),
                    'redis' => ['driver' => 'redis', 'connection' => 'default', 'queue' => 'plain', 'retry_after' => 900],
                ],
                'failed' => ['driver' => 'null'],
            ],
            'logging' => ['default' => 'app', 'channels' => [
                'app' => ['driver' => 'monolog', 'handler' => TestHandler::class],
                'bus' => ['driver' => 'monolog', 'handler' => TestHandler::class],
            ]],
            'cache' => ['default' => 'array', 'stores' => ['array' => ['driver' => 'array']]],
            'integration-bus' => $integrationBus,
        ]));
        $app->singleton(ExceptionHandler::class, RecordingExceptionHandler::class);
        $app->singleton(WorkCommand::class, fn (Application $app) => new WorkCommand($app['queue.worker'], $app['cache.store']));
        // Laravel 10's queue:work asks the MaintenanceMode service (bound by the
        // FoundationServiceProvider in a full app); Laravel 8 checks storage/framework/down itself.
        if (interface_exists(\Illuminate\Contracts\Foundation\MaintenanceMode::class)) {
            $app->singleton(\Illuminate\Contracts\Foundation\MaintenanceMode::class, \Illuminate\Foundation\FileBasedMaintenanceMode::class);
        }

        foreach ([BusServiceProvider::class, CacheServiceProvider::class, RedisServiceProvider::class, QueueServiceProvider::class, IntegrationBusServiceProvider::class] as $provider) {
            $app->register($provider);
        }
        $app->instance('queue.failer', new RecordingFailedJobProvider());
        $app->boot();
        Facade::setFacadeApplication($app);

        return $app;
    }

    /** The console with our commands and Laravel's queue:work, :monitor, :clear, :failed and :retry, as `php artisan` would build it. */
    public static function artisan(Application $app): Artisan
    {
        $artisan = new Artisan($app, $app['events'], $app->version());
        $artisan->resolveCommands([WorkCommand::class, MonitorCommand::class, ClearCommand::class, ListFailedCommand::class, RetryCommand::class]);
        // Laravel 9+ only maps a command that declares its name (#[AsCommand]); the console kernel
        // then installs the loader that resolves it. Laravel 8 has no map and registers it directly.
        if (method_exists($artisan, 'setContainerCommandLoader')) {
            $artisan->setContainerCommandLoader();
        }

        return $artisan;
    }

    /** Records of a log channel (`app` or `bus`). @return list<array{message: string, context: array, level_name: string}> */
    public static function logRecords(Application $app, string $channel): array
    {
        foreach ($app['log']->channel($channel)->getLogger()->getHandlers() as $handler) {
            if ($handler instanceof TestHandler) {
                // Monolog 2 (Laravel 8) keeps arrays, Monolog 3 (Laravel 10) LogRecord objects.
                return array_map(static fn ($r) => is_array($r) ? $r : $r->toArray(), $handler->getRecords());
            }
        }

        return [];
    }

    public static function redisPort(): int
    {
        return (int) getenv(self::PORT_ENV);
    }

    /** A phpredis client without prefix, to look at the keys as another process would. */
    public static function rawRedis(): \Redis
    {
        $redis = new \Redis();
        $redis->connect('127.0.0.1', self::redisPort());

        return $redis;
    }
}
