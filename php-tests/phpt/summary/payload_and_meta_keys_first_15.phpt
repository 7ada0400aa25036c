--TEST--
Summary::of(): payload_keys and meta_keys list the first 15 keys in their order (0, 1, 15, 16, 1000 keys), as strings, never sorted
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\Summary;

$at = new DateTimeImmutable('2026-03-14T12:00:00Z');
// Keys in reverse alphabetical order, so sorting would show.
$keys = fn (int $n) => array_map(fn ($i) => sprintf('z%04d', 9999 - $i), $n === 0 ? [] : range(0, $n - 1));
foreach ([0, 1, 15, 16, 1000] as $n) {
    $envelope = fixture('asset.lifecycle');
    $envelope['payload'] = array_fill_keys($keys($n), 'value');
    $envelope['meta'] = array_fill_keys(array_reverse($keys($n)), ['nested' => 'value']);
    $forms = [Summary::of($envelope, $at), Summary::of(json_encode($envelope), $at), Summary::of(json_decode(json_encode($envelope)), $at)];
    $s = $forms[0];
    printf("%4d keys: payload_keys %d, first 15 in order %s; meta_keys %d, first 15 in order %s; forms agree %s\n", $n,
        count($s['payload_keys']), var_export($s['payload_keys'] === array_slice($keys($n), 0, 15), true),
        count($s['meta_keys']), var_export($s['meta_keys'] === array_slice(array_reverse($keys($n)), 0, 15), true),
        var_export($forms[1] === $s && $forms[2] === $s, true));
}
echo "payload {} from JSON:\n";
$json = json_encode(['payload' => new stdClass(), 'meta' => new stdClass()]);
var_dump(Summary::of($json, $at)['payload_keys'], Summary::of($json, $at)['meta_keys']);
echo "no payload, no meta, or not objects:\n";
var_dump(Summary::of(['kind' => 'asset.lifecycle'], $at)['payload_keys'], Summary::of(['payload' => 'text', 'meta' => 7], $at)['meta_keys']);
echo "numeric keys are listed as strings:\n";
var_dump(Summary::of(['payload' => ['10' => 'a', 'b' => 1, 5 => 2]], $at)['payload_keys']);
echo "a fixture's own keys:\n";
echo implode(' ', Summary::of(fixture('asset.discovery'), $at)['payload_keys']), "\n";
echo implode(' ', Summary::of(fixture('asset.discovery'), $at)['meta_keys']), "\n";
?>
--EXPECT--
   0 keys: payload_keys 0, first 15 in order true; meta_keys 0, first 15 in order true; forms agree true
   1 keys: payload_keys 1, first 15 in order true; meta_keys 1, first 15 in order true; forms agree true
  15 keys: payload_keys 15, first 15 in order true; meta_keys 15, first 15 in order true; forms agree true
  16 keys: payload_keys 15, first 15 in order true; meta_keys 15, first 15 in order true; forms agree true
1000 keys: payload_keys 15, first 15 in order true; meta_keys 15, first 15 in order true; forms agree true
payload {} from JSON:
array(0) {
}
array(0) {
}
no payload, no meta, or not objects:
array(0) {
}
array(0) {
}
numeric keys are listed as strings:
array(3) {
  [0]=>
  string(2) "10"
  [1]=>
  string(1) "b"
  [2]=>
  string(1) "5"
}
a fixture's own keys:
assetId name type environment tags attributes relationships
page pages collector
