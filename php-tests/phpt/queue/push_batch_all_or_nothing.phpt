--TEST--
pushBatch() takes any iterable, validates every envelope first, and enqueues nothing when one is invalid (violations under /<index>)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'batch']);
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$make = fn (int $i) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => "p$i"]);

$generator = (function () use ($make) { for ($i = 0; $i < 250; $i++) { yield "k$i" => $make($i); } })();
$ids = $q->pushBatch($generator);
printf("%d ids, %d distinct, list: %s, size %d\n", count($ids), count(array_unique($ids)), var_export(array_is_list($ids), true), $q->size());

$bad1 = $make(1); unset($bad1['runId']);
$bad3 = $make(3); $bad3['payload']['status'] = 'sleeping';
try {
    $q->pushBatch([$make(0), $bad1, $make(2), $bad3]);
} catch (PhpGrc\Bus\ValidationException $e) {
    echo strtok($e->getMessage(), "\n"), "\n";
    foreach ($e->violations() as $v) { echo "  {$v['path']} [{$v['keyword']}]\n"; }
}
echo "size still ", $q->size(), "\n";
try { $q->pushBatch(42); } catch (TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
// Input that is not JSON data names its envelope too, and enqueues nothing.
$loop = $make(5); $loop['meta'] = ['self' => null]; $loop['meta']['self'] = &$loop;
foreach ([[$make(4), $loop], [$make(6), 42]] as $batch) {
    try { $q->pushBatch($batch); } catch (InvalidArgumentException | TypeError $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; }
}
echo "size still ", $q->size(), "\n";
var_dump($q->pushBatch([]));
// Order is kept: the first popped job is the first of the batch.
$first = $q->pop();
echo $first->id() === $ids[0] ? "first in, first out\n" : "order broken\n";
?>
--EXPECT--
250 ids, 250 distinct, list: true, size 250
envelope #1 of the batch is invalid; nothing was enqueued. the envelope breaks the Integration Bus contract (2 violations)
  /1 [required]
  /3/payload/status [enum]
size still 250
TypeError: PhpGrc\Bus\Queue::pushBatch(): Argument #1 ($envelopes) must be of type iterable, int given
InvalidArgumentException: envelope #1 of the batch is not JSON data; nothing was enqueued. the value contains itself (a recursive reference), which has no JSON form at /meta/self
TypeError: PhpGrc\Bus\Queue::pushBatch(): envelope #1 must be of type array|string|object, int given; nothing was enqueued
size still 250
array(0) {
}
first in, first out
