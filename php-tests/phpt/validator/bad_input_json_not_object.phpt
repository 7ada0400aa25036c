--TEST--
Bad input: JSON text that is not an object ([1,2], "x", 12, null, true) is one violation at "" with keyword type, not an exception
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

foreach (['[1,2]', '"x"', '12', '-0.5', 'null', 'true', '[]', ' [ ] '] as $json) {
    echo str_pad($json, 8), ': ';
    outcome(fn () => $validator->validate($json));
}
echo "with headers, the header rules still run:\n";
$violations = $validator->validate('[1,2]', fixture_headers('asset.discovery'));
var_dump(has($violations, '', 'type'));
echo "isValid:\n";
var_dump($validator->isValid('"x"'));
echo "an int is not an envelope, even in coercive mode:\n";
outcome(fn () => $validator->validate(12));
?>
--EXPECTF--
[1,2]   : 1 violation(s)
  (root) [type]
"x"     : 1 violation(s)
  (root) [type]
12      : 1 violation(s)
  (root) [type]
-0.5    : 1 violation(s)
  (root) [type]
null    : 1 violation(s)
  (root) [type]
true    : 1 violation(s)
  (root) [type]
[]      : 1 violation(s)
  (root) [type]
 [ ]    : 1 violation(s)
  (root) [type]
with headers, the header rules still run:
bool(true)
isValid:
bool(false)
an int is not an envelope, even in coercive mode:
TypeError: %s
