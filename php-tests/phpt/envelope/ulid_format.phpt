--TEST--
ulid(): 26 Crockford base32 characters whose 48-bit timestamp part is the current time in milliseconds
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use function PhpGrc\Bus\ulid;

$bad = 0;
$offBy = 0;
for ($i = 0; $i < 1000; $i++) {
    $before = now_millis();
    $id = ulid();
    $after = now_millis();
    if (!is_string($id) || strlen($id) !== 26 || !preg_match(ULID_PATTERN, $id)) {
        $bad++;
        echo "not a ULID: ", var_export($id, true), "\n";
    }
    // Monotonic ids may run a little ahead of the clock within one millisecond, never behind it.
    $ms = ulid_millis($id);
    if ($ms < $before - 1 || $ms > $after + 5) {
        $offBy++;
        echo "timestamp part $ms outside [$before, $after]\n";
    }
}
echo "bad format: $bad, timestamp off: $offBy\n";

// Crockford base32 leaves out I, L, O and U; ids are upper case.
$all = implode('', array_map(fn () => ulid(), range(1, 2000)));
var_dump(strpbrk($all, 'ILOUabcdefghijklmnopqrstuvwxyz'));
// The first character holds only the top 3 bits of 48 (max 7) for any time before year 10889.
var_dump(strspn($all[0], '01234567') === 1);
// The random part varies.
var_dump(count(array_unique(array_map(fn () => substr(ulid(), 10), range(1, 100)))) === 100);
?>
--EXPECT--
bad format: 0, timestamp off: 0
bool(false)
bool(true)
bool(true)
