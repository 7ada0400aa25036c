--TEST--
Bad input: a string that is not JSON is an InvalidArgumentException giving the line and column, not a crash
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

outcome(fn () => $validator->validate("{\n  \"id\": \"01JPBK4Y8R3N6V0W2X5Z7C9D1F\",\n  kind: \"asset.discovery\"\n}"));
outcome(fn () => $validator->validate('{"id": "01J'));
outcome(fn () => $validator->validate(''));
outcome(fn () => $validator->validate('{"a": 1} trailing'));
outcome(fn () => $validator->validate("{'kind': 'asset.discovery'}"));
outcome(fn () => $validator->isValid('{"a": NaN}'));
outcome(fn () => $validator->assertValid('{"a": 1,}'));
echo "the process still validates:\n";
show($validator->validate(fixture_json('asset.discovery')));
?>
--EXPECTF--
InvalidArgumentException: %Sline 3%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
InvalidArgumentException: %Sline 1%Scolumn %d%S
the process still validates:
  (none)
