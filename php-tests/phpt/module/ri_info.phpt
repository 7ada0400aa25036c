--TEST--
php --ri phpgrc_bus / phpinfo(): version, contract version, schema source and $id, and the limits and ini values in force
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
// The module's info table, with trailing blanks cut (an empty value leaves "name => ").
function tidy(string $text): string
{
    return implode("\n", array_map('rtrim', explode("\n", trim($text))));
}

function info(): string
{
    ob_start();
    (new ReflectionExtension('phpgrc_bus'))->info();
    return tidy(ob_get_clean());
}

// 1. `php --ri phpgrc_bus` itself, in a fresh process that loads the same module with no ini
//    file, once with the defaults and once with -d settings (max_depth above 128 is clamped).
$php = escapeshellarg(PHP_BINARY) . ' -n -d ' . escapeshellarg('extension_dir=' . ini_get('extension_dir'))
    . ' -d extension=phpgrc_bus';
echo "== php --ri phpgrc_bus\n", tidy((string) shell_exec("$php --ri phpgrc_bus")), "\n";
echo "== php -d phpgrc_bus.max_depth=1000 -d phpgrc_bus.max_bytes=65536 --ri phpgrc_bus\n";
echo tidy((string) shell_exec("$php -d phpgrc_bus.max_depth=1000 -d phpgrc_bus.max_bytes=65536 --ri phpgrc_bus")), "\n";

// 2. Values changed at run time show up, and a schema file replaces the embedded contract.
$file = tempnam(sys_get_temp_dir(), 'phpgrc_bus_ri_');
file_put_contents($file, json_encode([
    '$schema' => 'https://json-schema.org/draft/2020-12/schema',
    '$id' => 'https://phpgrc.test/schemas/ri.schema.json',
    'type' => 'object',
]));
ini_set('phpgrc_bus.schema_path', $file);
ini_set('phpgrc_bus.max_depth', '32');
ini_set('phpgrc_bus.max_bytes', '4096');
$text = info();
echo "== ini_set() at run time\n", str_replace($file, 'SCHEMA_FILE', $text), "\n";

// 3. A schema file that cannot be read is reported, not fatal.
ini_set('phpgrc_bus.schema_path', $file . '.missing');
echo "== unreadable schema file\n", str_replace($file, 'SCHEMA_FILE', info()), "\n";
unlink($file);

var_dump(str_contains($text, 'version => ' . PhpGrc\Bus\VERSION . "\n"));
var_dump(str_contains($text, 'bus contract version => ' . PhpGrc\Bus\BUS_VERSION . "\n"));
?>
--EXPECTF--
== php --ri phpgrc_bus
phpgrc_bus

phpgrc_bus support => enabled
version => %d.%d.%s
bus contract version => %d.%d.%s
schema source => embedded
schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
redis client => built-in RESP2 client %s
embedded schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
phpgrc_bus.schema_path =>
phpgrc_bus.max_depth => 128
phpgrc_bus.max_bytes => 16777216
== php -d phpgrc_bus.max_depth=1000 -d phpgrc_bus.max_bytes=65536 --ri phpgrc_bus
phpgrc_bus

phpgrc_bus support => enabled
version => %d.%d.%s
bus contract version => %d.%d.%s
schema source => embedded
schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
redis client => built-in RESP2 client %s
embedded schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
phpgrc_bus.schema_path =>
phpgrc_bus.max_depth => 128
phpgrc_bus.max_bytes => 65536
== ini_set() at run time
phpgrc_bus

phpgrc_bus support => enabled
version => %d.%d.%s
bus contract version => %d.%d.%s
schema source => SCHEMA_FILE
schema $id => https://phpgrc.test/schemas/ri.schema.json
redis client => built-in RESP2 client %s
embedded schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
phpgrc_bus.schema_path => SCHEMA_FILE
phpgrc_bus.max_depth => 32
phpgrc_bus.max_bytes => 4096
== unreadable schema file
phpgrc_bus

phpgrc_bus support => enabled
version => %d.%d.%s
bus contract version => %d.%d.%s
schema error => %sSCHEMA_FILE.missing%scannot be read%s
redis client => built-in RESP2 client %s
embedded schema $id => https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json
phpgrc_bus.schema_path => SCHEMA_FILE.missing
phpgrc_bus.max_depth => 32
phpgrc_bus.max_bytes => 4096
bool(true)
bool(true)
