--TEST--
Queue 'busy_poll' (µs to poll for a reply before sleeping; 0 = off) in options or the URL: every setting moves jobs alike, out-of-range values are refused
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$envelope = fn (string $id) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => $id]);

$queues = [
    'option 0' => new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'bp', 'busy_poll' => 0]),
    'option 10000' => new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'bp', 'busy_poll' => '10000']),
    'url 1' => new PhpGrc\Bus\Queue("redis://127.0.0.1:$port?busy_poll=1", ['queue' => 'bp']),
    'default' => new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'bp']),
];
foreach ($queues as $name => $q) {
    $ids = $q->pushBatch([$envelope("$name a"), $envelope("$name b")]);
    $got = [];
    while (($job = $q->pop()) !== null) {
        $got[] = $job->id();
        $q->ack($job);
    }
    echo $name, ': ', $got === $ids ? 'both jobs back in order' : 'MISMATCH', "\n";
}

foreach ([10001, -1, 'fast', 1.5] as $bad) {
    try {
        new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['busy_poll' => $bad]);
    } catch (InvalidArgumentException $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
try {
    new PhpGrc\Bus\Queue("redis://127.0.0.1:$port?busy_poll=20000");
} catch (PhpGrc\Bus\QueueException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
option 0: both jobs back in order
option 10000: both jobs back in order
url 1: both jobs back in order
default: both jobs back in order
InvalidArgumentException: Queue option 'busy_poll' must be whole microseconds from 0 to 10000, got "10001"
InvalidArgumentException: Queue option 'busy_poll' must be whole microseconds from 0 to 10000, got "-1"
InvalidArgumentException: Queue option 'busy_poll' must be whole microseconds from 0 to 10000, got "fast"
InvalidArgumentException: Queue option 'busy_poll' must be whole microseconds from 0 to 10000, got "1.5"
PhpGrc\Bus\QueueException: busy_poll must be whole microseconds from 0 to 10000
