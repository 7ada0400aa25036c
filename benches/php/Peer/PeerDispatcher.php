<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench\Peer;

use InvalidArgumentException;

/** phpGRC's dispatcher (its `IntegrationBusDispatcher`), rebuilt: fires the kind's event through Laravel's `event()`. */
final class PeerDispatcher
{
    public function dispatch(PeerEnvelope $envelope): void
    {
        $event = match ($envelope->kind) {
            'asset.discovery' => Events\AssetDiscoveryReceived::class,
            'asset.lifecycle' => Events\AssetLifecycleReceived::class,
            'incident.event' => Events\IncidentEventReceived::class,
            'vendor.profile' => Events\VendorProfileReceived::class,
            'indicator.metric' => Events\IndicatorMetricReceived::class,
            'cyber.metric' => Events\CyberMetricReceived::class,
            'auth.provider' => Events\AuthProviderReceived::class,
            default => throw new InvalidArgumentException("no event for kind {$envelope->kind}"),
        };

        event(new $event($envelope));
    }
}
