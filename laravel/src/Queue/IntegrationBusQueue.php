<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Queue;

use BackedEnum;
use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\ClearableQueue;
use Illuminate\Contracts\Queue\Queue as QueueContract;
use Illuminate\Queue\Queue;
use Illuminate\Queue\RedisQueue;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Queue as NativeQueue;
use stdClass;
use UnitEnum;

/**
 * The `integration-bus` queue connection. Envelopes (an array or a stdClass tree) travel through
 * the extension's native client: validated before they are enqueued, headers written beside them,
 * popped as IntegrationBusJob with the contract's retry and dead-letter rules.
 *
 * Anything else Laravel can queue (a job object, a closure, `Class@method`, a raw payload that is
 * not ours) goes to a companion queue `<queue>:laravel` on the same Redis connection through
 * Laravel's own RedisQueue, and pop() serves it when no envelope is waiting. It cannot share the
 * envelope queue: the native pop dead-letters any job whose headers do not match an envelope body.
 *
 * Overridden methods keep Laravel's untyped signatures, the same from 8 to 13; the methods
 * Laravel 13's contract added (pendingSize, delayedSize, reservedSize,
 * creationTimeOfOldestPendingJob, pop's $index) work on 8 and 10 too. A queue name may be a
 * string or, as Laravel 13 allows, an enum; Laravel 13's queue routes (`Queue::route`) apply.
 */
final class IntegrationBusQueue extends Queue implements QueueContract, ClearableQueue
{
    private const LARAVEL_SUFFIX = ':laravel';

    /** Laravel 13's Worker rule: after a secondary queue (index > 0) gave a job, the first does not block. */
    private bool $secondaryQueueHadJob = false;

    public function __construct(
        private readonly NativeQueue $native,
        private readonly RedisQueue $laravelJobs,
        private readonly string $default,
        private readonly int $maxAttempts,
        private readonly bool $countsJobs = false,
    ) {
    }

    /** Envelopes waiting, delayed or reserved, plus the companion queue's jobs. */
    public function size($queue = null)
    {
        return $this->native->size($this->queueName($queue))
            + (int) $this->laravelJobs->size($this->laravelQueue($queue));
    }

    /** Ready jobs: envelopes plus the companion queue's (Laravel 13's `pendingSize`). */
    public function pendingSize($queue = null)
    {
        return $this->native->pendingSize($this->queueName($queue))
            + $this->companionCount($queue, 'pendingSize', static fn ($redis, string $key) => $redis->llen($key));
    }

    /** Delayed and released jobs of both queues (Laravel 13's `delayedSize`). */
    public function delayedSize($queue = null)
    {
        return $this->native->delayedSize($this->queueName($queue))
            + $this->companionCount($queue, 'delayedSize', static fn ($redis, string $key) => $redis->zcard($key . ':delayed'));
    }

    /** Reserved jobs of both queues (Laravel 13's `reservedSize`). */
    public function reservedSize($queue = null)
    {
        return $this->native->reservedSize($this->queueName($queue))
            + $this->companionCount($queue, 'reservedSize', static fn ($redis, string $key) => $redis->zcard($key . ':reserved'));
    }

    /**
     * The `createdAt` (Unix seconds) of the older of the two queues' oldest ready jobs; null when
     * neither has a ready job with one (Laravel 11 and older write no `createdAt`).
     *
     * @return int|null
     */
    public function creationTimeOfOldestPendingJob($queue = null)
    {
        $times = array_filter([
            $this->native->creationTimeOfOldestPendingJob($this->queueName($queue)),
            $this->companionOldest($queue),
        ], static fn ($time) => is_int($time));

        return $times === [] ? null : min($times);
    }

    /**
     * Deletes the ready, delayed and reserved jobs of the envelope queue and of its companion
     * (`queue:clear`); the dead-letter list is kept. Returns how many jobs were deleted.
     *
     * @return int
     */
    public function clear($queue = null)
    {
        return $this->native->clear($this->queueName($queue))
            + (int) $this->laravelJobs->clear($this->laravelQueue($queue));
    }

    /** @return string|null the job id */
    public function push($job, $data = '', $queue = null)
    {
        if (self::isEnvelope($job)) {
            return $this->native->push($job, $this->queueName($queue));
        }

        return $this->laravelJobs->push($job, $data, $this->laravelQueue($queue));
    }

    /**
     * A payload whose handler is EnvelopeJob (what `queue:retry` sends back from the failed-jobs
     * table) is re-enqueued as its envelope, so it is validated again and gets a fresh id and
     * attempt count; any other payload goes to the companion queue unchanged.
     */
    public function pushRaw($payload, $queue = null, array $options = [])
    {
        $decoded = json_decode((string) $payload, true);
        if (is_array($decoded) && ($decoded['job'] ?? null) === EnvelopeJob::HANDLER && is_array($decoded['data'] ?? null)) {
            return $this->native->push($decoded['data'], $this->queueName($queue));
        }

        return $this->laravelJobs->pushRaw($payload, $this->laravelQueue($queue), $options);
    }

