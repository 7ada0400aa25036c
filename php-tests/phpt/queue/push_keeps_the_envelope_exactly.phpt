--TEST--
push() of an array, a JSON string and a stdClass enqueues exactly the envelope (escapes, unicode, floats, integer keys, empty objects)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'exact']);
$run = new PhpGrc\Bus\Run('aws-config', '1.0.0');
$env = $run->envelope('asset.discovery', 'asset.upserted', [
    'assetId' => "i-\"quoted\"\\back/slash", 'name' => "tab\there\nline\u{1}ctl é 😀", 'type' => 'ec2',
    'environment' => 'production', 'tags' => ['a', 'b'],
    'attributes' => ['ratio' => 0.1 + 0.2, 'big' => 9007199254740991, 'neg' => -1.5e-7, 'flag' => false, 'none' => null,
                     'list' => [1, 'two', 3.0]],
], ['source' => 'aws', 'externalId' => 'x'], ['meta' => ['7' => 'integer-like key', 'k' => 'v']]);
$env['meta']['empty'] = new stdClass;
$forms = ['array' => $env, 'json' => json_encode($env), 'object' => json_decode(json_encode($env))];
foreach ($forms as $form => $input) {
    $q->push($input);
    $job = $q->pop();
    // == not ===: a PHP float 3.0 is written 3.0 (json_encode writes 3); the same JSON number.
    $same = json_decode($job->envelopeJson(), true) == json_decode(json_encode($env), true);
    $emptyStaysObject = str_contains($job->envelopeJson(), '"empty":{}');
    printf("%s: %s, empty object kept: %s, headers: %d\n", $form, $same ? 'same envelope' : 'DIFFERENT', $emptyStaysObject ? 'yes' : 'no', count($job->headers()));
    $q->ack($job);
}
// An empty PHP array (object or list?) takes the schema-resolving path: meta [] becomes {}.
$env2 = $env; $env2['meta'] = [];
$q->push($env2);
$job = $q->pop();
echo str_contains($job->envelopeJson(), '"meta":{}') ? "empty array resolved to {}\n" : $job->envelopeJson() . "\n";
var_dump((new PhpGrc\Bus\Validator(null, ['strict' => true]))->validate($job->envelopeJson(), $job->headers()));
$q->ack($job);
// An integer beyond 2^53 has no checksum (so none is given), but is carried exactly.
$env3 = $env;
unset($env3['provenance']['checksum']);
$env3['payload']['attributes']['big'] = PHP_INT_MAX;
$q->push($env3);
$job = $q->pop();
echo str_contains($job->envelopeJson(), '"big":9223372036854775807') ? "PHP_INT_MAX kept exactly\n" : $job->envelopeJson() . "\n";
var_dump($q->ack($job));
?>
--EXPECTF--
array: same envelope, empty object kept: yes, headers: 5
json: same envelope, empty object kept: yes, headers: 5
object: same envelope, empty object kept: yes, headers: 5
empty array resolved to {}
array(0) {
}
PHP_INT_MAX kept exactly
bool(true)
