<?php

declare(strict_types=1);

/*
 * The test-support kit shared by the phpt, PHPUnit and Laravel suites (and the benchmarks):
 * redis-servers on free loopback ports stopped by pid (RedisServer, RedisCluster), forked
 * children (Fork), and a plain-socket Redis client (RawRedis) for looking at keys without
 * phpredis. This file registers the kit's namespace, PhpGrc\Bus\TestSupport\, for suites that run
 * without Composer (the Laravel package maps the same namespace in its autoload-dev).
 */

spl_autoload_register(static function (string $class): void {
    $prefix = 'PhpGrc\\Bus\\TestSupport\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
