<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Events;

/**
 * A worker received a valid envelope (headers checked against the body). One subclass per kind, so
 * listeners subscribe to the kinds they handle; a listener that throws fails the job, which is then
 * retried with backoff and finally dead-lettered.
 */
abstract class MessageReceived
{
    /** @param array<string, mixed> $envelope the envelope as decoded from the job payload */
    final public function __construct(public readonly array $envelope)
    {
    }
}
