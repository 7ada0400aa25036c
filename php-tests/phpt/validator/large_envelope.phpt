--TEST--
A 16 KB asset.discovery envelope with 200 attributes validates in all three forms; one bad attribute among them is found
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator(null, ['strict' => true]);
$json = fixture_json('', 'large');
$envelope = json_decode($json, true);
var_dump(strlen($json) > 14000, count($envelope['payload']['attributes']));
show($validator->validate($json));
show($validator->validate($envelope));
show($validator->validate(json_decode($json)));
show($validator->validate($envelope, fixture_headers('asset.discovery')));

$envelope['payload']['attributes']['attr150'] = ['nested' => 'object'];
$envelope['payload']['attributes']['attr151'] = [1, [2]];
show(sorted($validator->validate($envelope)));
?>
--EXPECT--
bool(true)
int(200)
  (none)
  (none)
  (none)
  (none)
  /payload/attributes/attr150 [type]
  /payload/attributes/attr151/1 [type]
