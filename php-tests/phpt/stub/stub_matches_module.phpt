--TEST--
The stub documents exactly the loaded module: classes, methods, parameters, types, defaults, constants
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/stub_signatures.inc';
$stub = stub_api(__DIR__ . '/../../../stubs/phpgrc_bus.stub.php');
$module = module_api('phpgrc_bus');
$problems = compare_api($stub, $module);
echo $problems ? implode("\n", $problems) . "\n" : "stub matches module\n";
printf("%d classes, %d functions, %d constants\n",
    count(array_filter(array_keys($module), fn ($k) => str_starts_with($k, 'class '))),
    count(array_filter(array_keys($module), fn ($k) => str_starts_with($k, 'function '))),
    count(array_filter(array_keys($module), fn ($k) => str_starts_with($k, 'const '))));
?>
--EXPECTF--
stub matches module
10 classes, 1 functions, 2 constants
