<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Closure;

/**
 * Times calls one by one with hrtime() and reports per-call median, p99 and mean.
 *
 * Every case is a closure taking no argument; the cost of an empty closure call plus two
 * hrtime() reads (the baseline, measured the same way) is subtracted, so the numbers are the
 * cost of what the closure does. Cases given together run in interleaved rounds, so a change in
 * machine load during the run shifts every case alike and leaves their ratios intact.
 */
final class Sampler
{
    /** Per-case sample cap per round: keeps memory bounded for sub-microsecond cases. */
    private const MAX_SAMPLES_PER_ROUND = 200_000;

    private float $baselineNs;

    public function __construct(private readonly float $secondsPerCase, private readonly int $rounds)
    {
        $this->baselineNs = 0.0;
        $empty = static function (): void {
        };
        $list = $this->sampleFor($empty, 0.05, 0);
        sort($list);
        $this->baselineNs = self::percentile($list, 0.5);
    }

    public function baselineNs(): float
    {
        return $this->baselineNs;
    }

    /**
     * @param array<string, Closure> $cases label => closure
     * @return array<string, Stats> label => stats, in the given order
     */
    public function run(array $cases): array
    {
        $samples = [];
        foreach ($cases as $label => $case) {
            $samples[$label] = [];
            for ($i = 0; $i < 20; $i++) {
                $case();
            }
        }
        $perRound = $this->secondsPerCase / $this->rounds;
        for ($round = 0; $round < $this->rounds; $round++) {
            foreach ($cases as $label => $case) {
                array_push($samples[$label], ...$this->sampleFor($case, $perRound, 3));
            }
        }
        $out = [];
        foreach ($samples as $label => $list) {
            $out[$label] = $this->statsOf($list);
        }

        return $out;
    }

    /**
     * Exactly $calls timed calls of $case, for operations that consume state (pop) or are too
     * slow to run by time; add rounds of the same case together and pass them to statsOf().
     *
     * @return list<int>
     */
    public function sampleCount(Closure $case, int $calls): array
    {
        $list = [];
        for ($i = 0; $i < $calls; $i++) {
            $t0 = hrtime(true);
            $case();
            $list[] = hrtime(true) - $t0;
        }

        return $list;
    }

    /** @return list<int> */
    private function sampleFor(Closure $case, float $seconds, int $minimum): array
    {
        $list = [];
        $deadline = hrtime(true) + (int) ($seconds * 1e9);
        $n = 0;
        do {
            $t0 = hrtime(true);
            $case();
            $t1 = hrtime(true);
            $list[] = $t1 - $t0;
            $n++;
        } while (($t1 < $deadline || $n < $minimum) && $n < self::MAX_SAMPLES_PER_ROUND);

        return $list;
    }

    /** @param list<int> $list raw per-call nanoseconds */
    public function statsOf(array $list): Stats
    {
        sort($list);
        $base = $this->baselineNs;
        $net = static fn (float $ns): float => max(0.0, $ns - $base);

        return new Stats(
            count($list),
            $net(self::percentile($list, 0.5)),
            $net(self::percentile($list, 0.99)),
            $net(array_sum($list) / max(1, count($list))),
        );
    }

    /** @param list<int> $sorted */
    public static function percentile(array $sorted, float $q): float
    {
        if ($sorted === []) {
            return 0.0;
        }
        $index = (int) min(count($sorted) - 1, max(0, ceil($q * count($sorted)) - 1));

        return (float) $sorted[$index];
    }
}
