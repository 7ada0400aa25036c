<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Queue;

use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\Queue as QueueContract;
use Illuminate\Queue\Queue;
use Illuminate\Queue\RedisQueue;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Queue as NativeQueue;
use stdClass;

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
 * Overridden methods keep Laravel's untyped signatures, which differ in nothing from 8 to 11.
 */
final class IntegrationBusQueue extends Queue implements QueueContract
{
    private const LARAVEL_SUFFIX = ':laravel';

    public function __construct(
        private readonly NativeQueue $native,
        private readonly RedisQueue $laravelJobs,
        private readonly string $default,
        private readonly int $maxAttempts,
    ) {
    }

    /** Envelopes waiting, delayed or reserved, plus the companion queue's jobs. */
    public function size($queue = null)
    {
        return $this->native->size($this->queueName($queue))
            + (int) $this->laravelJobs->size($this->laravelQueue($queue));
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

    /** The next envelope (waiting up to block_for seconds), else the companion queue's next job. */
    public function pop($queue = null)
    {
        $reserved = $this->native->pop($this->queueName($queue));
        if ($reserved !== null) {
            return new IntegrationBusJob($this->container, $this->native, $reserved, $this->connectionName, $this->maxAttempts);
        }

        return $this->laravelJobs->pop($this->laravelQueue($queue));
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

    private function queueName(?string $queue): string
    {
        return $queue ?: $this->default;
    }

    /** Idempotent: a job popped from the companion queue reports that queue's name, and `queue:retry` passes it back. */
    private function laravelQueue(?string $queue): string
    {
        $name = $this->queueName($queue);

        return str_ends_with($name, self::LARAVEL_SUFFIX) ? $name : $name . self::LARAVEL_SUFFIX;
    }

    private static function isEnvelope(mixed $job): bool
    {
        return is_array($job) || $job instanceof stdClass;
    }
}
