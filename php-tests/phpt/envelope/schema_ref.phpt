--TEST--
Envelope::schemaRef(): the schema's $id + #/$defs/<definition> for each kind (what the Validator accepts); an unknown kind throws EnvelopeException
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, EnvelopeException, Validator};

$validator = new Validator();
foreach (Envelope::kinds() as $kind => $definition) {
    $ref = Envelope::schemaRef($kind);
    echo $ref, ' ', var_export($ref === $validator->schemaId() . '#/$defs/' . $definition, true), "\n";
    // Each kind's fixture carries exactly this schemaRef.
    if (fixture($kind)['provenance']['schemaRef'] !== $ref) {
        echo "  differs from the $kind fixture\n";
    }
}
foreach (['asset.discovered', 'ASSET.DISCOVERY', '', 'payloadAssetDiscovery', ' asset.discovery'] as $kind) {
    try {
        Envelope::schemaRef($kind);
        echo var_export($kind, true), ": no exception\n";
    } catch (EnvelopeException $e) {
        echo var_export($kind, true), ": EnvelopeException", $kind === '' || str_contains($e->getMessage(), $kind) ? '' : ' NOT naming it', "\n";
    }
}
?>
--EXPECT--
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetLifecycle true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadIncidentEvent true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadVendorProfile true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadIndicatorMetric true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadCyberMetric true
https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAuthProvider true
'asset.discovered': EnvelopeException
'ASSET.DISCOVERY': EnvelopeException
'': EnvelopeException
'payloadAssetDiscovery': EnvelopeException
' asset.discovery': EnvelopeException
