<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

/** Per-call figures in nanoseconds, baseline subtracted. */
final class Stats
{
    public function __construct(
        public readonly int $calls,
        public readonly float $medianNs,
        public readonly float $p99Ns,
        public readonly float $meanNs,
    ) {
    }

    /** Calls per second, from the mean (what a loop of these calls would sustain). */
    public function perSecond(int $itemsPerCall = 1): float
    {
        return $this->meanNs > 0 ? $itemsPerCall * 1e9 / $this->meanNs : INF;
    }

    /** @return array{calls: int, median_ns: float, p99_ns: float, mean_ns: float} */
    public function toArray(): array
    {
        return [
            'calls' => $this->calls,
            'median_ns' => round($this->medianNs, 1),
            'p99_ns' => round($this->p99Ns, 1),
            'mean_ns' => round($this->meanNs, 1),
        ];
    }
}
