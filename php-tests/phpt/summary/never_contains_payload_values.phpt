--TEST--
Summary::of(): never copies a payload or meta value (nor attachment URIs), for fixtures and generated envelopes of every kind, in every input form
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\{Run, Summary};

/** Every string value (not key) in a tree, and every number as its JSON text when long enough to be telling. */
function leaf_values(mixed $value): array
{
    if (is_array($value)) {
        return array_merge([], ...array_map('leaf_values', array_values($value)));
    }
    if (is_string($value) && strlen($value) >= 4) {
        return [$value];
    }
    return [];
}

/**
 * The values of $tree found in the summary's JSON that the summary could not have taken from
 * elsewhere: not in the envelope's other members, not a listed key, not a summary key name.
 */
function leaks(array $summary, array $tree, array $envelope): array
{
    $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;
    $json = json_encode($summary, $flags);
    $elsewhere = json_encode([
        array_diff_key($envelope, ['payload' => 1, 'meta' => 1, 'attachments' => 1]),
        $summary['payload_keys'], $summary['meta_keys'], $summary['attachments']['types'],
        ['count', 'types', 'connector', 'key', 'version', 'provenance', 'source', 'external_id', 'correlation_id', 'replay', 'error'],
    ], $flags);
    return array_values(array_filter(leaf_values($tree), function ($v) use ($json, $elsewhere, $flags) {
        $text = trim(json_encode($v, $flags), '"');
        return str_contains($json, $text) && !str_contains($elsewhere, $text);
    }));
}

$at = new DateTimeImmutable('2026-03-14T12:00:00Z');
$checked = 0;
$report = function (string $label, array $envelope) use ($at, &$checked) {
    $tree = [$envelope['payload'] ?? [], $envelope['meta'] ?? [], array_column($envelope['attachments'] ?? [], 'uri')];
    foreach (['array' => $envelope, 'json' => json_encode($envelope), 'object' => json_decode(json_encode($envelope))] as $form => $input) {
        $found = leaks(Summary::of($input, $at), $tree, $envelope);
        if ($found !== []) {
            echo "$label ($form) leaks: ", implode(', ', $found), "\n";
        }
        $checked++;
    }
};

// Markers that could only come from values.
$envelope = fixture('asset.discovery');
$envelope['payload']['name'] = 'VALUE-MARKER-name';
$envelope['payload']['attributes']['owner'] = 'VALUE-MARKER-owner';
$envelope['payload']['tags'][] = 'VALUE-MARKER-tag';
$envelope['meta'] = ['collector' => 'VALUE-MARKER-meta', 'nested' => ['deep' => 'VALUE-MARKER-deep']];
$json = json_encode(Summary::of($envelope, $at));
echo "markers in the summary: ", substr_count($json, 'VALUE-MARKER'), "\n";
echo "keys listed: ", implode(' ', Summary::of($envelope, $at)['meta_keys']), "\n";

foreach (KINDS as $kind) {
    $report("$kind fixture", fixture($kind));
}
mt_srand(99);
$run = new Run('leak-check', '1.0.0');
for ($i = 0; $i < 70; $i++) {
    $kind = KINDS[$i % 7];
    $report("generated $kind #$i", $run->envelope($kind, EVENTS[$kind], gen_payload($kind), gen_provenance(), gen_options()));
}
echo "checked $checked summaries\n";
?>
--EXPECT--
markers in the summary: 0
keys listed: collector nested
checked 231 summaries
