--TEST--
The stub check reports a renamed parameter, a missing method and a changed default
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/stub_signatures.inc';
$stub = stub_api(__DIR__ . '/../../../stubs/phpgrc_bus.stub.php');
$module = module_api('phpgrc_bus');
$drifted = $stub;
$drifted['class PhpGrc\Bus\Validator']['methods']['validate']['params'][0]['name'] = 'env';
unset($drifted['class PhpGrc\Bus\Summary']['methods']['of']);
$drifted['class PhpGrc\Bus\Run']['methods']['__construct']['params'][2]['default'] = 'tenant';
$problems = compare_api($drifted, $module);
sort($problems);
echo implode("\n", $problems), "\n";
?>
--EXPECT--
class PhpGrc\Bus\Run::__construct(): $tenantId defaults to 'tenant' in the stub, 'core.default' in the module
class PhpGrc\Bus\Summary::of() is in the module but not in the stub
class PhpGrc\Bus\Validator::validate(): parameter #1 is $env in the stub, $envelope in the module
