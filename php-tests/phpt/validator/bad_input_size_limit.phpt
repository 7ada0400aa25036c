--TEST--
Bad input: an envelope larger than phpgrc_bus.max_bytes (default 16 MiB) is an InvalidArgumentException naming the limit
--DESCRIPTION--
Assumes the ini setting phpgrc_bus.max_bytes with a default of 16 MiB (16777216 bytes) of JSON
text (for arrays and stdClass trees: the text they hold), and that the message names the setting.
--EXTENSIONS--
phpgrc_bus
--INI--
memory_limit=512M
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
var_dump(ini_get('phpgrc_bus.max_bytes'));

$huge = str_repeat('a', 20 * 1024 * 1024);
$e = fixture('asset.discovery');
$e['meta']['blob'] = $huge;
echo "20 MB string value, array: ";
outcome(fn () => $validator->validate($e));
echo "20 MB string value, JSON string: ";
outcome(fn () => $validator->validate(json_encode($e)));
echo "20 MB string value, stdClass: ";
outcome(fn () => $validator->validate(json_decode(json_encode($e))));
echo "20 MB key: ";
$e = fixture('asset.discovery');
$e['meta'][$huge] = 1;
outcome(fn () => $validator->isValid($e));
echo "many small strings, 20 MB in all: ";
$e = fixture('asset.discovery');
$e['meta']['parts'] = array_fill(0, 20 * 1024, str_repeat('b', 1024));
outcome(fn () => $validator->validate($e));
unset($e, $huge);

echo "just under the limit, a JSON string of 15 MiB is validated:\n";
$e = fixture('asset.discovery');
$e['meta']['blob'] = str_repeat('c', 15 * 1024 * 1024);
show($validator->validate(json_encode($e)));
?>
--EXPECTF--
string(8) "16777216"
20 MB string value, array: InvalidArgumentException: %Smax_bytes%S
20 MB string value, JSON string: InvalidArgumentException: %Smax_bytes%S
20 MB string value, stdClass: InvalidArgumentException: %Smax_bytes%S
20 MB key: InvalidArgumentException: %Smax_bytes%S
many small strings, 20 MB in all: InvalidArgumentException: %Smax_bytes%S
just under the limit, a JSON string of 15 MiB is validated:
  (none)
