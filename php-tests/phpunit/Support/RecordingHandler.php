<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use RuntimeException;

/** The envelope handler the Laravel glue calls: records every envelope; can be told to throw. */
final class RecordingHandler
{
    /** @var list<array<string, mixed>> */
    public static array $received = [];
    /** How many of the next calls throw. */
    public static int $failNext = 0;

    public static function reset(): void
    {
        self::$received = [];
        self::$failNext = 0;
    }

    /** @param array<string, mixed> $envelope */
    public function handle(array $envelope): void
    {
        self::$received[] = $envelope;
        if (self::$failNext > 0) {
            self::$failNext--;

            throw new RuntimeException('upstream timed out (test)');
        }
    }
}
