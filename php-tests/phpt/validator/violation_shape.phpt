--TEST--
validate(): a list of violations, each exactly {path, keyword, message} as strings, path an RFC 6901 pointer
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator(null, ['strict' => true]);

$envelope = fixture('incident.event');
$envelope['payload']['links'][1]['label'] = 'x';           // additionalProperties at /payload/links/1
$envelope['payload']['severity'] = 'high';
$envelope['emittedAt'] = '2026-03-14T10:07:31+02:00';       // strict: utc
$envelope['meta'] = ['a/b' => ['c~d' => 1]];                // fine: meta is free-form
$violations = $validator->validate($envelope, ['x-phpgrc-kind' => 'incident.event']);

var_dump(array_is_list($violations), count($violations) > 0);
$shapeOk = true;
foreach ($violations as $v) {
    $keys = array_keys($v);
    sort($keys);
    if ($keys !== ['keyword', 'message', 'path']
        || !is_string($v['path']) || !is_string($v['keyword']) || !is_string($v['message'])
        || $v['keyword'] === '' || $v['message'] === ''
        || ($v['path'] !== '' && $v['path'][0] !== '/')) {
        $shapeOk = false;
        var_dump($v);
    }
}
var_dump($shapeOk);
show(sorted($violations));

echo "tokens with / and ~ are escaped (~1, ~0):\n";
$envelope = fixture('cyber.metric');
$envelope['payload']['metrics']['cvss/max~v3'] = 'high';
show($validator->validate($envelope));
$envelope = fixture('asset.discovery');
$envelope['payload']['attributes']['a/b'] = ['x' => 1];
show($validator->validate($envelope));
echo "a valid envelope gives []:\n";
var_dump($validator->validate(fixture('vendor.profile')));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
  /busVersion [header]
  /connectorKey [header]
  /emittedAt [utc]
  /payload/links/1 [additionalProperties]
  /payload/severity [enum]
  /runId [header]
tokens with / and ~ are escaped (~1, ~0):
  /payload/metrics/cvss~1max~0v3 [type]
  /payload/attributes/a~1b [type]
a valid envelope gives []:
array(0) {
}
