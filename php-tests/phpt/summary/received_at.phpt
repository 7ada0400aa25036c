--TEST--
Summary::of(): received_at is the $receivedAt given (any timezone, converted to UTC with milliseconds), else the envelope's receivedAt as written, else now
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\Summary;

$envelope = fixture('asset.lifecycle'); // receivedAt 2026-03-14T10:02:13.007Z
$dates = [
    'Europe/Berlin (+01:00), microseconds cut to ms' => new DateTimeImmutable('2026-03-14 10:02:13.123999', new DateTimeZone('Europe/Berlin')),
    'America/New_York in summer (-04:00)' => new DateTimeImmutable('2026-07-01 22:30:00.5', new DateTimeZone('America/New_York')),
    'Asia/Kolkata (+05:30)' => new DateTimeImmutable('2026-03-14 00:15:00', new DateTimeZone('Asia/Kolkata')),
    'fixed offset -09:30' => new DateTimeImmutable('2026-12-31T20:00:00.001-09:30'),
    'mutable DateTime in UTC' => new DateTime('2026-03-14 10:02:13', new DateTimeZone('UTC')),
    'before 1970' => new DateTimeImmutable('1969-12-31 23:59:59.250', new DateTimeZone('UTC')),
];
foreach ($dates as $label => $date) {
    $zone = $date->getTimezone()->getName();
    echo "$label: ", Summary::of($envelope, $date)['received_at'], "\n";
    if ($date->getTimezone()->getName() !== $zone) {
        echo "  the argument's timezone was changed\n";
    }
}
echo "given, overriding the envelope's: ", var_export(Summary::of($envelope, new DateTimeImmutable('@0'))['received_at'], true), "\n";
echo "envelope's receivedAt as written: ", Summary::of($envelope)['received_at'], ' ', Summary::of(json_encode($envelope))['received_at'], "\n";
unset($envelope['receivedAt']);
$before = now_millis();
$now = Summary::of($envelope)['received_at'];
$after = now_millis();
echo "neither: ", preg_match(UTC_MILLIS_PATTERN, $now) && millis_of($now) >= $before && millis_of($now) <= $after ? 'now, UTC with ms' : "wrong: $now", "\n";
?>
--EXPECT--
Europe/Berlin (+01:00), microseconds cut to ms: 2026-03-14T09:02:13.123Z
America/New_York in summer (-04:00): 2026-07-02T02:30:00.500Z
Asia/Kolkata (+05:30): 2026-03-13T18:45:00.000Z
fixed offset -09:30: 2027-01-01T05:30:00.001Z
mutable DateTime in UTC: 2026-03-14T10:02:13.000Z
before 1970: 1969-12-31T23:59:59.250Z
given, overriding the envelope's: '1970-01-01T00:00:00.000Z'
envelope's receivedAt as written: 2026-03-14T10:02:13.007Z 2026-03-14T10:02:13.007Z
neither: now, UTC with ms
