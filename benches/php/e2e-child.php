<?php

/*
 * One contender of the end-to-end bench in a fresh process (E2eBench starts it; run by hand to
 * profile one contender):
 *
 *   php benches/php/e2e-child.php consume ext|ext_prefetch_deferred|peer JOBS PORT DIR
 *   php benches/php/e2e-child.php produce push|batch|peer JOBS PORT DIR
 *   php benches/php/e2e-child.php fpm BUSY_POLL REQUESTS PORT DIR [WORK_US [spin|sleep]]
 *
 * PORT is a running redis-server on 127.0.0.1 (flushed by the caller), DIR an empty directory
 * for the log sink and the worker's console output. Prints one JSON object on stdout.
 */

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

require_once __DIR__ . '/E2eApp.php';
require_once __DIR__ . '/E2eEnvelopes.php';
require_once __DIR__ . '/E2eChild.php';

if (!extension_loaded('phpgrc_bus')) {
    fwrite(STDERR, "phpgrc_bus is not loaded in this PHP (php -m)\n");
    exit(1);
}
[, $mode, $who, $count, $port, $dir] = array_pad($argv, 6, null);
if ($dir === null || !is_dir($dir)) {
    fwrite(STDERR, "usage: see the head of " . __FILE__ . "\n");
    exit(2);
}
E2eApp::load();
$child = new E2eChild((int) $port, $dir);
$result = match ($mode) {
    'consume' => $child->consume($who, (int) $count),
    'produce' => $child->produce($who, (int) $count),
    'fpm' => $child->fpm((int) $who, (int) $count, (int) ($argv[6] ?? 1000), $argv[7] ?? 'spin'),
    default => null,
};
if ($result === null) {
    fwrite(STDERR, "unknown mode {$mode}\n");
    exit(2);
}
echo json_encode($result + ['mode' => $mode, 'contender' => $who], JSON_THROW_ON_ERROR), "\n";
exit($result['ok'] ? 0 : 1);
