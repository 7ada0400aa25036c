<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

/**
 * The suite never passes by skipping: its bootstrap stops the run, with a non-zero exit and the
 * reason, when the extension, phpredis, pcntl or redis-server is missing.
 */
final class SuiteGuardTest extends \PHPUnit\Framework\TestCase
{
    public function test_without_the_extensions_the_bootstrap_exits_non_zero_naming_what_is_missing(): void
    {
        // -n: no php.ini, so no shared extension (phpgrc_bus, redis, pcntl) is loaded.
        [$code, $stderr] = $this->bootstrap([PHP_BINARY, '-n'], getenv('PATH') ?: '/usr/bin:/bin');

        $this->assertSame(1, $code);
        $this->assertStringContainsString('phpgrc_bus extension', $stderr);
    }

    public function test_without_redis_server_on_path_the_bootstrap_exits_non_zero(): void
    {
        $empty = sys_get_temp_dir() . '/phpgrc-bus-empty-path';
        @mkdir($empty);

        [$code, $stderr] = $this->bootstrap([PHP_BINARY], $empty);

        $this->assertSame(1, $code);
        $this->assertStringContainsString('redis-server on PATH', $stderr);
    }

    /** @return array{int, string} exit code and standard error of the bootstrap run alone */
    private function bootstrap(array $php, string $path): array
    {
        $process = proc_open(
            array_merge($php, [__DIR__ . '/bootstrap.php']),
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes,
            null,
            // A fresh environment: no inherited redis port, so the bootstrap would start a server.
            ['PATH' => $path],
        );
        $this->assertIsResource($process);
        stream_get_contents($pipes[1]);
        $stderr = (string) stream_get_contents($pipes[2]);

        return [proc_close($process), $stderr];
    }
}
