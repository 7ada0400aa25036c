--TEST--
Summary::of(): a string that is not JSON (truncated, empty, invalid UTF-8, trailing garbage) throws \InvalidArgumentException; JSON that is not an envelope gives nulls
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\Summary;

$cases = [
    'truncated' => substr(fixture_json('asset.discovery'), 0, 200),
    'empty' => '',
    'not JSON' => 'asset.discovery',
    'invalid UTF-8' => "{\"id\":\"\xff\xfe\"}",
    'trailing garbage' => '{"id":"01JPBK4Y8R3N6V0W2X5Z7C9D1F"} x',
    'single quotes' => "{'id':'x'}",
];
foreach ($cases as $label => $json) {
    try {
        Summary::of($json);
        echo "$label: no exception\n";
    } catch (InvalidArgumentException $e) {
        echo "$label: ", get_class($e), "\n";
    }
}
echo "JSON but no envelope:\n";
$s = Summary::of('{"unrelated":true}', new DateTimeImmutable('@0'));
echo json_encode($s), "\n";
?>
--EXPECT--
truncated: InvalidArgumentException
empty: InvalidArgumentException
not JSON: InvalidArgumentException
invalid UTF-8: InvalidArgumentException
trailing garbage: InvalidArgumentException
single quotes: InvalidArgumentException
JSON but no envelope:
{"status":"processed","envelope_id":null,"connector":{"key":null,"version":null},"tenant_id":null,"run_id":null,"kind":null,"event":null,"priority":"normal","received_at":"1970-01-01T00:00:00.000Z","emitted_at":null,"provenance":{"source":null,"external_id":null,"correlation_id":null,"replay":false},"payload_keys":[],"meta_keys":[],"attachments":{"count":0,"types":[]},"error":null}
