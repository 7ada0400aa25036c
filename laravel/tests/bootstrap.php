<?php

declare(strict_types=1);

/*
 * Loads Illuminate (Composer's vendor/ when this package was installed with Composer, else Debian's
 * php-laravel-framework under /usr/share/php), registers this package's PSR-4 namespaces, and starts
 * one throwaway redis-server on a free loopback port for the whole run.
 */

use PhpGrc\Bus\Laravel\Tests\Support\RedisServer;

$vendor = __DIR__ . '/../vendor/autoload.php';
if (is_file($vendor)) {
    require $vendor;
} else {
    require_once getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php';

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
if (getenv(RedisServer::PORT_ENV) === false) {
    $server = RedisServer::start();
    putenv(RedisServer::PORT_ENV . '=' . $server->port);
    register_shutdown_function([$server, 'stop']);
}
