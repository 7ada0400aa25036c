<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Carbon\CarbonImmutable;

/**
 * The envelopes of the end-to-end bench: the valid fixture of each of the seven kinds, in turn,
 * each copy with its own id and provenance.externalId (so no two share a replay identity), and
 * the same inputs split the way a connector holds them, for the producers to build from.
 */
final class E2eEnvelopes
{
    private const FIXTURES = __DIR__ . '/../../php-tests/fixtures/envelopes';

    /** @var list<array<string, mixed>> the seven valid fixtures, in kind order */
    private array $fixtures = [];

    public function __construct()
    {
        foreach (array_keys(\PhpGrc\Bus\Envelope::kinds()) as $kind) {
            $this->fixtures[] = json_decode((string) file_get_contents(self::FIXTURES . "/{$kind}/valid.json"), true, 512, JSON_THROW_ON_ERROR);
        }
    }

    /** The $i-th envelope to enqueue, as a producer made it: fixture $i mod 7, fresh id, externalId suffixed with $i. */
    public function queued(int $i): array
    {
        $envelope = $this->fixtures[$i % count($this->fixtures)];
        $envelope['id'] = \PhpGrc\Bus\ulid();
        $envelope['provenance']['externalId'] .= "-{$i}";

        return $envelope;
    }

    /**
     * What a connector holds before it builds the $i-th envelope: who it is, the kind and event,
     * the payload, the provenance it knows (no ingestedAt or schemaRef: the builder adds those)
     * and the options (priority, meta, attachments, receivedAt). A connector sets no error.
     *
     * @return list<array{connector: array{key: string, version: string, tenant: string}, kind: string, event: string, payload: array, provenance: array, options: array, schemaRef: string}>
     */
    public function inputs(): array
    {
        $out = [];
        foreach ($this->fixtures as $f) {
            $provenance = $f['provenance'];
            $schemaRef = $provenance['schemaRef'];
            unset($provenance['ingestedAt'], $provenance['schemaRef'], $provenance['checksum']);
            $out[] = [
                'connector' => ['key' => $f['connectorKey'], 'version' => $f['connectorVersion'], 'tenant' => $f['tenantId']],
                'kind' => $f['kind'],
                'event' => $f['event'],
                'payload' => $f['payload'],
                'provenance' => $provenance,
                'options' => array_intersect_key($f, array_flip(['priority', 'meta', 'attachments', 'receivedAt'])),
                'schemaRef' => $schemaRef,
            ];
        }

        return $out;
    }

    public function count(): int
    {
        return count($this->fixtures);
    }

    /**
     * A ULID made in PHP, as a phpGRC connector makes its ids without the extension (48-bit
     * millisecond time, 80 random bits, Crockford base32): the peer producer's cost of an id.
     */
    public static function phpUlid(): string
    {
        static $alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
        $time = (int) (microtime(true) * 1000);
        $out = '';
        for ($i = 9; $i >= 0; $i--) {
            $out .= $alphabet[($time >> ($i * 5)) & 31];
        }
        $bits = 0;
        $have = 0;
        foreach (unpack('C*', random_bytes(10)) as $byte) {
            $bits = ($bits << 8) | $byte;
            $have += 8;
            while ($have >= 5) {
                $have -= 5;
                $out .= $alphabet[($bits >> $have) & 31];
            }
            $bits &= (1 << $have) - 1;
        }

        return $out;
    }

    /** Now as the peer's connector writes it: Carbon (Laravel's now()), UTC, milliseconds. */
    public static function phpNow(): string
    {
        return CarbonImmutable::now('UTC')->format('Y-m-d\TH:i:s.v\Z');
    }
}
