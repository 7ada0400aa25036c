--TEST--
Empty PHP array: accepted where the schema expects an object or an array; not a wildcard for other types
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

function try_with(string $label, string $kind, callable $change): void
{
    global $validator;
    $envelope = fixture($kind);
    $change($envelope);
    echo "$label:\n";
    show(sorted($validator->validate($envelope)));
}

// [] where the schema wants an object: taken as {}.
try_with('meta => []', 'asset.discovery', function (&$e) { $e['meta'] = []; });
try_with('payload.attributes => [] (object of scalars/lists)', 'asset.discovery', function (&$e) { $e['payload']['attributes'] = []; });
try_with('payload.details => [] (asset.lifecycle, object)', 'asset.lifecycle', function (&$e) { $e['payload']['details'] = []; });
try_with('payload.details => [] (auth.provider, object)', 'auth.provider', function (&$e) { $e['payload']['details'] = []; });
try_with('payload.context => [] and threshold => []', 'indicator.metric', function (&$e) { $e['payload']['context'] = []; $e['payload']['threshold'] = []; });
try_with('payload.metrics => []', 'cyber.metric', function (&$e) { $e['payload']['metrics'] = []; });
try_with('payload.attributes => [] (vendor.profile)', 'vendor.profile', function (&$e) { $e['payload']['attributes'] = []; });
// [] where the schema wants an array: an empty array.
try_with('payload.tags => [] and relationships => []', 'asset.discovery', function (&$e) { $e['payload']['tags'] = []; $e['payload']['relationships'] = []; });
try_with('payload.contacts => [] (minItems 0)', 'vendor.profile', function (&$e) { $e['payload']['contacts'] = []; });
try_with('payload.services => [] (minItems 1)', 'vendor.profile', function (&$e) { $e['payload']['services'] = []; });
// Taken as {}, an empty payload still lacks its required members.
try_with('payload => [] (asset.lifecycle)', 'asset.lifecycle', function (&$e) { $e['payload'] = []; });
// Not a wildcard: [] where a string or number is expected, a non-empty list where an object is.
try_with('payload.name => []', 'asset.discovery', function (&$e) { $e['payload']['name'] = []; });
try_with('payload.riskScore => []', 'vendor.profile', function (&$e) { $e['payload']['riskScore'] = []; });
try_with("meta => ['a', 'b']", 'asset.discovery', function (&$e) { $e['meta'] = ['a', 'b']; });

echo "root []:\n";
$violations = $validator->validate([]);
echo count($violations), " violation(s), all required at the root: ";
var_dump(array_unique(array_map(fn ($v) => $v['path'] . ' ' . $v['keyword'], $violations)) === [' required']);
foreach (['id', 'busVersion', 'connectorKey', 'connectorVersion', 'tenantId', 'runId', 'kind', 'event', 'emittedAt', 'payload', 'provenance'] as $member) {
    if (!has($violations, '', 'required', $member)) {
        echo "no required violation names $member\n";
    }
}

// A JSON string is unambiguous: `[]` there is an array, and meta must be an object.
echo "JSON string with \"meta\": []:\n";
$json = str_replace('"meta":{"page":3,"pages":12,"collector":"config-aggregator"}', '"meta":[]', json_encode(fixture('asset.discovery')));
var_dump(str_contains($json, '"meta":[]'));
show($validator->validate($json));
echo "JSON string with \"meta\": {}:\n";
show($validator->validate(str_replace('"meta":[]', '"meta":{}', $json)));
?>
--EXPECT--
meta => []:
  (none)
payload.attributes => [] (object of scalars/lists):
  (none)
payload.details => [] (asset.lifecycle, object):
  (none)
payload.details => [] (auth.provider, object):
  (none)
payload.context => [] and threshold => []:
  (none)
payload.metrics => []:
  (none)
payload.attributes => [] (vendor.profile):
  (none)
payload.tags => [] and relationships => []:
  (none)
payload.contacts => [] (minItems 0):
  (none)
payload.services => [] (minItems 1):
  /payload/services [minItems]
payload => [] (asset.lifecycle):
  /payload [required]
  /payload [required]
  /payload [required]
payload.name => []:
  /payload/name [type]
payload.riskScore => []:
  /payload/riskScore [type]
meta => ['a', 'b']:
  /meta [type]
root []:
11 violation(s), all required at the root: bool(true)
JSON string with "meta": []:
bool(true)
  /meta [type]
JSON string with "meta": {}:
  (none)
