<?php

declare(strict_types=1);

namespace PhpGrc\Bus\TestSupport;

use RuntimeException;

/**
 * One throwaway redis-server, a direct child of this process, on a free loopback port:
 * `--save '' --appendonly no --bind 127.0.0.1 --port N` in a temporary directory of its own, plus
 * AOF, a password, a unix socket or any other server arguments on request, or as a Redis Cluster
 * node (see RedisCluster). It is stopped by pid (by the test, or by the shutdown function as a
 * safety net), never by name, and only by the process that started it (a forked child never stops
 * its parent's server). The redis-server on PATH is used (Debian's, or a chroot's).
 */
final class RedisServer
{
    private const READY_TIMEOUT = 10.0;
    private const STOP_TIMEOUT = 5.0;

    /** @var array<int, self> every running server of this process, by spl_object_id */
    private static array $running = [];
    private static bool $shutdownRegistered = false;

    public readonly int $port;
    public readonly string $dir;
    public readonly ?string $password;
    public readonly ?string $socket;
    public readonly bool $aof;
    public readonly bool $cluster;
    /** @var list<string> */
    public readonly array $args;

    private int $pid = 0;
    /** @var resource|null */
    private $process = null;
    private readonly int $ownerPid;

    /**
     * @param array{aof?: bool, requirepass?: string, unixsocket?: bool, cluster?: bool, args?: list<string>} $options
     */
    private function __construct(array $options)
    {
        $this->ownerPid = posix_getpid();
        $this->port = self::freePort();
        $this->dir = sys_get_temp_dir() . '/phpgrc-bus-phpunit-redis-' . $this->port . '-' . bin2hex(random_bytes(4));
        if (!mkdir($this->dir, 0700, true)) {
            throw new RuntimeException("cannot create {$this->dir}");
        }
        $this->aof = (bool) ($options['aof'] ?? false);
        $this->cluster = (bool) ($options['cluster'] ?? false);
        $this->password = $options['requirepass'] ?? null;
        $this->socket = ($options['unixsocket'] ?? false) ? $this->dir . '/redis.sock' : null;
        $this->args = array_values(array_map('strval', $options['args'] ?? []));
    }

    /** @param array{aof?: bool, requirepass?: string, unixsocket?: bool, cluster?: bool, args?: list<string>} $options */
    public static function start(array $options = []): self
    {
        $server = new self($options);
        if (!self::$shutdownRegistered) {
            self::$shutdownRegistered = true;
            register_shutdown_function(static function (): void {
                foreach (self::$running as $server) {
                    $server->stop();
                }
            });
        }
        $server->launch();

        return $server;
    }

    public function pid(): int
    {
        return $this->pid;
    }

    public function isRunning(): bool
    {
        return $this->process !== null && proc_get_status($this->process)['running'];
    }

    /** Stops the server (SIGTERM, which writes the AOF when it is on; SIGKILL after 5 s). */
    public function stop(): void
    {
        if (posix_getpid() !== $this->ownerPid) {
            return;
        }
        $this->terminate();
        unset(self::$running[spl_object_id($this)]);
        self::removeTree($this->dir);
    }

    /** Stops it and starts it again on the same port and directory (the AOF is reloaded when on). */
    public function restart(): void
    {
        $this->terminate();
        $this->launch();
    }

    /** Stops it without removing its directory, so `startAgain()` reloads the AOF. */
    public function shutdown(): void
    {
        $this->terminate();
    }

    public function startAgain(): void
    {
        $this->launch();
    }

    /** SIGSTOP: the server holds its connections but answers nothing. */
    public function suspend(): void
    {
        posix_kill($this->pid, SIGSTOP);
    }

    public function resume(): void
    {
        posix_kill($this->pid, SIGCONT);
    }

    /** A phpredis client of its own (authenticated as `default` when a password is set). */
    public function client(): \Redis
    {
        $redis = new \Redis();
        $redis->connect('127.0.0.1', $this->port, 2.0, null, 0, 5.0);
        if ($this->password !== null) {
            $redis->auth($this->password);
        }

        return $redis;
    }

    /** A plain-socket client (no phpredis needed; not authenticated). */
    public function raw(): RawRedis
    {
        return new RawRedis($this->port);
    }

