--TEST--
Builders fill id (ULID), emittedAt (now, UTC, ms, Z), priority normal, provenance.ingestedAt (now), provenance.schemaRef (schemaRef(kind)), provenance.checksum and error null; caller values are kept as given
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run};

$run = new Run('idp-health', '1.0.0-rc.2');
$payload = ['providerKey' => 'okta.workforce', 'status' => 'degraded', 'checkedAt' => '2026-03-14T13:15:00Z',
    'details' => ['latencyMs' => 842, 'failedChecks' => ['mfa_push']]];
$provenance = ['source' => 'idp-health', 'externalId' => 'okta.workforce'];

$before = now_millis();
$env = $run->envelope('auth.provider', 'auth.provider_checked', $payload, $provenance);
$after = now_millis();

echo "id: ", preg_match(ULID_PATTERN, $env['id']) ? 'ULID' : "not a ULID: {$env['id']}", "\n";
$idMs = ulid_millis($env['id']);
echo "id time is now: ", var_export($idMs >= $before - 1 && $idMs <= $after + 5, true), "\n";
foreach (['emittedAt' => $env['emittedAt'], 'provenance.ingestedAt' => $env['provenance']['ingestedAt']] as $name => $ts) {
    $format = preg_match(UTC_MILLIS_PATTERN, $ts) ? 'UTC with ms and Z' : "wrong format: $ts";
    $now = $format === 'UTC with ms and Z' && millis_of($ts) >= $before && millis_of($ts) <= $after;
    echo "$name: $format, now: ", var_export($now, true), "\n";
}
var_dump($env['priority']);
var_dump($env['provenance']['schemaRef'] === Envelope::schemaRef('auth.provider'));
var_dump($env['provenance']['schemaRef']);
var_dump($env['provenance']['checksum'] === Envelope::checksum($payload));
var_dump($env['provenance']['checksum'] === hash('sha256', canonical_json($payload)));
var_dump(array_key_exists('error', $env), $env['error']);
echo "receivedAt set: ", var_export(array_key_exists('receivedAt', $env), true), "\n";
echo "attachments set: ", var_export(array_key_exists('attachments', $env), true), ", meta set: ", var_export(array_key_exists('meta', $env), true), "\n";
// What the caller gave is kept as given.
var_dump($env['kind'], $env['event']);
var_dump($env['payload'] === $payload);
var_dump(array_diff_key($env['provenance'], ['ingestedAt' => 1, 'schemaRef' => 1, 'checksum' => 1]) === $provenance);

// A given ingestedAt is kept; every envelope gets its own id.
$env2 = $run->envelope('auth.provider', 'auth.provider_checked', $payload, $provenance + ['ingestedAt' => '2026-03-14T13:15:01Z']);
var_dump($env2['provenance']['ingestedAt']);
var_dump($env2['id'] !== $env['id'], strcmp($env['id'], $env2['id']) < 0);

// For every kind: schemaRef and checksum follow from kind and payload.
mt_srand(11);
$ok = 0;
for ($i = 0; $i < 140; $i++) {
    $kind = KINDS[$i % 7];
    do {
        $p = gen_payload($kind);
    } while (has_empty_array($p));
    $e = $run->envelope($kind, EVENTS[$kind], $p, gen_provenance());
    $ok += $e['provenance']['schemaRef'] === Envelope::schemaRef($kind)
        && $e['provenance']['checksum'] === Envelope::checksum($p)
        && $e['payload'] === $p && $e['priority'] === 'normal' && $e['error'] === null ? 1 : 0;
}
echo "$ok of 140 generated envelopes carry schemaRef(kind), checksum(payload), the payload as given, priority normal, error null\n";
?>
--EXPECT--
id: ULID
id time is now: true
emittedAt: UTC with ms and Z, now: true
provenance.ingestedAt: UTC with ms and Z, now: true
string(6) "normal"
bool(true)
string(105) "https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAuthProvider"
bool(true)
bool(true)
bool(true)
NULL
receivedAt set: false
attachments set: false, meta set: false
string(13) "auth.provider"
string(21) "auth.provider_checked"
bool(true)
bool(true)
string(20) "2026-03-14T13:15:01Z"
bool(true)
bool(true)
140 of 140 generated envelopes carry schemaRef(kind), checksum(payload), the payload as given, priority normal, error null
