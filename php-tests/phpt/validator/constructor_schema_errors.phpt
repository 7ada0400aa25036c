--TEST--
Validator(path): a missing file, a directory, invalid JSON or a schema that does not compile is a SchemaException with a clear message
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use PhpGrc\Bus\SchemaException;
use PhpGrc\Bus\Validator;

function construct(string $label, string $path): void
{
    try {
        new Validator($path);
        echo "$label: no exception\n";
    } catch (SchemaException $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
var_dump(is_subclass_of(SchemaException::class, RuntimeException::class));

$dir = sys_get_temp_dir() . '/phpgrc_bus_schema_errors_' . getmypid();
mkdir($dir);
construct('missing', "$dir/does-not-exist.json");
construct('directory', $dir);
file_put_contents("$dir/broken.json", "{\n  \"type\": \"object\",\n  \"properties\": {\n}");
construct('invalid JSON', "$dir/broken.json");
file_put_contents("$dir/empty.json", '');
construct('empty file', "$dir/empty.json");
file_put_contents("$dir/type12.json", '{"type": 12}');
construct('does not compile', "$dir/type12.json");
file_put_contents("$dir/pattern.json", '{"type": "string", "pattern": "(unclosed"}');
construct('bad regex', "$dir/pattern.json");
file_put_contents("$dir/list.json", '[1, 2]');
construct('not an object', "$dir/list.json");
foreach (glob("$dir/*") as $f) {
    unlink($f);
}
rmdir($dir);
echo "the process still validates:\n";
var_dump((new Validator())->isValid(file_get_contents(__DIR__ . '/../../fixtures/envelopes/asset.discovery/valid.json')));
?>
--EXPECTF--
bool(true)
missing: PhpGrc\Bus\SchemaException: %Sdoes-not-exist.json%S
directory: PhpGrc\Bus\SchemaException: %Sphpgrc_bus_schema_errors_%d%Sdirectory%S
invalid JSON: PhpGrc\Bus\SchemaException: %Sbroken.json%Sline 4%S
empty file: PhpGrc\Bus\SchemaException: %Sempty.json%S
does not compile: PhpGrc\Bus\SchemaException: %Stype12.json%S
bad regex: PhpGrc\Bus\SchemaException: %Spattern.json%S
not an object: PhpGrc\Bus\SchemaException: %Slist.json%S
the process still validates:
bool(true)
