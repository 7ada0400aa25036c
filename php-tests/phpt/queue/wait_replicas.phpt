--TEST--
wait_replicas: a push returns once the replica has the job; unconfirmed, it is queued all the same and says so
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$master = start_redis();
$replica = start_redis(["--replicaof", "127.0.0.1", (string) $master]);
$peek = new RawRedis($replica);
for ($i = 0; $i < 500 && !str_contains((string) $peek->info('replication'), 'master_link_status:up'); $i++) { usleep(20000); }

$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$envelope = fn (string $id) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => $id]);

$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$master", ['queue' => 'wr', 'wait_replicas' => 1, 'wait_timeout' => 2]);
$q->push($envelope('p1'));
// No polling: the push returned after the replica acknowledged it.
var_dump($peek->lLen('queues:wr'));

// A server without replicas never confirms: the job is queued, the caller is told.
$alone = start_redis();
$solo = new PhpGrc\Bus\Queue("redis://127.0.0.1:$alone", ['queue' => 'wr', 'wait_replicas' => 1, 'wait_timeout' => 0.05]);
try {
    $solo->push($envelope('p2'));
} catch (PhpGrc\Bus\QueueException $e) {
    echo $e->getMessage(), "\n";
}
var_dump($solo->size());
try {
    new PhpGrc\Bus\Queue("redis://127.0.0.1:$alone", ['wait_replicas' => -1]);
} catch (InvalidArgumentException $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
int(1)
1 job(s) are queued on the master, but 0 of 1 replica(s) confirmed them within 50 ms (wait_replicas): a failover before the replicas catch up would lose them
int(1)
InvalidArgumentException