    public function later($delay, $job, $data = '', $queue = null)
    {
        if (self::isEnvelope($job)) {
            return $this->native->later($this->secondsUntil($delay), $job, $this->queueName($queue));
        }

        return $this->laravelJobs->later($delay, $job, $data, $this->laravelQueue($queue));
    }

    /**
     * Envelopes go in one pipelined, all-or-nothing batch (one invalid envelope enqueues none of
     * them and throws); other jobs are pushed one by one afterwards.
     *
     * @return list<string> the envelopes' job ids, in input order
     */
    public function bulk($jobs, $data = '', $queue = null)
    {
        $envelopes = [];
        $others = [];
        foreach ((array) $jobs as $job) {
            if (self::isEnvelope($job)) {
                $envelopes[] = $job;
            } else {
                $others[] = $job;
            }
        }

        $ids = $envelopes === [] ? [] : $this->native->pushBatch($envelopes, $this->queueName($queue));
        foreach ($others as $job) {
            $this->laravelJobs->push($job, $data, $this->laravelQueue($queue));
        }

        return $ids;
    }

    /**
     * The next envelope, else the companion queue's next job. Waits up to block_for seconds for
     * an envelope only as Laravel 13's RedisQueue waits: for the Worker's first queue ($index 0),
     * and not right after a later queue had a job (so `--queue=high,low` never stalls low's jobs).
     */
    public function pop($queue = null, $index = 0)
    {
        $index = (int) $index;
        $block = $index === 0 && ! $this->secondaryQueueHadJob;
        if ($index === 0) {
            $this->secondaryQueueHadJob = false;
        }

        $reserved = $this->native->pop($this->queueName($queue), $block ? null : -1);
        $job = $reserved !== null
            ? new IntegrationBusJob($this->container, $this->native, $reserved, $this->connectionName, $this->maxAttempts, $this->countsJobs)
            // The companion never blocks (its block_for is null); Laravel 13's takes the index too.
            : $this->laravelJobs->pop($this->laravelQueue($queue), $index);
        if ($job !== null && $index > 0) {
            $this->secondaryQueueHadJob = true;
        }

        return $job;
    }

    public function setConnectionName($name)
    {
        $this->laravelJobs->setConnectionName($name);

        return parent::setConnectionName($name);
    }

    public function setContainer(Container $container)
    {
        $this->laravelJobs->setContainer($container);
        parent::setContainer($container);
    }

    /** The extension's client, for what Laravel's contract has no word for (dead letters, stats). */
    public function native(): NativeQueue
    {
        return $this->native;
    }

    /** A string or an enum (Laravel 13), else the default; then Laravel 13's queue routes. */
    private function queueName(mixed $queue): string
    {
        if ($queue instanceof BackedEnum) {
            $queue = $queue->value;
        } elseif ($queue instanceof UnitEnum) {
            $queue = $queue->name;
        }
        $name = (string) ($queue ?: $this->default);

        return method_exists($this, 'resolveQueue') ? (string) $this->resolveQueue($name) : $name;
    }

    /**
     * A count of the companion queue: its RedisQueue's own method where it has one (Laravel 13),
     * else the same Redis command on the same key (Laravel 8 and 10).
     *
     * @param callable(mixed, string): mixed $count
     */
    private function companionCount(mixed $queue, string $method, callable $count): int
    {
        $name = $this->laravelQueue($queue);
        if (method_exists($this->laravelJobs, $method)) {
            return (int) $this->laravelJobs->{$method}($name);
        }

        return (int) $count($this->laravelJobs->getConnection(), $this->laravelJobs->getQueue($name));
    }

    private function companionOldest(mixed $queue): ?int
    {
        $name = $this->laravelQueue($queue);
        if (method_exists($this->laravelJobs, 'creationTimeOfOldestPendingJob')) {
            $time = $this->laravelJobs->creationTimeOfOldestPendingJob($name);

            return is_numeric($time) ? (int) $time : null;
        }
        $head = $this->laravelJobs->getConnection()->lindex($this->laravelJobs->getQueue($name), 0);
        $created = is_string($head) ? (json_decode($head, true)['createdAt'] ?? null) : null;

        return is_int($created) ? $created : null;
    }

    /** Idempotent: a job popped from the companion queue reports that queue's name, and `queue:retry` passes it back. */
    private function laravelQueue(mixed $queue): string
    {
        $name = $this->queueName($queue);

        return str_ends_with($name, self::LARAVEL_SUFFIX) ? $name : $name . self::LARAVEL_SUFFIX;
    }

    private static function isEnvelope(mixed $job): bool
    {
        return is_array($job) || $job instanceof stdClass;
    }
}
