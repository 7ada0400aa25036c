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
 *
 * To profile the timed part (E2eProfiler; its report goes to stderr):
 *   E2E_PROFILE=excimer:OUT php -d extension=/path/to/excimer.so benches/php/e2e-child.php ...
 *   E2E_PROFILE=strace:OUT | commandstats:OUT | none:-  php benches/php/e2e-child.php ...
 *   E2E_WITHOUT=metrics,log,console leaves those parts out of a consumer (E2eChild::$without).
 */

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

require_once __DIR__ . '/E2eApp.php';
require_once __DIR__ . '/E2eEnvelopes.php';
require_once __DIR__ . '/E2eChild.php';
require_once __DIR__ . '/E2eProfiler.php';

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
$child->without = array_values(array_filter(explode(',', (string) getenv('E2E_WITHOUT'))));
$profiler = null;
if (getenv('E2E_PROFILE')) {
    [$tool, $out] = explode(':', (string) getenv('E2E_PROFILE'), 2) + [1 => '-'];
    if (!in_array($tool, E2eProfiler::TOOLS, true) || ($tool === 'excimer' && !class_exists('ExcimerProfiler'))) {
        fwrite(STDERR, "E2E_PROFILE: one of " . implode(', ', E2eProfiler::TOOLS) . " (excimer needs php-excimer loaded)\n");
        exit(2);
    }
    $profiler = new E2eProfiler($tool, $out, (int) $port);
    $profiler->attach($child);
}
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
$result += ['mode' => $mode, 'contender' => $who, 'without' => $child->without];
if ($profiler !== null) {
    fwrite(STDERR, $profiler->report($result));
}
echo json_encode($result, JSON_THROW_ON_ERROR), "\n";
exit($result['ok'] ? 0 : 1);
