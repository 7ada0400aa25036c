--TEST--
push() and pushBatch() write keys and values of every length from 0 to 70 bytes exactly (plain ASCII, escapes, UTF-8), as json_encode() reads them back
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'lengths']);
$run = new PhpGrc\Bus\Run('aws-config', '1.0.0');
$make = fn (array $meta) => $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => 'p'], ['meta' => $meta]);
// The writer copies short plain strings in overlapping words: every length, each last byte distinct.
$pieces = ['plain' => 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!@#$%', 'escapes' => "a\"b\\c\nd\te/f\x01g", 'utf8' => 'é漢😀ab'];
$envelopes = [];
foreach ($pieces as $name => $piece) {
    $meta = [];
    for ($n = 0; $n <= 70; $n++) {
        $text = mb_strcut(str_repeat($piece, 80), 0, $n, 'UTF-8');
        $meta["$name-$n"] = $text;
        $meta[$text] = $n; // the same text as a member name
    }
    $envelopes[$name] = $make($meta);
}
$bad = 0;
foreach ($envelopes as $name => $env) {
    $q->push($env);
    $job = $q->pop();
    if (json_decode($job->envelopeJson(), true) !== json_decode(json_encode($env), true)) { $bad++; echo "push $name differs\n"; }
    $q->ack($job);
}
$q->pushBatch(array_values($envelopes));
foreach ($envelopes as $name => $env) {
    $job = $q->pop();
    if (json_decode($job->envelopeJson(), true) !== json_decode(json_encode($env), true)) { $bad++; echo "pushBatch $name differs\n"; }
    $q->ack($job);
}
echo $bad === 0 ? "every length written exactly\n" : "$bad differ\n";
?>
--EXPECT--
every length written exactly
