<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench\Peer;

use Carbon\CarbonImmutable;
use Illuminate\Support\Facades\Log;
use PhpGrc\Bus\Laravel\Metrics;

/**
 * phpGRC's listener on every kind's event (its `RecordIntegrationBusObservability`, which calls
 * `IntegrationBusObservability::recordReceived`), rebuilt: the `integration.bus.message` log line
 * with the summary context built in PHP from the envelope object, through the Log facade.
 *
 * phpGRC then inserts an audit row and updates the connector's telemetry row in a database
 * transaction. The bench has no database: in their place this listener records the same
 * counters the extension's EnvelopeJob records (one Redis script call through Metrics), so both
 * sides write one log line and one counter update per envelope and only the bus differs. That
 * makes the peer cheaper than phpGRC really is.
 */
final class PeerObservability
{
    public const LOG_MESSAGE = 'integration.bus.message';

    public function __construct(private readonly Metrics $metrics)
    {
    }

    public function handle(Events\MessageReceived $event): void
    {
        $started = hrtime(true);
        Log::info(self::LOG_MESSAGE, self::context($event->envelope, CarbonImmutable::now('UTC')));
        $this->metrics->recordProcessed((hrtime(true) - $started) / 1e9);
    }

    /** @return array<string, mixed> */
    public static function context(PeerEnvelope $e, CarbonImmutable $receivedAt): array
    {
        $replay = $e->provenance['replay'] ?? false;
        $types = [];
        foreach ($e->attachments as $attachment) {
            if (is_string($attachment['type'] ?? null) && $attachment['type'] !== '') {
                $types[] = $attachment['type'];
            }
        }
        $error = null;
        if ($e->error !== null) {
            $error = [
                'code' => is_string($e->error['code'] ?? null) ? $e->error['code'] : null,
                'attempt' => is_int($e->error['attempt'] ?? null) ? $e->error['attempt'] : null,
                'max_attempts' => is_int($e->error['maxAttempts'] ?? null) ? $e->error['maxAttempts'] : null,
                'retry_at' => is_string($e->error['retryAt'] ?? null) ? $e->error['retryAt'] : null,
            ];
        }

        return [
            'status' => $e->error === null ? 'processed' : 'errored',
            'envelope_id' => $e->id,
            'connector' => ['key' => $e->connectorKey, 'version' => $e->connectorVersion],
            'tenant_id' => $e->tenantId,
            'run_id' => $e->runId,
            'kind' => $e->kind,
            'event' => $e->event,
            'priority' => $e->priority,
            'received_at' => $receivedAt->toIso8601String(),
            'emitted_at' => $e->emittedAt,
            'provenance' => [
                'source' => $e->provenance['source'],
                'external_id' => $e->provenance['externalId'],
                'correlation_id' => $e->provenance['correlationId'] ?? null,
                'replay' => is_bool($replay) ? $replay : filter_var($replay, FILTER_VALIDATE_BOOLEAN),
            ],
            'payload_keys' => array_slice(array_keys($e->payload), 0, 15),
            'meta_keys' => array_slice(array_keys($e->meta), 0, 15),
            'attachments' => ['count' => count($e->attachments), 'types' => array_values(array_unique($types))],
            'error' => $error,
        ];
    }
}
