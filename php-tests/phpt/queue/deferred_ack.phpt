--TEST--
Queue 'ack' => 'deferred': ack() returns null and the removal is written by the next pop(), by flush() or when the Queue is destroyed
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$redis = new RawRedis($port);
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$envelope = fn (int $i) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => "p$i"]);

$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'da', 'ack' => 'deferred']);
foreach (range(1, 4) as $i) { $q->push($envelope($i)); }
var_dump($q->ack($q->pop()));
echo 'reserved before the next pop: ', $redis->zCard('queues:da:reserved'), "\n";
$job = $q->pop();
echo 'reserved after it: ', $redis->zCard('queues:da:reserved'), "\n";
$q->ack($job);
echo 'flush wrote ', $q->flush(), ', reserved ', $redis->zCard('queues:da:reserved'), ', flush again wrote ', $q->flush(), "\n";
$q->ack($q->pop());
echo 'size() writes first: ', $q->size(), ' (job 4 ready), reserved ', $redis->zCard('queues:da:reserved'), "\n";
$q->ack($q->pop());
unset($q);
echo 'after destruction, reserved: ', $redis->zCard('queues:da:reserved'), "\n";

$sync = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'da']);
$sync->push($envelope(5));
$job = $sync->pop();
var_dump($sync->ack($job), $sync->ack($job), $sync->flush());
try {
    new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['ack' => 'later']);
} catch (InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
NULL
reserved before the next pop: 1
reserved after it: 1
flush wrote 1, reserved 0, flush again wrote 0
size() writes first: 1 (job 4 ready), reserved 0
after destruction, reserved: 0
bool(true)
bool(false)
int(0)
Queue option 'ack' must be 'sync' or 'deferred', got "later"
