--TEST--
Summary::of(): the summary of an array, of its JSON string and of its stdClass tree are identical (fixtures, invalid fixtures, built envelopes)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Summary};

$at = new DateTimeImmutable('2026-03-14 13:00:00.250', new DateTimeZone('Europe/Paris'));
$compare = function (string $label, string $json) use ($at): bool {
    $array = Summary::of(json_decode($json, true), $at);
    $same = $array === Summary::of($json, $at) && $array === Summary::of(json_decode($json), $at);
    if (!$same) {
        echo "differs: $label\n";
        var_dump($array, Summary::of($json, $at), Summary::of(json_decode($json), $at));
    }
    return $same;
};
$files = glob(FIXTURES . '/*/{valid,invalid-*}.json', GLOB_BRACE);
$files[] = FIXTURES . '/large.json';
$same = 0;
foreach ($files as $file) {
    $same += $compare(basename(dirname($file)) . '/' . basename($file), file_get_contents($file)) ? 1 : 0;
}
echo "fixtures: $same of ", count($files), " identical\n";

mt_srand(5);
$run = new Run('forms-check', '1.0.0');
$same = 0;
for ($i = 0; $i < 70; $i++) {
    $kind = KINDS[$i % 7];
    $env = $run->envelope($kind, EVENTS[$kind], gen_payload($kind), gen_provenance(), gen_options());
    if ($i % 3 === 0) {
        $env = Envelope::withError($env, 'E' . $i, 'failed ' . $i, 1 + $i % 4, 5, $i % 2 ? '2026-03-14T08:11:41Z' : null);
    }
    $same += $compare("generated #$i", json_encode($env)) ? 1 : 0;
}
echo "generated: $same of 70 identical\n";
// Without $receivedAt the three forms agree too when the envelope has receivedAt.
$json = fixture_json('asset.lifecycle');
var_dump(Summary::of($json) === Summary::of(json_decode($json, true)) && Summary::of($json) === Summary::of(json_decode($json)));
?>
--EXPECT--
fixtures: 53 of 53 identical
generated: 70 of 70 identical
bool(true)
