--TEST--
Builders: input that cannot make a valid envelope throws PhpGrc\Bus\EnvelopeException whose message names what is wrong (every violation); no envelope is returned
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{EnvelopeException, Run};

$run = new Run('aws-config', '2.3.1');
[$event, $payload, $provenance] = builder_inputs('asset.discovery');
$without = function (array $a, string ...$keys) { foreach ($keys as $k) { unset($a[$k]); } return $a; };

$cases = [
    'unknown kind' => ['asset.discovered', $event, $payload, $provenance, [], ['asset.discovered', 'asset.discovery', 'auth.provider']],
    'kind in upper case' => ['ASSET.DISCOVERY', $event, $payload, $provenance, [], ['ASSET.DISCOVERY']],
    'emittedAt with +02:00' => ['asset.discovery', $event, $payload, $provenance, ['emittedAt' => '2026-01-01T10:00:00+02:00'], ['emittedAt', '2026-01-01T10:00:00+02:00']],
    'emittedAt with +00:00' => ['asset.discovery', $event, $payload, $provenance, ['emittedAt' => '2026-01-01T10:00:00+00:00'], ['emittedAt', '+00:00']],
    'emittedAt without a zone' => ['asset.discovery', $event, $payload, $provenance, ['emittedAt' => '2026-01-01T10:00:00'], ['emittedAt']],
    'emittedAt impossible date' => ['asset.discovery', $event, $payload, $provenance, ['emittedAt' => '2026-02-30T10:00:00Z'], ['emittedAt', '2026-02-30']],
    'receivedAt not a timestamp' => ['asset.discovery', $event, $payload, $provenance, ['receivedAt' => 'yesterday'], ['receivedAt', 'yesterday']],
    'receivedAt with -05:00' => ['asset.discovery', $event, $payload, $provenance, ['receivedAt' => '2026-01-01T05:00:00-05:00'], ['receivedAt']],
    'provenance.ingestedAt with -05:00' => ['asset.discovery', $event, $payload, ['ingestedAt' => '2026-01-01T10:00:00-05:00'] + $provenance, [], ['ingestedAt', '-05:00']],
    'id not a ULID' => ['asset.discovery', $event, $payload, $provenance, ['id' => '01jpbk4y8r3n6v0w2x5z7c9d1f'], ['01jpbk4y8r3n6v0w2x5z7c9d1f']],
    'payload missing tags' => ['asset.discovery', $event, $without($payload, 'tags'), $provenance, [], ['/payload', 'tags']],
    'payload missing tags, environment off the enum' => ['asset.discovery', $event, ['environment' => 'prod'] + $without($payload, 'tags'), $provenance, [], ['tags', '/payload/environment', 'prod']],
    'payload of another kind' => ['asset.discovery', $event, fixture('auth.provider')['payload'], $provenance, [], ['assetId']],
    'payload a list' => ['asset.discovery', $event, ['a', 'b'], $provenance, [], ['payload']],
    'payload with a secret' => ['asset.discovery', $event, ['attributes' => ['apiKey' => 'AKIA']] + $payload, $provenance, [], ['apiKey']],
    'event not a dotted lowercase name' => ['asset.discovery', 'Asset Upserted', $payload, $provenance, [], ['/event', 'Asset Upserted']],
    'priority urgent' => ['asset.discovery', $event, $payload, $provenance, ['priority' => 'urgent'], ['/priority', 'urgent']],
    'meta a list' => ['asset.discovery', $event, $payload, $provenance, ['meta' => ['a', 'b']], ['/meta']],
    'attachments empty' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => []], ['/attachments']],
    'attachment over http' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => [['type' => 'log', 'uri' => 'http://x.example/a.log', 'contentType' => 'text/plain']]], ['/attachments/0/uri', 'http://x.example/a.log']],
    'attachment URI with credentials' => ['asset.discovery', $event, $payload, $provenance, ['attachments' => [['type' => 'log', 'uri' => 'https://user:pw@x.example/a.log', 'contentType' => 'text/plain']]], ['/attachments/0/uri']],
    'provenance empty' => ['asset.discovery', $event, $payload, [], [], ['source', 'externalId']],
    'provenance with an unknown member' => ['asset.discovery', $event, $payload, ['accountPassword' => 'x'] + $provenance, [], ['accountPassword']],
    'provenance.schemaRef of another kind' => ['asset.discovery', $event, $payload, ['schemaRef' => PhpGrc\Bus\Envelope::schemaRef('asset.lifecycle')] + $provenance, [], ['schemaRef']],
    'provenance.checksum not of this payload' => ['asset.discovery', $event, $payload, ['checksum' => str_repeat('a', 64)] + $provenance, [], ['checksum']],
];
foreach ($cases as $label => [$kind, $ev, $p, $prov, $options, $needles]) {
    unset($env);
    try {
        $env = $run->envelope($kind, $ev, $p, $prov, $options);
        echo "$label: built, no exception\n";
    } catch (EnvelopeException $e) {
        $missing = array_filter($needles, fn ($n) => !str_contains($e->getMessage(), $n));
        echo "$label: EnvelopeException", $missing === [] ? '' : ' NOT naming ' . implode(', ', $missing) . ": {$e->getMessage()}", "\n";
    } catch (Throwable $e) {
        echo "$label: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
    if (isset($env)) {
        echo "  an envelope was returned\n";
    }
}
?>
--EXPECT--
unknown kind: EnvelopeException
kind in upper case: EnvelopeException
emittedAt with +02:00: EnvelopeException
emittedAt with +00:00: EnvelopeException
emittedAt without a zone: EnvelopeException
emittedAt impossible date: EnvelopeException
receivedAt not a timestamp: EnvelopeException
receivedAt with -05:00: EnvelopeException
provenance.ingestedAt with -05:00: EnvelopeException
id not a ULID: EnvelopeException
payload missing tags: EnvelopeException
payload missing tags, environment off the enum: EnvelopeException
payload of another kind: EnvelopeException
payload a list: EnvelopeException
payload with a secret: EnvelopeException
event not a dotted lowercase name: EnvelopeException
priority urgent: EnvelopeException
meta a list: EnvelopeException
attachments empty: EnvelopeException
attachment over http: EnvelopeException
attachment URI with credentials: EnvelopeException
provenance empty: EnvelopeException
provenance with an unknown member: EnvelopeException
provenance.schemaRef of another kind: EnvelopeException
provenance.checksum not of this payload: EnvelopeException
