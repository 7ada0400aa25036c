<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Closure;
use Illuminate\Redis\Connections\Connection;

/** Profiling only (E2eChild::$without = ['metrics']): a Redis connection whose commands send nothing. */
final class E2eSilentConnection extends Connection
{
    public function createSubscription($channels, Closure $callback, $method = 'subscribe')
    {
    }

    public function command($method, array $parameters = [])
    {
        return null;
    }
}
