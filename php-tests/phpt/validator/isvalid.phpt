--TEST--
isValid(): true exactly when validate() returns [], for the schema, the schemaRef rule, the headers and strict mode
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;
$validator = new Validator();
$strict = new Validator(null, ['strict' => true]);

$disagree = 0;
$files = glob(FIXTURES . '/*/{valid,invalid-*}.json', GLOB_BRACE);
foreach ($files as $file) {
    $json = file_get_contents($file);
    $headers = fixture_headers(basename(dirname($file)));
    foreach ([$validator, $strict] as $v) {
        foreach ([null, $headers, []] as $h) {
            if ($v->isValid($json, $h) !== ($v->validate($json, $h) === [])) {
                $disagree++;
                echo "disagrees: ", basename($file), "\n";
            }
        }
    }
}
echo count($files), " fixtures, $disagree disagreement(s)\n";

$envelope = fixture('asset.discovery');
var_dump($validator->isValid($envelope));
var_dump($validator->isValid(fixture('asset.discovery', 'invalid-environment-enum')));
var_dump($validator->isValid(fixture('asset.discovery', 'invalid-schemaref-other-kind')));
var_dump($validator->isValid($envelope, fixture_headers('asset.discovery')));
var_dump($validator->isValid($envelope, ['x-phpgrc-kind' => 'cyber.metric'] + fixture_headers('asset.discovery')));
var_dump($validator->isValid($envelope, []));
$envelope['emittedAt'] = '2026-03-14T11:26:53+02:00';
var_dump($validator->isValid($envelope), $strict->isValid($envelope));
var_dump($validator->isValid('[1,2]'));
?>
--EXPECT--
52 fixtures, 0 disagreement(s)
bool(true)
bool(false)
bool(false)
bool(true)
bool(false)
bool(false)
bool(true)
bool(false)
bool(false)