    /**
     * A Laravel `config/database.php` redis connection for this server.
     *
     * @param array<string, mixed> $overrides
     * @return array<string, mixed>
     */
    public function connection(array $overrides = []): array
    {
        return $overrides + [
            'url' => null,
            'host' => '127.0.0.1',
            'port' => (string) $this->port,
            'password' => $this->password,
            'database' => '0',
            'timeout' => '2',
            'read_timeout' => '5',
        ];
    }

    public function url(string $query = ''): string
    {
        $auth = $this->password !== null ? ':' . rawurlencode($this->password) . '@' : '';

        return "redis://{$auth}127.0.0.1:{$this->port}/0" . ($query !== '' ? "?{$query}" : '');
    }

    private function launch(): void
    {
        $command = [
            self::binary(),
            '--save', '',
            '--appendonly', $this->aof ? 'yes' : 'no',
            '--bind', '127.0.0.1',
            '--port', (string) $this->port,
            '--dir', $this->dir,
            '--daemonize', 'no',
            '--loglevel', 'warning',
        ];
        if ($this->aof) {
            array_push($command, '--appendfsync', 'always');
        }
        if ($this->password !== null) {
            array_push($command, '--requirepass', $this->password);
        }
        if ($this->socket !== null) {
            array_push($command, '--unixsocket', $this->socket, '--unixsocketperm', '700');
        }
        if ($this->cluster) {
            array_push($command, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000');
        }
        array_push($command, ...$this->args);
        $log = $this->dir . '/redis.log';
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes);
        if (!is_resource($process)) {
            throw new RuntimeException('could not start ' . self::binary());
        }
        $this->process = $process;
        $this->pid = (int) proc_get_status($process)['pid'];
        self::$running[spl_object_id($this)] = $this;

        $deadline = microtime(true) + self::READY_TIMEOUT;
        while (microtime(true) < $deadline) {
            if ($this->answersPing()) {
                return;
            }
            if (!proc_get_status($process)['running']) {
                break;
            }
            usleep(20_000);
        }
        $output = (string) @file_get_contents($log);
        $this->stop();

        throw new RuntimeException("redis-server did not answer PING on 127.0.0.1:{$this->port}: {$output}");
    }

    private function answersPing(): bool
    {
        $socket = @stream_socket_client("tcp://127.0.0.1:{$this->port}", $errno, $error, 0.2);
        if ($socket === false) {
            return false;
        }
        stream_set_timeout($socket, 1);
        fwrite($socket, "PING\r\n");
        $reply = (string) fgets($socket);
        fclose($socket);

        // With requirepass, PING before AUTH answers NOAUTH: the server is up all the same.
        return $reply === "+PONG\r\n" || str_starts_with($reply, '-NOAUTH');
    }

    private function terminate(): void
    {
        if ($this->process === null) {
            return;
        }
        if (proc_get_status($this->process)['running']) {
            posix_kill($this->pid, SIGTERM);
            posix_kill($this->pid, SIGCONT); // a suspended server must wake up to see SIGTERM
            $deadline = microtime(true) + self::STOP_TIMEOUT;
            while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
                usleep(10_000);
            }
            if (proc_get_status($this->process)['running']) {
                posix_kill($this->pid, SIGKILL);
            }
        }
        proc_close($this->process);
        $this->process = null;
    }

    /** The redis-server on PATH. */
    public static function binary(): string
    {
        static $binary = null;
        if ($binary === null) {
            $found = trim((string) shell_exec('command -v redis-server 2>/dev/null'));
            if ($found === '') {
                throw new RuntimeException('redis-server is not on PATH (Debian: apt-get install redis-server)');
            }
            $binary = $found;
        }

        return $binary;
    }

    private static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new RuntimeException("no free loopback port: {$error}");
        }
        $name = (string) stream_socket_get_name($socket, false);
        fclose($socket);

        return (int) substr($name, (int) strrpos($name, ':') + 1);
    }

    private static function removeTree(string $dir): void
    {
        if (!is_dir($dir)) {
            return;
        }
        $items = new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST,
        );
        foreach ($items as $item) {
            $item->isDir() && !$item->isLink() ? @rmdir($item->getPathname()) : @unlink($item->getPathname());
        }
        @rmdir($dir);
    }
}
