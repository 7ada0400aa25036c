<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

// The kind table (schemaRef fragment, required payload members) is phpGRC's, kept once in its rebuilt validator.
require_once __DIR__ . '/Peer/PeerValidator.php';

/**
 * A hand-written partial envelope check with the scope of the one phpGRC runs today (its
 * `IntegrationBusEnvelope::fromArray` + `IntegrationBusValidator`, rewritten here): required keys
 * and non-empty strings, provenance keys, attachment shapes, priority, the payload keys each kind
 * requires, the schemaRef fragment — plus a few regular expressions (ULID, semver, slug, RFC 3339).
 * No payload types or formats beyond that, no header rules: the "~2.7 µs" reference of issue 6,
 * not a validator.
 */
final class PartialCheck
{
    private const REQUIRED = ['id', 'busVersion', 'connectorKey', 'connectorVersion', 'tenantId', 'runId', 'kind', 'event', 'emittedAt', 'payload', 'provenance'];
    private const TEXT = ['id', 'busVersion', 'connectorKey', 'connectorVersion', 'tenantId', 'runId', 'kind', 'event', 'emittedAt'];
    private const PROVENANCE = ['source', 'externalId', 'ingestedAt', 'schemaRef'];
    private const PRIORITIES = ['low', 'normal', 'high'];
    private const INCIDENT_STATUSES = ['NEW', 'TRIAGE', 'CONTAINED', 'ERADICATED', 'RECOVERED', 'CLOSED'];
    private const ULID = '/^[0-9A-HJKMNP-TV-Z]{26}$/';
    private const SEMVER = '/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/';
    private const SLUG = '/^[a-z0-9]+(?:-[a-z0-9]+)*$/';
    private const DATE_TIME = '/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/';

    /**
     * @param array<string, mixed> $e
     * @return list<string> the problems found, [] when none
     */
    public static function check(array $e): array
    {
        foreach (self::REQUIRED as $key) {
            if (!array_key_exists($key, $e)) {
                return ["missing required field {$key}"];
            }
        }
        foreach (self::TEXT as $key) {
            if (!is_string($e[$key]) || $e[$key] === '') {
                return ["{$key} must be a non-empty string"];
            }
        }
        if (!is_array($e['payload']) || !is_array($e['provenance'])) {
            return ['payload and provenance must be objects'];
        }
        foreach (self::PROVENANCE as $key) {
            if (!is_string($e['provenance'][$key] ?? null) || $e['provenance'][$key] === '') {
                return ["provenance.{$key} must be a non-empty string"];
            }
        }
        $errors = [];
        if (!preg_match(self::ULID, $e['id']) || !preg_match(self::ULID, $e['runId'])) {
            $errors[] = 'id and runId must be ULIDs';
        }
        if ($e['tenantId'] !== 'core.default' && !preg_match(self::ULID, $e['tenantId'])) {
            $errors[] = 'tenantId must be a ULID or core.default';
        }
        if (!preg_match(self::SEMVER, $e['busVersion']) || !preg_match(self::SEMVER, $e['connectorVersion'])) {
            $errors[] = 'busVersion and connectorVersion must be semver';
        }
        if (!preg_match(self::SLUG, $e['connectorKey'])) {
            $errors[] = 'connectorKey must be a slug';
        }
        if (!preg_match(self::DATE_TIME, $e['emittedAt'])) {
            $errors[] = 'emittedAt must be RFC 3339';
        }
        if (isset($e['receivedAt']) && !is_string($e['receivedAt'])) {
            $errors[] = 'receivedAt must be a string';
        }
        if (array_key_exists('priority', $e) && !in_array($e['priority'], self::PRIORITIES, true)) {
            $errors[] = 'priority must be low, normal or high';
        }
        foreach (is_array($e['attachments'] ?? []) ? $e['attachments'] ?? [] : [null] as $a) {
            if (!is_array($a) || !is_string($a['type'] ?? null) || $a['type'] === ''
                || (isset($a['uri']) && !is_string($a['uri'])) || (isset($a['contentType']) && !is_string($a['contentType']))
                || (isset($a['size']) && !is_int($a['size'])) || (isset($a['hash']) && !is_string($a['hash']))) {
                $errors[] = 'each attachment needs a type and string uri/contentType/hash, integer size';
            }
        }
        if (array_key_exists('meta', $e) && !is_array($e['meta'])) {
            $errors[] = 'meta must be an object';
        }
        if (isset($e['error']) && !is_array($e['error'])) {
            $errors[] = 'error must be an object or null';
        }

        $rule = Peer\PeerValidator::KINDS[$e['kind']] ?? null;
        if ($rule === null) {
            $errors[] = "unsupported kind {$e['kind']}";
        } else {
            [$fragment, $required] = $rule;
            foreach ($required as $key) {
                if (!array_key_exists($key, $e['payload'])) {
                    $errors[] = "payload.{$key} is missing for kind {$e['kind']}";
                }
            }
            if ($e['kind'] === 'incident.event' && isset($e['payload']['status'])
                && !in_array($e['payload']['status'], self::INCIDENT_STATUSES, true)) {
                $errors[] = 'incident status is not one of the allowed values';
            }
            $given = parse_url($e['provenance']['schemaRef'], PHP_URL_FRAGMENT);
            if (!is_string($given) || '/' . ltrim($given, '/') !== $fragment) {
                $errors[] = "schemaRef fragment must be {$fragment}";
            }
        }

        return array_values(array_unique($errors));
    }
}
