--TEST--
Bad input: NAN, INF and -INF (not representable in JSON) are an InvalidArgumentException, not a crash
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

foreach (['NAN' => NAN, 'INF' => INF, '-INF' => -INF] as $label => $value) {
    $e = fixture('indicator.metric');
    $e['payload']['value'] = $value;
    echo "$label in payload.value: ";
    outcome(fn () => $validator->validate($e));
    $o = json_decode(fixture_json('cyber.metric'));
    $o->payload->metrics->cvssMax = $value;
    echo "$label in a stdClass: ";
    outcome(fn () => $validator->validate($o));
}
$e = fixture('asset.discovery');
$e['payload']['attributes']['samples'] = [1.5, NAN];
echo "NAN in a list: ";
outcome(fn () => $validator->isValid($e));
echo "finite floats are fine:\n";
$e = fixture('indicator.metric');
$e['payload']['value'] = -0.0;
$e['payload']['threshold']['value'] = 1.0e-300;
$e['payload']['context']['big'] = PHP_FLOAT_MAX;
show($validator->validate($e));
?>
--EXPECTF--
NAN in payload.value: InvalidArgumentException: %SNaN%S
NAN in a stdClass: InvalidArgumentException: %SNaN%S
INF in payload.value: InvalidArgumentException: %Sfinite%S
INF in a stdClass: InvalidArgumentException: %Sfinite%S
-INF in payload.value: InvalidArgumentException: %Sfinite%S
-INF in a stdClass: InvalidArgumentException: %Sfinite%S
NAN in a list: InvalidArgumentException: %SNaN%S
finite floats are fine:
  (none)
