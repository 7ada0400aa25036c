<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use DateTimeImmutable;
use DateTimeInterface;
use DateTimeZone;

/**
 * The context of the `integration.bus.message` log line (CONTRACT.md, "The structured log line")
 * built in plain PHP from a decoded array: the peer of `PhpGrc\Bus\Summary::of()`. Keys only,
 * never payload or meta values; a missing or mistyped field becomes null.
 */
final class PlainSummary
{
    private const LISTED_KEYS = 15;
    private const ERROR_MESSAGE_MAX_CHARS = 512;

    /** @param array<string, mixed> $envelope */
    public static function of(array $envelope, ?DateTimeInterface $receivedAt = null): array
    {
        $text = static fn ($v): ?string => is_string($v) ? $v : null;
        $provenance = is_array($envelope['provenance'] ?? null) ? $envelope['provenance'] : [];
        $error = is_array($envelope['error'] ?? null) ? $envelope['error'] : null;

        if ($receivedAt !== null) {
            $received = self::utcMillis($receivedAt);
        } elseif (is_string($envelope['receivedAt'] ?? null)) {
            $received = $envelope['receivedAt'];
        } else {
            $received = self::utcMillis(new DateTimeImmutable());
        }

        return [
            'status' => $error !== null ? 'errored' : 'processed',
            'envelope_id' => $text($envelope['id'] ?? null),
            'connector' => [
                'key' => $text($envelope['connectorKey'] ?? null),
                'version' => $text($envelope['connectorVersion'] ?? null),
            ],
            'tenant_id' => $text($envelope['tenantId'] ?? null),
            'run_id' => $text($envelope['runId'] ?? null),
            'kind' => $text($envelope['kind'] ?? null),
            'event' => $text($envelope['event'] ?? null),
            'priority' => $text($envelope['priority'] ?? null) ?? 'normal',
            'received_at' => $received,
            'emitted_at' => $text($envelope['emittedAt'] ?? null),
            'provenance' => [
                'source' => $text($provenance['source'] ?? null),
                'external_id' => $text($provenance['externalId'] ?? null),
                'correlation_id' => $text($provenance['correlationId'] ?? null),
                'replay' => is_bool($provenance['replay'] ?? null) ? $provenance['replay'] : false,
            ],
            'payload_keys' => self::firstKeys($envelope['payload'] ?? null),
            'meta_keys' => self::firstKeys($envelope['meta'] ?? null),
            'attachments' => self::attachments($envelope['attachments'] ?? null),
            'error' => $error === null ? null : self::error($error),
        ];
    }

    /** @return list<string> */
    private static function firstKeys(mixed $value): array
    {
        if (!is_array($value) || ($value !== [] && array_is_list($value))) {
            return [];
        }
        $keys = [];
        foreach ($value as $key => $_) {
            $keys[] = (string) $key;
            if (count($keys) === self::LISTED_KEYS) {
                break;
            }
        }

        return $keys;
    }

    /** @return array{count: int, types: list<string>} */
    private static function attachments(mixed $value): array
    {
        if (!is_array($value) || !array_is_list($value)) {
            return ['count' => 0, 'types' => []];
        }
        $types = [];
        foreach ($value as $attachment) {
            $type = is_array($attachment) ? ($attachment['type'] ?? null) : null;
            if (is_string($type) && !in_array($type, $types, true)) {
                $types[] = $type;
            }
        }

        return ['count' => count($value), 'types' => $types];
    }

    /** @param array<string, mixed> $error */
    private static function error(array $error): array
    {
        $number = static fn ($v) => is_int($v) || is_float($v) ? $v : null;
        $message = $error['message'] ?? null;
        $out = [
            'code' => is_string($error['code'] ?? null) ? $error['code'] : null,
            'message' => is_string($message) ? mb_substr($message, 0, self::ERROR_MESSAGE_MAX_CHARS) : null,
            'attempt' => $number($error['attempt'] ?? null),
            'maxAttempts' => $number($error['maxAttempts'] ?? null),
        ];
        if (is_string($error['retryAt'] ?? null)) {
            $out['retryAt'] = $error['retryAt'];
        }

        return $out;
    }

    private static function utcMillis(DateTimeInterface $at): string
    {
        return DateTimeImmutable::createFromInterface($at)->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d\TH:i:s.v\Z');
    }
}
