--TEST--
Strict mode: every timestamp is UTC, written with Z (keyword utc); non-strict accepts any RFC 3339 offset
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;
$strict = new Validator(null, ['strict' => true]);
$lenient = new Validator();

$cases = [
    ['asset.discovery', ['emittedAt'], '2026-03-14T11:26:53.589+02:00'],
    ['asset.lifecycle', ['receivedAt'], '2026-03-14T10:02:13+00:00'],
    ['asset.discovery', ['provenance', 'ingestedAt'], '2026-03-14T04:26:52-05:00'],
    ['asset.lifecycle', ['payload', 'effectiveAt'], '2026-03-31T20:00:00+02:00'],
    ['cyber.metric', ['payload', 'observedAt'], '2026-03-14T12:00:00+05:30'],
    ['auth.provider', ['payload', 'checkedAt'], '2026-03-14T14:15:00+01:00'],
    ['incident.event', ['error', 'occurredAt'], '2026-03-14T10:07:41+02:00'],
    ['incident.event', ['error', 'retryAt'], '2026-03-14T10:11:41+02:00'],
];
foreach ($cases as [$kind, $path, $value]) {
    $envelope = fixture($kind);
    $slot = &$envelope;
    foreach ($path as $member) {
        $slot = &$slot[$member];
    }
    $slot = $value;
    unset($slot);
    $violations = $strict->validate($envelope);
    echo "$kind /", implode('/', $path), " = $value\n";
    echo "  strict:";
    foreach ($violations as $v) {
        echo " {$v['path']} [{$v['keyword']}]";
    }
    echo mentions($violations, $value) ? ' (value named)' : ' (value NOT named)', "\n";
    echo "  non-strict: ", count($lenient->validate($envelope)), " violation(s)\n";
}

echo "several at once:\n";
$envelope = fixture('incident.event');
$envelope['emittedAt'] = '2026-03-14T10:07:31+02:00';
$envelope['provenance']['ingestedAt'] = '2026-03-14T10:07:30+02:00';
show(sorted($strict->validate($envelope)));
?>
--EXPECT--
asset.discovery /emittedAt = 2026-03-14T11:26:53.589+02:00
  strict: /emittedAt [utc] (value named)
  non-strict: 0 violation(s)
asset.lifecycle /receivedAt = 2026-03-14T10:02:13+00:00
  strict: /receivedAt [utc] (value named)
  non-strict: 0 violation(s)
asset.discovery /provenance/ingestedAt = 2026-03-14T04:26:52-05:00
  strict: /provenance/ingestedAt [utc] (value named)
  non-strict: 0 violation(s)
asset.lifecycle /payload/effectiveAt = 2026-03-31T20:00:00+02:00
  strict: /payload/effectiveAt [utc] (value named)
  non-strict: 0 violation(s)
cyber.metric /payload/observedAt = 2026-03-14T12:00:00+05:30
  strict: /payload/observedAt [utc] (value named)
  non-strict: 0 violation(s)
auth.provider /payload/checkedAt = 2026-03-14T14:15:00+01:00
  strict: /payload/checkedAt [utc] (value named)
  non-strict: 0 violation(s)
incident.event /error/occurredAt = 2026-03-14T10:07:41+02:00
  strict: /error/occurredAt [utc] (value named)
  non-strict: 0 violation(s)
incident.event /error/retryAt = 2026-03-14T10:11:41+02:00
  strict: /error/retryAt [utc] (value named)
  non-strict: 0 violation(s)
several at once:
  /emittedAt [utc]
  /provenance/ingestedAt [utc]
