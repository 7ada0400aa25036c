--TEST--
Summary::of(): attachments is {count, types}: how many, and their distinct types in first-seen order; never a URI
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\Summary;

$at = new DateTimeImmutable('2026-03-14T12:00:00Z');
$attachment = fn (string $type, int $i) => ['type' => $type, 'uri' => "s3://phpgrc-evidence/secret-path-$i.bin", 'contentType' => 'application/octet-stream'];
$cases = [
    'none' => null,
    'one' => [$attachment('report', 1)],
    'duplicates' => [$attachment('log', 1), $attachment('evidence', 2), $attachment('log', 3), $attachment('evidence', 4)],
    'all four types' => [$attachment('artifact', 1), $attachment('report', 2), $attachment('evidence', 3), $attachment('log', 4), $attachment('artifact', 5)],
];
foreach ($cases as $label => $attachments) {
    $envelope = fixture('auth.provider');
    if ($attachments !== null) {
        $envelope['attachments'] = $attachments;
    }
    $s = Summary::of($envelope, $at);
    echo "$label: ", json_encode($s['attachments']), str_contains(json_encode($s), 'secret-path') ? ' (a URI leaked)' : '', "\n";
    if (Summary::of(json_encode($envelope), $at) !== $s) {
        echo "  JSON string form differs\n";
    }
}
echo "fixtures: ", json_encode(Summary::of(fixture('incident.event'), $at)['attachments']), ' ', json_encode(Summary::of(fixture('cyber.metric'), $at)['attachments']), "\n";
?>
--EXPECT--
none: {"count":0,"types":[]}
one: {"count":1,"types":["report"]}
duplicates: {"count":4,"types":["log","evidence"]}
all four types: {"count":5,"types":["artifact","report","evidence","log"]}
fixtures: {"count":1,"types":["evidence"]} {"count":1,"types":["report"]}
