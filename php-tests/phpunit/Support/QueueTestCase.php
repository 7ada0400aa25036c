<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use Illuminate\Queue\Queue as LaravelBaseQueue;
use PhpGrc\Bus\Queue;
use PhpGrc\Bus\TestSupport\Fork;
use PhpGrc\Bus\TestSupport\RedisServer;
use PHPUnit\Framework\TestCase;

/**
 * Each test gets its own redis-server (started in setUp, stopped by pid in tearDown even when the
 * test fails), and its forked children are reaped. `serverOptions()` asks for AOF, a password or
 * a unix socket.
 */
abstract class QueueTestCase extends TestCase
{
    /** The key prefix both sides use, as a Laravel app's `database.redis.options.prefix`. */
    protected const PREFIX = 'phpgrc_it:';

    protected RedisServer $server;
    /** @var list<RedisServer> servers a test started besides $server */
    private array $extraServers = [];
    /** @var list<Laravel> */
    private array $laravels = [];
    /** @var list<string> */
    private array $tempFiles = [];

    /** @return array{aof?: bool, requirepass?: string, unixsocket?: bool} */
    protected function serverOptions(): array
    {
        return [];
    }

    protected function setUp(): void
    {
        RecordingHandler::reset();
        $this->server = RedisServer::start($this->serverOptions());
    }

    protected function tearDown(): void
    {
        Fork::reapAll();
        foreach ($this->laravels as $laravel) {
            $laravel->disconnect();
        }
        $this->laravels = [];
        LaravelBaseQueue::createPayloadUsing(null);
        RecordingHandler::reset();
        foreach ($this->extraServers as $server) {
            $server->stop();
        }
        $this->extraServers = [];
        $this->server->stop();
        foreach ($this->tempFiles as $file) {
            @unlink($file);
        }
    }

    /** Another redis-server for this test, stopped in tearDown. @param array{aof?: bool, requirepass?: string, unixsocket?: bool} $options */
    protected function startServer(array $options): RedisServer
    {
        $server = RedisServer::start($options);
        $this->extraServers[] = $server;

        return $server;
    }

    /** An extension queue on this test's server, prefix PREFIX. @param array<string, mixed> $options */
    protected function queue(array $options = [], array $connection = []): Queue
    {
        return new Queue($this->server->connection($connection + ['prefix' => self::PREFIX]), $options + ['read_timeout' => 5]);
    }

    /** The Laravel side on this test's server, same prefix. @param array<string, mixed> $queueConnection */
    protected function laravel(array $queueConnection = []): Laravel
    {
        $laravel = new Laravel($this->server->connection(), self::PREFIX, $queueConnection);
        $this->laravels[] = $laravel;

        return $laravel;
    }

    /** A raw phpredis client, no prefix: the keys as any other process sees them. */
    protected function raw(): \Redis
    {
        return $this->server->client();
    }

    protected function key(string $suffix = ''): string
    {
        return self::PREFIX . 'queues:integration-bus' . $suffix;
    }

    protected function tempFile(string $name): string
    {
        $file = sys_get_temp_dir() . '/phpgrc-bus-phpunit-' . $name . '-' . posix_getpid() . '-' . bin2hex(random_bytes(4));
        $this->tempFiles[] = $file;

        return $file;
    }

    /**
     * Calls `$attempt` every 50 ms until it returns non-null or `$seconds` pass.
     *
     * @template T
     * @param callable(): (T|null) $attempt
     * @return T|null
     */
    protected static function eventually(callable $attempt, float $seconds)
    {
        $deadline = microtime(true) + $seconds;
        do {
            $result = $attempt();
            if ($result !== null) {
                return $result;
            }
            usleep(50_000);
        } while (microtime(true) < $deadline);

        return null;
    }

    /** Asserts a forked child ended with exit code 0, showing its error when not. */
    protected static function assertChildSucceeded(array $status, string $what = 'child'): void
    {
        self::assertSame(0, $status['code'], "{$what} failed (signal " . var_export($status['signal'], true) . "): {$status['error']}");
    }
}
