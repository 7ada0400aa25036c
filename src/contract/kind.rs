//! The seven envelope kinds and the `$defs` payload definition each one must use.
#![forbid(unsafe_code)]

/// An envelope `kind` of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    AssetDiscovery,
    AssetLifecycle,
    IncidentEvent,
    VendorProfile,
    IndicatorMetric,
    CyberMetric,
    AuthProvider,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::AssetDiscovery,
        Kind::AssetLifecycle,
        Kind::IncidentEvent,
        Kind::VendorProfile,
        Kind::IndicatorMetric,
        Kind::CyberMetric,
        Kind::AuthProvider,
    ];

    /// The kind as written in envelopes and in the `x-phpgrc-kind` header.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AssetDiscovery => "asset.discovery",
            Kind::AssetLifecycle => "asset.lifecycle",
            Kind::IncidentEvent => "incident.event",
            Kind::VendorProfile => "vendor.profile",
            Kind::IndicatorMetric => "indicator.metric",
            Kind::CyberMetric => "cyber.metric",
            Kind::AuthProvider => "auth.provider",
        }
    }

    /// The name under `$defs` of the kind's payload definition.
    pub fn definition(self) -> &'static str {
        match self {
            Kind::AssetDiscovery => "payloadAssetDiscovery",
            Kind::AssetLifecycle => "payloadAssetLifecycle",
            Kind::IncidentEvent => "payloadIncidentEvent",
            Kind::VendorProfile => "payloadVendorProfile",
            Kind::IndicatorMetric => "payloadIndicatorMetric",
            Kind::CyberMetric => "payloadCyberMetric",
            Kind::AuthProvider => "payloadAuthProvider",
        }
    }

    /// The position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
