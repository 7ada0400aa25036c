<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Run;

/**
 * Valid `asset.discovery` envelopes built by the extension's Run, and job payloads built the way
 * the extension writes them (for Laravel's `pushRaw`). No empty objects or arrays anywhere, so a
 * trip through `json_decode(..., true)` or Redis' cjson gives back the same JSON.
 */
final class Envelopes
{
    public const CONNECTOR = 'aws-config';

    /**
     * @param array<string, mixed> $provenance extra provenance (replay, correlationId, ...)
     * @param array<string, mixed> $payload payload members to override
     * @return array<string, mixed>
     */
    public static function asset(string $externalId = 'i-0abc', array $provenance = [], array $payload = [], ?Run $run = null): array
    {
        $run ??= new Run(self::CONNECTOR, '2025.10.0');

        return $run->envelope(
            'asset.discovery',
            'asset.upserted',
            $payload + [
                'assetId' => $externalId,
                'name' => 'web-' . $externalId,
                'type' => 'ec2.instance',
                'environment' => 'production',
                'tags' => ['web', 'pci'],
                'attributes' => ['region' => 'eu-west-1', 'cpu' => 4],
            ],
            $provenance + ['source' => 'aws-config', 'externalId' => $externalId],
            ['meta' => ['pipeline' => 'phpunit']],
        );
    }

    /** The envelope as a consumer decodes it from JSON (`json_decode(..., true)`). @return array<string, mixed> */
    public static function decoded(array $envelope): array
    {
        return json_decode(json_encode($envelope, JSON_THROW_ON_ERROR), true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * A job payload in the extension's layout: Laravel's members, `data` = the envelope, our
     * `headers`, then `id` and `attempts` last.
     *
     * @param array<string, mixed> $envelope
     * @param array<string, string>|null $headers null: the envelope's own headers
     */
    public static function payload(array $envelope, ?array $headers = null, ?string $id = null): string
    {
        $id ??= self::uuid();

        return json_encode([
            'uuid' => $id,
            'displayName' => EnvelopeJob::class,
            'job' => EnvelopeJob::HANDLER,
            'maxTries' => null,
            'maxExceptions' => null,
            'failOnTimeout' => false,
            'backoff' => null,
            'timeout' => null,
            'retryUntil' => null,
            'data' => $envelope,
            'headers' => $headers ?? Envelope::headers($envelope),
            'id' => $id,
            'attempts' => 0,
        ], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
    }

    public static function uuid(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);

        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
    }
}
