--TEST--
Summary::of(): the integration.bus.message context of one built envelope, every key in the contract's order with its exact value
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\{Run, Summary};

$run = new Run('pagerduty', '3.0.2', '01HZX9Q3K5M7N9P1R3S5T7V9W1', '01JPC59Z8Y6X4W2V0T8S6R4Q2P');
[$event, $payload, $provenance, $options] = builder_inputs('incident.event');
$env = $run->envelope('incident.event', $event, $payload, $provenance + ['replay' => true], array_replace($options, [
    'receivedAt' => '2026-03-14T08:07:32.118Z',
    'meta' => ['batch' => 'nightly', 'sequence' => 118],
    'attachments' => [
        ['type' => 'evidence', 'uri' => 's3://phpgrc-evidence/incidents/INC-2026-0142/waf-summary.csv', 'contentType' => 'text/csv'],
        ['type' => 'log', 'uri' => 'https://logs.example.com/waf/2026-03-14.log', 'contentType' => 'text/plain'],
        ['type' => 'evidence', 'uri' => 's3://phpgrc-evidence/incidents/INC-2026-0142/blocked.csv', 'contentType' => 'text/csv'],
    ],
]));
var_export(Summary::of($env));
echo "\n";
?>
--EXPECT--
array (
  'status' => 'processed',
  'envelope_id' => '01JPC5A9B1C3D5E7F9G1H3J5K7',
  'connector' => 
  array (
    'key' => 'pagerduty',
    'version' => '3.0.2',
  ),
  'tenant_id' => '01HZX9Q3K5M7N9P1R3S5T7V9W1',
  'run_id' => '01JPC59Z8Y6X4W2V0T8S6R4Q2P',
  'kind' => 'incident.event',
  'event' => 'incident.updated',
  'priority' => 'high',
  'received_at' => '2026-03-14T08:07:32.118Z',
  'emitted_at' => '2026-03-14T08:07:31.902Z',
  'provenance' => 
  array (
    'source' => 'pagerduty',
    'external_id' => 'PD-Q2W3E4R5T6',
    'correlation_id' => '9b2e4c6a8d0f1e3a',
    'replay' => true,
  ),
  'payload_keys' => 
  array (
    0 => 'incidentId',
    1 => 'status',
    2 => 'severity',
    3 => 'summary',
    4 => 'details',
    5 => 'links',
  ),
  'meta_keys' => 
  array (
    0 => 'batch',
    1 => 'sequence',
  ),
  'attachments' => 
  array (
    'count' => 3,
    'types' => 
    array (
      0 => 'evidence',
      1 => 'log',
    ),
  ),
  'error' => NULL,
)
