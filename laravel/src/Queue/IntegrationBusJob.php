<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Queue;

use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\Job as JobContract;
use Illuminate\Queue\Jobs\Job;
use PhpGrc\Bus\Laravel\FailureReason;
use PhpGrc\Bus\Queue as NativeQueue;
use PhpGrc\Bus\ReservedJob;
use Throwable;

/**
 * A job reserved by the extension's queue, driven by Laravel's stock Worker. The Worker's three
 * outcomes map onto the extension so the contract's rules hold under `queue:work`:
 *
 * - delete() after success → ack (clears `error`, removes exactly the reserved bytes);
 * - release() after the handler threw → fail(code, message): `error` annotated, re-delayed by
 *   retry_seconds × backoff_exp^(attempt−1) (the Worker's own --backoff is not used);
 *   release() without an exception (a handler asked for it) → release with the given delay;
 * - fail() when attempts are exhausted → fail(code, message), which dead-letters the job with its
 *   `error`; Laravel's failed() hook and JobFailed event (the failed-jobs table) still run.
 *
 * When the extension keeps the worker counters (the driver's Redis connection is the counters'
 * connection), the ack or fail carries this job's count and the handler time EnvelopeJob reports
 * through ranFor(): no round trip of its own.
 *
 * Overridden methods keep Laravel's untyped signatures, the same from 8 to 13.
 */
final class IntegrationBusJob extends Job implements JobContract
{
    /** @var array<string, mixed> the decoded payload; Laravel reads it many times per job */
    private readonly array $decoded;

    /** What made this attempt fail: the handler's exception, or the one the job was failed with. */
    private ?Throwable $failure = null;

    /** How long the handler ran, for the counters the ack or fail writes (null: since pop). */
    private ?float $ranFor = null;

    public function __construct(
        Container $container,
        private readonly NativeQueue $native,
        private readonly ReservedJob $reserved,
        string $connectionName,
        private readonly int $maxAttempts,
        private readonly bool $countsItself = false,
    ) {
        $this->container = $container;
        $this->connectionName = $connectionName;
        $this->queue = $reserved->queue();
        $this->decoded = json_decode($reserved->rawPayload(), true, 512, JSON_THROW_ON_ERROR);
    }

    public function fire()
    {
        try {
            parent::fire();
        } catch (Throwable $e) {
            $this->failure = $e;

            throw $e;
        }
    }

    public function delete()
    {
        parent::delete();

        if ($this->hasFailed()) {
            $this->annotateAndReschedule();
        } else {
            $this->native->ack($this->reserved, $this->ranFor);
        }
    }

    public function release($delay = 0)
    {
        parent::release($delay);

        if ($this->failure !== null) {
            $this->annotateAndReschedule();
        } else {
            $this->native->release($this->reserved, (int) $delay);
        }
    }

    public function fail($e = null)
    {
        $this->failure = $e ?? $this->failure;

        parent::fail($e);
    }

    /** The extension's max_attempts, over the payload's maxTries and --tries: it decides when to dead-letter. */
    public function maxTries()
    {
        return $this->maxAttempts;
    }

    public function attempts()
    {
        return $this->reserved->attempts();
    }

    public function getJobId()
    {
        return $this->reserved->id();
    }

    public function getRawBody()
    {
        return $this->reserved->rawPayload();
    }

    public function payload()
    {
        return $this->decoded;
    }

    /** Whether this job's ack or fail counts it in the worker counters (EnvelopeJob then does not). */
    public function countsItself(): bool
    {
        return $this->countsItself;
    }

    /** The handler's run time, for the count the ack or fail writes. */
    public function ranFor(float $seconds): void
    {
        $this->ranFor = $seconds;
    }

    /** The reserved job, for the extension's own calls (envelope JSON, headers). */
    public function reservedJob(): ReservedJob
    {
        return $this->reserved;
    }

    /**
     * The extension's fail(): annotates `error`, then re-delays with the contract's backoff or,
     * with attempts exhausted, dead-letters. Laravel fails a job exactly when attempts reach
     * maxTries(), which is the extension's max_attempts, so the two agree on the last attempt.
     */
    private function annotateAndReschedule(): void
    {
        $reason = FailureReason::of($this->failure);
        $this->native->fail($this->reserved, $reason->code, $reason->message, $this->ranFor);
    }
}
