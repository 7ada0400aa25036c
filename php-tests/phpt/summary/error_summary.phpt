--TEST--
Summary::of(): error is {code, message, attempt, maxAttempts, retryAt when present} of a set error (no occurredAt, no traceId), else null
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\{Envelope, Summary};

$at = new DateTimeImmutable('2026-03-14T12:00:00Z');
echo "incident.event fixture:\n";
var_export(Summary::of(fixture('incident.event'), $at)['error']);
echo "\nwithout retryAt and traceId:\n";
var_export(Summary::of(Envelope::withError(fixture('auth.provider'), 'DB_LOCKED', 'database is locked', 1, 3, occurredAt: '2026-03-14T10:00:00Z'), $at)['error']);
echo "\nmessage of 600 characters, cut by withError, listed as is:\n";
$summary = Summary::of(Envelope::withError(fixture('auth.provider'), 'E', str_repeat('é', 600), 4, 5), $at);
echo mb_strlen($summary['error']['message']), "\n";
echo "no error:\n";
var_dump(Summary::of(fixture('auth.provider'), $at)['error'], Summary::of(fixture('asset.lifecycle'), $at)['error']);
?>
--EXPECT--
incident.event fixture:
array (
  'code' => 'UPSTREAM_TIMEOUT',
  'message' => 'Ticketing API did not answer within 10 s',
  'attempt' => 2,
  'maxAttempts' => 5,
  'retryAt' => '2026-03-14T08:11:41Z',
)
without retryAt and traceId:
array (
  'code' => 'DB_LOCKED',
  'message' => 'database is locked',
  'attempt' => 1,
  'maxAttempts' => 3,
)
message of 600 characters, cut by withError, listed as is:
512
no error:
NULL
NULL
