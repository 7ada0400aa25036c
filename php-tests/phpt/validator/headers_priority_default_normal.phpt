--TEST--
Headers: x-phpgrc-priority must equal the body's priority, which defaults to normal
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$headers = fixture_headers('asset.discovery');

$noPriority = fixture('asset.discovery');
unset($noPriority['priority']);
echo "body without priority, header normal:\n";
show($validator->validate($noPriority, $headers + ['x-phpgrc-priority' => 'normal']));
echo "body without priority, header high:\n";
$violations = $validator->validate($noPriority, $headers + ['x-phpgrc-priority' => 'high']);
show($violations);
var_dump(mentions($violations, 'x-phpgrc-priority', 'high', 'normal'));
echo "body without priority, no header:\n";
show($validator->validate($noPriority, $headers));

$low = fixture('asset.lifecycle'); // priority: low
$lowHeaders = fixture_headers('asset.lifecycle');
echo "body low, header low:\n";
show($validator->validate($low, $lowHeaders + ['x-phpgrc-priority' => 'low']));
echo "body low, header normal:\n";
$violations = $validator->validate($low, $lowHeaders + ['x-phpgrc-priority' => 'normal']);
show($violations);
var_dump(mentions($violations, 'x-phpgrc-priority', 'normal', 'low'));
echo "body low, header LOW:\n";
show($validator->validate($low, $lowHeaders + ['x-phpgrc-priority' => 'LOW']));
echo "body low, no header:\n";
show($validator->validate($low, $lowHeaders));
?>
--EXPECT--
body without priority, header normal:
  (none)
body without priority, header high:
  /priority [header]
bool(true)
body without priority, no header:
  (none)
body low, header low:
  (none)
body low, header normal:
  /priority [header]
bool(true)
body low, header LOW:
  /priority [header]
body low, no header:
  (none)
