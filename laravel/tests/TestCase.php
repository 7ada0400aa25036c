<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use Illuminate\Console\Application as Artisan;
use Illuminate\Foundation\Application;
use Illuminate\Queue\Console\WorkCommand;
use Illuminate\Queue\WorkerOptions;
use Illuminate\Support\Facades\Facade;
use PhpGrc\Bus\Laravel\Tests\Support\PlainJob;
use PhpGrc\Bus\Laravel\Tests\Support\RecordingEnvelopeHandler;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\Laravel\Tests\Support\ThrowingEnvelopeHandler;

abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    protected Application $app;

    protected function setUp(): void
    {
        TestApplication::rawRedis()->flushAll();
        RecordingEnvelopeHandler::$received = [];
        ThrowingEnvelopeHandler::$calls = 0;
        PlainJob::$handled = [];
    }

    protected function tearDown(): void
    {
        Artisan::forgetBootstrappers();
        Facade::clearResolvedInstances();
        // Laravel 13's queue:work registers its event listeners once per process; each test has a
        // fresh app and dispatcher, so reset it as Laravel's own test case does.
        if (method_exists(WorkCommand::class, 'flushState')) {
            WorkCommand::flushState();
        }
    }

    /** @param array<string, mixed> $integrationBus config/integration-bus.php overrides */
    protected function boot(array $integrationBus = [], array $connection = []): Application
    {
        return $this->app = TestApplication::create($integrationBus, $connection);
    }

    /** One pass of the stock Worker, as `queue:work --once` makes it; --tries=1 to show the driver's max_attempts wins. */
    protected function work(string $connection = 'integration-bus', string $queue = 'integration-bus'): void
    {
        $this->app['queue.worker']->runNextJob($connection, $queue, new WorkerOptions('default', 0, 128, 60, 0, 1));
    }

    /** The `integration.bus.message` records of a channel. @return list<array> */
    protected function busLog(string $channel = 'app'): array
    {
        return array_values(array_filter(
            TestApplication::logRecords($this->app, $channel),
            static fn (array $record) => $record['message'] === 'integration.bus.message',
        ));
    }
}
