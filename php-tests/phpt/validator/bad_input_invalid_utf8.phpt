--TEST--
Bad input: invalid UTF-8 in a string value or a key (array, stdClass, JSON string) is an InvalidArgumentException, not a crash
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$e = fixture('asset.discovery');
$e['payload']['name'] = "web-\xff\xfe-01";
echo "string value (array): ";
outcome(fn () => $validator->validate($e));

$e = fixture('asset.discovery');
$e['meta']["coll\xc3\x28ctor"] = 'x';
echo "array key: ";
outcome(fn () => $validator->validate($e));

$e = fixture('asset.discovery');
$e['payload']['tags'][] = "\xed\xa0\x80"; // an encoded UTF-16 surrogate
echo "list item (surrogate): ";
outcome(fn () => $validator->validate($e));

$o = json_decode(fixture_json('asset.discovery'));
$o->payload->attributes->{"\xff"} = 'x';
echo "stdClass property name: ";
outcome(fn () => $validator->validate($o));

$o = json_decode(fixture_json('asset.discovery'));
$o->payload->name = "\xc0\xaf";
echo "stdClass value (overlong): ";
outcome(fn () => $validator->validate($o));

echo "JSON string: ";
outcome(fn () => $validator->validate(str_replace('web-frontend-01', "web-\xff-01", fixture_json('asset.discovery'))));

echo "strict mode, isValid, assertValid: ";
$e = fixture('asset.discovery');
$e['payload']['name'] = "\x80";
outcome(fn () => (new PhpGrc\Bus\Validator(null, ['strict' => true]))->validate($e));
outcome(fn () => $validator->isValid($e));
outcome(fn () => $validator->assertValid($e));

echo "valid multibyte text is fine:\n";
$e = fixture('asset.discovery');
$e['payload']['name'] = 'Rechenzentrum Zürich — 東京 🚀';
$e['meta']['Größe'] = 'ü';
show($validator->validate($e));
show($validator->validate(json_encode($e, JSON_UNESCAPED_UNICODE)));
?>
--EXPECTF--
string value (array): InvalidArgumentException: %SUTF-8%S
array key: InvalidArgumentException: %SUTF-8%S
list item (surrogate): InvalidArgumentException: %SUTF-8%S
stdClass property name: InvalidArgumentException: %SUTF-8%S
stdClass value (overlong): InvalidArgumentException: %SUTF-8%S
JSON string: InvalidArgumentException: %Sline 14 column 18%S
strict mode, isValid, assertValid: InvalidArgumentException: %SUTF-8%S
InvalidArgumentException: %SUTF-8%S
InvalidArgumentException: %SUTF-8%S
valid multibyte text is fine:
  (none)
  (none)
