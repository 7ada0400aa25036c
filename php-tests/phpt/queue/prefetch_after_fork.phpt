--TEST--
A child forked while its parent keeps prefetched jobs and deferred acks neither hands them out nor writes or gives them back when it ends; the parent still does
--EXTENSIONS--
phpgrc_bus
pcntl
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'fk', 'prefetch' => 3, 'ack' => 'deferred']);
foreach (range(1, 3) as $i) {
    $q->push($run->envelope('auth.provider', 'provider.checked',
        ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
        ['source' => 'okta', 'externalId' => "p$i"]));
}
$first = $q->pop();
$q->ack($first);
$pid = pcntl_fork();
if ($pid === 0) {
    // The child's pop must not hand out the parent's kept jobs: it asks Redis, which has none ready.
    $mine = $q->pop();
    exit($mine === null ? 0 : 3);
}
pcntl_waitpid($pid, $status);
echo 'child exit ', pcntl_wexitstatus($status), "\n";
// Opened after the fork: a phpredis socket the child inherited could be torn down at its exit.
$redis = new RawRedis($port);
echo 'after the child ended: reserved ', $redis->zCard('queues:fk:reserved'), ', ready ', $redis->lLen('queues:fk'), "\n";
$second = $q->pop();
echo 'the parent hands out its kept job: attempts ', $second->attempts(), "\n";
unset($q);
echo 'after the parent destroyed its Queue: reserved ', $redis->zCard('queues:fk:reserved'), ', ready ', $redis->lLen('queues:fk'), "\n";
?>
--EXPECT--
child exit 0
after the child ended: reserved 3, ready 0
the parent hands out its kept job: attempts 1
after the parent destroyed its Queue: reserved 1, ready 1
