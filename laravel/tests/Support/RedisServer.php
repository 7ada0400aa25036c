<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use RuntimeException;

/** A redis-server child process on a free loopback port, no persistence, stopped by pid. */
final class RedisServer
{
    public const PORT_ENV = 'PHPGRC_BUS_TEST_REDIS_PORT';

    private const READY_TIMEOUT_SECONDS = 10.0;

    /** @param resource $process */
    private function __construct(public readonly int $port, public readonly int $pid, private $process, private readonly string $log)
    {
    }

    public static function start(): self
    {
        $port = self::freePort();
        $log = sys_get_temp_dir() . "/phpgrc-bus-laravel-redis-{$port}.log";
        $process = proc_open(
            ['redis-server', '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--port', (string) $port],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']],
            $pipes,
        );
        if (! is_resource($process)) {
            throw new RuntimeException('Could not start redis-server (is it installed?).');
        }

        $server = new self($port, (int) proc_get_status($process)['pid'], $process, $log);
        $server->waitUntilReady();

        return $server;
    }

    public function stop(): void
    {
        if (proc_get_status($this->process)['running']) {
            posix_kill($this->pid, SIGTERM);
        }
        proc_close($this->process);
        @unlink($this->log);
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new RuntimeException("No free loopback port: {$error}");
        }
        $port = (int) substr((string) strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);

        return $port;
    }

    private function waitUntilReady(): void
    {
        $deadline = microtime(true) + self::READY_TIMEOUT_SECONDS;
        while (microtime(true) < $deadline) {
            $socket = @fsockopen('127.0.0.1', $this->port, $errno, $error, 0.2);
            if ($socket !== false) {
                fwrite($socket, "PING\r\n");
                $reply = fgets($socket);
                fclose($socket);
                if ($reply === "+PONG\r\n") {
                    return;
                }
            }
            if (! proc_get_status($this->process)['running']) {
                break;
            }
            usleep(50_000);
        }
        $log = (string) @file_get_contents($this->log);
        $this->stop();

        throw new RuntimeException("redis-server did not answer on port {$this->port}: {$log}");
    }
}
