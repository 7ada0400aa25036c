<?php
/**
 * phpgrc_bus demo: for each contract kind, validates one valid and one invalid envelope from
 * php-tests/fixtures/envelopes (with the queue headers of the valid one) and prints the
 * violations. Run with `make demo`, or `php examples/demo.php` once the extension is installed.
 */

use PhpGrc\Bus\Validator;

if (!extension_loaded('phpgrc_bus')) {
    fwrite(STDERR, "phpgrc_bus is not loaded: run `make install` (or php -d extension=phpgrc_bus.so)\n");
    exit(1);
}

$fixtures = __DIR__ . '/../php-tests/fixtures/envelopes';
// One invalid envelope per kind, each breaking a different rule.
$invalid = [
    'asset.discovery' => 'invalid-environment-enum',
    'asset.lifecycle' => 'invalid-effectiveAt-impossible-date',
    'incident.event' => 'invalid-error-missing-attempt',
    'vendor.profile' => 'invalid-contact-email',
    'indicator.metric' => 'invalid-window-pattern',
    'cyber.metric' => 'invalid-sourceType-enum',
    'auth.provider' => 'invalid-schemaref-other-kind',
];

$load = static function (string $file): array {
    return json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
};

$validator = new Validator();
printf("phpgrc_bus %s, schema %s\n\n", PhpGrc\Bus\VERSION, $validator->schemaId());
$surprises = 0;
foreach ($invalid as $kind => $invalidName) {
    $headers = $load("$fixtures/$kind/headers.json");
    foreach (['valid', $invalidName] as $name) {
        $violations = $validator->validate($load("$fixtures/$kind/$name.json"), $headers);
        $label = $name === 'valid' ? $kind : "$kind ($name)";
        if ($violations === []) {
            echo "✓ $label valid\n";
        } else {
            printf("✗ %s: %d violation%s\n", $label, count($violations), count($violations) === 1 ? '' : 's');
            foreach ($violations as $v) {
                printf("  %s [%s] %s\n", $v['path'] === '' ? '(root)' : $v['path'], $v['keyword'], $v['message']);
            }
        }
        // The fixtures are what they say they are; anything else is a bug worth a failing exit.
        $surprises += (int) (($violations === []) !== ($name === 'valid'));
    }
}
if ($surprises > 0) {
    fwrite(STDERR, "\n$surprises envelope(s) did not validate as their fixture name says\n");
    exit(1);
}
exit(0);
