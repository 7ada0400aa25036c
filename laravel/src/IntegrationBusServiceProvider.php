<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel;

use Illuminate\Contracts\Foundation\Application;
use Illuminate\Queue\QueueManager;
use Illuminate\Support\ServiceProvider;
use PhpGrc\Bus\Laravel\Console\ValidateCommand;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusConnector;
use PhpGrc\Bus\Validator;

/**
 * Registers the `integration-bus` queue driver, the envelope handler with its log line and
 * counters, and the `integration-bus:validate` command. Discovered through `extra.laravel`.
 */
final class IntegrationBusServiceProvider extends ServiceProvider
{
    public const DRIVER = 'integration-bus';

    private const CONFIG = __DIR__ . '/../config/integration-bus.php';

    public function register(): void
    {
        $this->mergeConfigFrom(self::CONFIG, 'integration-bus');

        // One Validator per process: the extension compiles the schema once anyway, this keeps the options once.
        $this->app->singleton(Validator::class, fn (Application $app) => new Validator(null, [
            'strict' => (bool) $app['config']->get('integration-bus.strict', false),
        ]));

        $this->app->singleton(Metrics::class, fn (Application $app) => new Metrics(
            $app['redis']->connection($app['config']->get('integration-bus.metrics.connection', 'default')),
            (string) $app['config']->get('integration-bus.metrics.key', 'integration-bus:counters'),
        ));

        $this->app->bind(EnvelopeJob::class, fn (Application $app) => new EnvelopeJob(
            $app->make(Validator::class),
            $app,
            $app['events'],
            $app['log']->channel($app['config']->get('integration-bus.log_channel')),
            $app->make(Metrics::class),
            (array) $app['config']->get('integration-bus.handlers', []),
            (int) $app['config']->get('integration-bus.max_attempts', 5),
        ));
    }

    public function boot(): void
    {
        $this->callAfterResolving('queue', function (QueueManager $manager, Application $app): void {
            $manager->addConnector(self::DRIVER, fn () => new IntegrationBusConnector($app['config'], $app['redis']));
        });

        if ($this->app->runningInConsole()) {
            $this->commands([ValidateCommand::class]);
            $this->publishes([self::CONFIG => $this->app->configPath('integration-bus.php')], 'integration-bus-config');
        }
    }
}
