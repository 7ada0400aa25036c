--TEST--
Strict mode: secret-looking keys anywhere in payload or provenance are rejected (keyword secret); non-strict accepts them
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;
$strict = new Validator(null, ['strict' => true]);
$lenient = new Validator();

function report(string $label, array $envelope): void
{
    global $strict, $lenient;
    echo "$label\n  strict:\n";
    $violations = sorted($strict->validate($envelope));
    foreach ($violations as $v) {
        $key = substr($v['path'], strrpos($v['path'], '/') + 1);
        printf("    %s [%s]%s\n", $v['path'], $v['keyword'],
            $v['keyword'] === 'secret' && !str_contains($v['message'], $key) ? ' (key NOT named)' : '');
    }
    echo "  non-strict:\n";
    foreach (sorted($lenient->validate($envelope)) as $v) {
        echo "    {$v['path']} [{$v['keyword']}]\n";
    }
}

$e = fixture('asset.lifecycle');
$e['payload']['details']['password'] = 'hunter2';
report('payload.details.password', $e);

$e = fixture('asset.discovery');
$e['payload']['attributes']['apiKey'] = 'AKIAIOSFODNN7EXAMPLE';
report('payload.attributes.apiKey', $e);

$e = fixture('auth.provider');
$e['payload']['details']['oauth'] = ['clientId' => 'phpgrc', 'client_secret' => 'c2VjcmV0'];
report('payload.details.oauth.client_secret (nested)', $e);

$e = fixture('auth.provider');
$e['payload']['details']['keys'] = [['kid' => 'k1', 'privateKey' => '-----BEGIN PRIVATE KEY-----']];
report('payload.details.keys[0].privateKey (inside a list)', $e);

$e = fixture('auth.provider');
$e['payload']['details']['accessToken'] = 'eyJhbGciOiJIUzI1NiJ9.e30.x';
report('payload.details.accessToken', $e);

$e = fixture('vendor.profile');
$e['payload']['attributes']['portal'] = ['url' => 'https://portal.northwind.example', 'password' => 'pw'];
$e['payload']['attributes']['apiKey'] = 'k';
report('two secrets in vendor attributes', $e);

$e = fixture('asset.discovery');
$e['provenance']['accessToken'] = 'eyJhbGciOiJIUzI1NiJ9.e30.x';
report('provenance.accessToken (also not allowed by the schema)', $e);

$e = fixture('asset.lifecycle');
$e['payload']['details']['password'] = '';
report('an empty value is still a secret-looking key', $e);

echo "the value is never echoed:\n";
$e = fixture('asset.lifecycle');
$e['payload']['details']['password'] = 'hunter2-do-not-log';
var_dump(mentions($strict->validate($e), 'hunter2-do-not-log'));
?>
--EXPECT--
payload.details.password
  strict:
    /payload/details/password [secret]
  non-strict:
payload.attributes.apiKey
  strict:
    /payload/attributes/apiKey [secret]
  non-strict:
payload.details.oauth.client_secret (nested)
  strict:
    /payload/details/oauth/client_secret [secret]
  non-strict:
payload.details.keys[0].privateKey (inside a list)
  strict:
    /payload/details/keys/0/privateKey [secret]
  non-strict:
payload.details.accessToken
  strict:
    /payload/details/accessToken [secret]
  non-strict:
two secrets in vendor attributes
  strict:
    /payload/attributes/apiKey [secret]
    /payload/attributes/portal/password [secret]
  non-strict:
provenance.accessToken (also not allowed by the schema)
  strict:
    /provenance [additionalProperties]
    /provenance/accessToken [secret]
  non-strict:
    /provenance [additionalProperties]
an empty value is still a secret-looking key
  strict:
    /payload/details/password [secret]
  non-strict:
the value is never echoed:
bool(false)
