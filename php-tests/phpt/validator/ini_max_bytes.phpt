--TEST--
ini phpgrc_bus.max_bytes: a lower limit rejects larger envelopes (the 16 KB large.json), smaller ones pass
--EXTENSIONS--
phpgrc_bus
--INI--
phpgrc_bus.max_bytes=4096
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
var_dump(ini_get('phpgrc_bus.max_bytes'));
echo "1.6 KB: ";
outcome(fn () => $validator->validate(fixture_json('asset.discovery')));
echo "16 KB, JSON string: ";
outcome(fn () => $validator->validate(fixture_json('', 'large')));
echo "16 KB, array: ";
outcome(fn () => $validator->validate(fixture('', 'large')));
?>
--EXPECTF--
string(4) "4096"
1.6 KB: 0 violation(s)
  (none)
16 KB, JSON string: InvalidArgumentException: %Smax_bytes%S
16 KB, array: InvalidArgumentException: %Smax_bytes%S
