--TEST--
ulid(): 10,000 ids made in a loop are strictly increasing, so sorting ids sorts by creation order
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use function PhpGrc\Bus\ulid;

$ids = [];
for ($i = 0; $i < 10000; $i++) {
    $ids[] = ulid();
}
$notIncreasing = 0;
for ($i = 1; $i < count($ids); $i++) {
    if (strcmp($ids[$i - 1], $ids[$i]) >= 0) {
        if ($notIncreasing++ < 3) {
            echo "not increasing at $i: {$ids[$i - 1]} then {$ids[$i]}\n";
        }
    }
}
echo "not increasing: $notIncreasing\n";
echo "distinct: ", count(array_unique($ids)), "\n";

// Many ids share a millisecond in a tight loop: monotonicity must hold inside it too.
$sameMs = 0;
for ($i = 1; $i < count($ids); $i++) {
    $sameMs += substr($ids[$i - 1], 0, 10) === substr($ids[$i], 0, 10) ? 1 : 0;
}
var_dump($sameMs > 0);

$shuffled = $ids;
shuffle($shuffled);
sort($shuffled, SORT_STRING);
var_dump($shuffled === $ids);
?>
--EXPECT--
not increasing: 0
distinct: 10000
bool(true)
bool(true)
