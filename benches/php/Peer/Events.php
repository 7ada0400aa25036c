<?php

declare(strict_types=1);

/*
 * phpGRC's per-kind events (an abstract base holding the envelope object, one empty subclass per
 * kind, with Laravel's event Dispatchable and SerializesModels traits), rebuilt for the bench.
 */

namespace PhpGrc\Bus\Bench\Peer\Events;

use Illuminate\Foundation\Events\Dispatchable;
use Illuminate\Queue\SerializesModels;
use PhpGrc\Bus\Bench\Peer\PeerEnvelope;

abstract class MessageReceived
{
    use Dispatchable;
    use SerializesModels;

    public function __construct(public readonly PeerEnvelope $envelope)
    {
    }
}

final class AssetDiscoveryReceived extends MessageReceived
{
}

final class AssetLifecycleReceived extends MessageReceived
{
}

final class IncidentEventReceived extends MessageReceived
{
}

final class VendorProfileReceived extends MessageReceived
{
}

final class IndicatorMetricReceived extends MessageReceived
{
}

final class CyberMetricReceived extends MessageReceived
{
}

final class AuthProviderReceived extends MessageReceived
{
}

/** @return list<class-string<MessageReceived>> */
function all(): array
{
    return [AssetDiscoveryReceived::class, AssetLifecycleReceived::class, IncidentEventReceived::class, VendorProfileReceived::class,
        IndicatorMetricReceived::class, CyberMetricReceived::class, AuthProviderReceived::class];
}
