<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use PhpGrc\Bus\Queue;
use PhpGrc\Bus\QueueException;
use PhpGrc\Bus\Run;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\TestSupport\Fork;
use PhpGrc\Bus\Tests\Support\QueueTestCase;

/**
 * Issue 7 item 4, fault soak: envelopes through worker processes that SIGKILL themselves mid-job
 * (and are restarted), with the redis-server (AOF on) restarted once mid-run. At the end every
 * envelope is processed or dead-lettered, none is lost, and an envelope runs twice only where a
 * worker died holding it after its handler had run.
 *
 * Excluded from the default run; run it with `phpunit -c php-tests/phpunit.xml --group slow`.
 *
 * @group slow
 * @large
 */
// PHPUnit 10+ reads the attribute (doc-comment metadata is deprecated there); 9.6 the annotation.
#[\PHPUnit\Framework\Attributes\Group('slow'), \PHPUnit\Framework\Attributes\Large]
final class FaultSoakTest extends QueueTestCase
{
    /** Envelopes pushed; PHPGRC_BUS_SOAK_ENVELOPES overrides (issue 7 asks 10,000 for the full run). */
    private const ENVELOPES = 2000;
    private const WORKERS = 3;
    /** A worker kills itself after this many jobs (random in the range), every generation. */
    private const KILL_EVERY = [150, 350];
    /** Every POISON_EVERY-th envelope fails in its handler every time: it must end in the DLQ. */
    private const POISON_EVERY = 150;
    private const OPTIONS = ['retry_after' => 3, 'max_attempts' => 3, 'retry_seconds' => 1, 'backoff_exp' => 1, 'read_timeout' => 2];
    private const TIME_BUDGET = 55.0;

    private static function envelopes(): int
    {
        $n = (int) getenv('PHPGRC_BUS_SOAK_ENVELOPES');

        return $n > 0 ? $n : self::ENVELOPES;
    }

    protected function serverOptions(): array
    {
        return ['aof' => true];
    }

