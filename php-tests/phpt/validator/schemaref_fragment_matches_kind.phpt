--TEST--
schemaRef rule: the fragment of provenance.schemaRef must be exactly /$defs/<definition of the kind>
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$definitions = [
    'asset.discovery' => 'payloadAssetDiscovery', 'asset.lifecycle' => 'payloadAssetLifecycle',
    'incident.event' => 'payloadIncidentEvent', 'vendor.profile' => 'payloadVendorProfile',
    'indicator.metric' => 'payloadIndicatorMetric', 'cyber.metric' => 'payloadCyberMetric',
    'auth.provider' => 'payloadAuthProvider',
];
echo "each kind with its own definition, then with every other kind's:\n";
foreach ($definitions as $kind => $own) {
    $envelope = fixture($kind);
    $results = [];
    foreach ($definitions as $other) {
        $envelope['provenance']['schemaRef'] = SCHEMA_ID . '#/$defs/' . $other;
        $violations = $validator->validate($envelope);
        $results[] = $other === $own
            ? ($violations === [] ? 'own:ok' : 'own:FAILS')
            : (count($violations) === 1 && has($violations, '/provenance/schemaRef', 'schemaRef', $other) ? 'x' : "WRONG($other)");
    }
    echo "  $kind: ", implode(' ', $results), "\n";
}

function with_ref(string $schemaRef): void
{
    global $validator;
    $envelope = fixture('asset.discovery');
    $envelope['provenance']['schemaRef'] = $schemaRef;
    $violations = $validator->validate($envelope);
    echo json_encode($schemaRef, JSON_UNESCAPED_SLASHES), ":\n";
    show($violations);
    if ($violations !== [] && !mentions($violations, 'payloadAssetDiscovery')) {
        echo "  the message does not say which definition the kind needs\n";
    }
}
with_ref(SCHEMA_ID);                                                            // no fragment
with_ref(SCHEMA_ID . '#');                                                      // empty fragment
with_ref(SCHEMA_ID . '#/$defs/payloadAssetDiscoveryV2');                       // unknown definition
with_ref(SCHEMA_ID . '#/$defs/payloadAssetDiscovery/');                        // not exactly
with_ref(SCHEMA_ID . '#/$defs/payloadAssetDiscovery/properties/tags');         // a sub-schema, not the definition
with_ref(SCHEMA_ID . '#/definitions/payloadAssetDiscovery');                   // draft-07 spelling
with_ref(SCHEMA_ID . '#/$defs/payloadassetdiscovery');                         // case matters
with_ref(SCHEMA_ID . '#payloadAssetDiscovery');                                // an anchor, not a pointer
with_ref('https://phpgrc.internal/docs/integrations/v2.schema.json#/$defs/payloadAssetDiscovery'); // only the fragment is checked

echo "no kind, no schemaRef rule (the schema reports the missing kind):\n";
$envelope = fixture('asset.discovery');
unset($envelope['kind']);
$envelope['provenance']['schemaRef'] = SCHEMA_ID;
show($validator->validate($envelope));
?>
--EXPECT--
each kind with its own definition, then with every other kind's:
  asset.discovery: own:ok x x x x x x
  asset.lifecycle: x own:ok x x x x x
  incident.event: x x own:ok x x x x
  vendor.profile: x x x own:ok x x x
  indicator.metric: x x x x own:ok x x
  cyber.metric: x x x x x own:ok x
  auth.provider: x x x x x x own:ok
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscoveryV2":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery/":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery/properties/tags":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/definitions/payloadAssetDiscovery":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadassetdiscovery":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#payloadAssetDiscovery":
  /provenance/schemaRef [schemaRef]
"https://phpgrc.internal/docs/integrations/v2.schema.json#/$defs/payloadAssetDiscovery":
  (none)
no kind, no schemaRef rule (the schema reports the missing kind):
  (root) [required]
