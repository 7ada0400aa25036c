--TEST--
Queue 'prefetch' reserves several jobs per pop round trip, hands them out one per pop(), and gives the unhanded ones back when the Queue is destroyed
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

$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'pf', 'prefetch' => 3]);
$ids = [];
foreach (range(1, 4) as $i) { $ids[] = $q->push($envelope($i)); }
$first = $q->pop();
echo 'first is job 1: ', var_export($first->id() === $ids[0], true), ', attempts ', $first->attempts(), "\n";
echo 'reserved in Redis: ', $redis->zCard('queues:pf:reserved'), ', ready: ', $redis->lLen('queues:pf'), "\n";
$second = $q->pop();
echo 'second is job 2: ', var_export($second->id() === $ids[1], true), "\n";
var_dump($q->ack($second));
unset($q);
$ready = array_map(fn ($p) => json_decode($p, true), $redis->lRange('queues:pf', 0, -1));
echo 'after destruction, ready: ', implode(' ', array_map(fn ($p) => array_search($p['id'], $ids, true) + 1, $ready)),
    ' attempts ', implode(' ', array_column($ready, 'attempts')), "\n";
echo 'still reserved: ', $redis->zCard('queues:pf:reserved'), "\n";

foreach ([0, 1001, 'many'] as $bad) {
    try {
        new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['prefetch' => $bad]);
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
first is job 1: true, attempts 1
reserved in Redis: 3, ready: 1
second is job 2: true
bool(true)
after destruction, ready: 3 4 attempts 0 0
still reserved: 1
PhpGrc\Bus\QueueException: prefetch must be between 1 and 1000
PhpGrc\Bus\QueueException: prefetch must be between 1 and 1000
InvalidArgumentException: Queue option 'prefetch' must be a whole number ≥ 0, got "many"
