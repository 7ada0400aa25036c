--TEST--
Queue::deadLetter() moves a reserved job to the dead-letter list at once, error annotated; a second call changes nothing
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/redis.inc';
$port = start_redis();
$q = new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['queue' => 'dl']);
$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$q->push($run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'],
    ['source' => 'okta', 'externalId' => 'p1']));
$job = $q->pop();
echo $q->deadLetter($job, 'NO_HANDLER', 'no handler for auth.provider'), "\n";
echo $q->deadLetter($job, 'NO_HANDLER', 'again'), "\n";
$letters = $q->deadLetters();
$error = $letters[0]['data']['error'];
echo count($letters), ' ', $letters[0]['id'] === $job->id() ? 'same id' : 'other id', ' ', $letters[0]['queue'], "\n";
echo $error['code'], ' | ', $error['message'], ' | attempt ', $error['attempt'], ' of ', $error['maxAttempts'], "\n";
var_dump(preg_match('/Z$/', $error['occurredAt']) === 1, $q->size());
var_dump((new PhpGrc\Bus\Validator())->validate($letters[0]['data']));
echo $q->retryDeadLetter($job->id()) ? "retried\n" : "not retried\n";
$again = $q->pop();
// attempts start again; the last error stays on the envelope until processing succeeds
echo $again->attempts(), ' ', $again->envelope()['error']['code'], "\n";
?>
--EXPECT--
dead-lettered
not-reserved
1 same id dl
NO_HANDLER | no handler for auth.provider | attempt 1 of 5
bool(true)
int(0)
array(0) {
}
retried
1 NO_HANDLER
