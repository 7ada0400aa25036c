--TEST--
schemaId(): the $id of the loaded schema (embedded contract, or a schema file)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

var_dump((new Validator())->schemaId());
var_dump((new Validator(null, ['strict' => true]))->schemaId() === SCHEMA_ID);

$file = tempnam(sys_get_temp_dir(), 'phpgrc_bus_schema_');
file_put_contents($file, json_encode([
    '$schema' => 'https://json-schema.org/draft/2020-12/schema',
    '$id' => 'https://phpgrc.test/schemas/other.schema.json',
    'type' => 'object',
]));
var_dump((new Validator($file))->schemaId());
unlink($file);
?>
--EXPECT--
string(78) "https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json"
bool(true)
string(45) "https://phpgrc.test/schemas/other.schema.json"
