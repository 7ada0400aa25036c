--TEST--
Envelope::withError(): attempt below 1, maxAttempts below 1, an empty or over-long code, an empty message, a non-UTC retryAt/occurredAt or a malformed traceId throw EnvelopeException naming the field
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, EnvelopeException};

$env = fixture('auth.provider');
$cases = [
    'attempt 0' => [['E', 'm', 0, 5], 'attempt'],
    'attempt -1' => [['E', 'm', -1, 5], 'attempt'],
    'maxAttempts 0' => [['E', 'm', 1, 0], 'maxAttempts'],
    'maxAttempts -3' => [['E', 'm', 1, -3], 'maxAttempts'],
    'empty code' => [['', 'm', 1, 5], 'code'],
    'code of 129 characters' => [[str_repeat('C', 129), 'm', 1, 5], 'code'],
    'empty message' => [['E', '', 1, 5], 'message'],
    'retryAt with +02:00' => [['E', 'm', 1, 5, '2026-03-14T10:11:41+02:00'], 'retryAt'],
    'retryAt not a timestamp' => [['E', 'm', 1, 5, 'in two minutes'], 'retryAt'],
    'occurredAt with -05:00' => [['E', 'm', 1, 5, null, null, '2026-03-14T03:07:41-05:00'], 'occurredAt'],
    'traceId of 7 characters' => [['E', 'm', 1, 5, null, 'abc1234'], 'traceId'],
    'traceId of 65 characters' => [['E', 'm', 1, 5, null, str_repeat('t', 65)], 'traceId'],
    'traceId with a dot' => [['E', 'm', 1, 5, null, 'trace.7f3a9c1e'], 'traceId'],
];
foreach ($cases as $label => [$args, $named]) {
    unset($result);
    try {
        $result = Envelope::withError($env, ...$args);
        echo "$label: no exception\n";
    } catch (EnvelopeException $e) {
        echo "$label: EnvelopeException", str_contains($e->getMessage(), $named) ? '' : " NOT naming $named: {$e->getMessage()}", "\n";
    }
}
// The bounds themselves are accepted.
$ok = Envelope::withError($env, str_repeat('C', 128), 'm', 1, 1, '2026-03-14T10:11:41Z', str_repeat('t', 64), '2026-03-14T10:07:41.000Z');
echo strlen($ok['error']['code']), ' ', $ok['error']['attempt'], ' ', $ok['error']['maxAttempts'], ' ', strlen($ok['error']['traceId']), "\n";
echo Envelope::withError($env, 'E', 'm', 7, 5)['error']['attempt'], "\n";
?>
--EXPECT--
attempt 0: EnvelopeException
attempt -1: EnvelopeException
maxAttempts 0: EnvelopeException
maxAttempts -3: EnvelopeException
empty code: EnvelopeException
code of 129 characters: EnvelopeException
empty message: EnvelopeException
retryAt with +02:00: EnvelopeException
retryAt not a timestamp: EnvelopeException
occurredAt with -05:00: EnvelopeException
traceId of 7 characters: EnvelopeException
traceId of 65 characters: EnvelopeException
traceId with a dot: EnvelopeException
128 1 1 64
7
