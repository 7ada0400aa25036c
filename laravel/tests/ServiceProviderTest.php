<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Support\ServiceProvider;
use PhpGrc\Bus\Laravel\Console\ValidateCommand;
use PhpGrc\Bus\Laravel\IntegrationBusServiceProvider;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\Validator;

/** Configuration by convention: the package's config, publishing and command registration. */
final class ServiceProviderTest extends TestCase
{
    private const ENV = [
        'INTEGRATION_BUS_QUEUE' => 'bus-v1',
        'INTEGRATION_BUS_DLQ' => 'bus-v1:dlq',
        'INTEGRATION_BUS_MAX_ATTEMPTS' => '7',
        'INTEGRATION_BUS_RETRY_SECONDS' => '60',
        'INTEGRATION_BUS_BACKOFF_EXP' => '3',
        'INTEGRATION_BUS_VISIBILITY_TIMEOUT' => '300',
    ];

    protected function tearDown(): void
    {
        foreach (array_keys(self::ENV) as $name) {
            putenv($name);
        }
        parent::tearDown();
    }

    public function test_the_config_defaults_are_the_runbooks(): void
    {
        $this->boot();

        $config = $this->app['config']->get('integration-bus');
        $this->assertSame(
            ['integration-bus', 'integration-bus:dlq', 5, 120, 2, 900, false],
            [$config['queue'], $config['dlq'], $config['max_attempts'], $config['retry_seconds'], $config['backoff_exp'], $config['visibility_timeout'], $config['strict']],
        );
        $this->assertCount(7, $config['handlers']);
    }

    public function test_the_config_reads_the_integration_bus_environment_variables(): void
    {
        foreach (self::ENV as $name => $value) {
            putenv("{$name}={$value}");
        }

        $this->boot();

        $config = $this->app['config']->get('integration-bus');
        $this->assertSame(
            ['bus-v1', 'bus-v1:dlq', 7, 60, 3, 300],
            [$config['queue'], $config['dlq'], $config['max_attempts'], $config['retry_seconds'], $config['backoff_exp'], $config['visibility_timeout']],
        );
    }

    public function test_application_config_wins_over_the_package_defaults(): void
    {
        $this->boot(['max_attempts' => 9, 'strict' => true]);

        $this->assertSame(9, $this->app['config']->get('integration-bus.max_attempts'));
        $this->assertSame('integration-bus:dlq', $this->app['config']->get('integration-bus.dlq'));
        $this->assertTrue($this->app->make(Validator::class)->isStrict());
    }

    public function test_the_config_file_is_publishable(): void
    {
        $this->boot();

        $paths = ServiceProvider::pathsToPublish(IntegrationBusServiceProvider::class, 'integration-bus-config');

        $this->assertCount(1, $paths);
        $this->assertSame(realpath(__DIR__ . '/../config/integration-bus.php'), realpath((string) array_key_first($paths)));
        $this->assertSame($this->app->configPath('integration-bus.php'), reset($paths));
    }

    public function test_the_validate_command_is_registered(): void
    {
        $this->boot();

        $this->assertInstanceOf(ValidateCommand::class, TestApplication::artisan($this->app)->find('integration-bus:validate'));
    }
}
