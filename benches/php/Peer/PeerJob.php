<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench\Peer;

use Illuminate\Bus\Queueable;
use Illuminate\Contracts\Queue\ShouldQueue;
use Illuminate\Foundation\Bus\Dispatchable;
use Illuminate\Queue\InteractsWithQueue;
use Illuminate\Queue\SerializesModels;

/**
 * phpGRC's queued worker job (its `ProcessIntegrationBusMessage`), rebuilt: a ShouldQueue command
 * holding the envelope object, serialized whole into Laravel's job payload by the `redis` driver
 * and unserialized by CallQueuedHandler in the worker, which resolves handle()'s dispatcher from
 * the container. It uses the same four Laravel traits, so it pays the same (de)serialization.
 */
final class PeerJob implements ShouldQueue
{
    use Dispatchable;
    use InteractsWithQueue;
    use Queueable;
    use SerializesModels;

    public const QUEUE = 'integration-bus';

    public function __construct(public readonly PeerEnvelope $envelope)
    {
        $this->onQueue(self::QUEUE);
    }

    /** @param array<string, mixed> $envelope */
    public static function fromArray(array $envelope): self
    {
        return new self(PeerEnvelope::fromArray($envelope));
    }

    public function handle(PeerDispatcher $dispatcher): void
    {
        $dispatcher->dispatch($this->envelope);
    }
}
