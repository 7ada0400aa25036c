--TEST--
Summary::of(): status is errored when error is set, processed when it is null or absent (also after withError / clearError)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/../envelope/envelope.inc';
use PhpGrc\Bus\{Envelope, Summary};

$at = new DateTimeImmutable('2026-03-14T12:00:00Z');
$status = function (string $label, array $envelope) use ($at) {
    $forms = [Summary::of($envelope, $at)['status'], Summary::of(json_encode($envelope), $at)['status'], Summary::of(json_decode(json_encode($envelope)), $at)['status']];
    echo "$label: ", implode(' / ', array_unique($forms)), "\n";
};
$status('incident.event fixture (error set)', fixture('incident.event'));
$status('auth.provider fixture (error null)', fixture('auth.provider'));
$status('asset.lifecycle fixture (no error member)', fixture('asset.lifecycle'));
$status('after withError', Envelope::withError(fixture('auth.provider'), 'E', 'm', 1, 5));
$status('after clearError', Envelope::clearError(fixture('incident.event')));
// Set but not per the contract: still a set error, so errored.
$broken = fixture('auth.provider');
$broken['error'] = ['code' => 'E'];
$status('error set without the contract fields', $broken);
?>
--EXPECT--
incident.event fixture (error set): errored
auth.provider fixture (error null): processed
asset.lifecycle fixture (no error member): processed
after withError: errored
after clearError: processed
error set without the contract fields: errored
