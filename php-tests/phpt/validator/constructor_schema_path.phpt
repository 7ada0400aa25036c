--TEST--
Validator(path): validates against the schema file given instead of the embedded contract
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

$file = tempnam(sys_get_temp_dir(), 'phpgrc_bus_schema_');
file_put_contents($file, json_encode([
    '$schema' => 'https://json-schema.org/draft/2020-12/schema',
    '$id' => 'https://phpgrc.test/schemas/ticket.schema.json',
    'type' => 'object',
    'required' => ['ticket'],
    'properties' => ['ticket' => ['type' => 'string', 'pattern' => '^CHG-[0-9]+$'], 'opened' => ['format' => 'date-time']],
]));
$validator = new Validator($file);
var_dump($validator->schemaId());
echo "valid for it:\n";
show($validator->validate(['ticket' => 'CHG-10422']));
echo "invalid for it:\n";
show(sorted($validator->validate(['ticket' => 'INC-1', 'opened' => '2026-02-30T10:00:00Z'])));
echo "a contract envelope is not what it wants (and the schemaRef rule finds no payloadAssetDiscovery in it):\n";
show(sorted($validator->validate(fixture('asset.discovery'))));

echo "a copy of the contract schema behaves like the embedded one:\n";
$copy = tempnam(sys_get_temp_dir(), 'phpgrc_bus_schema_');
copy(__DIR__ . '/../../../schemas/integration-bus-envelope.schema.json', $copy);
$fromFile = new Validator($copy, ['strict' => true]);
var_dump($fromFile->schemaId() === SCHEMA_ID, $fromFile->isStrict());
$embedded = new Validator(null, ['strict' => true]);
$same = true;
foreach (glob(FIXTURES . '/*/{valid,invalid-*}.json', GLOB_BRACE) as $f) {
    $same = $same && $fromFile->validate(file_get_contents($f)) === $embedded->validate(file_get_contents($f));
}
var_dump($same);

echo "two validators on two files in one process keep their own schema:\n";
var_dump(count($validator->validate(fixture('asset.discovery'))) > 0, $fromFile->validate(fixture('asset.discovery')));
unlink($file);
unlink($copy);
?>
--EXPECT--
string(46) "https://phpgrc.test/schemas/ticket.schema.json"
valid for it:
  (none)
invalid for it:
  /opened [format]
  /ticket [pattern]
a contract envelope is not what it wants (and the schemaRef rule finds no payloadAssetDiscovery in it):
  (root) [required]
  /provenance/schemaRef [schemaRef]
a copy of the contract schema behaves like the embedded one:
bool(true)
bool(true)
bool(true)
two validators on two files in one process keep their own schema:
bool(true)
array(0) {
}
