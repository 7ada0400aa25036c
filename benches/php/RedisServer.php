<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Redis;
use RuntimeException;

/**
 * A throwaway redis-server on a free loopback port, without persistence, stopped by its own pid
 * (the process this object started, never one found by name).
 */
final class RedisServer
{
    /** @var resource|null */
    private $process;
    private int $pid;

    private function __construct(public readonly int $port)
    {
    }

    public static function start(): self
    {
        $server = new self(self::freePort());
        $command = ['redis-server', '--port', (string) $server->port, '--bind', '127.0.0.1', '--save', '',
            '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        if (!is_resource($process)) {
            throw new RuntimeException('redis-server could not be started');
        }
        $server->process = $process;
        $server->pid = (int) proc_get_status($process)['pid'];
        register_shutdown_function([$server, 'stop']);

        $deadline = microtime(true) + 5.0;
        while (microtime(true) < $deadline) {
            try {
                $client = new Redis();
                if (@$client->connect('127.0.0.1', $server->port, 0.2) && $client->ping()) {
                    $client->close();

                    return $server;
                }
            } catch (\RedisException) {
            }
            usleep(20_000);
        }
        $server->stop();
        throw new RuntimeException("redis-server did not answer on port {$server->port} within 5 s");
    }

    public function pid(): int
    {
        return $this->pid;
    }

    public function stop(): void
    {
        if (!is_resource($this->process)) {
            return;
        }
        proc_terminate($this->process, 15);
        $deadline = microtime(true) + 3.0;
        while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
            usleep(10_000);
        }
        if (proc_get_status($this->process)['running']) {
            proc_terminate($this->process, 9);
        }
        proc_close($this->process);
        $this->process = null;
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new RuntimeException("no free loopback port: {$error}");
        }
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);

        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
