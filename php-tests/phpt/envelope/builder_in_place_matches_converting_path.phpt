--TEST--
Builders: an envelope built in place from plain PHP arrays equals the one the converting path builds from the same values (keys, order, values, {} as stdClass, checksum), and bad input throws the same exception class and message, for generated inputs of every kind
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

// Run::envelope() builds plain arrays in place; an input holding a PHP reference anywhere takes
// the converting path (PHP values → JSON values → PHP values), the builder's reference
// semantics. So each input is built twice: as generated, and as a twin whose one member is
// turned into a reference (the same value): both must give the same envelope or exception.

mt_srand(16);
$strict = new Validator(null, ['strict' => true]);
$runs = ['aws-config' => new Run('aws-config', '2025.10.0'), 'okta' => new Run('okta', '1.2.3-rc.1+b7', '01HZX9Q3K5M7N9P1R3S5T7V9W1')];
$kept = [];

/** $value with the member at $key (the first when null) made a reference to the same value. */
function with_reference(array $value, int|string|null $key = null): array
{
    global $kept;
    $key ??= array_key_first($value);
    $kept[] = &$value[$key];
    return $value;
}

/** The twin of one argument: a reference in payload, provenance, meta or attachments. */
function twin_args(array $args): array
{
    [$kind, $event, $payload, $provenance, $options] = $args;
    $parts = array_filter(['payload' => $payload, 'provenance' => $provenance, 'meta' => $options['meta'] ?? null,
        'attachments' => $options['attachments'] ?? null], fn ($part) => is_array($part) && $part !== []);
    if ($parts === []) {
        return $args;
    }
    $part = pick(array_keys($parts));
    match ($part) {
        'payload' => $payload = with_reference($payload),
        'provenance' => $provenance = with_reference($provenance),
        default => $options[$part] = with_reference($options[$part]),
    };
    return [$kind, $event, $payload, $provenance, $options];
}

/** What a build gives: the envelope serialized (stdClass, ints, floats and order kept), or the exception. */
function built_or_thrown(Run $run, array $args, bool $normalize): array
{
    try {
        $env = $run->envelope(...$args);
    } catch (Throwable $e) {
        return ['thrown', get_class($e) . ': ' . $e->getMessage()];
    }
    $given = $args[4];
    if ($normalize) {
        // Generated now or here: checked, then set aside (two builds are a millisecond apart).
        foreach (['id' => ULID_PATTERN, 'emittedAt' => UTC_MILLIS_PATTERN] as $member => $pattern) {
            if (!isset($given[$member])) {
                preg_match($pattern, $env[$member]) || print("generated $member {$env[$member]} malformed\n");
                $env[$member] = "($member)";
            }
        }
        if (!isset($args[3]['ingestedAt'])) {
            preg_match(UTC_MILLIS_PATTERN, $env['provenance']['ingestedAt']) || print("generated ingestedAt malformed\n");
            $env['provenance']['ingestedAt'] = '(ingestedAt)';
        }
    }
    return ['built', serialize($env), $env];
}

