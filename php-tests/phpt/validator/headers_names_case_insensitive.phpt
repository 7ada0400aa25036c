--TEST--
Headers: names compare case-insensitively (X-PhpGrc-Kind is x-phpgrc-kind)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$envelope = fixture('incident.event');
$good = fixture_headers('incident.event');

$mixed = [
    'X-PhpGrc-Bus-Version' => $good['x-phpgrc-bus-version'],
    'X-PHPGRC-CONNECTOR' => $good['x-phpgrc-connector'],
    'X-PhpGrc-Kind' => $good['x-phpgrc-kind'],
    'x-PhPgRc-RuN-iD' => $good['x-phpgrc-run-id'],
    'X-PhpGrc-Priority' => 'high',
    'X-PHPGRC-CORRELATION' => '9b2e4c6a8d0f1e3a',
];
echo "mixed-case names, right values:\n";
show($validator->validate($envelope, $mixed));

echo "mixed-case name, wrong value:\n";
$violations = $validator->validate($envelope, ['X-PhpGrc-Kind' => 'incident.update'] + $mixed);
show($violations);
var_dump(mentions($violations, 'incident.update', 'incident.event'));

echo "mixed-case optional header, wrong value:\n";
show($validator->validate($envelope, ['X-PhpGrc-Priority' => 'low'] + $mixed));
?>
--EXPECT--
mixed-case names, right values:
  (none)
mixed-case name, wrong value:
  /kind [header]
bool(true)
mixed-case optional header, wrong value:
  /priority [header]
