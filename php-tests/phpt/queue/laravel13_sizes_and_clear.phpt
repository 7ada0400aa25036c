--TEST--
Queue: Laravel 13's queue contract — pendingSize, delayedSize, reservedSize, creationTimeOfOldestPendingJob (from createdAt), clear, pop without waiting
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
$sizes = fn (PhpGrc\Bus\Queue $q, ?string $name = null) => sprintf('pending %d, delayed %d, reserved %d, size %d',
    $q->pendingSize($name), $q->delayedSize($name), $q->reservedSize($name), $q->size($name));

$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'l13', 'block_for' => 5, 'max_attempts' => 3]);
echo 'empty: ', $sizes($q), "\n";
var_dump($q->creationTimeOfOldestPendingJob());

$before = time();
$q->push($envelope(1));
$q->pushBatch([$envelope(2), $envelope(3), $envelope(4)]);
$q->later(60, $envelope(5));
$after = time();
$payload = json_decode($redis->lIndex('queues:l13', 0), true);
echo 'payload createdAt is an int of the push: ', var_export(is_int($payload['createdAt']) && $payload['createdAt'] >= $before && $payload['createdAt'] <= $after, true), "\n";
echo 'batch payloads carry it too: ', var_export(is_int(json_decode($redis->lIndex('queues:l13', 3), true)['createdAt']), true), "\n";
echo 'delayed payload carries it: ', var_export(is_int(json_decode($redis->zRange('queues:l13:delayed', 0, 0)[0], true)['createdAt']), true), "\n";
echo 'oldest pending is the first push: ', var_export($q->creationTimeOfOldestPendingJob() === $payload['createdAt'], true), "\n";

$job = $q->pop();
echo 'after one pop: ', $sizes($q), "\n";
echo 'release: ', $q->release($job, 30), '; ', $sizes($q), "\n";
echo 'other queue untouched: ', $sizes($q, 'elsewhere'), "\n";

// A job pushed by Laravel 11 or older has no createdAt: unknown, not 0.
$redis->del('queues:old');
$redis->rPush('queues:old', json_encode(['uuid' => 'u', 'job' => 'X@handle', 'data' => [], 'id' => 'u', 'attempts' => 0]));
var_dump($q->creationTimeOfOldestPendingJob('old'));
$redis->rPush('queues:junk', 'not json');
var_dump($q->creationTimeOfOldestPendingJob('junk'));

// pop() with a negative wait returns at once even though block_for is 5 s.
$t = microtime(true);
var_dump($q->pop('nothing-here', -1));
echo 'returned without waiting: ', var_export(microtime(true) - $t < 1.0, true), "\n";

// clear: ready, delayed, reserved and wake-up tokens go, in one step; dead letters stay.
$redis->rPush('{other}', 'x');
$dead = $q->pop();
$q->deadLetter($dead, 'TEST', 'kept');
$q->pop();
echo 'before clear: ', $sizes($q), ', dead letters ', count($q->deadLetters()), "\n";
echo 'cleared ', $q->clear(), "\n";
echo 'after clear: ', $sizes($q), ', dead letters ', count($q->deadLetters()), ', notify key exists ', $redis->exists('queues:l13:notify'), "\n";
echo 'cleared again ', $q->clear(), "\n";

// Prefetched jobs of a cleared queue are never handed out.
$p = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'pf', 'prefetch' => 4]);
$p->pushBatch([$envelope(6), $envelope(7), $envelope(8)]);
$first = $p->pop();
echo 'prefetched, then cleared ', $p->clear(), "\n";
var_dump($p->pop(null, -1));
?>
--EXPECT--
empty: pending 0, delayed 0, reserved 0, size 0
NULL
payload createdAt is an int of the push: true
batch payloads carry it too: true
delayed payload carries it: true
oldest pending is the first push: true
after one pop: pending 3, delayed 1, reserved 1, size 5
release: released; pending 3, delayed 2, reserved 0, size 5
other queue untouched: pending 0, delayed 0, reserved 0, size 0
NULL
NULL
NULL
returned without waiting: true
before clear: pending 1, delayed 2, reserved 1, size 4, dead letters 1
cleared 4
after clear: pending 0, delayed 0, reserved 0, size 0, dead letters 1, notify key exists 0
cleared again 0
prefetched, then cleared 3
NULL
