--TEST--
schemaRef rule: the kind's definition must exist in the loaded schema (a schema file without payloadAssetDiscovery)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
// The contract schema with payloadAssetDiscovery renamed (and its $ref following it).
$schema = file_get_contents(__DIR__ . '/../../../schemas/integration-bus-envelope.schema.json');
$renamed = str_replace('payloadAssetDiscovery', 'payloadAssetInventory', $schema, $count);
echo "renamed $count occurrence(s)\n";
$file = tempnam(sys_get_temp_dir(), 'phpgrc_bus_schema_');
file_put_contents($file, $renamed);

$validator = new PhpGrc\Bus\Validator($file);
$violations = $validator->validate(fixture('asset.discovery'));
show($violations);
var_dump(mentions($violations, 'payloadAssetDiscovery'));
echo "other kinds are unaffected:\n";
show($validator->validate(fixture('asset.lifecycle')));
echo "the embedded schema still has it:\n";
show((new PhpGrc\Bus\Validator())->validate(fixture('asset.discovery')));
unlink($file);
?>
--EXPECT--
renamed 2 occurrence(s)
  /provenance/schemaRef [schemaRef]
bool(true)
other kinds are unaffected:
  (none)
the embedded schema still has it:
  (none)
