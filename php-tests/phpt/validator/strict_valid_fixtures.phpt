--TEST--
Strict mode: isStrict(), and every valid fixture (UTC, https/s3 attachments, no secrets, no checksum) passes strict validation
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;

var_dump((new Validator())->isStrict());
var_dump((new Validator(null, []))->isStrict());
var_dump((new Validator(null, ['strict' => false]))->isStrict());
$strict = new Validator(null, ['strict' => true]);
var_dump($strict->isStrict());

foreach (KINDS as $kind) {
    echo $kind, ': ';
    show($strict->validate(fixture($kind), fixture_headers($kind)));
}
echo 'large.json: ';
show($strict->validate(fixture_json('', 'large')));
echo "strict mode still applies the schema:\n";
show($strict->validate(fixture('asset.discovery', 'invalid-environment-enum')));
?>
--EXPECT--
bool(false)
bool(false)
bool(false)
bool(true)
asset.discovery:   (none)
asset.lifecycle:   (none)
incident.event:   (none)
vendor.profile:   (none)
indicator.metric:   (none)
cyber.metric:   (none)
auth.provider:   (none)
large.json:   (none)
strict mode still applies the schema:
  /payload/environment [enum]
