--TEST--
pushBatch() drains a Traversable before it sends anything, so the iterator's own code may use the queue; array entries are read in place, references and holes included
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'drain']);
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$make = fn (int $i) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => "p$i"]);

// The generator pushes on the same connection between the envelopes it yields.
$generator = (function () use ($q, $make) {
    $q->push($make(100));
    yield $make(0);
    $q->push($make(101));
    yield $make(1);
})();
$ids = $q->pushBatch($generator);
printf("%d ids, size %d\n", count($ids), $q->size());
$order = [];
while ($job = $q->pop()) {
    $order[] = $job->envelope()['provenance']['externalId'];
    $q->ack($job);
}
echo implode(' ', $order), "\n";

// A hole and references: the live entries, in order.
$list = [$make(2), $make(3), $make(4)];
unset($list[1]);
$shared = $make(5);
$list[] = &$shared;
$ids = $q->pushBatch($list);
printf("%d ids\n", count($ids));
$order = [];
while ($job = $q->pop()) {
    $order[] = $job->envelope()['provenance']['externalId'];
    echo $job->envelopeJson() === json_encode($job->envelope(), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) ? '' : "json differs\n";
    $q->ack($job);
}
echo implode(' ', $order), "\n";
?>
--EXPECT--
2 ids, size 4
p100 p101 p0 p1
3 ids
p2 p4 p5
