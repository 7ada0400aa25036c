<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use PhpGrc\Bus\Laravel\Events;
use PhpGrc\Bus\Run;

/** Valid envelopes of every kind, built by the extension's Run. */
final class Envelopes
{
    public const RECEIVED_AT = '2025-03-01T10:00:00.000Z';

    /** kind => [event, payload, default event class] */
    public const KINDS = [
        'asset.discovery' => ['asset.upserted', [
            'assetId' => 'i-0abc', 'name' => 'web-1', 'type' => 'ec2.instance', 'environment' => 'production',
            'tags' => ['web', 'pci'], 'attributes' => ['region' => 'eu-west-1', 'cpu' => 4],
        ], Events\AssetDiscoveryMessageReceived::class],
        'asset.lifecycle' => ['asset.status_changed', [
            'assetId' => 'i-0abc', 'status' => 'retired', 'effectiveAt' => '2025-02-01T00:00:00Z',
        ], Events\AssetLifecycleMessageReceived::class],
        'incident.event' => ['incident.opened', [
            'incidentId' => 'INC-42', 'status' => 'NEW', 'severity' => 'HIGH', 'summary' => 'Impossible travel login',
        ], Events\IncidentEventMessageReceived::class],
        'vendor.profile' => ['vendor.updated', [
            'vendorId' => 'v-7', 'name' => 'Acme', 'category' => 'saas',
            'contacts' => [['name' => 'Ann', 'email' => 'ann@example.com', 'role' => 'owner']],
            'services' => [['name' => 'CRM', 'description' => 'Customer records']],
        ], Events\VendorProfileMessageReceived::class],
        'indicator.metric' => ['indicator.measured', [
            'indicatorKey' => 'mttr.hours', 'window' => 'P7D', 'value' => 4.5, 'unit' => 'hours', 'context' => ['team' => 'ops'],
        ], Events\IndicatorMetricMessageReceived::class],
        'cyber.metric' => ['metric.observed', [
            'sourceType' => 'siem', 'assetKey' => 'web-1', 'observedAt' => '2025-02-01T00:00:00Z', 'metrics' => ['alerts' => 3],
        ], Events\CyberMetricMessageReceived::class],
        'auth.provider' => ['provider.checked', [
            'providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2025-02-01T00:00:00Z',
        ], Events\AuthProviderMessageReceived::class],
    ];

    /**
     * @param array<string, mixed> $options Run::envelope() options; receivedAt is fixed unless given,
     *                                      so Summary::of() of the envelope does not depend on the clock
     * @return array<string, mixed>
     */
    public static function of(string $kind = 'asset.discovery', array $options = []): array
    {
        [$event, $payload] = self::KINDS[$kind];

        return (new Run('aws-config', '2025.10.0'))->envelope(
            $kind,
            $event,
            $payload,
            ['source' => 'aws-config', 'externalId' => 'arn:aws:ec2:eu-west-1:1:instance/i-0abc', 'correlationId' => '0f8fad5b-d9cb-469f-a165-70867728950e'],
            $options + ['receivedAt' => self::RECEIVED_AT, 'meta' => ['pipeline' => 'nightly']],
        );
    }
}
