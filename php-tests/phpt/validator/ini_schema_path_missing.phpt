--TEST--
ini phpgrc_bus.schema_path pointing nowhere: the module loads, new Validator() throws SchemaException naming the path
--EXTENSIONS--
phpgrc_bus
--INI--
phpgrc_bus.schema_path=/nonexistent/phpgrc/bus-schema.json
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

var_dump(extension_loaded('phpgrc_bus'));
try {
    new Validator();
    echo "no exception\n";
} catch (PhpGrc\Bus\SchemaException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo "an explicit path does not need the ini one:\n";
show((new Validator(__DIR__ . '/../../../schemas/integration-bus-envelope.schema.json'))->validate(fixture('auth.provider')));
?>
--EXPECTF--
bool(true)
PhpGrc\Bus\SchemaException: %S/nonexistent/phpgrc/bus-schema.json%S
an explicit path does not need the ini one:
  (none)
