--TEST--
Envelope::kinds(): the seven contract kinds, in the schema's order, mapped to their $defs payload definition
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Envelope;

var_export(Envelope::kinds());
echo "\n";
var_dump(array_keys(Envelope::kinds()) === KINDS);
// The schema's kind enum and $defs agree.
$schema = json_decode(file_get_contents(__DIR__ . '/../../../schemas/integration-bus-envelope.schema.json'), true);
var_dump($schema['properties']['kind']['enum'] === array_keys(Envelope::kinds()));
var_dump(array_diff(Envelope::kinds(), array_keys($schema['$defs'])) === []);
?>
--EXPECT--
array (
  'asset.discovery' => 'payloadAssetDiscovery',
  'asset.lifecycle' => 'payloadAssetLifecycle',
  'incident.event' => 'payloadIncidentEvent',
  'vendor.profile' => 'payloadVendorProfile',
  'indicator.metric' => 'payloadIndicatorMetric',
  'cyber.metric' => 'payloadCyberMetric',
  'auth.provider' => 'payloadAuthProvider',
)
bool(true)
bool(true)
bool(true)
