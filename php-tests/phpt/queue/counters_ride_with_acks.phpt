--TEST--
Queue 'counters': ack() and fail() count processed and failed jobs and their time in the runbook's hash, in the same write as the ack or fail (deferred with deferred acks)
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
// The counters, with the seconds added since the last look.
$counters = function () use ($redis): string {
    static $seconds = 0.0;
    $flat = $redis->hGetAll('app:integration-bus:counters') ?: [];
    $hash = [];
    for ($i = 0; $i < count($flat); $i += 2) { $hash[$flat[$i]] = $flat[$i + 1]; }
    $now = (float) ($hash['phpgrc_integration_bus_jobs_duration_seconds'] ?? 0);
    $added = $now - $seconds;
    $seconds = $now;
    return sprintf('processed %s, failed %s, seconds +%s', $hash['phpgrc_integration_bus_jobs_processed_total'] ?? '-',
        $hash['phpgrc_integration_bus_jobs_failed_total'] ?? '-', round($added, 3));
};
$calls = function () use ($redis): int {
    $stats = $redis->info('commandstats');
    return preg_match('/cmdstat_evalsha:calls=(\d+)/', $stats, $m) ? (int) $m[1] : 0;
};

$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'c', 'prefix' => 'app:', 'counters' => 'integration-bus:counters', 'max_attempts' => 2]);
foreach (range(1, 3) as $i) { $q->push($envelope($i)); }
var_dump($q->ack($q->pop(), 0.25));
echo $counters(), "\n";
$q->fail($q->pop(), 'HANDLER_FAILED', 'boom', 0.5);
echo $counters(), "\n";
// Without a time, the time since pop() handed the job out counts.
$job = $q->pop();
usleep(20000);
$q->ack($job);
[$processed, $failed, $seconds] = sscanf($counters(), 'processed %d, failed %d, seconds +%f');
echo "processed $processed, failed $failed, at least 20 ms more: ", var_export($seconds >= 0.02 && $seconds < 5, true), "\n";

// One round trip per ack: the counts ride in the ack's write (one EVALSHA each, no extra call).
$redis->config('RESETSTAT');
$q->push($envelope(4));
$before = $calls();
$q->ack($q->pop(), 0.125);
echo 'EVALSHA calls for pop + ack: ', $calls() - $before, "\n";
echo $counters(), "\n";

// Deferred acks: the counts wait for the next write too.
$d = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'd', 'prefix' => 'app:', 'counters' => 'integration-bus:counters', 'ack' => 'deferred']);
$d->push($envelope(5));
$d->push($envelope(6));
$d->ack($d->pop(), 1.0);
echo 'before the next write: ', $counters(), "\n";
$d->pop();
echo 'after the next pop:    ', $counters(), "\n";

// A server that lost its scripts: the count still lands, once.
$redis->script('FLUSH');
$q->push($envelope(7));
$q->ack($q->pop(), 2.0);
echo 'after SCRIPT FLUSH:    ', $counters(), "\n";

// Without the option nothing is counted, and bad values are refused.
$plain = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'p', 'prefix' => 'other:']);
$plain->push($envelope(8));
$plain->ack($plain->pop(), 1.0);
var_dump($redis->exists('other:integration-bus:counters'));
foreach ([[fn () => new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['counters' => ''])], [fn () => $q->ack($q->pop() ?? throw new LogicException('no job'), -1.0)]] as [$bad]) {
    try { $q->push($envelope(9)); $bad(); } catch (Exception $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
?>
--EXPECT--
bool(true)
processed 1, failed -, seconds +0.25
processed 1, failed 1, seconds +0.5
processed 2, failed 1, at least 20 ms more: true
EVALSHA calls for pop + ack: 2
processed 3, failed 1, seconds +0.125
before the next write: processed 3, failed 1, seconds +0
after the next pop:    processed 4, failed 1, seconds +1
after SCRIPT FLUSH:    processed 5, failed 1, seconds +2
int(0)
PhpGrc\Bus\QueueException: counters must name a Redis hash, or be null
InvalidArgumentException: seconds must be a finite number of seconds ≥ 0, got -1