    public function testEveryEnvelopeIsProcessedOrDeadLetteredDespiteWorkerKillsAndARedisRestart(): void
    {
        $started = microtime(true);
        $connection = $this->server->connection(['prefix' => self::PREFIX, 'read_timeout' => '2']);
        $queue = new Queue($connection, self::OPTIONS);

        // Push: envelope id => index.
        $run = new Run('soak', '1.0.0');
        $indexOf = [];
        $batch = [];
        for ($i = 0; $i < self::envelopes(); $i++) {
            $envelope = Envelopes::asset("soak-{$i}", [], [], $run);
            $indexOf[$envelope['id']] = $i;
            $batch[] = $envelope;
            if (count($batch) === 500) {
                $queue->pushBatch($batch);
                $batch = [];
            }
        }
        if ($batch !== []) {
            $queue->pushBatch($batch);
        }
        self::assertSame(self::envelopes(), $queue->size());

        $log = $this->tempFile('soak-log');
        $stop = $this->tempFile('soak-stop');
        touch($log);
        $workers = [];
        $generation = 0;
        for ($slot = 0; $slot < self::WORKERS; $slot++) {
            $workers[$slot] = self::spawnWorker($connection, $log, $stop, ++$generation);
        }

        $kills = 0;
        $workerErrors = [];
        $restarted = false;
        $complete = false;
        $deadline = $started + self::TIME_BUDGET;
        while (microtime(true) < $deadline) {
            foreach ($workers as $slot => $pid) {
                $status = Fork::poll($pid);
                if ($status === null) {
                    continue;
                }
                if ($status['signal'] === SIGKILL) {
                    $kills++;
                } else {
                    $workerErrors[] = "worker {$pid}: code " . var_export($status['code'], true) . ", signal " . var_export($status['signal'], true) . ": {$status['error']}";
                }
                $workers[$slot] = self::spawnWorker($connection, $log, $stop, ++$generation);
            }
            $lines = file($log, FILE_IGNORE_NEW_LINES) ?: [];
            $processedSoFar = count(array_filter($lines, static fn ($l) => $l[0] === 'P'));
            if (!$restarted && $processedSoFar >= self::envelopes() / 3) {
                $this->server->restart(); // SIGTERM (AOF written), start again on the same port and dir
                $restarted = true;
            }
            if ($restarted) {
                try {
                    $stats = $queue->stats();
                    if ($stats['ready'] + $stats['delayed'] + $stats['reserved'] === 0) {
                        $complete = true;
                        break;
                    }
                } catch (QueueException) {
                    // the server is coming back
                }
            }
            usleep(100_000);
        }
        touch($stop);
        foreach ($workers as $pid) {
            $status = Fork::wait($pid, 10);
            if ($status['code'] !== 0) {
                $workerErrors[] = "worker {$pid} at stop: " . var_export($status, true);
            }
        }
        $elapsed = microtime(true) - $started;

        // Account for every envelope.
        $processed = [];       // envelope id => times its handler completed
        $diedAfterHandler = []; // envelope id => true: a worker died holding it after its handler ran
        $diedHolding = 0;
        $queueErrors = 0;
        foreach (file($log, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
            $f = explode(' ', $line);
            match ($f[0]) {
                'P' => $processed[$f[1]] = ($processed[$f[1]] ?? 0) + 1,
                'K' => [$diedHolding++, $f[2] === 'after-handler' ? $diedAfterHandler[$f[1]] = true : null],
                'E' => $queueErrors++,
                default => null,
            };
        }
        $deadLettered = [];
        $dlqErrors = [];
        foreach ($queue->deadLetters(10_000) as $letter) {
            $deadLettered[$letter['data']['id']] = true;
            $dlqErrors[] = $letter['data']['error'] ?? null;
        }
        $poison = array_filter($indexOf, static fn ($i) => $i % self::POISON_EVERY === 0);
        $lost = array_diff_key($indexOf, $processed, $deadLettered);
        $duplicated = array_filter($processed, static fn ($n) => $n > 1);
        $unexplained = array_diff_key($duplicated, $diedAfterHandler);
        $figures = sprintf(
            "fault soak: pushed %d / processed %d / dead-lettered %d / duplicated %d / lost %d; faults: %d worker SIGKILLs mid-job (%d after the handler ran), %d redis-server restart, %d QueueExceptions retried by workers; %d worker generations; %.1f s",
            count($indexOf), count($processed), count($deadLettered), count($duplicated), count($lost),
            $kills, count($diedAfterHandler), $restarted ? 1 : 0, $queueErrors, $generation, $elapsed,
        );
        fwrite(STDERR, "\n{$figures}\n");

        self::assertSame([], $workerErrors, 'workers only ever die by their own SIGKILL');
        self::assertTrue($restarted, 'the redis-server was restarted mid-run');
        self::assertTrue($complete, "the run completed within the time budget: {$figures}");
        self::assertGreaterThanOrEqual(3, $kills, 'workers were killed mid-job');
        self::assertSame($kills, $diedHolding, 'every kill happened while holding a job');
        self::assertSame([], array_keys($lost), "no envelope lost: {$figures}");
        self::assertSame([], array_keys($unexplained), 'duplicates only where a worker died holding the job after its handler ran');
        self::assertEqualsCanonicalizing(array_keys($poison), array_keys($deadLettered), 'exactly the poison envelopes are dead-lettered');
        self::assertSame([], array_keys(array_intersect_key($processed, $deadLettered)), 'a dead-lettered envelope never completed');
        foreach ($dlqErrors as $error) {
            self::assertIsArray($error);
            self::assertSame('POISON', $error['code']);
            self::assertSame(3, $error['attempt']);
            self::assertSame(3, $error['maxAttempts']);
        }
        self::assertSame(count($indexOf), count($processed) + count($deadLettered));
        self::assertSame(0, $queue->size());
    }

    /**
     * One worker: pops and acks until told to stop; poison envelopes are failed; after a random
     * number of jobs it SIGKILLs itself mid-job (half the time after its handler ran, before the ack).
     * Log lines: `P envelopeId jobId attempts pid`, `K envelopeId before-handler|after-handler`, `E message`.
     */
    private static function spawnWorker(array $connection, string $log, string $stop, int $generation): int
    {
        return Fork::child(static function () use ($connection, $log, $stop, $generation): void {
            mt_srand($generation * 7919 + posix_getpid());
            $killAfter = mt_rand(...self::KILL_EVERY);
            $queue = new Queue($connection, self::OPTIONS);
            $write = static fn (string $line) => file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX);
            $retry = static function (callable $call) use ($write) {
                for ($try = 1; ; $try++) {
                    try {
                        return $call();
                    } catch (QueueException $e) {
                        $write('E ' . str_replace("\n", ' ', $e->getMessage()));
                        if ($try >= 20) {
                            throw $e;
                        }
                        usleep(100_000);
                    }
                }
            };
            $jobs = 0;
            while (!is_file($stop)) {
                try {
                    $job = $queue->pop();
                } catch (QueueException $e) {
                    $write('E ' . str_replace("\n", ' ', $e->getMessage()));
                    usleep(100_000);
                    continue;
                }
                if ($job === null) {
                    usleep(20_000);
                    continue;
                }
                $envelope = $job->envelope();
                $index = (int) substr($envelope['provenance']['externalId'], 5);
                if ($index % self::POISON_EVERY === 0) {
                    $retry(static fn () => $queue->fail($job, 'POISON', "envelope {$index} always fails"));
                    continue;
                }
                $jobs++;
                if ($jobs === $killAfter && mt_rand(0, 1) === 0) {
                    $write("K {$envelope['id']} before-handler");
                    Fork::crash();
                }
                $write("P {$envelope['id']} {$job->id()} {$job->attempts()} " . posix_getpid());
                if ($jobs === $killAfter) {
                    $write("K {$envelope['id']} after-handler");
                    Fork::crash();
                }
                $retry(static fn () => $queue->ack($job));
            }
        });
    }
}
