--TEST--
Envelope::checksum(): lowercase hex SHA-256 of the canonical JSON, the same for array, JSON string and stdClass input; what strict validation checks provenance.checksum against
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Validator};

$strict = new Validator(null, ['strict' => true]);
$payload = ['zone' => 'eu/1', 'name' => 'Café', 'n' => [1, 2, ['b' => true, 'a' => null]]];
$sum = Envelope::checksum($payload);
echo preg_match('/^[0-9a-f]{64}$/', $sum) ? "lowercase hex SHA-256\n" : "not lowercase hex: $sum\n";
var_dump($sum === hash('sha256', Envelope::canonicalJson($payload)));
var_dump($sum === hash('sha256', canonical_json($payload)));
var_dump($sum === Envelope::checksum(json_encode($payload)), $sum === Envelope::checksum(json_decode(json_encode($payload))));
var_dump($sum === Envelope::checksum(json_encode($payload, JSON_PRETTY_PRINT)));
var_dump($sum === Envelope::checksum(array_reverse($payload, true)));
var_dump($sum !== Envelope::checksum(['zone' => 'eu/2'] + $payload));

echo "[] and {}:\n";
echo Envelope::checksum([]) === hash('sha256', '[]') ? "array [] is []\n" : "array [] is not []\n";
echo Envelope::checksum(new stdClass()) === hash('sha256', '{}') ? "stdClass is {}\n" : "stdClass is not {}\n";
echo Envelope::checksum('{}') === hash('sha256', '{}') ? "'{}' is {}\n" : "'{}' is not {}\n";

echo "each fixture, its checksum set to checksum(payload), passes strict validation in every form:\n";
foreach (KINDS as $kind) {
    $envelope = fixture($kind);
    $envelope['provenance']['checksum'] = Envelope::checksum($envelope['payload']);
    $json = fixture_json($kind);
    $fromString = json_decode($json);
    $fromString->provenance->checksum = Envelope::checksum($fromString->payload);
    printf("  %s: %d %d %d\n", $kind, count($strict->validate($envelope)), count($strict->validate(json_encode($envelope))), count($strict->validate($fromString)));
}
echo "invalid JSON string: ";
try {
    Envelope::checksum('{"a":1');
    echo "no exception\n";
} catch (InvalidArgumentException $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
lowercase hex SHA-256
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
[] and {}:
array [] is []
stdClass is {}
'{}' is {}
each fixture, its checksum set to checksum(payload), passes strict validation in every form:
  asset.discovery: 0 0 0
  asset.lifecycle: 0 0 0
  incident.event: 0 0 0
  vendor.profile: 0 0 0
  indicator.metric: 0 0 0
  cyber.metric: 0 0 0
  auth.provider: 0 0 0
invalid JSON string: InvalidArgumentException
