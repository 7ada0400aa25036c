--TEST--
Builders: the envelope holds the caller's payload members, meta and attachments as PHP values do (shared until one side changes), so changing either side later changes only that side, and a build that resolves or fails leaves the caller's arrays as they were
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Run, Validator};

$run = new Run('aws-config', '2.3.1');
$strict = new Validator(null, ['strict' => true]);
$attributes = ['cpu' => 4, 'zones' => ['a', 'b']];
$payload = ['assetId' => 'i-1', 'name' => 'web-1', 'type' => 'ec2', 'environment' => 'production', 'tags' => ['pci'], 'attributes' => $attributes];
$meta = ['page' => 1, 'cursor' => ['next' => 'abc']];
$attachments = [['type' => 'log', 'uri' => 'https://x.example/a.log', 'contentType' => 'text/plain']];
$provenance = ['source' => 'aws-config', 'externalId' => 'i-1'];

// Shared, not copied: the envelope is one more holder of the caller's nested arrays.
$holders = function (array $value): int {
    ob_start();
    debug_zval_dump($value);
    preg_match('/refcount\((\d+)\)/', ob_get_clean(), $m);
    return (int) $m[1];
};
$before = [$holders($attributes), $holders($meta), $holders($attachments)];
$env = $run->envelope('asset.discovery', 'asset.upserted', $payload, $provenance, ['meta' => $meta, 'attachments' => $attachments]);
$after = [$holders($attributes), $holders($meta), $holders($attachments)];
echo "more holders of payload.attributes, meta, attachments: ", implode(' ', array_map(fn ($a, $b) => $a - $b, $after, $before)), "\n";

// Each side changes alone.
$env['payload']['attributes']['cpu'] = 8;
$env['meta']['cursor']['next'] = 'changed';
$env['attachments'][0]['uri'] = 'https://y.example/b.log';
$payload['name'] = 'renamed';
$attributes['zones'][] = 'c';
var_dump($payload['attributes']['cpu'], $meta['cursor']['next'], $attachments[0]['uri'], $env['payload']['name'], count($env['payload']['attributes']['zones']));
var_dump($env['payload']['attributes']['cpu'], $env['meta']['cursor']['next'], $env['attachments'][0]['uri']);

// `[]` made `{}` in the envelope only.
$empty = ['attributes' => []] + $payload;
$env = $run->envelope('asset.discovery', 'asset.upserted', $empty, $provenance, ['meta' => []]);
var_dump($env['payload']['attributes'], $env['meta'], $empty['attributes']);
show($strict->validate($env));

// A failed build (an empty array inside a shared list, resolved to {} on the way) leaves the caller's list alone.
$relationships = [[]];
$failing = ['relationships' => $relationships] + $payload;
try {
    $run->envelope('asset.discovery', 'asset.upserted', $failing, $provenance);
} catch (PhpGrc\Bus\EnvelopeException $e) {
    echo "thrown: ", str_contains($e->getMessage(), '/payload/relationships/0'), "\n";
}
var_dump($failing['relationships'], $relationships);

// A temporary payload outlives the call inside the envelope.
$env = $run->envelope('asset.discovery', 'asset.upserted', array_merge($payload, ['tags' => [str_repeat('x', 3)]]), $provenance);
gc_collect_cycles();
var_dump($env['payload']['tags']);
?>
--EXPECTF--
more holders of payload.attributes, meta, attachments: 1 1 1
int(4)
string(3) "abc"
string(23) "https://x.example/a.log"
string(5) "web-1"
int(2)
int(8)
string(7) "changed"
string(23) "https://y.example/b.log"
object(stdClass)#%d (0) {
}
object(stdClass)#%d (0) {
}
array(0) {
}
  (none)
thrown: 1
array(1) {
  [0]=>
  array(0) {
  }
}
array(1) {
  [0]=>
  array(0) {
  }
}
array(1) {
  [0]=>
  string(3) "xxx"
}
