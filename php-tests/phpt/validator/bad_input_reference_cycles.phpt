--TEST--
Bad input: self- and mutually-referencing arrays and object cycles are an InvalidArgumentException, not a crash; shared (acyclic) references are fine
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$a = fixture('asset.discovery');
$a['self'] = &$a;
echo "envelope referencing itself: ";
outcome(fn () => $validator->validate($a));

$e = fixture('asset.discovery');
$loop = ['name' => 'loop'];
$loop['again'] = &$loop;
$e['meta']['loop'] = &$loop;
echo "meta holding a self-referencing array: ";
outcome(fn () => $validator->validate($e));

$x = ['name' => 'x'];
$y = ['name' => 'y'];
$x['peer'] = &$y;
$y['peer'] = &$x;
$e = fixture('asset.discovery');
$e['payload']['attributes']['peer'] = &$x;
echo "mutually referencing arrays: ";
outcome(fn () => $validator->validate($e));
echo "strict, isValid: ";
outcome(fn () => (new PhpGrc\Bus\Validator(null, ['strict' => true]))->isValid($e));

$o = json_decode(fixture_json('asset.discovery'));
$o->meta->self = $o;
echo "stdClass cycle: ";
outcome(fn () => $validator->validate($o));

$p = new stdClass();
$q = new stdClass();
$p->q = $q;
$q->p = $p;
$o = json_decode(fixture_json('asset.discovery'));
$o->meta->p = $p;
echo "stdClass mutual cycle: ";
outcome(fn () => $validator->validate($o));

echo "the same array referenced twice (no cycle):\n";
$shared = ['team' => 'web', 'onCall' => 'a.smith'];
$e = fixture('asset.discovery');
$e['meta']['owner'] = &$shared;
$e['meta']['backupOwner'] = &$shared;
show($validator->validate($e));
echo "the same stdClass twice (no cycle):\n";
$o = json_decode(fixture_json('asset.discovery'));
$o->meta->owner = $o->meta->backupOwner = (object) ['team' => 'web'];
show($validator->validate($o));
?>
--EXPECTF--
envelope referencing itself: InvalidArgumentException: %Sreference%S
meta holding a self-referencing array: InvalidArgumentException: %Sreference%S
mutually referencing arrays: InvalidArgumentException: %Sreference%S
strict, isValid: InvalidArgumentException: %Sreference%S
stdClass cycle: InvalidArgumentException: %Sreference%S
stdClass mutual cycle: InvalidArgumentException: %Sreference%S
the same array referenced twice (no cycle):
  (none)
the same stdClass twice (no cycle):
  (none)
