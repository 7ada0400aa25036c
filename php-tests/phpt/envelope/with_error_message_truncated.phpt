--TEST--
Envelope::withError(): a message longer than 512 characters is cut to its first 512 characters (counted as characters, never cutting a multi-byte one); the result validates
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Validator};

$strict = new Validator(null, ['strict' => true]);
$env = fixture('incident.event');

$messages = [
    '511 ASCII' => str_repeat('a', 511),
    '512 ASCII' => str_repeat('b', 512),
    '513 ASCII' => str_repeat('c', 513),
    '10,000 ASCII' => str_repeat('0123456789', 1000),
    '600 x é (2 bytes)' => str_repeat('é', 600),
    '512 x 東 (3 bytes)' => str_repeat('東', 512),
    '513 x 😀 (4 bytes)' => str_repeat('😀', 513),
    '511 ASCII then 3 x 😀' => str_repeat('x', 511) . '😀😀😀',
    'mixed 1000' => str_repeat("a\u{e9}\u{6771}\u{1F600}\n", 200),
];
foreach ($messages as $label => $message) {
    $cut = Envelope::withError($env, 'E', $message, 1, 5)['error']['message'];
    printf("%s: %d chars, %d bytes, valid UTF-8 %s, prefix %s, validates %s\n", $label, mb_strlen($cut, 'UTF-8'), strlen($cut),
        var_export(mb_check_encoding($cut, 'UTF-8'), true), var_export(str_starts_with($message, $cut), true),
        var_export($strict->validate(Envelope::withError($env, 'E', $message, 1, 5)) === [], true));
}
?>
--EXPECT--
511 ASCII: 511 chars, 511 bytes, valid UTF-8 true, prefix true, validates true
512 ASCII: 512 chars, 512 bytes, valid UTF-8 true, prefix true, validates true
513 ASCII: 512 chars, 512 bytes, valid UTF-8 true, prefix true, validates true
10,000 ASCII: 512 chars, 512 bytes, valid UTF-8 true, prefix true, validates true
600 x é (2 bytes): 512 chars, 1024 bytes, valid UTF-8 true, prefix true, validates true
512 x 東 (3 bytes): 512 chars, 1536 bytes, valid UTF-8 true, prefix true, validates true
513 x 😀 (4 bytes): 512 chars, 2048 bytes, valid UTF-8 true, prefix true, validates true
511 ASCII then 3 x 😀: 512 chars, 515 bytes, valid UTF-8 true, prefix true, validates true
mixed 1000: 512 chars, 1125 bytes, valid UTF-8 true, prefix true, validates true
