--TEST--
Formats are asserted: date-time (RFC 3339, real calendar dates), uri (absolute), email
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

function emitted_at(string $value): void
{
    global $validator;
    $envelope = fixture('asset.discovery');
    $envelope['emittedAt'] = $value;
    $violations = $validator->validate($envelope);
    printf("%-32s", json_encode($value));
    echo $violations === [] ? "ok" : implode(' ', array_map(fn ($v) => "{$v['path']} [{$v['keyword']}]", $violations)), "\n";
    if ($violations !== [] && !mentions($violations, $value)) {
        echo "  the message does not name the value\n";
    }
}
echo "date-time:\n";
emitted_at('2026-02-30T10:00:00Z');      // no 30 February
emitted_at('2025-02-29T10:00:00Z');      // 2025 is not a leap year
emitted_at('2024-02-29T10:00:00Z');      // 2024 is
emitted_at('2026-04-31T00:00:00Z');      // April has 30 days
emitted_at('2026-13-01T00:00:00Z');
emitted_at('2026-03-14T24:00:00Z');
emitted_at('2026-03-14T10:60:00Z');
emitted_at('2026-03-14');                // a date, not a date-time
emitted_at('2026-03-14T10:00:00');       // no offset
emitted_at('14/03/2026 10:00');
emitted_at('2026-03-14T10:00:00.123456Z');
emitted_at('2026-03-14T10:00:00+02:00'); // not UTC, but a valid date-time (strict mode rejects it)

echo "uri (provenance.schemaRef):\n";
foreach ([
    'integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery',
    '/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery',
    'urn:phpgrc:schemas:bus#/$defs/payloadAssetDiscovery',
] as $ref) {
    $envelope = fixture('asset.discovery');
    $envelope['provenance']['schemaRef'] = $ref;
    echo '  ', $ref, ': ';
    $violations = $validator->validate($envelope);
    echo $violations === [] ? 'ok' : implode(' ', array_map(fn ($v) => "{$v['path']} [{$v['keyword']}]", $violations)), "\n";
}

echo "email (vendor contacts):\n";
foreach (['not-an-email', 'two@@example.com', 'risk.office@northwind.example'] as $email) {
    $envelope = fixture('vendor.profile');
    $envelope['payload']['contacts'][0]['email'] = $email;
    $violations = $validator->validate($envelope);
    echo '  ', $email, ': ', $violations === [] ? 'ok' : implode(' ', array_map(fn ($v) => "{$v['path']} [{$v['keyword']}]", $violations)), "\n";
    if ($violations !== [] && !mentions($violations, $email)) {
        echo "  the message does not name the value\n";
    }
}
?>
--EXPECT--
date-time:
"2026-02-30T10:00:00Z"          /emittedAt [format]
"2025-02-29T10:00:00Z"          /emittedAt [format]
"2024-02-29T10:00:00Z"          ok
"2026-04-31T00:00:00Z"          /emittedAt [format]
"2026-13-01T00:00:00Z"          /emittedAt [format]
"2026-03-14T24:00:00Z"          /emittedAt [format]
"2026-03-14T10:60:00Z"          /emittedAt [format]
"2026-03-14"                    /emittedAt [format]
"2026-03-14T10:00:00"           /emittedAt [format]
"14\/03\/2026 10:00"            /emittedAt [format]
"2026-03-14T10:00:00.123456Z"   ok
"2026-03-14T10:00:00+02:00"     ok
uri (provenance.schemaRef):
  integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery: /provenance/schemaRef [format]
  /docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery: /provenance/schemaRef [format]
  urn:phpgrc:schemas:bus#/$defs/payloadAssetDiscovery: ok
email (vendor contacts):
  not-an-email: /payload/contacts/0/email [format]
  two@@example.com: /payload/contacts/0/email [format]
  risk.office@northwind.example: ok
