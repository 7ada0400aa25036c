--TEST--
Envelope::checksum() / canonicalJson(): integers within ±(2^53−1) are written exactly, beyond that refused (\InvalidArgumentException), doubles any; builders throw EnvelopeException; strict validation reports a given checksum it cannot check; ECMAScript ties
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

$try = function (callable $f): string {
    try {
        return $f();
    } catch (\Throwable $e) {
        return get_class($e) . ': ' . $e->getMessage();
    }
};
echo "inside the domain:\n";
echo Envelope::canonicalJson(['max' => 9007199254740991, 'min' => -9007199254740991]), "\n";
var_dump(Envelope::checksum(['n' => 9007199254740991]) === hash('sha256', '{"n":9007199254740991}'));
echo "a double may be any size (JSON and PHP both hold it as a double):\n";
echo Envelope::canonicalJson([9007199254740993.0, 1e300, (float) PHP_INT_MAX]), "\n";
echo Envelope::canonicalJson('[123456789012345678901234567890]'), "\n";
echo "a tie between two shortest forms goes to the even digit, as in JavaScript:\n";
echo Envelope::canonicalJson([27152973067464.5625, 1305208928447936.25]), "\n";
echo "beyond ±(2^53−1):\n";
echo $try(fn () => Envelope::checksum(['a' => ['b' => 9007199254740992]])), "\n";
echo $try(fn () => Envelope::canonicalJson([1, -9007199254740993])), "\n";
echo $try(fn () => Envelope::checksum('{"x/y":{"n":9007199254740993}}')), "\n";
echo $try(fn () => Envelope::canonicalJson((object) ['n' => PHP_INT_MIN])), "\n";

echo "builders:\n";
$run = new Run('aws-config', '1.0.0');
$payload = ['assetId' => 'i-1', 'name' => 'n', 'type' => 't', 'environment' => 'production', 'attributes' => ['bytes' => PHP_INT_MAX]];
echo $try(fn () => json_encode($run->envelope('asset.discovery', 'asset.upserted', $payload, ['source' => 's', 'externalId' => 'e']))), "\n";

echo "strict validation, a checksum given:\n";
$envelope = fixture('asset.discovery');
$envelope['payload']['attributes'] = ['bytes' => -9007199254740992];
unset($envelope['provenance']['checksum']);
var_dump((new Validator(null, ['strict' => true]))->validate($envelope));
$envelope['provenance']['checksum'] = str_repeat('0', 64);
foreach ((new Validator(null, ['strict' => true]))->validate($envelope) as $v) {
    echo $v['path'], ' ', $v['keyword'], ': ', $v['message'], "\n";
}
?>
--EXPECT--
inside the domain:
{"max":9007199254740991,"min":-9007199254740991}
bool(true)
a double may be any size (JSON and PHP both hold it as a double):
[9007199254740992,1e+300,9223372036854776000]
[1.2345678901234568e+29]
a tie between two shortest forms goes to the even digit, as in JavaScript:
[27152973067464.562,1305208928447936.2]
beyond ±(2^53−1):
InvalidArgumentException: the integer 9007199254740992 at /a/b is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
InvalidArgumentException: the integer -9007199254740993 at /1 is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
InvalidArgumentException: the integer 9007199254740993 at /x~1y/n is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
InvalidArgumentException: the integer -9223372036854775808 at /n is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
builders:
PhpGrc\Bus\EnvelopeException: the payload has no checksum: the integer 9223372036854775807 at /payload/attributes/bytes is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
strict validation, a checksum given:
array(0) {
}
/provenance/checksum checksum: provenance.checksum cannot be checked: the integer -9007199254740992 at /payload/attributes/bytes is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; send it as a string
