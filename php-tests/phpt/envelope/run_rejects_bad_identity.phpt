--TEST--
Run: a connector slug, semver, tenant, runId or busVersion that breaks the contract throws EnvelopeException naming it; no run is made
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

$cases = [
    'slug with a space and capitals' => [['AWS Config', '1.0.0'], 'AWS Config'],
    'slug with capitals' => [['Aws-config', '1.0.0'], 'Aws-config'],
    'slug with a double hyphen' => [['aws--config', '1.0.0'], 'aws--config'],
    'slug ending in a hyphen' => [['aws-', '1.0.0'], 'aws-'],
    'slug with an underscore' => [['aws_config', '1.0.0'], 'aws_config'],
    'empty slug' => [['', '1.0.0'], 'connectorKey'],
    'version 1.0' => [['aws-config', '1.0'], '1.0'],
    'version v1.0.0' => [['aws-config', 'v1.0.0'], 'v1.0.0'],
    'version with a leading zero' => [['aws-config', '1.02.0'], '1.02.0'],
    'version with an empty pre-release' => [['aws-config', '1.0.0-'], '1.0.0-'],
    'tenant not a ULID' => [['aws-config', '1.0.0', 'acme'], 'acme'],
    'tenant in lower case' => [['aws-config', '1.0.0', '01hzx9q3k5m7n9p1r3s5t7v9w1'], '01hzx9q3k5m7n9p1r3s5t7v9w1'],
    'tenant with a letter outside Crockford' => [['aws-config', '1.0.0', '01HZX9Q3K5M7N9P1R3S5T7V9WU'], '01HZX9Q3K5M7N9P1R3S5T7V9WU'],
    'runId too short' => [['aws-config', '1.0.0', 'core.default', '01JPBK4W0T2M5Q8S1V4X7Z0B3'], '01JPBK4W0T2M5Q8S1V4X7Z0B3'],
    'busVersion 1' => [['aws-config', '1.0.0', 'core.default', null, '1'], 'busVersion'],
];
foreach ($cases as $label => [$args, $named]) {
    $run = null;
    try {
        $run = new Run(...$args);
        echo "$label: no exception\n";
    } catch (PhpGrc\Bus\EnvelopeException $e) {
        echo "$label: EnvelopeException", str_contains($e->getMessage(), $named) ? '' : " NOT naming $named: {$e->getMessage()}", "\n";
    }
    if ($run !== null) {
        echo "  a run was made\n";
    }
}
// The exception is an \InvalidArgumentException, catchable as such.
try {
    new Run('AWS Config', '1.0.0');
} catch (InvalidArgumentException $e) {
    echo get_class($e), "\n";
}
// Valid edge cases are accepted.
foreach ([['a', '0.0.0'], ['a1-b2-3c', '10.20.30-alpha.1+sha.5114f85'], ['x', '1.0.0', '01HZX9Q3K5M7N9P1R3S5T7V9W1', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ']] as $args) {
    echo get_class(new Run(...$args)), "\n";
}
?>
--EXPECT--
slug with a space and capitals: EnvelopeException
slug with capitals: EnvelopeException
slug with a double hyphen: EnvelopeException
slug ending in a hyphen: EnvelopeException
slug with an underscore: EnvelopeException
empty slug: EnvelopeException
version 1.0: EnvelopeException
version v1.0.0: EnvelopeException
version with a leading zero: EnvelopeException
version with an empty pre-release: EnvelopeException
tenant not a ULID: EnvelopeException
tenant in lower case: EnvelopeException
tenant with a letter outside Crockford: EnvelopeException
runId too short: EnvelopeException
busVersion 1: EnvelopeException
PhpGrc\Bus\EnvelopeException
PhpGrc\Bus\Run
PhpGrc\Bus\Run
PhpGrc\Bus\Run
