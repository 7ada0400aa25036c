<?php

/*
 * Run::envelope() alone, per kind: wall µs per call over N calls (best of R rounds), from the
 * inputs the e2e producers build from, beside validate() of the built envelope and
 * Envelope::checksum() of its payload.
 *
 *   php benches/php/build-envelopes.php [N=2000] [ROUNDS=5]
 */

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

require_once __DIR__ . '/E2eEnvelopes.php';

$n = (int) ($argv[1] ?? 2000);
$rounds = (int) ($argv[2] ?? 5);
$inputs = (new E2eEnvelopes())->inputs();
$validator = new \PhpGrc\Bus\Validator();
$best = static function (callable $f) use ($n, $rounds): float {
    $min = INF;
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            $f();
        }
        $min = min($min, (hrtime(true) - $t) / $n / 1e3);
    }

    return $min;
};
$total = 0.0;
foreach ($inputs as $in) {
    $run = new \PhpGrc\Bus\Run($in['connector']['key'], $in['connector']['version'], $in['connector']['tenant']);
    $built = $run->envelope($in['kind'], $in['event'], $in['payload'], $in['provenance'], $in['options']);
    $envelope = $best(fn () => $run->envelope($in['kind'], $in['event'], $in['payload'], $in['provenance'], $in['options']));
    $validate = $best(fn () => $validator->validate($built));
    $checksum = $best(fn () => \PhpGrc\Bus\Envelope::checksum($in['payload']));
    $total += $envelope;
    printf("%-18s Run::envelope %6.2f µs   validate %5.2f µs   checksum %5.2f µs\n", $in['kind'], $envelope, $validate, $checksum);
}
printf("%-18s Run::envelope %6.2f µs (mean of the kinds)\n", 'all', $total / count($inputs));
