--TEST--
Input forms: a decoded array, the JSON string and a stdClass tree give the same violations for every fixture
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$compared = 0;
$files = glob(FIXTURES . '/*/{valid,invalid-*}.json', GLOB_BRACE);
$files[] = FIXTURES . '/large.json';
foreach ($files as $file) {
    $json = file_get_contents($file);
    $kind = basename(dirname($file));
    $headers = is_file(FIXTURES . "/$kind/headers.json") ? fixture_headers($kind) : null;
    foreach ([null, $headers] as $h) {
        $fromArray = $validator->validate(json_decode($json, true), $h);
        $fromString = $validator->validate($json, $h);
        $fromObject = $validator->validate(json_decode($json), $h);
        if ($fromArray !== $fromString || $fromArray !== $fromObject) {
            echo "differs: ", basename(dirname($file)), '/', basename($file), $h === null ? '' : ' with headers', "\n";
            var_dump($fromArray, $fromString, $fromObject);
        }
        $valid = $fromArray === [];
        if ($validator->isValid(json_decode($json, true), $h) !== $valid
            || $validator->isValid($json, $h) !== $valid
            || $validator->isValid(json_decode($json), $h) !== $valid) {
            echo "isValid differs: ", basename($file), "\n";
        }
        $compared++;
    }
}
echo "compared $compared (fixture, headers) pairs in three forms\n";

// One envelope with several violations, in each form.
$envelope = fixture('incident.event');
$envelope['priority'] = 'urgent';
$envelope['payload']['severity'] = 'high';
unset($envelope['payload']['summary']);
$envelope['error']['attempt'] = 0;
$forms = [
    'array' => $envelope,
    'string' => json_encode($envelope),
    'object' => json_decode(json_encode($envelope)),
];
foreach ($forms as $form => $input) {
    echo "$form:\n";
    show(sorted($validator->validate($input)));
}
var_dump($validator->validate($forms['array']) === $validator->validate($forms['string']));
var_dump($validator->validate($forms['array']) === $validator->validate($forms['object']));
?>
--EXPECT--
compared 106 (fixture, headers) pairs in three forms
array:
  /error [anyOf]
  /error/attempt [minimum]
  /payload [required]
  /payload/severity [enum]
  /priority [enum]
string:
  /error [anyOf]
  /error/attempt [minimum]
  /payload [required]
  /payload/severity [enum]
  /priority [enum]
object:
  /error [anyOf]
  /error/attempt [minimum]
  /payload [required]
  /payload/severity [enum]
  /priority [enum]
bool(true)
bool(true)
