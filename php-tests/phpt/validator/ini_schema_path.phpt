--TEST--
ini phpgrc_bus.schema_path: new Validator() without a path loads that schema; an explicit path still wins
--EXTENSIONS--
phpgrc_bus
--INI--
phpgrc_bus.schema_path={PWD}/../../fixtures/schemas/minimal.schema.json
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

var_dump(ini_get('phpgrc_bus.schema_path') !== '' && str_ends_with(ini_get('phpgrc_bus.schema_path'), 'minimal.schema.json'));
$validator = new Validator();
var_dump($validator->schemaId());
show($validator->validate(['kind' => 'asset.discovery', 'ticket' => 'CHG-10422']));
show(sorted($validator->validate(['ticket' => 'INC-1'])));
var_dump((new Validator(null, ['strict' => true]))->schemaId());

echo "an explicit path wins over the ini setting:\n";
$explicit = new Validator(__DIR__ . '/../../../schemas/integration-bus-envelope.schema.json');
var_dump($explicit->schemaId() === SCHEMA_ID);
show($explicit->validate(fixture('asset.discovery')));
?>
--EXPECT--
bool(true)
string(47) "https://phpgrc.test/schemas/minimal.schema.json"
  (none)
  (root) [required]
  /ticket [pattern]
string(47) "https://phpgrc.test/schemas/minimal.schema.json"
an explicit path wins over the ini setting:
bool(true)
  (none)
