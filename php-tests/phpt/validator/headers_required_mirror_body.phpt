--TEST--
Headers: each required header must equal its body member exactly; the message names the header and both values
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$envelope = fixture('asset.discovery');
$good = fixture_headers('asset.discovery');

$cases = [
    'x-phpgrc-bus-version' => ['2.0.0', '1.0.0'],
    'x-phpgrc-connector' => ['azure-resource-graph', 'aws-config'],
    'x-phpgrc-kind' => ['asset.lifecycle', 'asset.discovery'],
    'x-phpgrc-run-id' => ['01JPBK4W0T2M5Q8S1V4X7Z0B3F', '01JPBK4W0T2M5Q8S1V4X7Z0B3E'],
];
foreach ($cases as $header => [$wrong, $body]) {
    $violations = $validator->validate($envelope, [$header => $wrong] + $good);
    echo "$header: ";
    echo count($violations), " violation(s) [", implode(',', array_column($violations, 'keyword')), "]",
        mentions($violations, $header, $wrong, $body) ? ' naming header, header value and body value' : ' NOT naming all of ' . json_encode([$header, $wrong, $body]),
        "\n";
}

echo "values compare exactly (case, whitespace):\n";
foreach ([
    ['x-phpgrc-kind', 'Asset.Discovery'],
    ['x-phpgrc-connector', 'aws-config '],
    ['x-phpgrc-run-id', strtolower($good['x-phpgrc-run-id'])],
    ['x-phpgrc-bus-version', '1.0'],
] as [$header, $wrong]) {
    $violations = $validator->validate($envelope, [$header => $wrong] + $good);
    echo "  $header ", json_encode($wrong), ': ', count($violations), "\n";
}

echo "one header missing:\n";
$headers = $good;
unset($headers['x-phpgrc-run-id']);
$violations = $validator->validate($envelope, $headers);
echo count($violations), " violation(s) [", implode(',', array_column($violations, 'keyword')), "]",
    mentions($violations, 'x-phpgrc-run-id') ? ' naming x-phpgrc-run-id' : ' NOT naming x-phpgrc-run-id', "\n";

echo "all four wrong:\n";
$violations = $validator->validate($envelope, array_map(fn ($v) => $v . 'x', $good));
echo count($violations), " violation(s)\n";

echo "the body is what it is compared to (body changed, headers not):\n";
$changed = $envelope;
$changed['connectorKey'] = 'aws-config-v2';
$violations = $validator->validate($changed, $good);
echo count($violations), " violation(s) [", implode(',', array_column($violations, 'keyword')), "]",
    mentions($violations, 'x-phpgrc-connector', 'aws-config-v2') ? ' naming the header and the body value' : ' NOT naming them', "\n";
?>
--EXPECT--
x-phpgrc-bus-version: 1 violation(s) [header] naming header, header value and body value
x-phpgrc-connector: 1 violation(s) [header] naming header, header value and body value
x-phpgrc-kind: 1 violation(s) [header] naming header, header value and body value
x-phpgrc-run-id: 1 violation(s) [header] naming header, header value and body value
values compare exactly (case, whitespace):
  x-phpgrc-kind "Asset.Discovery": 1
  x-phpgrc-connector "aws-config ": 1
  x-phpgrc-run-id "01jpbk4w0t2m5q8s1v4x7z0b3e": 1
  x-phpgrc-bus-version "1.0": 1
one header missing:
1 violation(s) [header] naming x-phpgrc-run-id
all four wrong:
4 violation(s)
the body is what it is compared to (body changed, headers not):
1 violation(s) [header] naming the header and the body value
