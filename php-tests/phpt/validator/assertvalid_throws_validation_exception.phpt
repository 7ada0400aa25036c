--TEST--
assertValid(): returns on a valid envelope; otherwise throws ValidationException (an InvalidArgumentException) whose violations() equal validate()
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\ValidationException;
use PhpGrc\Bus\Validator;
$validator = new Validator();

var_dump($validator->assertValid(fixture('vendor.profile'), fixture_headers('vendor.profile')));
var_dump($validator->assertValid(fixture_json('vendor.profile')));

var_dump(is_subclass_of(ValidationException::class, InvalidArgumentException::class));

$cases = [
    'schema' => [fixture('vendor.profile', 'invalid-contact-email'), null],
    'schemaRef' => [fixture('vendor.profile', 'invalid-schemaref-other-kind'), null],
    'headers' => [fixture('vendor.profile'), []],
    'several, JSON string' => [json_encode(['priority' => 'urgent'] + fixture('incident.event', 'invalid-error-missing-attempt')), fixture_headers('incident.event')],
];
foreach ($cases as $label => [$envelope, $headers]) {
    try {
        $validator->assertValid($envelope, $headers);
        echo "$label: no exception\n";
    } catch (InvalidArgumentException $e) {
        echo "$label: ", get_class($e), ', ',
            $e instanceof ValidationException && $e->violations() === $validator->validate($envelope, $headers)
                ? 'violations() === validate()' : 'violations() DIFFER', ', ',
            count($e->violations()), " violation(s), message: ", $e->getMessage() === '' ? 'empty' : 'set', "\n";
    }
}

echo "catchable as \\InvalidArgumentException, with a message naming the first problem:\n";
try {
    $validator->assertValid(fixture('vendor.profile', 'invalid-contact-email'));
} catch (\InvalidArgumentException $e) {
    var_dump(str_contains($e->getMessage(), 'security-at-northwind') || str_contains($e->getMessage(), '/payload/contacts/1/email'));
}

echo "strict:\n";
$envelope = fixture('asset.discovery');
$envelope['payload']['attributes']['apiKey'] = 'x';
(new Validator())->assertValid($envelope);
echo "non-strict: no exception\n";
try {
    (new Validator(null, ['strict' => true]))->assertValid($envelope);
} catch (ValidationException $e) {
    show($e->violations());
}
?>
--EXPECT--
NULL
NULL
bool(true)
schema: PhpGrc\Bus\ValidationException, violations() === validate(), 1 violation(s), message: set
schemaRef: PhpGrc\Bus\ValidationException, violations() === validate(), 1 violation(s), message: set
headers: PhpGrc\Bus\ValidationException, violations() === validate(), 4 violation(s), message: set
several, JSON string: PhpGrc\Bus\ValidationException, violations() === validate(), 3 violation(s), message: set
catchable as \InvalidArgumentException, with a message naming the first problem:
bool(true)
strict:
non-strict: no exception
  /payload/attributes/apiKey [secret]
