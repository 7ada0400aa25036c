--TEST--
Envelope::withError(): sets error {code, message, occurredAt (now, UTC, ms), attempt, maxAttempts, retryAt?, traceId?} per the error contract; the rest is unchanged and the result validates
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

$strict = new Validator(null, ['strict' => true]);
$run = new Run('pagerduty', '3.0.2');
[$event, $payload, $provenance, $options] = builder_inputs('incident.event');
$env = $run->envelope('incident.event', $event, $payload, $provenance, $options);

echo "all fields given:\n";
$errored = Envelope::withError($env, 'UPSTREAM_TIMEOUT', 'Ticketing API did not answer within 10 s', 2, 5,
    '2026-03-14T08:11:41Z', 'trace-7f3a9c1e5b', '2026-03-14T08:07:41.250Z');
var_dump($errored['error']);
show($strict->validate($errored, Envelope::headers($errored)));
var_dump($env['error'], array_diff_key($errored, ['error' => 1]) === array_diff_key($env, ['error' => 1]));
var_dump(array_keys($errored) === array_keys($env));

echo "optional fields left out, named arguments:\n";
$before = now_millis();
$errored = Envelope::withError(envelope: $env, code: 'E', message: 'm', attempt: 1, maxAttempts: 1);
$after = now_millis();
echo implode(' ', array_keys($errored['error'])), "\n";
$at = $errored['error']['occurredAt'];
echo "occurredAt: ", preg_match(UTC_MILLIS_PATTERN, $at) && millis_of($at) >= $before && millis_of($at) <= $after ? 'now, UTC with ms' : "wrong: $at", "\n";
show($strict->validate($errored));

echo "only traceId:\n";
$errored = Envelope::withError($env, 'E', 'm', 3, 5, traceId: 'abcdefgh');
echo implode(' ', array_keys($errored['error'])), "\n";

echo "replaces an earlier error:\n";
$first = Envelope::withError($env, 'FIRST', 'first', 1, 5, '2026-03-14T08:09:41Z', 'trace-000001');
$second = Envelope::withError($first, 'SECOND', 'second', 2, 5);
echo $second['error']['code'], ' ', $second['error']['attempt'], ' ', implode(' ', array_keys($second['error'])), "\n";

echo "on a fixture without an error member, as a JSON-decoded array:\n";
$fixture = fixture('asset.lifecycle');
$errored = Envelope::withError($fixture, 'DB_LOCKED', 'database is locked', 1, 5, occurredAt: '2026-03-14T10:02:14Z');
echo json_encode($errored['error']), "\n";
show($strict->validate($errored));

echo "keeps empty objects objects: the result's json_encode() still validates:\n";
$env = fixture('asset.lifecycle');
$env['meta'] = new stdClass();
$env['payload']['details'] = new stdClass();
$env['provenance']['checksum'] = Envelope::checksum($env['payload']);
show($strict->validate(json_encode($env)));
$errored = Envelope::withError($env, 'E', 'm', 1, 2);
show($strict->validate($errored));
show($strict->validate(json_encode($errored)));
?>
--EXPECT--
all fields given:
array(7) {
  ["code"]=>
  string(16) "UPSTREAM_TIMEOUT"
  ["message"]=>
  string(40) "Ticketing API did not answer within 10 s"
  ["occurredAt"]=>
  string(24) "2026-03-14T08:07:41.250Z"
  ["attempt"]=>
  int(2)
  ["maxAttempts"]=>
  int(5)
  ["retryAt"]=>
  string(20) "2026-03-14T08:11:41Z"
  ["traceId"]=>
  string(16) "trace-7f3a9c1e5b"
}
  (none)
NULL
bool(true)
bool(true)
optional fields left out, named arguments:
code message occurredAt attempt maxAttempts
occurredAt: now, UTC with ms
  (none)
only traceId:
code message occurredAt attempt maxAttempts traceId
replaces an earlier error:
SECOND 2 code message occurredAt attempt maxAttempts
on a fixture without an error member, as a JSON-decoded array:
{"code":"DB_LOCKED","message":"database is locked","occurredAt":"2026-03-14T10:02:14Z","attempt":1,"maxAttempts":5}
  (none)
keeps empty objects objects: the result's json_encode() still validates:
  (none)
  (none)
  (none)
