<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench\Peer;

use InvalidArgumentException;

/**
 * The envelope object phpGRC's worker path carries today (its `IntegrationBusEnvelope`), rebuilt
 * for the end-to-end bench from its behaviour: fromArray() checks presence and PHP types only
 * (required members, non-empty strings, arrays where arrays go, attachment member types, the
 * priority word) and throws at the first problem; toArray() gives the envelope back. It is what
 * the peer's queued job serializes, so its shape (readonly public members) decides the peer's
 * serialize/unserialize cost.
 */
final class PeerEnvelope
{
    public const PRIORITIES = ['low', 'normal', 'high'];

    private const REQUIRED = ['id', 'busVersion', 'connectorKey', 'connectorVersion', 'tenantId', 'runId', 'kind', 'event', 'emittedAt', 'payload', 'provenance'];
    private const TEXT = ['id', 'busVersion', 'connectorKey', 'connectorVersion', 'tenantId', 'runId', 'kind', 'event', 'emittedAt'];
    private const PROVENANCE = ['source', 'externalId', 'ingestedAt', 'schemaRef'];

    /**
     * @param array<string, mixed> $payload
     * @param array<string, mixed> $provenance
     * @param list<array<string, mixed>> $attachments
     * @param array<string, mixed> $meta
     * @param array<string, mixed>|null $error
     */
    private function __construct(
        public readonly string $id,
        public readonly string $busVersion,
        public readonly string $connectorKey,
        public readonly string $connectorVersion,
        public readonly string $tenantId,
        public readonly string $runId,
        public readonly string $kind,
        public readonly string $event,
        public readonly string $emittedAt,
        public readonly ?string $receivedAt,
        public readonly string $priority,
        public readonly array $payload,
        public readonly array $provenance,
        public readonly array $attachments,
        public readonly array $meta,
        public readonly ?array $error,
    ) {
    }

    /**
     * @param array<string, mixed> $in
     * @throws InvalidArgumentException naming the first member that is missing or of the wrong type
     */
    public static function fromArray(array $in): self
    {
        foreach (self::REQUIRED as $name) {
            if (!array_key_exists($name, $in)) {
                throw new InvalidArgumentException("envelope: {$name} is required");
            }
        }
        foreach (self::TEXT as $name) {
            if (!is_string($in[$name]) || $in[$name] === '') {
                throw new InvalidArgumentException("envelope: {$name} must be a non-empty string");
            }
        }

        $receivedAt = null;
        if (array_key_exists('receivedAt', $in)) {
            if (!is_string($in['receivedAt'])) {
                throw new InvalidArgumentException('envelope: receivedAt must be a string');
            }
            $receivedAt = $in['receivedAt'] === '' ? null : $in['receivedAt'];
        }
        if (!is_array($in['payload'])) {
            throw new InvalidArgumentException('envelope: payload must be an array');
        }
        $provenance = $in['provenance'];
        if (!is_array($provenance)) {
            throw new InvalidArgumentException('envelope: provenance must be an array');
        }
        foreach (self::PROVENANCE as $name) {
            if (!array_key_exists($name, $provenance)) {
                throw new InvalidArgumentException("provenance: {$name} is required");
            }
            if (!is_string($provenance[$name]) || $provenance[$name] === '') {
                throw new InvalidArgumentException("provenance: {$name} must be a non-empty string");
            }
        }

        $attachments = [];
        if (array_key_exists('attachments', $in)) {
            if (!is_array($in['attachments'])) {
                throw new InvalidArgumentException('envelope: attachments must be an array');
            }
            foreach ($in['attachments'] as $attachment) {
                $attachments[] = self::attachment($attachment);
            }
        }

        $meta = [];
        if (array_key_exists('meta', $in)) {
            if (!is_array($in['meta'])) {
                throw new InvalidArgumentException('envelope: meta must be an array');
            }
            $meta = $in['meta'];
        }

        $error = null;
        if (array_key_exists('error', $in)) {
            if ($in['error'] !== null && !is_array($in['error'])) {
                throw new InvalidArgumentException('envelope: error must be an array or null');
            }
            $error = $in['error'];
        }

        $priority = 'normal';
        if (array_key_exists('priority', $in)) {
            if (!is_string($in['priority']) || !in_array($in['priority'], self::PRIORITIES, true)) {
                throw new InvalidArgumentException('envelope: priority must be low, normal or high');
            }
            $priority = $in['priority'];
        }

        return new self($in['id'], $in['busVersion'], $in['connectorKey'], $in['connectorVersion'], $in['tenantId'],
            $in['runId'], $in['kind'], $in['event'], $in['emittedAt'], $receivedAt, $priority, $in['payload'],
            $provenance, $attachments, $meta, $error);
    }

    /** @return array<string, mixed> the envelope, optional members only when set */
    public function toArray(): array
    {
        $out = [
            'id' => $this->id, 'busVersion' => $this->busVersion, 'connectorKey' => $this->connectorKey,
            'connectorVersion' => $this->connectorVersion, 'tenantId' => $this->tenantId, 'runId' => $this->runId,
            'kind' => $this->kind, 'event' => $this->event, 'emittedAt' => $this->emittedAt,
            'payload' => $this->payload, 'provenance' => $this->provenance,
        ];
        $optional = ['receivedAt' => $this->receivedAt, 'priority' => $this->priority === 'normal' ? null : $this->priority,
            'attachments' => $this->attachments ?: null, 'meta' => $this->meta ?: null, 'error' => $this->error];
        foreach ($optional as $name => $value) {
            if ($value !== null) {
                $out[$name] = $value;
            }
        }

        return $out;
    }

    /** @return array<string, mixed> */
    private static function attachment(mixed $attachment): array
    {
        if (!is_array($attachment)) {
            throw new InvalidArgumentException('attachment: each must be an array');
        }
        if (!is_string($attachment['type'] ?? null) || $attachment['type'] === '') {
            throw new InvalidArgumentException('attachment: type must be a non-empty string');
        }
        // Written out, not a table of callables: the type checks stay single opcodes, as in the original.
        if ((array_key_exists('uri', $attachment) && !is_string($attachment['uri']))
            || (array_key_exists('contentType', $attachment) && !is_string($attachment['contentType']))
            || (array_key_exists('size', $attachment) && !is_int($attachment['size']))
            || (array_key_exists('hash', $attachment) && !is_string($attachment['hash']))) {
            throw new InvalidArgumentException('attachment: uri, contentType and hash must be strings, size an integer');
        }

        return $attachment;
    }
}
