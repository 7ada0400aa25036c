--TEST--
Run: every envelope of one run carries the same runId, connectorKey, connectorVersion, tenantId and busVersion; another run, another runId
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

mt_srand(3);
$run = new Run('servicenow-cmdb', '1.8.0-beta.2+build.7', '01HZX9Q3K5M7N9P1R3S5T7V9W1', null, '1.4.2');
$identity = [$run->runId(), 'servicenow-cmdb', '1.8.0-beta.2+build.7', '01HZX9Q3K5M7N9P1R3S5T7V9W1', '1.4.2'];
$stamps = [];
$ids = [];
for ($i = 0; $i < 210; $i++) {
    $kind = KINDS[$i % 7];
    $env = $run->envelope($kind, EVENTS[$kind], gen_payload($kind), gen_provenance(), gen_options());
    $stamps[serialize([$env['runId'], $env['connectorKey'], $env['connectorVersion'], $env['tenantId'], $env['busVersion']])] = true;
    $ids[] = $env['id'];
    $kinds[$env['kind']] = true;
}
echo "envelopes: ", count($ids), ", kinds: ", count($kinds), ", distinct stamps: ", count($stamps), "\n";
var_dump(array_keys($stamps) === [serialize($identity)]);
echo "distinct ids: ", count(array_unique($ids)), "\n";
$sorted = $ids;
sort($sorted, SORT_STRING);
echo "ids in creation order: ", var_export($sorted === $ids, true), "\n";
// The run's accessors do not change as it builds.
var_dump([$run->runId(), $run->connectorKey(), $run->connectorVersion(), $run->tenantId(), $run->busVersion()] === $identity);

$other = new Run('servicenow-cmdb', '1.8.0-beta.2+build.7', '01HZX9Q3K5M7N9P1R3S5T7V9W1', null, '1.4.2');
$env = $other->envelope('asset.lifecycle', 'asset.status_changed', gen_payload('asset.lifecycle'), gen_provenance());
var_dump($env['runId'] === $other->runId(), $env['runId'] !== $run->runId());
?>
--EXPECT--
envelopes: 210, kinds: 7, distinct stamps: 1
bool(true)
distinct ids: 210
ids in creation order: true
bool(true)
bool(true)
bool(true)
