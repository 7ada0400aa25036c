--TEST--
Queue pop(): due delayed jobs are moved to the ready list by the first pop of each second, and whenever no job is ready, so a due job waits behind ready ones at most until the next second and never on an empty queue
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$redis = new RawRedis($port);
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$envelope = fn (string $id) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => $id]);
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'due']);
$popped = function () use ($q): string {
    $job = $q->pop();
    $q->ack($job);
    return $job->envelope()['provenance']['externalId'];
};

$q->pushBatch([$envelope('ready-1'), $envelope('ready-2')]);
// Start at the top of a second, so the next calls share it.
usleep(1_000_000 - (int) (microtime(true) * 1_000_000) % 1_000_000 + 5_000);
$q->later(0, $envelope('due-a'));
echo $popped(), ', delayed left: ', $redis->zCard('queues:due:delayed'), "\n";
$q->later(0, $envelope('due-b'));
echo $popped(), ', delayed left: ', $redis->zCard('queues:due:delayed'), "\n";
echo $popped(), "\n";
echo $popped(), ' (moved when nothing else was ready), delayed left: ', $redis->zCard('queues:due:delayed'), "\n";
var_dump($q->pop());
?>
--EXPECT--
ready-1, delayed left: 0
ready-2, delayed left: 1
due-a
due-b (moved when nothing else was ready), delayed left: 0
NULL
