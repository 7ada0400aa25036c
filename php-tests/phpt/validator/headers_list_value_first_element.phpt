--TEST--
Headers: a list value counts as its first element
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$envelope = fixture('cyber.metric');
$good = fixture_headers('cyber.metric');

echo "every header as a one-element list:\n";
show($validator->validate($envelope, array_map(fn ($v) => [$v], $good)));

echo "right value first, another after it:\n";
show($validator->validate($envelope, ['x-phpgrc-kind' => ['cyber.metric', 'asset.discovery']] + $good));

echo "right value second only:\n";
$violations = $validator->validate($envelope, ['x-phpgrc-kind' => ['asset.discovery', 'cyber.metric']] + $good);
show($violations);
var_dump(mentions($violations, 'x-phpgrc-kind', 'asset.discovery', 'cyber.metric'));

echo "list under a mixed-case name:\n";
show($validator->validate($envelope, ['X-PhpGrc-Run-Id' => [$good['x-phpgrc-run-id']]] + array_diff_key($good, ['x-phpgrc-run-id' => 1])));
?>
--EXPECT--
every header as a one-element list:
  (none)
right value first, another after it:
  (none)
right value second only:
  /kind [header]
bool(true)
list under a mixed-case name:
  (none)
