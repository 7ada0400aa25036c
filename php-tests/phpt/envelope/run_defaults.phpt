--TEST--
Run: tenantId defaults to core.default, busVersion to PhpGrc\Bus\BUS_VERSION, runId to a new ULID
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

var_dump(PhpGrc\Bus\BUS_VERSION);
$run = new Run('aws-config', '2025.10.0');
var_dump($run->connectorKey(), $run->connectorVersion(), $run->tenantId());
var_dump($run->busVersion() === PhpGrc\Bus\BUS_VERSION);
var_dump((bool) preg_match(ULID_PATTERN, $run->runId()));

// The defaults reach the envelopes, and the reflection default is the constant's value.
$env = $run->envelope('auth.provider', 'auth.provider_checked',
    ['providerKey' => 'okta.workforce', 'status' => 'healthy', 'checkedAt' => '2026-03-14T13:15:00Z'],
    ['source' => 'idp-health', 'externalId' => 'okta.workforce']);
var_dump($env['tenantId'], $env['busVersion'] === PhpGrc\Bus\BUS_VERSION);
$params = (new ReflectionMethod(Run::class, '__construct'))->getParameters();
foreach ($params as $p) {
    echo $p->getName(), ': ', $p->isOptional() ? var_export($p->getDefaultValue(), true) : '(required)', "\n";
}
?>
--EXPECT--
string(5) "1.0.0"
string(10) "aws-config"
string(9) "2025.10.0"
string(12) "core.default"
bool(true)
bool(true)
string(12) "core.default"
bool(true)
connectorKey: (required)
connectorVersion: (required)
tenantId: 'core.default'
runId: NULL
busVersion: '1.0.0'
