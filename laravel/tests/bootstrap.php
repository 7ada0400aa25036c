<?php

declare(strict_types=1);

/*
 * Loads Illuminate (Composer's vendor/ when this package was installed with Composer, else Debian's
 * php-laravel-framework under /usr/share/php), registers this package's PSR-4 namespaces and the
 * repository's test-support kit (php-tests/support, PhpGrc\Bus\TestSupport\), and starts one
 * throwaway redis-server on a free loopback port for the whole run.
 */

use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use PhpGrc\Bus\TestSupport\RedisServer;

// What the suite needs is checked before any test runs: a missing piece stops the run with a
// non-zero exit instead of letting tests skip (a suite that passes by skipping proves nothing).
$missing = [];
if (! extension_loaded('phpgrc_bus') || ! class_exists('PhpGrc\Bus\Queue')) {
    $missing[] = 'the phpgrc_bus extension with PhpGrc\Bus\Queue (make install)';
}
foreach (['redis' => 'phpredis (php-redis)', 'pcntl' => 'pcntl (queue:work\'s signals and timeouts)', 'posix' => 'posix'] as $extension => $what) {
    if (! extension_loaded($extension)) {
        $missing[] = $what;
    }
}
$redisServer = trim((string) shell_exec('command -v redis-server 2>/dev/null'));
if ($redisServer === '' || ! is_executable($redisServer)) {
    $missing[] = 'redis-server on PATH (redis-server package)';
}
if ($missing !== []) {
    fwrite(STDERR, "The Laravel suite cannot run; missing:\n  - " . implode("\n  - ", $missing) . "\n");
    exit(1);
}

$vendor = __DIR__ . '/../vendor/autoload.php';
if (is_file($vendor)) {
    require $vendor;
} else {
    require_once getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';
    require_once __DIR__ . '/../../php-tests/support/autoload.php';

    spl_autoload_register(static function (string $class): void {
        $roots = [
            'PhpGrc\\Bus\\Laravel\\Tests\\' => __DIR__ . '/',
            'PhpGrc\\Bus\\Laravel\\' => __DIR__ . '/../src/',
        ];
        foreach ($roots as $prefix => $dir) {
            if (str_starts_with($class, $prefix)) {
                $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                if (is_file($file)) {
                    require $file;
                }

                return;
            }
        }
    });
}

// A child process (tests/bin/artisan) reuses the parent's server instead of starting its own.
// The kit stops it by pid when this process ends (never from a forked child).
if (getenv(TestApplication::PORT_ENV) === false) {
    $server = RedisServer::start();
    putenv(TestApplication::PORT_ENV . '=' . $server->port);
}
