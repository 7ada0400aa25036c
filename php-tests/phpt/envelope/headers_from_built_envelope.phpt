--TEST--
Envelope::headers(): the four required headers mirror the body, x-phpgrc-priority when priority is set, x-phpgrc-correlation when provenance.correlationId is set; they pass the header rules
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

$validator = new Validator();
$run = new Run('aws-config', '2.3.1', '01HZX9Q3K5M7N9P1R3S5T7V9W1', '01JPBK4W0T2M5Q8S1V4X7Z0B3E');
[$event, $payload, $provenance] = builder_inputs('asset.discovery');

echo "with priority high and a correlationId:\n";
$env = $run->envelope('asset.discovery', $event, $payload, $provenance, ['priority' => 'high']);
$headers = Envelope::headers($env);
foreach ($headers as $name => $value) {
    echo "  $name: ", var_export($value, true), "\n";
}
show($validator->validate($env, $headers));

echo "default priority, no correlationId:\n";
unset($provenance['correlationId']);
$env = $run->envelope('asset.discovery', $event, $payload, $provenance);
$headers = Envelope::headers($env);
foreach ($headers as $name => $value) {
    echo "  $name: ", var_export($value, true), "\n";
}
show($validator->validate($env, $headers));

echo "same headers from the JSON string and the stdClass tree: ";
var_dump(Envelope::headers(json_encode($env)) === $headers && Envelope::headers(json_decode(json_encode($env))) === $headers);

echo "a body without priority gives no x-phpgrc-priority:\n";
$fixture = fixture('asset.discovery');
unset($fixture['priority']);
echo '  ', implode(' ', array_keys(Envelope::headers($fixture))), "\n";
echo "the fixture's headers.json plus priority and correlation: ";
var_dump(Envelope::headers(fixture('asset.discovery')) === fixture_headers('asset.discovery')
    + ['x-phpgrc-priority' => 'normal', 'x-phpgrc-correlation' => '5f0c2a1e-8b7d-4c3a-9e21-6d4b0a7f1c93']);

// The headers are checked, not waved through: each one changed is caught.
echo "each header changed:\n";
$env = $run->envelope('asset.discovery', $event, $payload, $provenance + ['correlationId' => '0123456789abcdef'], ['priority' => 'low']);
$headers = Envelope::headers($env);
foreach ($headers as $name => $value) {
    $changed = $headers;
    $changed[$name] = $name === 'x-phpgrc-priority' ? 'high' : $value . '0';
    $violations = $validator->validate($env, $changed);
    echo "  $name: ", implode(' ', array_map(fn ($v) => "{$v['path']} [{$v['keyword']}]", $violations)), "\n";
}

// Generated envelopes of every kind: the headers always pass, and carry what the body sets.
mt_srand(7);
$strict = new Validator(null, ['strict' => true]);
$pass = $mirror = 0;
for ($i = 0; $i < 140; $i++) {
    $kind = KINDS[$i % 7];
    $env = $run->envelope($kind, EVENTS[$kind], gen_payload($kind), gen_provenance(), gen_options());
    $headers = Envelope::headers($env);
    $pass += $validator->validate($env, $headers) === [] && $strict->validate($env, $headers) === [] ? 1 : 0;
    $expected = [
        'x-phpgrc-bus-version' => $env['busVersion'], 'x-phpgrc-connector' => $env['connectorKey'],
        'x-phpgrc-kind' => $env['kind'], 'x-phpgrc-run-id' => $env['runId'], 'x-phpgrc-priority' => $env['priority'],
    ] + (isset($env['provenance']['correlationId']) ? ['x-phpgrc-correlation' => $env['provenance']['correlationId']] : []);
    $mirror += $headers === $expected ? 1 : 0;
}
echo "generated: $pass of 140 pass the header rules, $mirror of 140 mirror the body exactly\n";
?>
--EXPECT--
with priority high and a correlationId:
  x-phpgrc-bus-version: '1.0.0'
  x-phpgrc-connector: 'aws-config'
  x-phpgrc-kind: 'asset.discovery'
  x-phpgrc-run-id: '01JPBK4W0T2M5Q8S1V4X7Z0B3E'
  x-phpgrc-priority: 'high'
  x-phpgrc-correlation: '5f0c2a1e-8b7d-4c3a-9e21-6d4b0a7f1c93'
  (none)
default priority, no correlationId:
  x-phpgrc-bus-version: '1.0.0'
  x-phpgrc-connector: 'aws-config'
  x-phpgrc-kind: 'asset.discovery'
  x-phpgrc-run-id: '01JPBK4W0T2M5Q8S1V4X7Z0B3E'
  x-phpgrc-priority: 'normal'
  (none)
same headers from the JSON string and the stdClass tree: bool(true)
a body without priority gives no x-phpgrc-priority:
  x-phpgrc-bus-version x-phpgrc-connector x-phpgrc-kind x-phpgrc-run-id x-phpgrc-correlation
the fixture's headers.json plus priority and correlation: bool(true)
each header changed:
  x-phpgrc-bus-version: /busVersion [header]
  x-phpgrc-connector: /connectorKey [header]
  x-phpgrc-kind: /kind [header]
  x-phpgrc-run-id: /runId [header]
  x-phpgrc-priority: /priority [header]
  x-phpgrc-correlation: /provenance/correlationId [header]
generated: 140 of 140 pass the header rules, 140 of 140 mirror the body exactly
