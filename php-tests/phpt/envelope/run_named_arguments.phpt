--TEST--
Run: the constructor takes named arguments, in any order, skipping the defaulted ones
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use PhpGrc\Bus\Run;

$run = new Run(connectorKey: 'x', connectorVersion: '1.0.0');
var_dump($run->connectorKey(), $run->connectorVersion(), $run->tenantId(), $run->busVersion());

$run = new Run(busVersion: '1.2.0', connectorVersion: '3.0.0-rc.1', runId: '01JPBK4W0T2M5Q8S1V4X7Z0B3E', connectorKey: 'tenable-io');
var_dump($run->connectorKey(), $run->connectorVersion(), $run->tenantId(), $run->runId(), $run->busVersion());

$run = new Run('vendor-registry', '0.9.4', tenantId: '01HZX9Q3K5M7N9P1R3S5T7V9W1');
var_dump($run->tenantId());

try {
    new Run(connectorVersion: '1.0.0');
} catch (ArgumentCountError $e) {
    echo get_class($e), "\n";
}
try {
    new Run('x', '1.0.0', nope: 1);
} catch (Error $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
?>
--EXPECT--
string(1) "x"
string(5) "1.0.0"
string(12) "core.default"
string(5) "1.0.0"
string(10) "tenable-io"
string(10) "3.0.0-rc.1"
string(12) "core.default"
string(26) "01JPBK4W0T2M5Q8S1V4X7Z0B3E"
string(5) "1.2.0"
string(26) "01HZX9Q3K5M7N9P1R3S5T7V9W1"
ArgumentCountError
Error: Unknown named parameter $nope
