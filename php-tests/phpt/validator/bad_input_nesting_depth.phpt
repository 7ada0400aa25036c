--TEST--
Bad input: nesting 100000 deep (PHP array, stdClass chain, JSON string of [) is an InvalidArgumentException about depth, not a stack overflow
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$deep = [];
for ($i = 0; $i < 100000; $i++) {
    $deep = ['x' => $deep];
}
$e = fixture('asset.discovery');
$e['meta']['deep'] = $deep;
echo "array, maps: ";
outcome(fn () => $validator->validate($e));

$deep = [];
for ($i = 0; $i < 100000; $i++) {
    $deep = [$deep];
}
echo "array, lists, as the envelope itself: ";
outcome(fn () => $validator->validate($deep));
unset($deep);

// PHP itself overflows its stack freeing a much deeper object chain, so 10000 here.
$o = json_decode(fixture_json('asset.discovery'));
$chain = $o->meta;
for ($i = 0; $i < 10000; $i++) {
    $chain->x = new stdClass();
    $chain = $chain->x;
}
echo "stdClass chain: ";
outcome(fn () => $validator->validate($o));

echo "JSON string of 100000 [: ";
outcome(fn () => $validator->validate(str_repeat('[', 100000)));
echo "JSON string, 100000 deep inside meta: ";
outcome(fn () => $validator->validate(str_replace('"meta": {', '"meta": {"d":' . str_repeat('{"x":', 100000) . '1' . str_repeat('}', 100000) . ',', fixture_json('asset.discovery'))));
echo "strict: ";
outcome(fn () => (new PhpGrc\Bus\Validator(null, ['strict' => true]))->isValid(str_repeat('[', 100000)));

echo "32 levels are fine:\n";
$e = fixture('asset.discovery');
$nested = 'leaf';
for ($i = 0; $i < 32; $i++) {
    $nested = ['level' . $i => $nested];
}
$e['meta']['nested'] = $nested;
show($validator->validate($e));
show($validator->validate(json_encode($e)));
show($validator->validate(json_decode(json_encode($e))));
?>
--EXPECTF--
array, maps: InvalidArgumentException: %Sdepth%S
array, lists, as the envelope itself: InvalidArgumentException: %Sdepth%S
stdClass chain: InvalidArgumentException: %Sdepth%S
JSON string of 100000 [: InvalidArgumentException: %Sdepth%S
JSON string, 100000 deep inside meta: InvalidArgumentException: %Sdepth%S
strict: InvalidArgumentException: %Sdepth%S
32 levels are fine:
  (none)
  (none)
  (none)
