--TEST--
Strict mode: attachment URIs are https:// or s3:// without user-info (keyword attachmentUri); non-strict accepts any absolute URI
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
use PhpGrc\Bus\Validator;
$strict = new Validator(null, ['strict' => true]);
$lenient = new Validator();

foreach ([
    'https://reports.example.com/scans/88213.pdf',
    'https://reports.example.com/scans/88213.pdf?X-Amz-Expires=300&X-Amz-Signature=0f1e2d',
    's3://phpgrc-evidence/incidents/INC-2026-0142/waf-summary.csv',
    'http://reports.example.com/scans/88213.pdf',
    'https://user:pw@reports.example.com/x',
    'https://svc-reports@reports.example.com/x',
    's3://AKIAEXAMPLE:s3cr3t@phpgrc-evidence/x.csv',
    'ftp://files.example.com/88213.pdf',
    'file:///var/reports/88213.pdf',
] as $uri) {
    $envelope = fixture('cyber.metric');
    $envelope['attachments'][0]['uri'] = $uri;
    $violations = $strict->validate($envelope);
    echo $uri, "\n  strict:", $violations === [] ? ' ok' : '';
    foreach ($violations as $v) {
        echo " {$v['path']} [{$v['keyword']}]";
        // A violation is logged: it must not repeat the credentials it found.
        if (str_contains($v['message'], 'pw@') || str_contains($v['message'], 's3cr3t')) {
            echo " (message repeats the credentials)";
        }
    }
    echo "\n  non-strict: ", count($lenient->validate($envelope)), " violation(s)\n";
}

echo "the second of two attachments:\n";
$envelope = fixture('cyber.metric');
$envelope['attachments'][] = ['type' => 'log', 'uri' => 'http://logs.example.com/88213.log', 'contentType' => 'text/plain'];
$violations = $strict->validate($envelope);
show($violations);
var_dump(mentions($violations, 'http://logs.example.com/88213.log'));
?>
--EXPECT--
https://reports.example.com/scans/88213.pdf
  strict: ok
  non-strict: 0 violation(s)
https://reports.example.com/scans/88213.pdf?X-Amz-Expires=300&X-Amz-Signature=0f1e2d
  strict: ok
  non-strict: 0 violation(s)
s3://phpgrc-evidence/incidents/INC-2026-0142/waf-summary.csv
  strict: ok
  non-strict: 0 violation(s)
http://reports.example.com/scans/88213.pdf
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
https://user:pw@reports.example.com/x
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
https://svc-reports@reports.example.com/x
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
s3://AKIAEXAMPLE:s3cr3t@phpgrc-evidence/x.csv
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
ftp://files.example.com/88213.pdf
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
file:///var/reports/88213.pdf
  strict: /attachments/0/uri [attachmentUri]
  non-strict: 0 violation(s)
the second of two attachments:
  /attachments/1/uri [attachmentUri]
bool(true)
