<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

/** A kind handler configured by class: records the envelopes it was given. */
final class RecordingEnvelopeHandler
{
    /** @var list<array<string, mixed>> */
    public static array $received = [];

    public function handle(array $envelope): void
    {
        self::$received[] = $envelope;
    }
}
