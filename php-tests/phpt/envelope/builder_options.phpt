--TEST--
Builders: the options priority, meta, attachments, emittedAt, receivedAt and id are put on the envelope as given
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

$strict = new Validator(null, ['strict' => true]);
$run = new Run('tenable-io', '4.1.0');
$payload = ['sourceType' => 'siem', 'assetKey' => 'web-frontend-01', 'observedAt' => '2026-03-14T06:30:00Z', 'metrics' => ['criticalFindings' => 2]];
$provenance = ['source' => 'tenable-io', 'externalId' => 'scan/88213'];
$build = fn (array $options) => $run->envelope('cyber.metric', 'metric.observed', $payload, $provenance, $options);

foreach (['low', 'normal', 'high'] as $priority) {
    echo "priority $priority: ", $build(['priority' => $priority])['priority'], "\n";
}
echo "null options = none: ", var_export(array_keys($run->envelope('cyber.metric', 'metric.observed', $payload, $provenance, null))
    === array_keys($build([])), true), "\n";

$meta = ['page' => 3, 'pages' => 12, 'collector' => 'config-aggregator', 'nested' => ['x' => [1, 2]]];
var_dump($build(['meta' => $meta])['meta'] === $meta);

$attachments = [
    ['type' => 'report', 'uri' => 'https://reports.example.com/scans/88213.pdf', 'contentType' => 'application/pdf'],
    ['type' => 'evidence', 'uri' => 's3://phpgrc-evidence/scan/88213.csv', 'contentType' => 'text/csv', 'size' => 18432,
        'hash' => '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b'],
];
var_dump($build(['attachments' => $attachments])['attachments'] === $attachments);

foreach (['2026-03-14T06:31:12.450Z', '2026-03-14T06:31:12Z', '2026-03-14T06:31:12.123456Z'] as $ts) {
    $env = $build(['emittedAt' => $ts, 'receivedAt' => $ts]);
    echo "emittedAt/receivedAt $ts: ", $env['emittedAt'], ' ', $env['receivedAt'], "\n";
}

$env = $build(['id' => '01JPCC4D6F8H0K2M4P6R8T0W2Y']);
var_dump($env['id']);

// All at once, and what they build is valid, headers included.
$env = $build(['priority' => 'low', 'meta' => $meta, 'attachments' => $attachments, 'emittedAt' => '2026-03-14T06:31:12.450Z',
    'receivedAt' => '2026-03-14T06:31:13.007Z', 'id' => '01JPCC4D6F8H0K2M4P6R8T0W2Y']);
echo $env['priority'], ' ', $env['emittedAt'], ' ', $env['receivedAt'], ' ', $env['id'], ' ', count($env['attachments']), ' ', count($env['meta']), "\n";
show($strict->validate($env, Envelope::headers($env)));
?>
--EXPECT--
priority low: low
priority normal: normal
priority high: high
null options = none: true
bool(true)
bool(true)
emittedAt/receivedAt 2026-03-14T06:31:12.450Z: 2026-03-14T06:31:12.450Z 2026-03-14T06:31:12.450Z
emittedAt/receivedAt 2026-03-14T06:31:12Z: 2026-03-14T06:31:12Z 2026-03-14T06:31:12Z
emittedAt/receivedAt 2026-03-14T06:31:12.123456Z: 2026-03-14T06:31:12.123456Z 2026-03-14T06:31:12.123456Z
string(26) "01JPCC4D6F8H0K2M4P6R8T0W2Y"
low 2026-03-14T06:31:12.450Z 2026-03-14T06:31:13.007Z 01JPCC4D6F8H0K2M4P6R8T0W2Y 2 4
  (none)
