<?php

declare(strict_types=1);

use PhpGrc\Bus\Laravel\Events;

/*
 * Integration Bus settings. The queue values are the runbook's (../shared/contract/CONTRACT.md,
 * "Queue and operations"); a queue connection in config/queue.php may override queue, dlq,
 * max_attempts, retry_seconds, backoff_exp and retry_after (= visibility_timeout) per connection.
 */
return [

    'queue' => env('INTEGRATION_BUS_QUEUE', 'integration-bus'),

    'dlq' => env('INTEGRATION_BUS_DLQ', 'integration-bus:dlq'),

    'max_attempts' => (int) env('INTEGRATION_BUS_MAX_ATTEMPTS', 5),

    // Attempt n waits retry_seconds × backoff_exp^(n−1) before it runs again.
    'retry_seconds' => (int) env('INTEGRATION_BUS_RETRY_SECONDS', 120),

    'backoff_exp' => (int) env('INTEGRATION_BUS_BACKOFF_EXP', 2),

    // Seconds a popped job stays reserved before another worker may take it (Laravel's retry_after).
    'visibility_timeout' => (int) env('INTEGRATION_BUS_VISIBILITY_TIMEOUT', 900),

    // Strict validation: UTC timestamps, attachment URIs, payload checksum, no secret-looking keys.
    'strict' => (bool) env('INTEGRATION_BUS_STRICT', false),

    /*
     * Who handles an envelope, by kind. A subclass of Events\MessageReceived is dispatched as a
     * Laravel event carrying the envelope; any other class is resolved from the container and its
     * handle(array $envelope) is called. A kind missing here fails the job.
     */
    'handlers' => [
        'asset.discovery' => Events\AssetDiscoveryMessageReceived::class,
        'asset.lifecycle' => Events\AssetLifecycleMessageReceived::class,
        'incident.event' => Events\IncidentEventMessageReceived::class,
        'vendor.profile' => Events\VendorProfileMessageReceived::class,
        'indicator.metric' => Events\IndicatorMetricMessageReceived::class,
        'cyber.metric' => Events\CyberMetricMessageReceived::class,
        'auth.provider' => Events\AuthProviderMessageReceived::class,
    ],

    // The log channel of the `integration.bus.message` line; null: the application's default.
    'log_channel' => env('INTEGRATION_BUS_LOG_CHANNEL'),

    // The processed / failed / duration counters: one Redis hash on this database.redis connection.
    'metrics' => [
        'connection' => env('INTEGRATION_BUS_METRICS_CONNECTION', 'default'),
        'key' => env('INTEGRATION_BUS_METRICS_KEY', 'integration-bus:counters'),
    ],

];
