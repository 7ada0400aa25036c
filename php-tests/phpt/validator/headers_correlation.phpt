--TEST--
Headers: x-phpgrc-correlation must equal provenance.correlationId, and is an error when the body has none
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

$withId = fixture('asset.discovery'); // provenance.correlationId 5f0c2a1e-8b7d-4c3a-9e21-6d4b0a7f1c93
$headers = fixture_headers('asset.discovery');
echo "equal:\n";
show($validator->validate($withId, $headers + ['x-phpgrc-correlation' => '5f0c2a1e-8b7d-4c3a-9e21-6d4b0a7f1c93']));
echo "different:\n";
$violations = $validator->validate($withId, $headers + ['x-phpgrc-correlation' => '00000000-0000-0000-0000-000000000000']);
show($violations);
var_dump(mentions($violations, 'x-phpgrc-correlation', '00000000-0000-0000-0000-000000000000', '5f0c2a1e-8b7d-4c3a-9e21-6d4b0a7f1c93'));
echo "different case of hex digits:\n";
show($validator->validate($withId, $headers + ['x-phpgrc-correlation' => '5F0C2A1E-8B7D-4C3A-9E21-6D4B0A7F1C93']));
echo "no header:\n";
show($validator->validate($withId, $headers));

$withoutId = fixture('vendor.profile'); // no provenance.correlationId
$headers = fixture_headers('vendor.profile');
echo "body has none, header given:\n";
$violations = $validator->validate($withoutId, $headers + ['x-phpgrc-correlation' => '9b2e4c6a8d0f1e3a']);
echo count($violations), " violation(s) [", implode(',', array_column($violations, 'keyword')), "]\n";
var_dump(mentions($violations, 'x-phpgrc-correlation', '9b2e4c6a8d0f1e3a'));
echo "body has none, no header:\n";
show($validator->validate($withoutId, $headers));
?>
--EXPECT--
equal:
  (none)
different:
  /provenance/correlationId [header]
bool(true)
different case of hex digits:
  /provenance/correlationId [header]
no header:
  (none)
body has none, header given:
1 violation(s) [header]
bool(true)
body has none, no header:
  (none)
