<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

/**
 * The application's listener on every kind's event, the same class for every contender: it does
 * nothing but count, so the bench measures the path to it, not a handler.
 */
final class E2eListener
{
    public static int $calls = 0;

    public function handle(object $event): void
    {
        self::$calls++;
    }
}
