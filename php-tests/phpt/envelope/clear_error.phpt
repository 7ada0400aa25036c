--TEST--
Envelope::clearError(): sets error to null (successful processing), keeps every other member and their order; the result validates
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Summary, Validator};

$strict = new Validator(null, ['strict' => true]);
$errored = fixture('incident.event'); // error set, attempt 2 of 5
$cleared = Envelope::clearError($errored);
var_dump(array_key_exists('error', $cleared), $cleared['error']);
var_dump(array_keys($cleared) === array_keys($errored));
var_dump(array_diff_key($cleared, ['error' => 1]) === array_diff_key($errored, ['error' => 1]));
var_dump($errored['error']['code']); // the argument itself is untouched
show($strict->validate($cleared));
echo Summary::of($errored)['status'], ' -> ', Summary::of($cleared)['status'], "\n";

// Without an error member: it is added as null. Already null: unchanged.
$cleared = Envelope::clearError(fixture('asset.lifecycle'));
var_dump(array_key_last($cleared), $cleared['error']);
var_dump(Envelope::clearError(fixture('auth.provider')) === fixture('auth.provider'));

// Empty objects stay objects: the result's json_encode() still validates.
$env = fixture('asset.lifecycle');
$env['meta'] = new stdClass();
$env['payload']['details'] = new stdClass();
$env['provenance']['checksum'] = Envelope::checksum($env['payload']);
show($strict->validate(json_encode(Envelope::clearError($env))));

// withError then clearError round-trips to error null.
$env = fixture('auth.provider');
var_dump(Envelope::clearError(Envelope::withError($env, 'E', 'm', 1, 5)) === $env);
?>
--EXPECT--
bool(true)
NULL
bool(true)
bool(true)
string(16) "UPSTREAM_TIMEOUT"
  (none)
errored -> processed
string(5) "error"
NULL
bool(true)
  (none)
bool(true)
