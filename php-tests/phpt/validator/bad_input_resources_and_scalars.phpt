--TEST--
Bad input: a resource or (with strict_types) an int as $envelope is a TypeError; a resource inside the envelope is an InvalidArgumentException
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
declare(strict_types=1);
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$fp = fopen('php://memory', 'r');
echo "resource as the envelope:\n";
outcome(fn () => $validator->validate($fp));
outcome(fn () => $validator->isValid($fp));
outcome(fn () => $validator->assertValid($fp));
echo "int, float, bool, null as the envelope (strict_types):\n";
outcome(fn () => $validator->validate(12));
outcome(fn () => $validator->validate(1.5));
outcome(fn () => $validator->validate(true));
outcome(fn () => $validator->validate(null));
echo "headers that are not an array:\n";
outcome(fn () => $validator->validate(fixture('asset.discovery'), 'x-phpgrc-kind: asset.discovery'));

echo "resource inside the envelope:\n";
$e = fixture('asset.discovery');
$e['meta']['stream'] = $fp;
outcome(fn () => $validator->validate($e));
$o = json_decode(fixture_json('asset.discovery'));
$o->meta->stream = $fp;
outcome(fn () => $validator->validate($o));
fclose($fp);
echo "a closed resource inside the envelope:\n";
outcome(fn () => $validator->validate($e));
echo "the process still validates:\n";
show($validator->validate(fixture('asset.discovery')));
?>
--EXPECTF--
resource as the envelope:
TypeError: %s
TypeError: %s
TypeError: %s
int, float, bool, null as the envelope (strict_types):
TypeError: %s
TypeError: %s
TypeError: %s
TypeError: %s
headers that are not an array:
TypeError: %s
resource inside the envelope:
InvalidArgumentException: %Sresource%S
InvalidArgumentException: %Sresource%S
a closed resource inside the envelope:
InvalidArgumentException: %Sresource%S
the process still validates:
  (none)
