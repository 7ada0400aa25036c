<?php

// The Queue API under construction (issue 4); merged into phpgrc_bus.stub.php when the
// binding lands, which the stub test then checks against the module.

namespace PhpGrc\Bus {

    /**
     * A Redis queue client that speaks Laravel's RedisQueue wire format (keys `queues:NAME`,
     * `:notify`, `:reserved`, `:delayed`, the same job payload JSON), so stock
     * `php artisan queue:work` and this client interoperate. One connection per process and
     * connection string, reused across requests; reconnects after fork and after the server
     * closes it.
     *
     * Options (each else from the `INTEGRATION_BUS_*` environment variable, else the runbook's
     * default): queue (`integration-bus`), dlq (`integration-bus:dlq`), max_attempts (5),
     * retry_seconds (120), backoff_exp (2), retry_after (900), block_for (null), prefix (''),
     * job (the Laravel handler class written into payloads), timeout and read_timeout (seconds),
     * dedupe_ttl (seconds a processed replay key is remembered), strict (validate pushes in strict mode).
     */
    final class Queue
    {
        /**
         * @param string|array $connection `redis://[user:pass@]host:port/db`, `rediss://...`, a unix socket path, or a Laravel `config/database.php` redis connection array
         * @throws QueueException when the connection string or options are invalid
         */
        public function __construct(string|array $connection, array $options = []) {}

        /**
         * Validates, then enqueues one envelope.
         * @return string the job id
         * @throws ValidationException when the envelope is invalid (nothing is enqueued)
         * @throws QueueException
         */
        public function push(array|string|object $envelope, ?string $queue = null): string {}

        /**
         * Validates all, then enqueues all in one pipelined round trip; nothing is enqueued when one is invalid.
         * @return list<string> job ids, in input order
         * @throws ValidationException naming the index of the first invalid envelope (violation paths are prefixed with `/<index>`)
         */
        public function pushBatch(iterable $envelopes, ?string $queue = null): array {}

        /** Enqueues one envelope to run after `$delaySeconds`. @return string the job id */
        public function later(int $delaySeconds, array|string|object $envelope, ?string $queue = null): string {}

        /**
         * Moves due delayed and expired reserved jobs back, then reserves one job (attempts + 1,
         * reserved until now + retry_after). A job whose headers do not match its body goes to the
         * dead-letter queue with `VALIDATION_FAILED` and the next job is tried. A replayed envelope
         * already processed is acknowledged and skipped.
         *
         * @param int|null $blockFor seconds to wait on `:notify` when empty; null: the `block_for` option
         */
        public function pop(?string $queue = null, ?int $blockFor = null): ?ReservedJob {}

        /** Processing succeeded: removes exactly the reserved bytes from `:reserved`. */
        public function ack(ReservedJob $job): void {}

        /**
         * Puts the job back: `$delay` seconds (null: retry_seconds x backoff_exp^(attempts-1)); a job
         * whose attempts are exhausted goes to the dead-letter queue instead.
         * @return string `released` or `dead-lettered`
         */
        public function release(ReservedJob $job, ?int $delay = null): string {}

        /**
         * Processing failed: annotates `error` per the error contract, then re-delays with backoff
         * while attempts < max_attempts, else moves the job to the dead-letter queue.
         * @return string `released` or `dead-lettered`
         */
        public function fail(ReservedJob $job, string $code, string $message): string {}

        /** Ready + delayed + reserved jobs. */
        public function size(?string $queue = null): int {}

        /** The oldest dead letters, as decoded job payloads. @return list<array> */
        public function deadLetters(int $limit = 100): array {}

        /** Moves one dead letter (by job id) back to its queue with attempts reset. */
        public function retryDeadLetter(string $id): bool {}

        /** Counters: pushed, popped, acked, released, dead_lettered, replays_skipped (this process), and the queue sizes. */
        public function stats(?string $queue = null): array {}
    }

    /** A job reserved by `Queue::pop()`. */
    final class ReservedJob
    {
        /** The job id (Laravel's `id`/`uuid`). */
        public function id(): string {}
        /** The queue name it was popped from (without prefix). */
        public function queue(): string {}
        /** Attempts including this one. */
        public function attempts(): int {}
        /** The envelope (`data` of the job payload). */
        public function envelope(): array {}
        /** The envelope as JSON. */
        public function envelopeJson(): string {}
        /** The `x-phpgrc-*` headers carried in the job payload. @return array<string, string> */
        public function headers(): array {}
        /** The reserved job payload exactly as Redis returned it. */
        public function rawPayload(): string {}
    }

}
