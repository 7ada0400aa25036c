--TEST--
Envelope::canonicalJson(): RFC 8785 (JCS) — keys sorted by UTF-16 code units, no whitespace, unicode and slashes unescaped, ECMAScript numbers; JSON string, array and stdClass input
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use PhpGrc\Bus\Envelope;

// Makes the invisible characters JCS leaves unescaped visible in the expected output.
$visible = fn (string $s) => strtr($s, ["\u{7f}" => '<DEL>', "\u{80}" => '<U+0080>', "\u{2028}" => '<U+2028>', "\u{fb33}" => '<U+FB33>']);

echo "key sort, nesting, no whitespace:\n";
echo Envelope::canonicalJson(['b' => 1, 'a' => ['z' => true, 'y' => null], 'A' => 2, '_' => 3, '10' => 4, '1' => 5]), "\n";
echo Envelope::canonicalJson([56, ['d' => true, '10' => null, '1' => []]]), "\n";
echo "unicode and slashes unescaped, only \" \\ and controls escaped:\n";
echo $visible(Envelope::canonicalJson(['s' => "Café — 東京 😀 a/b \"q\" back\\slash \n\t\x01\x1f \u{7f} \u{80} \u{2028}"])), "\n";
echo "RFC 8785 section 3.2.2 (JSON string input):\n";
echo Envelope::canonicalJson('{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\\\\"\/",
  "literals": [null, true, false]
}'), "\n";
echo "RFC 8785 section 3.2.3, UTF-16 sort order (U+1F600 before U+FB33, which code point order would swap):\n";
echo $visible(Envelope::canonicalJson('{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}')), "\n";
echo "numbers from PHP:\n";
echo Envelope::canonicalJson(['i' => -7, 'f' => 1.0, 'g' => 0.1, 'z' => -0.0, 'e' => 1e21, 'h' => 1.5e-7]), "\n";
echo "empty PHP array is [], stdClass is {}:\n";
echo Envelope::canonicalJson(['list' => [], 'object' => new stdClass(), 'nested' => (object) ['b' => [], 'a' => (object) []]]), "\n";
echo "same result from array, JSON string and stdClass:\n";
$value = ['k' => 'v/ü', 'n' => [3, 2, 1], 'o' => ['y' => 1, 'x' => 2]];
$forms = [Envelope::canonicalJson($value), Envelope::canonicalJson(json_encode($value)), Envelope::canonicalJson(json_decode(json_encode($value)))];
var_dump(count(array_unique($forms)) === 1);
echo $forms[0], "\n";
echo "invalid JSON string:\n";
try {
    Envelope::canonicalJson('{"a":');
    echo "no exception\n";
} catch (InvalidArgumentException $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
key sort, nesting, no whitespace:
{"1":5,"10":4,"A":2,"_":3,"a":{"y":null,"z":true},"b":1}
[56,{"1":[],"10":null,"d":true}]
unicode and slashes unescaped, only " \ and controls escaped:
{"s":"Café — 東京 😀 a/b \"q\" back\\slash \n\t\u0001\u001f <DEL> <U+0080> <U+2028>"}
RFC 8785 section 3.2.2 (JSON string input):
{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}
RFC 8785 section 3.2.3, UTF-16 sort order (U+1F600 before U+FB33, which code point order would swap):
{"\r":"Carriage Return","1":"One","<U+0080>":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","<U+FB33>":"Hebrew Letter Dalet With Dagesh"}
numbers from PHP:
{"e":1e+21,"f":1,"g":0.1,"h":1.5e-7,"i":-7,"z":0}
empty PHP array is [], stdClass is {}:
{"list":[],"nested":{"a":{},"b":[]},"object":{}}
same result from array, JSON string and stdClass:
bool(true)
{"k":"v/ü","n":[3,2,1],"o":{"x":2,"y":1}}
invalid JSON string:
InvalidArgumentException
