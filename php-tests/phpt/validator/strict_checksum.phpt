--TEST--
Strict mode: provenance.checksum must be the SHA-256 of the payload's canonical JSON (RFC 8785); non-strict only checks its pattern
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

/**
 * RFC 8785 (JCS) for what this test feeds it: strings, ints, bools, null, lists and maps with
 * ASCII keys (byte order = UTF-16 order). Floats are out of scope (ECMAScript number formatting).
 */
function canonical_json(mixed $value): string
{
    if (is_array($value) && array_is_list($value)) {
        return '[' . implode(',', array_map('canonical_json', $value)) . ']';
    }
    if (is_array($value)) {
        ksort($value, SORT_STRING);
        $members = [];
        foreach ($value as $key => $member) {
            $members[] = canonical_json((string) $key) . ':' . canonical_json($member);
        }
        return '{' . implode(',', $members) . '}';
    }
    if (is_string($value) || is_int($value) || is_bool($value) || $value === null) {
        // JCS escapes only " \ and C0 controls (short forms where JSON has them, else \u00xx lowercase).
        return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_LINE_TERMINATORS | JSON_THROW_ON_ERROR);
    }
    throw new LogicException('canonical_json: ' . get_debug_type($value) . ' is out of scope');
}

$strict = new Validator(null, ['strict' => true]);
$lenient = new Validator();

$envelope = fixture('asset.lifecycle');
// Strings that exercise the escaping, keys whose order differs from byte order.
$envelope['payload']['reason'] = "Ersetzt durch pg-prod-eu — Café \"Nord\"\n\tsiehe https://wiki.example.com/chg/10422 \x01 end";
$envelope['payload']['details']['Zone'] = 'eu-central-1a';
$envelope['payload']['details']['_rev'] = 7;
$envelope['payload']['details']['nullable'] = null;
$envelope['payload']['details']['steps'] = ['drain', 'snapshot', 'wipe'];
echo canonical_json(['b' => 1, 'a' => [true, null, 'x/y'], 'A' => ['_' => 'é']]), "\n";

$right = hash('sha256', canonical_json($envelope['payload']));
$envelope['provenance']['checksum'] = $right;
echo "right checksum, strict:\n";
show($strict->validate($envelope));
echo "right checksum, JSON string and stdClass input:\n";
show($strict->validate(json_encode($envelope)));
show($strict->validate(json_decode(json_encode($envelope))));

echo "checksum of the payload serialized in its own (non-canonical) order:\n";
$envelope['provenance']['checksum'] = hash('sha256', json_encode($envelope['payload']));
var_dump($envelope['provenance']['checksum'] !== $right);
show($strict->validate($envelope));

echo "wrong checksum:\n";
$wrong = hash('sha256', 'something else');
$envelope['provenance']['checksum'] = $wrong;
$violations = $strict->validate($envelope);
show($violations);
var_dump(mentions($violations, $wrong));
echo "wrong checksum, non-strict:\n";
show($lenient->validate($envelope));

echo "payload changed after the checksum was taken:\n";
$envelope['provenance']['checksum'] = $right;
$envelope['payload']['status'] = 'decommissioned';
show($strict->validate($envelope));

echo "no checksum at all, strict:\n";
unset($envelope['provenance']['checksum']);
show($strict->validate($envelope));
?>
--EXPECT--
{"A":{"_":"é"},"a":[true,null,"x/y"],"b":1}
right checksum, strict:
  (none)
right checksum, JSON string and stdClass input:
  (none)
  (none)
checksum of the payload serialized in its own (non-canonical) order:
bool(true)
  /provenance/checksum [checksum]
wrong checksum:
  /provenance/checksum [checksum]
bool(true)
wrong checksum, non-strict:
  (none)
payload changed after the checksum was taken:
  /provenance/checksum [checksum]
no checksum at all, strict:
  (none)
