--TEST--
Headers: null skips the header rules; an empty array applies them (four missing-header violations naming each header)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$envelope = fixture('asset.discovery');

echo "null:\n";
show($validator->validate($envelope, null));
echo "omitted:\n";
show($validator->validate($envelope));
var_dump($validator->isValid($envelope, null));

echo "[]:\n";
$violations = $validator->validate($envelope, []);
echo count($violations), " violation(s), keywords: ", implode(',', array_unique(array_column($violations, 'keyword'))), "\n";
foreach (['x-phpgrc-bus-version', 'x-phpgrc-connector', 'x-phpgrc-kind', 'x-phpgrc-run-id'] as $header) {
    echo $header, ': ', mentions($violations, $header) ? 'named' : 'NOT named', "\n";
}
var_dump($validator->isValid($envelope, []));

echo "unrelated headers only:\n";
$violations = $validator->validate($envelope, ['content-type' => 'application/json', 'x-request-id' => 'abc']);
echo count($violations), " violation(s), keywords: ", implode(',', array_unique(array_column($violations, 'keyword'))), "\n";

echo "the four required headers, plus unrelated ones:\n";
show($validator->validate($envelope, fixture_headers('asset.discovery') + ['content-type' => 'application/json']));
?>
--EXPECT--
null:
  (none)
omitted:
  (none)
bool(true)
[]:
4 violation(s), keywords: header
x-phpgrc-bus-version: named
x-phpgrc-connector: named
x-phpgrc-kind: named
x-phpgrc-run-id: named
bool(false)
unrelated headers only:
4 violation(s), keywords: header
the four required headers, plus unrelated ones:
  (none)
