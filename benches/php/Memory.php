<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Closure;

/** Process memory around a long loop: resident set size from the kernel, and the Zend heap. */
final class Memory
{
    /**
     * Runs $call $times after a warm-up (so what is built once per process — compiled schemas,
     * connections, interned strings — is not counted as growth), with the cycle collector run
     * before each reading.
     *
     * @return array{calls: int, rss_kb_before: int, rss_kb_after: int, heap_before: int, heap_after: int, seconds: float}
     */
    public static function around(Closure $call, int $times): array
    {
        for ($i = 0, $warm = min(1_000, max(1, intdiv($times, 10))); $i < $warm; $i++) {
            $call();
        }
        gc_collect_cycles();
        $rssBefore = self::rssKb();
        $heapBefore = memory_get_usage();
        $t0 = hrtime(true);
        for ($i = 0; $i < $times; $i++) {
            $call();
        }
        $seconds = (hrtime(true) - $t0) / 1e9;
        gc_collect_cycles();

        return [
            'calls' => $times,
            'rss_kb_before' => $rssBefore,
            'rss_kb_after' => self::rssKb(),
            'heap_before' => $heapBefore,
            'heap_after' => memory_get_usage(),
            'seconds' => round($seconds, 2),
        ];
    }

    /** VmRSS of this process in kB (0 where /proc is missing). */
    public static function rssKb(): int
    {
        $status = @file_get_contents('/proc/self/status');

        return is_string($status) && preg_match('/^VmRSS:\s+(\d+)\s+kB/m', $status, $m) ? (int) $m[1] : 0;
    }
}
