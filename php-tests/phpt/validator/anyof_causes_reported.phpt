--TEST--
anyOf: when error is neither an error object nor null, the causes inside the branches are reported too
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

function with_error(string $label, mixed $error): array
{
    global $validator;
    $envelope = fixture('incident.event');
    if ($error === 'unset') {
        unset($envelope['error']);
    } else {
        $envelope['error'] = $error;
    }
    $violations = $validator->validate($envelope);
    echo "$label:\n";
    show(sorted($violations));
    return $violations;
}
$base = fixture('incident.event')['error'];

with_error('valid error object', $base);
with_error('error null', null);
with_error('no error member', 'unset');

$missing = $base;
unset($missing['attempt']);
$v = with_error('attempt missing', $missing);
var_dump(has($v, '/error', 'anyOf'), has($v, '/error', 'required', 'attempt'));

$v = with_error('attempt 0', ['attempt' => 0] + $base);
var_dump(has($v, '/error', 'anyOf'), has($v, '/error/attempt', 'minimum', '0'));

$v = with_error('attempt "2" (a string)', ['attempt' => '2'] + $base);
var_dump(has($v, '/error/attempt', 'type'));

$v = with_error('message of 513 characters', ['message' => str_repeat('m', 513)] + $base);
var_dump(has($v, '/error/message', 'maxLength'));

$v = with_error('retryAt an impossible date, unknown member', ['retryAt' => '2026-02-30T08:11:41Z', 'stack' => 'x'] + $base);
var_dump(has($v, '/error/retryAt', 'format', '2026-02-30T08:11:41Z'), has($v, '/error', 'additionalProperties', 'stack'));

$envelope = fixture('incident.event');
$envelope['error'] = 'UPSTREAM_TIMEOUT';
$v = $validator->validate($envelope);
echo "error a string:\n";
var_dump(has($v, '/error', 'anyOf', 'UPSTREAM_TIMEOUT'), array_unique(array_column($v, 'path')) === ['/error']);
?>
--EXPECT--
valid error object:
  (none)
error null:
  (none)
no error member:
  (none)
attempt missing:
  /error [anyOf]
  /error [required]
bool(true)
bool(true)
attempt 0:
  /error [anyOf]
  /error/attempt [minimum]
bool(true)
bool(true)
attempt "2" (a string):
  /error [anyOf]
  /error/attempt [type]
bool(true)
message of 513 characters:
  /error [anyOf]
  /error/message [maxLength]
bool(true)
retryAt an impossible date, unknown member:
  /error [additionalProperties]
  /error [anyOf]
  /error/retryAt [format]
bool(true)
bool(true)
error a string:
bool(true)
bool(true)
