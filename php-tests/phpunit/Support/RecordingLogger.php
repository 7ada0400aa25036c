<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use Psr\Log\AbstractLogger;

/** A PSR-3 logger that keeps its records. */
final class RecordingLogger extends AbstractLogger
{
    /** @var list<array{level: mixed, message: string, context: array}> */
    public array $records = [];

    public function log($level, $message, array $context = []): void
    {
        $this->records[] = ['level' => $level, 'message' => (string) $message, 'context' => $context];
    }
}
