--TEST--
Builders: envelope keys come in the contract's order (id, busVersion, ..., emittedAt, receivedAt, priority, payload, provenance, attachments, meta, error); payload and provenance keep the caller's order
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

$run = new Run('pagerduty', '3.0.2');
$payload = ['summary' => 'WAF blocked credential stuffing', 'severity' => 'HIGH', 'status' => 'CONTAINED', 'incidentId' => 'INC-2026-0142'];
$provenance = ['externalId' => 'PD-Q2W3E4R5T6', 'correlationId' => '9b2e4c6a8d0f1e3a', 'source' => 'pagerduty'];

echo "minimal:\n  ", implode(' ', array_keys($run->envelope('incident.event', 'incident.updated', $payload, $provenance))), "\n";

// Options given in a scrambled order still land in the contract's order.
$env = $run->envelope('incident.event', 'incident.updated', $payload, $provenance, [
    'meta' => ['b' => 1, 'a' => 2],
    'receivedAt' => '2026-03-14T08:07:32.000Z',
    'attachments' => [['type' => 'evidence', 'uri' => 's3://phpgrc-evidence/x.csv', 'contentType' => 'text/csv']],
    'id' => '01JPC5A9B1C3D5E7F9G1H3J5K7',
    'priority' => 'high',
    'emittedAt' => '2026-03-14T08:07:31.902Z',
]);
echo "all options:\n  ", implode(' ', array_keys($env)), "\n";
echo "payload:\n  ", implode(' ', array_keys($env['payload'])), "\n";
echo "meta:\n  ", implode(' ', array_keys($env['meta'])), "\n";
$keys = array_keys($env['provenance']);
echo "provenance starts with the caller's keys in order: ", var_export(array_slice($keys, 0, 3) === array_keys($provenance), true), "\n";
$derived = array_slice($keys, 3);
sort($derived);
echo "then the derived ones: ", implode(' ', $derived), "\n";
?>
--EXPECT--
minimal:
  id busVersion connectorKey connectorVersion tenantId runId kind event emittedAt priority payload provenance error
all options:
  id busVersion connectorKey connectorVersion tenantId runId kind event emittedAt receivedAt priority payload provenance attachments meta error
payload:
  summary severity status incidentId
meta:
  b a
provenance starts with the caller's keys in order: true
then the derived ones: checksum ingestedAt schemaRef