/** Builds both ways and reports a difference; returns the in-place outcome. */
function both_ways(string $label, Run $run, array $args, bool $normalize): array
{
    global $strict;
    $fast = built_or_thrown($run, $args, $normalize);
    $slow = built_or_thrown($run, twin_args($args), $normalize);
    if ($fast[1] !== $slow[1]) {
        echo "$label: differs\n  in place:   {$fast[1]}\n  converting: {$slow[1]}\n";
    }
    if ($fast[0] === 'built' && !$normalize) {
        $env = $fast[2];
        // What was built is what is validated and checksummed: as an array, as its JSON, and
        // through a JSON round trip that keeps {} and [] apart.
        $json = json_encode($env, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        foreach ([$env, $json, json_decode($json)] as $form) {
            if ($strict->validate($form, Envelope::headers($env)) !== []) {
                echo "$label: the built envelope fails the strict Validator as ", get_debug_type($form), "\n";
            }
        }
        $payloadJson = json_encode(json_decode($json)->payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        if ($env['provenance']['checksum'] !== Envelope::checksum($payloadJson)
            || $env['provenance']['checksum'] !== Envelope::checksum($env['payload'])
            || Envelope::canonicalJson($env['payload']) !== Envelope::canonicalJson($payloadJson)) {
            echo "$label: checksum is not the payload's\n";
        }
    }
    return $fast;
}

// ---- Generated inputs, valid by construction: with and without the generated members.
$kinds = array_keys(EVENTS);
$counts = ['built' => 0, 'thrown' => 0, 'objects' => 0];
for ($i = 0; $i < 1400; $i++) {
    $kind = $kinds[$i % count($kinds)];
    $options = gen_options();
    $provenance = gen_provenance();
    $fixed = $i % 2 === 0;
    if ($fixed) {
        $options['id'] = PhpGrc\Bus\ulid();
        $options['emittedAt'] ??= gen_time();
        $provenance['ingestedAt'] ??= gen_time();
    }
    $args = [$kind, EVENTS[$kind], gen_payload($kind), $provenance, $options];
    $fast = both_ways("generated $i ($kind)", $runs[pick(array_keys($runs))], $args, !$fixed);
    $counts[$fast[0]]++;
    if ($fast[0] === 'built' && str_contains($fast[1], 'O:8:"stdClass":0:{}')) {
        $counts['objects']++;
    }
}
printf("generated: %d built (%d with an empty array made {}), %d thrown\n", $counts['built'], $counts['objects'], $counts['thrown']);

// ---- Each input the builder refuses or resolves, and hostile values, both ways.
$run = $runs['aws-config'];
[$event, $payload, $provenance, $options] = builder_inputs('asset.discovery');
unset($options['id']);
$with = fn (array $a, array $b) => array_replace($a, $b);
$self = ['x' => 1];
$self['self'] = &$self;
$file = fopen('php://memory', 'r');
$deep = [];
for ($d = 0; $d < 200; $d++) {
    $deep = ['d' => $deep];
}
$cases = [
    'valid' => ['asset.discovery', $event, $payload, $provenance, $options],
    'unknown kind' => ['asset.discovered', $event, $payload, $provenance, $options],
    'id not a ULID' => ['asset.discovery', $event, $payload, $provenance, ['id' => 'x'] + $options],
    'emittedAt not UTC' => ['asset.discovery', $event, $payload, $provenance, ['emittedAt' => '2026-01-01T10:00:00+02:00'] + $options],
    'receivedAt not UTC' => ['asset.discovery', $event, $payload, $provenance, ['receivedAt' => '2026-01-01T10:00:00'] + $options],
    'ingestedAt not UTC' => ['asset.discovery', $event, $payload, $with($provenance, ['ingestedAt' => '2026-01-01T10:00:00-05:00']), $options],
    'ingestedAt not a string' => ['asset.discovery', $event, $payload, $with($provenance, ['ingestedAt' => 12]), $options],
    'schemaRef given, right' => ['asset.discovery', $event, $payload, $with($provenance, ['schemaRef' => Envelope::schemaRef('asset.discovery')]), $options],
    'schemaRef given, another kind' => ['asset.discovery', $event, $payload, $with($provenance, ['schemaRef' => Envelope::schemaRef('auth.provider')]), $options],
    'checksum given, right' => ['asset.discovery', $event, $payload, ['checksum' => Envelope::checksum(json_encode($payload))] + $provenance, $options],
    'checksum given, upper case' => ['asset.discovery', $event, $payload, ['checksum' => strtoupper(Envelope::checksum(json_encode($payload)))] + $provenance, $options],
    'checksum given, wrong' => ['asset.discovery', $event, $payload, $with($provenance, ['checksum' => str_repeat('a', 64)]), $options],
    'checksum given, not a string' => ['asset.discovery', $event, $payload, $with($provenance, ['checksum' => 1]), $options],
    'payload off the enum' => ['asset.discovery', $event, $with($payload, ['environment' => 'moon']), $provenance, $options],
    'payload member unknown' => ['asset.discovery', $event, $with($payload, ['colour' => 'red']), $provenance, $options],
    'payload with a secret' => ['asset.discovery', $event, $with($payload, ['attributes' => ['db_password' => 'x']]), $provenance, $options],
    'provenance with a secret' => ['asset.discovery', $event, $payload, $with($provenance, ['sourceToken' => 'x']), $options],
    'payload timestamp not UTC' => ['asset.lifecycle', 'asset.retired', ['assetId' => 'a', 'status' => 'retired', 'effectiveAt' => '2026-01-01T10:00:00+01:00'], $provenance, $options],
    'payload integer beyond 2^53' => ['asset.discovery', $event, $with($payload, ['attributes' => ['bytes' => 9007199254740993]]), $provenance, $options],
    'payload integer at 2^53-1' => ['asset.discovery', $event, $with($payload, ['attributes' => ['bytes' => 9007199254740991, 'ratio' => -0.0, 'big' => 1e300]]), $provenance, $options],
    'payload empty' => ['asset.discovery', $event, [], $provenance, $options],
    'payload a list' => ['asset.discovery', $event, ['a', 'b'], $provenance, $options],
    'payload with integer keys' => ['asset.discovery', $event, $with($payload, ['attributes' => [5 => 'five', -1 => 'minus', 'x' => 'y']]), $provenance, $options],
    'payload list with a hole' => ['asset.discovery', $event, $with($payload, ['tags' => [0 => 'a', 2 => 'b']]), $provenance, $options],
    'attributes [] becomes {}' => ['asset.discovery', $event, $with($payload, ['attributes' => []]), $provenance, $options],
    'tags [] stays []' => ['asset.discovery', $event, $with($payload, ['tags' => [], 'attributes' => ['list' => []]]), $provenance, $options],
    'details [] becomes {}' => ['asset.lifecycle', 'asset.retired', ['assetId' => 'a', 'status' => 'retired', 'effectiveAt' => '2026-01-01T10:00:00Z', 'details' => []], $provenance, $options],
    'details with [] inside' => ['asset.lifecycle', 'asset.retired', ['assetId' => 'a', 'status' => 'retired', 'effectiveAt' => '2026-01-01T10:00:00Z', 'details' => ['a' => [], 'b' => ['c' => []]]], $provenance, $options],
    'relationships [[]]' => ['asset.discovery', $event, $with($payload, ['relationships' => [[]]]), $provenance, $options],
    'one array shared twice, [] inside' => ['asset.lifecycle', 'asset.retired', ['assetId' => 'a', 'status' => 'retired', 'effectiveAt' => '2026-01-01T10:00:00Z', 'details' => ['p' => $self2 = ['e' => []], 'q' => $self2]], $provenance, $options],
    'meta []' => ['asset.discovery', $event, $payload, $provenance, ['meta' => []] + $options],
    'meta with [] inside' => ['asset.discovery', $event, $payload, $provenance, ['meta' => ['page' => [], 'of' => ['x' => []]]] + $options],
    'meta a list' => ['asset.discovery', $event, $payload, $provenance, ['meta' => ['a']] + $options],
    'meta null' => ['asset.discovery', $event, $payload, $provenance, ['meta' => null] + $options],
    'meta a string' => ['asset.discovery', $event, $payload, $provenance, ['meta' => 'x'] + $options],
    'attachments []' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => []] + $options],
    'attachments [[]]' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => [[]]] + $options],
    'attachment over http' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => [['type' => 'log', 'uri' => 'HTTP://x.example/a', 'contentType' => 'text/plain']]] + $options],
    'attachment scheme in capitals' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => [['type' => 'log', 'uri' => 'HTTPS://x.example/a', 'contentType' => 'text/plain']]] + $options],
    'priority an int' => ['asset.discovery', $event, $payload, $provenance, ['priority' => 2] + $options],
    'priority null' => ['asset.discovery', $event, $payload, $provenance, ['priority' => null] + $options],
    'unknown option' => ['asset.discovery', $event, $payload, $provenance, ['colour' => null] + $options],
    'integer option key' => ['asset.discovery', $event, $payload, $provenance, [0 => 'x'] + $options],
    'provenance empty' => ['asset.discovery', $event, $payload, [], $options],
    'provenance a list' => ['asset.discovery', $event, $payload, ['a', 'b'], $options],
    'provenance with an integer key' => ['asset.discovery', $event, $payload, [7 => 'x'] + $provenance, $options],
    'provenance with [] inside' => ['asset.discovery', $event, $payload, $with($provenance, ['replay' => []]), $options],
    'event invalid' => ['asset.discovery', 'Asset Upserted', $payload, $provenance, $options],
    'non-ASCII everywhere' => ['asset.discovery', 'asset.upserted', $with($payload, ['name' => 'Zürich 東京 😀', 'attributes' => ['clé' => "tab\there", 'Kelvin' => 'x']]), $with($provenance, ['source' => 'café']), $options],
    'secret by Unicode case' => ['asset.discovery', $event, $with($payload, ['attributes' => ["api\u{212A}ey" => 'x']]), $provenance, $options],
    'invalid UTF-8 value' => ['asset.discovery', $event, $with($payload, ['name' => "bad \xff"]), $provenance, $options],
    'invalid UTF-8 key' => ['asset.discovery', $event, $with($payload, ['attributes' => ["k\xff" => 1]]), $provenance, $options],
    'NaN' => ['asset.discovery', $event, $with($payload, ['attributes' => ['x' => NAN]]), $provenance, $options],
    'INF in meta' => ['asset.discovery', $event, $payload, $provenance, ['meta' => ['x' => INF]] + $options],
    'resource' => ['asset.discovery', $event, $with($payload, ['attributes' => ['f' => $file]]), $provenance, $options],
    'object' => ['asset.discovery', $event, $with($payload, ['attributes' => ['d' => new DateTimeImmutable('2026-01-01')]]), $provenance, $options],
    'stdClass members' => ['asset.discovery', $event, $with($payload, ['attributes' => (object) ['a' => 1, 'b' => 'x']]), $provenance, $options],
    'stdClass meta' => ['asset.discovery', $event, $payload, $provenance, ['meta' => (object) []] + $options],
    'empty stdClass where a list goes' => ['asset.discovery', $event, $with($payload, ['tags' => (object) []]), $provenance, $options],
    'self-reference' => ['asset.discovery', $event, $with($payload, ['attributes' => $self]), $provenance, $options],
    'nesting deeper than the limit' => ['asset.discovery', $event, $with($payload, ['attributes' => $deep]), $provenance, $options],
];
foreach ($cases as $label => $args) {
    $fast = both_ways($label, $run, $args, true);
    echo "$label: ", $fast[0] === 'built' ? 'built' . (str_contains($fast[1], 'O:8:"stdClass":0:{}') ? ', with {}' : '') : $fast[1], "\n";
}
echo count($cases), " cases compared\n";
?>
--EXPECTF--
generated: 1400 built (%d with an empty array made {}), 0 thrown
valid: built
unknown kind: PhpGrc\Bus\EnvelopeException: unknown kind "asset.discovered"; the contract's kinds are asset.discovery, asset.lifecycle, incident.event, vendor.profile, indicator.metric, cyber.metric, auth.provider
id not a ULID: PhpGrc\Bus\EnvelopeException: id "x" is not a ULID (26 upper-case Crockford base32 characters)
emittedAt not UTC: PhpGrc\Bus\EnvelopeException: emittedAt "2026-01-01T10:00:00+02:00" is not an RFC 3339 UTC timestamp ending in Z, e.g. "2026-11-26T19:31:25.123Z"
receivedAt not UTC: PhpGrc\Bus\EnvelopeException: receivedAt "2026-01-01T10:00:00" is not an RFC 3339 UTC timestamp ending in Z, e.g. "2026-11-26T19:31:25.123Z"
ingestedAt not UTC: PhpGrc\Bus\EnvelopeException: provenance.ingestedAt "2026-01-01T10:00:00-05:00" is not an RFC 3339 UTC timestamp ending in Z, e.g. "2026-11-26T19:31:25.123Z"
ingestedAt not a string: PhpGrc\Bus\EnvelopeException: provenance.ingestedAt must be an RFC 3339 UTC timestamp string, not a number
schemaRef given, right: built
schemaRef given, another kind: PhpGrc\Bus\EnvelopeException: provenance.schemaRef is derived by the builder ("https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/…" (107 characters)); leave it out
checksum given, right: built
checksum given, upper case: PhpGrc\Bus\EnvelopeException: provenance.checksum is derived by the builder ("46b22538fe5438a9e9a9c5ea12f8cf3aa140fafd69824ce59244b8a3fb55806c"); leave it out
checksum given, wrong: PhpGrc\Bus\EnvelopeException: provenance.checksum is derived by the builder ("46b22538fe5438a9e9a9c5ea12f8cf3aa140fafd69824ce59244b8a3fb55806c"); leave it out
checksum given, not a string: PhpGrc\Bus\EnvelopeException: provenance.checksum is derived by the builder ("46b22538fe5438a9e9a9c5ea12f8cf3aa140fafd69824ce59244b8a3fb55806c"); leave it out
payload off the enum: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/environment [enum] "environment" (/payload/environment) is "moon", which is not one of ["production", "staging", "development", "test", "sandbox", "unknown"]
payload member unknown: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload [additionalProperties] "payload" (/payload) has unexpected property "colour"
payload with a secret: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/attributes/db_password [secret] member "db_password" looks like a secret; secrets must not travel on the bus
provenance with a secret: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /provenance [additionalProperties] "provenance" (/provenance) has unexpected property "sourceToken"; /provenance/sourceToken [secret] member "sourceToken" looks like a secret; secrets must not travel on the bus
payload timestamp not UTC: PhpGrc\Bus\EnvelopeException: the asset.lifecycle envelope would break the contract: /payload/effectiveAt [utc] timestamp "2026-01-01T10:00:00+01:00" must be in UTC, written with a 'Z' offset
payload integer beyond 2^53: PhpGrc\Bus\EnvelopeException: the payload has no checksum: the integer 9007199254740993 at /payload/attributes/bytes is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
payload integer at 2^53-1: built
payload empty: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload [required] "payload" (/payload) is missing required property "assetId"; /payload [required] "payload" (/payload) is missing required property "name"; /payload [required] "payload" (/payload) is missing required property "type"; /payload [required] "payload" (/payload) is missing required property "environment"; /payload [required] "payload" (/payload) is missing required property "tags"; /payload [required] "payload" (/payload) is missing required property "attributes"
payload a list: PhpGrc\Bus\EnvelopeException: payload must be an object (a map of field names to values), not an array
payload with integer keys: built
payload list with a hole: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/tags [type] "tags" (/payload/tags) must be of type array but is an object
attributes [] becomes {}: built, with {}
tags [] stays []: built
details [] becomes {}: built, with {}
details with [] inside: built
relationships [[]]: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/relationships/0 [required] "0" (/payload/relationships/0) is missing required property "type"; /payload/relationships/0 [required] "0" (/payload/relationships/0) is missing required property "target"
one array shared twice, [] inside: built
meta []: built, with {}
meta with [] inside: built
meta a list: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /meta [type] "meta" (/meta) must be of type object but is an array
meta null: built
meta a string: TypeError: option 'meta' must be of type array, string given
attachments []: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /attachments [minItems] "attachments" (/attachments) has 0 item(s), fewer than the minimum 1
attachments [[]]: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /attachments/0 [required] "0" (/attachments/0) is missing required property "type"; /attachments/0 [required] "0" (/attachments/0) is missing required property "uri"; /attachments/0 [required] "0" (/attachments/0) is missing required property "contentType"
attachment over http: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /attachments/0/uri [attachmentUri] attachment URI "HTTP://x.example/a" must use https:// or s3://
attachment scheme in capitals: built
priority an int: TypeError: option 'priority' must be of type string, int given
priority null: built
unknown option: InvalidArgumentException: unknown option "colour"; Run::envelope() accepts: priority, meta, attachments, emittedAt, receivedAt, id
integer option key: InvalidArgumentException: unknown option "0"; Run::envelope() accepts: priority, meta, attachments, emittedAt, receivedAt, id
provenance empty: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /provenance [required] "provenance" (/provenance) is missing required property "source"; /provenance [required] "provenance" (/provenance) is missing required property "externalId"
provenance a list: PhpGrc\Bus\EnvelopeException: provenance must be an array with string keys (source, externalId, ...)
provenance with an integer key: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /provenance [additionalProperties] "provenance" (/provenance) has unexpected property "7"
provenance with [] inside: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /provenance/replay [type] "replay" (/provenance/replay) must be of type boolean but is an array
event invalid: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /event [pattern] "event" (/event) is "Asset Upserted", which does not match the pattern "^[a-z]+(?:\.[a-z_]+)*$"
non-ASCII everywhere: built
secret by Unicode case: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/attributes/apiKey [secret] member "apiKey" looks like a secret; secrets must not travel on the bus
invalid UTF-8 value: InvalidArgumentException: string is not valid UTF-8 (invalid byte at offset 4) at /name
invalid UTF-8 key: InvalidArgumentException: array key is not valid UTF-8 (invalid byte at offset 1) at /attributes
NaN: InvalidArgumentException: NaN is not a finite number and has no JSON form (NaN/INF) at /attributes/x
INF in meta: InvalidArgumentException: inf is not a finite number and has no JSON form (NaN/INF) at /x
resource: InvalidArgumentException: a resource is not JSON data at /attributes/f
object: InvalidArgumentException: an object of class DateTimeImmutable is not JSON data (only arrays, scalars and stdClass are) at /attributes/d
stdClass members: built
stdClass meta: TypeError: option 'meta' must be of type array, stdClass given
empty stdClass where a list goes: PhpGrc\Bus\EnvelopeException: the asset.discovery envelope would break the contract: /payload/tags [type] "tags" (/payload/tags) must be of type array but is an object
self-reference: InvalidArgumentException: the value contains itself (a recursive reference), which has no JSON form at /attributes/self
nesting deeper than the limit: InvalidArgumentException: nesting deeper than the maximum depth of 128 (ini phpgrc_bus.max_depth) at /attributes/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/…/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d
61 cases compared
