<?php

declare(strict_types=1);

/*
 * The phpgrc_bus PHPUnit suite: the native queue against real redis-server processes and real
 * Laravel 8 components. Illuminate comes from Debian's php-laravel-framework under /usr/share/php
 * (no Packagist); the Laravel glue (PhpGrc\Bus\Laravel\, read-only) and this suite's support
 * classes are autoloaded by PSR-4.
 */

if (!extension_loaded('phpgrc_bus')) {
    fwrite(STDERR, "the phpgrc_bus extension is not loaded (make install)\n");
    exit(1);
}
foreach (['redis', 'pcntl', 'posix'] as $extension) {
    if (!extension_loaded($extension)) {
        fwrite(STDERR, "the {$extension} extension is required\n");
        exit(1);
    }
}
if (trim((string) shell_exec('command -v redis-server 2>/dev/null')) === '') {
    fwrite(STDERR, "redis-server is required on PATH\n");
    exit(1);
}

require_once getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';
require_once dirname(__DIR__) . '/support/autoload.php';

spl_autoload_register(static function (string $class): void {
    $roots = [
        'PhpGrc\\Bus\\Tests\\' => __DIR__ . '/',
        // The Laravel suite's test support (its exception recorder) is shared, not copied.
        'PhpGrc\\Bus\\Laravel\\Tests\\' => dirname(__DIR__, 2) . '/laravel/tests/',
        'PhpGrc\\Bus\\Laravel\\' => dirname(__DIR__, 2) . '/laravel/src/',
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

// The queue options come from the test, never from the environment of whoever runs the suite.
foreach (['QUEUE', 'DLQ', 'MAX_ATTEMPTS', 'RETRY_SECONDS', 'BACKOFF_EXP', 'VISIBILITY_TIMEOUT'] as $name) {
    putenv("INTEGRATION_BUS_{$name}");
}
