<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench\Peer;

use InvalidArgumentException;

/**
 * phpGRC's hand-written envelope check (its `IntegrationBusValidator`), rebuilt for the bench from
 * its behaviour: PeerEnvelope::fromArray() (stops at the first structural problem), then per kind
 * the required payload members, `tags`/`attributes` being arrays (asset.discovery) and the
 * incident status word (incident.event), the schemaRef fragment, and, when headers are given, the
 * x-phpgrc-* headers against the body. No formats, patterns or payload types beyond those.
 *
 * benches/php/PartialCheck.php is the same scope plus four regular expressions (ULID, semver,
 * slug, RFC 3339) and minus the header rules; this class is the one phpGRC actually runs.
 */
final class PeerValidator
{
    /** header => the envelope member it must equal */
    private const HEADERS = [
        'x-phpgrc-bus-version' => 'busVersion',
        'x-phpgrc-connector' => 'connectorKey',
        'x-phpgrc-kind' => 'kind',
        'x-phpgrc-run-id' => 'runId',
    ];

    /** kind => [schemaRef fragment, payload members it requires]; PartialCheck uses the same table. */
    public const KINDS = [
        'asset.discovery' => ['/$defs/payloadAssetDiscovery', ['assetId', 'name', 'type', 'environment', 'tags', 'attributes']],
        'asset.lifecycle' => ['/$defs/payloadAssetLifecycle', ['assetId', 'status', 'effectiveAt']],
        'incident.event' => ['/$defs/payloadIncidentEvent', ['incidentId', 'status', 'severity', 'summary']],
        'vendor.profile' => ['/$defs/payloadVendorProfile', ['vendorId', 'name', 'category']],
        'indicator.metric' => ['/$defs/payloadIndicatorMetric', ['indicatorKey', 'window', 'value', 'unit', 'context']],
        'cyber.metric' => ['/$defs/payloadCyberMetric', ['sourceType', 'assetKey', 'observedAt', 'metrics']],
        'auth.provider' => ['/$defs/payloadAuthProvider', ['providerKey', 'status', 'checkedAt']],
    ];

    private const INCIDENT_STATUSES = ['NEW', 'TRIAGE', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'];

    /**
     * @param array<string, mixed> $envelope
     * @param array<string, mixed> $headers [] skips the header rules
     * @return list<string> the problems, [] when none
     */
    public function validate(array $envelope, array $headers = []): array
    {
        try {
            $e = PeerEnvelope::fromArray($envelope);
        } catch (InvalidArgumentException $problem) {
            return [$problem->getMessage()];
        }

        $errors = array_merge($this->kindRules($e), $this->schemaRef($e));
        if ($headers !== []) {
            $errors = array_merge($errors, $this->headers($e, $headers));
        }

        return array_values(array_unique($errors));
    }

    /** @return list<string> */
    private function kindRules(PeerEnvelope $e): array
    {
        $rule = self::KINDS[$e->kind] ?? null;
        if ($rule === null) {
            return ["kind {$e->kind} has no rules"];
        }
        $errors = [];
        foreach ($rule[1] as $member) {
            if (!array_key_exists($member, $e->payload)) {
                $errors[] = "payload.{$member} is required for {$e->kind}";
            }
        }
        if ($e->kind === 'asset.discovery') {
            foreach (['tags', 'attributes'] as $member) {
                if (array_key_exists($member, $e->payload) && !is_array($e->payload[$member])) {
                    $errors[] = "payload.{$member} must be an array";
                }
            }
        } elseif ($e->kind === 'incident.event') {
            $status = $e->payload['status'] ?? null;
            if ($status !== null && (!is_string($status) || !in_array($status, self::INCIDENT_STATUSES, true))) {
                $errors[] = 'payload.status is not an incident status';
            }
        }

        return $errors;
    }

    /** @return list<string> */
    private function schemaRef(PeerEnvelope $e): array
    {
        $rule = self::KINDS[$e->kind] ?? null;
        if ($rule === null) {
            return [];
        }
        $parts = parse_url($e->provenance['schemaRef']);
        $fragment = null;
        if ($parts !== false && ($parts['fragment'] ?? '') !== '') {
            $fragment = '/' . ltrim($parts['fragment'], '/');
        } elseif ($parts !== false && str_starts_with($parts['path'] ?? '', '#')) {
            $fragment = substr($parts['path'], 1);
        }

        return $fragment === $rule[0] ? [] : ["schemaRef fragment is " . ($fragment ?? 'missing') . ", not {$rule[0]}"];
    }

    /**
     * @param array<string, mixed> $headers
     * @return list<string>
     */
    private function headers(PeerEnvelope $e, array $headers): array
    {
        $given = [];
        foreach ($headers as $name => $value) {
            if (is_array($value)) {
                $value = array_values($value)[0] ?? null;
            }
            $given[strtolower((string) $name)] = is_scalar($value) ? (string) $value : '';
        }

        $errors = [];
        foreach (self::HEADERS as $name => $member) {
            if (!array_key_exists($name, $given)) {
                $errors[] = "header {$name} is missing";
            } elseif ($given[$name] !== $e->{$member}) {
                $errors[] = "header {$name} is {$given[$name]}, the body's {$member} {$e->{$member}}";
            }
        }
        if (array_key_exists('x-phpgrc-priority', $given) && $given['x-phpgrc-priority'] !== $e->priority) {
            $errors[] = "header x-phpgrc-priority is {$given['x-phpgrc-priority']}, the body's priority {$e->priority}";
        }
        if (array_key_exists('x-phpgrc-correlation', $given)) {
            $correlation = $e->provenance['correlationId'] ?? null;
            if ($correlation === null || $correlation === '') {
                $errors[] = 'header x-phpgrc-correlation is set but provenance.correlationId is not';
            } elseif ($given['x-phpgrc-correlation'] !== $correlation) {
                $errors[] = "header x-phpgrc-correlation is {$given['x-phpgrc-correlation']}, the body's correlationId {$correlation}";
            }
        }

        return $errors;
    }
}
