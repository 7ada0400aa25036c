<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use RuntimeException;

/** A kind handler that always fails, counting its calls. */
final class ThrowingEnvelopeHandler
{
    public const MESSAGE = 'asset store unavailable';

    public static int $calls = 0;

    public function handle(array $envelope): void
    {
        self::$calls++;

        throw new RuntimeException(self::MESSAGE);
    }
}
