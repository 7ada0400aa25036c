--TEST--
Builders: provenance.checksum is the lowercase hex SHA-256 of the payload's canonical JSON (RFC 8785), [] members the schema wants as objects counted as {}
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run};

$run = new Run('servicenow-cmdb', '1.8.0');
$provenance = ['source' => 'servicenow-cmdb', 'externalId' => 'cmdb_ci_server:7b1f0c2d9e8a4b6c'];
$lifecycle = fn (array $details) => ['assetId' => 'srv-db-0042', 'status' => 'retired', 'effectiveAt' => '2026-03-31T18:00:00Z', 'details' => $details];

$simple = [
    'keys out of byte order' => $lifecycle(['zeta' => 1, 'Alpha' => 2, '_rev' => 3, 'alpha' => 4, 'a1' => 5, 'A' => 6]),
    'unicode, slashes, quotes, controls' => $lifecycle(['note' => "Café — 東京 😀 \"quoted\" back\\slash a/b/c\n\t\x01 \u{2028}", 'url' => 'https://wiki.example.com/chg/10422']),
    'nested maps and lists' => $lifecycle(['approvedBy' => ['team' => 'infra', 'name' => 'Jana'], 'steps' => ['drain', ['b' => 2, 'a' => 1], [], null, true, false, -7, 0]]),
    'payload keys in another order' => ['reason' => 'x', 'effectiveAt' => '2026-03-31T18:00:00Z', 'status' => 'retired', 'assetId' => 'srv-db-0042'],
];
foreach ($simple as $label => $payload) {
    $env = $run->envelope('asset.lifecycle', 'asset.status_changed', $payload, $provenance);
    $checksum = $env['provenance']['checksum'];
    echo "$label: ", preg_match('/^[0-9a-f]{64}$/', $checksum) ? 'hex' : "not lowercase hex: $checksum",
        ', sha256(canonical) ', var_export($checksum === hash('sha256', canonical_json($payload)), true),
        ', Envelope::checksum ', var_export($checksum === Envelope::checksum($payload), true), "\n";
}
echo canonical_json($simple['keys out of byte order']['details']), "\n";

// The order of the payload's keys does not change the checksum; any value does.
$a = $run->envelope('asset.lifecycle', 'asset.status_changed', $simple['payload keys in another order'], $provenance);
$b = $run->envelope('asset.lifecycle', 'asset.status_changed', ['assetId' => 'srv-db-0042', 'status' => 'retired', 'effectiveAt' => '2026-03-31T18:00:00Z', 'reason' => 'x'], $provenance);
$c = $run->envelope('asset.lifecycle', 'asset.status_changed', ['assetId' => 'srv-db-0042', 'status' => 'retired', 'effectiveAt' => '2026-03-31T18:00:00Z', 'reason' => 'y'], $provenance);
var_dump($a['provenance']['checksum'] === $b['provenance']['checksum'], $a['provenance']['checksum'] !== $c['provenance']['checksum']);
// Provenance, options and run identity are not part of it.
$d = (new Run('other', '9.9.9'))->envelope('asset.lifecycle', 'asset.status_changed', $simple['payload keys in another order'],
    ['source' => 'elsewhere', 'externalId' => 'e', 'replay' => true], ['priority' => 'high', 'meta' => ['x' => 1]]);
var_dump($d['provenance']['checksum'] === $a['provenance']['checksum']);

// details => [] is an empty object for the schema, so the checksum covers {"details":{}}.
$payload = $lifecycle([]);
$env = $run->envelope('asset.lifecycle', 'asset.status_changed', $payload, $provenance);
$asObject = $lifecycle([]);
$asObject['details'] = new stdClass();
echo "details => []: ", var_export($env['provenance']['checksum'] === hash('sha256', canonical_json($asObject)), true),
    ", = checksum(stdClass form) ", var_export($env['provenance']['checksum'] === Envelope::checksum(json_decode(json_encode($asObject))), true), "\n";
echo canonical_json($asObject), "\n";
// A [] the schema wants as an array stays [] (asset.discovery tags); [] as an object (attributes) is {}.
$discovery = ['assetId' => 'i-1', 'name' => 'n', 'type' => 't', 'environment' => 'test', 'tags' => [], 'attributes' => []];
$env = $run->envelope('asset.discovery', 'asset.upserted', $discovery, $provenance);
echo "tags => [], attributes => []: ",
    var_export($env['provenance']['checksum'] === hash('sha256', '{"assetId":"i-1","attributes":{},"environment":"test","name":"n","tags":[],"type":"t"}'), true), "\n";
?>
--EXPECT--
keys out of byte order: hex, sha256(canonical) true, Envelope::checksum true
unicode, slashes, quotes, controls: hex, sha256(canonical) true, Envelope::checksum true
nested maps and lists: hex, sha256(canonical) true, Envelope::checksum true
payload keys in another order: hex, sha256(canonical) true, Envelope::checksum true
{"A":6,"Alpha":2,"_rev":3,"a1":5,"alpha":4,"zeta":1}
bool(true)
bool(true)
bool(true)
details => []: true, = checksum(stdClass form) true
{"assetId":"srv-db-0042","details":{},"effectiveAt":"2026-03-31T18:00:00Z","status":"retired"}
tags => [], attributes => []: true
