--TEST--
Run: runId() is the ULID given, or a new ULID per run when none is given
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

$given = new Run('aws-config', '2.3.1', 'core.default', '01JPBK4W0T2M5Q8S1V4X7Z0B3E');
var_dump($given->runId());
var_dump($given->runId() === $given->runId());

$before = now_millis();
$a = new Run('aws-config', '2.3.1');
$b = new Run('aws-config', '2.3.1');
$c = new Run('aws-config', '2.3.1', runId: null);
$after = now_millis();
foreach ([$a, $b, $c] as $run) {
    var_dump((bool) preg_match(ULID_PATTERN, $run->runId()));
}
echo "distinct: ", count(array_unique([$a->runId(), $b->runId(), $c->runId()])), "\n";
var_dump($a->runId() === $a->runId());
var_dump(strcmp($a->runId(), $b->runId()) < 0 && strcmp($b->runId(), $c->runId()) < 0);
$ms = ulid_millis($a->runId());
var_dump($ms >= $before - 1 && $ms <= $after + 5);

// The id of every envelope differs from the runId.
$env = $a->envelope('auth.provider', 'auth.provider_checked',
    ['providerKey' => 'okta.workforce', 'status' => 'healthy', 'checkedAt' => '2026-03-14T13:15:00Z'],
    ['source' => 'idp-health', 'externalId' => 'okta.workforce']);
var_dump($env['runId'] === $a->runId(), $env['id'] !== $a->runId());
?>
--EXPECT--
string(26) "01JPBK4W0T2M5Q8S1V4X7Z0B3E"
bool(true)
bool(true)
bool(true)
bool(true)
distinct: 3
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
