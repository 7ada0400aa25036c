--TEST--
Builders: an unknown option (a typo, another case, a list entry) throws \InvalidArgumentException naming it and the accepted options
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\Run;

$run = new Run('idp-health', '1.0.0');
$payload = ['providerKey' => 'okta.workforce', 'status' => 'healthy', 'checkedAt' => '2026-03-14T13:15:00Z'];
$provenance = ['source' => 'idp-health', 'externalId' => 'okta.workforce'];

foreach ([['prio' => 'high'], ['Priority' => 'high'], ['priority' => 'high', 'error' => null], ['correlationId' => 'abc'], ['high']] as $options) {
    $named = (string) array_key_last($options);
    try {
        $run->envelope('auth.provider', 'auth.provider_checked', $payload, $provenance, $options);
        echo json_encode($options), ": no exception\n";
    } catch (InvalidArgumentException $e) {
        echo json_encode($options), ': InvalidArgumentException',
            str_contains($e->getMessage(), $named) ? ', names it' : ", does NOT name $named",
            str_contains($e->getMessage(), 'priority') && str_contains($e->getMessage(), 'attachments') ? ', lists the options' : '', "\n";
    }
}
?>
--EXPECT--
{"prio":"high"}: InvalidArgumentException, names it, lists the options
{"Priority":"high"}: InvalidArgumentException, names it, lists the options
{"priority":"high","error":null}: InvalidArgumentException, names it, lists the options
{"correlationId":"abc"}: InvalidArgumentException, names it, lists the options
["high"]: InvalidArgumentException, names it, lists the options
