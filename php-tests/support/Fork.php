<?php

declare(strict_types=1);

namespace PhpGrc\Bus\TestSupport;

use RuntimeException;
use Throwable;

/**
 * Forked children for the tests. A child never returns into PHPUnit: it ends by replacing itself
 * with `/bin/sh -c 'exit N'` (no PHP shutdown functions, destructors or buffered output run in the
 * child), or by SIGKILL. Failures inside a child are written to a file the parent reads.
 */
final class Fork
{
    /** @var array<int, true> children not reaped yet, by pid */
    private static array $children = [];

    /**
     * Runs `$body` in a child process and returns its pid. The child exits 0 when the body
     * returns (or the int it returns), 1 when it throws (the message goes to `error($pid)`).
     */
    public static function child(callable $body): int
    {
        $pid = pcntl_fork();
        if ($pid === -1) {
            throw new RuntimeException('pcntl_fork failed');
        }
        if ($pid > 0) {
            self::$children[$pid] = true;

            return $pid;
        }
        self::$children = [];
        $code = 0;
        try {
            $result = $body();
            if (is_int($result)) {
                $code = $result;
            }
        } catch (Throwable $e) {
            @file_put_contents(self::errorFile(posix_getpid()), get_class($e) . ': ' . $e->getMessage() . "\n" . $e->getTraceAsString());
            $code = 1;
        }
        self::exitNow($code);
    }

    /** Ends this (child) process at once with `$code`, running no PHP shutdown code. */
    public static function exitNow(int $code): never
    {
        @pcntl_exec('/bin/sh', ['-c', 'exit ' . $code]);
        posix_kill(posix_getpid(), SIGKILL);
        exit($code); // not reached
    }

    /** The child SIGKILLs itself (a worker crash). */
    public static function crash(): never
    {
        posix_kill(posix_getpid(), SIGKILL);
        exit(137); // not reached
    }

    /**
     * Waits up to `$timeout` seconds for the child; kills and reaps it when it overstays.
     *
     * @return array{code: ?int, signal: ?int, error: string}
     */
    public static function wait(int $pid, float $timeout = 30.0): array
    {
        $deadline = microtime(true) + $timeout;
        while (true) {
            $status = 0;
            $done = pcntl_waitpid($pid, $status, WNOHANG);
            if ($done === $pid) {
                return self::reaped($pid, $status);
            }
            if ($done === -1) {
                unset(self::$children[$pid]);
                throw new RuntimeException("child {$pid} cannot be waited for");
            }
            if (microtime(true) >= $deadline) {
                posix_kill($pid, SIGKILL);
                pcntl_waitpid($pid, $status);
                unset(self::$children[$pid]);
                throw new RuntimeException("child {$pid} did not finish within {$timeout} s and was killed");
            }
            usleep(5_000);
        }
    }

    /** Whether the child has ended; reaps it when it has. @return array{code: ?int, signal: ?int, error: string}|null */
    public static function poll(int $pid): ?array
    {
        $status = 0;
        $done = pcntl_waitpid($pid, $status, WNOHANG);
        if ($done !== $pid) {
            return null;
        }
        return self::reaped($pid, $status);
    }

    /** How a reaped child ended, and what it wrote to its error file. @return array{code: ?int, signal: ?int, error: string} */
    private static function reaped(int $pid, int $status): array
    {
        unset(self::$children[$pid]);
        $error = (string) @file_get_contents(self::errorFile($pid));
        @unlink(self::errorFile($pid));

        return [
            'code' => pcntl_wifexited($status) ? pcntl_wexitstatus($status) : null,
            'signal' => pcntl_wifsignaled($status) ? pcntl_wtermsig($status) : null,
            'error' => $error,
        ];
    }

    /** Kills and reaps every child still around (tearDown), by pid. */
    public static function reapAll(): void
    {
        foreach (array_keys(self::$children) as $pid) {
            posix_kill($pid, SIGKILL);
            $status = 0;
            pcntl_waitpid($pid, $status);
            @unlink(self::errorFile($pid));
        }
        self::$children = [];
    }

    private static function errorFile(int $pid): string
    {
        return sys_get_temp_dir() . "/phpgrc-bus-phpunit-child-{$pid}.err";
    }
}
