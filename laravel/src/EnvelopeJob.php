<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel;

use Illuminate\Contracts\Container\Container;
use Illuminate\Contracts\Events\Dispatcher;
use Illuminate\Contracts\Queue\Job;
use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\Events\MessageReceived;
use PhpGrc\Bus\Laravel\Queue\IntegrationBusJob;
use PhpGrc\Bus\Summary;
use PhpGrc\Bus\Validator;
use Psr\Log\LoggerInterface;
use Throwable;

/**
 * The Laravel handler named in every job payload the extension writes (`job` = HANDLER), so a
 * stock worker, on our driver or on Laravel's own `redis` driver, calls handle() with the envelope.
 *
 * It checks the envelope and its queue headers with the Validator, hands the envelope to the
 * handler configured for its kind, acknowledges the job, and for every attempt writes the
 * `integration.bus.message` log line and the worker counters. A failure is rethrown so the Worker
 * retries, dead-letters and runs Laravel's failed-job path as usual.
 */
final class EnvelopeJob
{
    /** The payload's `job` value: class and method, in Laravel's `Class@method` notation. */
    public const HANDLER = self::class . '@handle';

    public const LOG_MESSAGE = 'integration.bus.message';

    /**
     * @param array<string, class-string> $handlers kind => event class (a MessageReceived) or handler class
     * @param int $maxAttempts the error annotation's maxAttempts when the job does not say
     */
    public function __construct(
        private readonly Validator $validator,
        private readonly Container $container,
        private readonly Dispatcher $events,
        private readonly LoggerInterface $logger,
        private readonly Metrics $metrics,
        private readonly array $handlers,
        private readonly int $maxAttempts,
    ) {
    }

    /** @param array<string, mixed> $envelope the payload's `data` */
    public function handle(Job $job, array $envelope): void
    {
        $started = hrtime(true);

        try {
            $this->validator->assertValid($envelope, $this->headersOf($job));
            $this->dispatchToHandler($envelope);
        } catch (Throwable $e) {
            $reason = FailureReason::of($e);
            $this->logger->info(self::LOG_MESSAGE, Summary::of(Envelope::withError(
                $envelope,
                $reason->code,
                $reason->message,
                $job->attempts(),
                (int) ($job->maxTries() ?? $this->maxAttempts),
            )));
            $this->count($job, false, self::secondsSince($started));

            throw $e;
        }

        // A success logs the envelope with `error` cleared (an earlier attempt's no longer applies).
        // Set here, not by Envelope::clearError(), which converts the whole (already validated)
        // envelope to JSON values and back: ~80 k instructions a job.
        $envelope['error'] = null;
        $this->logger->info(self::LOG_MESSAGE, Summary::of($envelope));
        $this->count($job, true, self::secondsSince($started));

        $job->delete();
    }

    /**
     * The worker counters: written by the extension with this job's ack or fail when the
     * driver keeps them (no round trip of their own), else by Metrics now.
     */
    private function count(Job $job, bool $processed, float $seconds): void
    {
        if ($job instanceof IntegrationBusJob && $job->countsItself()) {
            $job->ranFor($seconds);
        } elseif ($processed) {
            $this->metrics->recordProcessed($seconds);
        } else {
            $this->metrics->recordFailed($seconds);
        }
    }

    /**
     * The `x-phpgrc-*` headers the producer wrote beside the envelope; a payload without them gets
     * `[]`, which the header rules reject, so a worker never trusts an unrouted body.
     *
     * @return array<string, string|list<string>>
     */
    private function headersOf(Job $job): array
    {
        $headers = $job->payload()['headers'] ?? [];

        return is_array($headers) ? $headers : [];
    }

    /** @param array<string, mixed> $envelope a valid envelope */
    private function dispatchToHandler(array $envelope): void
    {
        $kind = (string) $envelope['kind'];
        $handler = $this->handlers[$kind] ?? null;
        if ($handler === null) {
            throw HandlerNotConfiguredException::forKind($kind);
        }

        if (is_subclass_of($handler, MessageReceived::class)) {
            $this->events->dispatch(new $handler($envelope));

            return;
        }

        $this->container->make($handler)->handle($envelope);
    }

    private static function secondsSince(int|float $started): float
    {
        return (hrtime(true) - $started) / 1e9;
    }
}
