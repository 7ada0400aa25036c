//! Redis key layout. Queue keys are Laravel RedisQueue's (`queues:NAME` and its `:notify`,
//! `:reserved`, `:delayed`), behind the connection's prefix as phpredis applies it.
#![forbid(unsafe_code)]

use sha2::{Digest, Sha256};

/// Processed-envelope memory for replay dedupe: one key per `(connectorKey, externalId, kind)`.
pub const REPLAY_NAMESPACE: &str = "integration-bus:replay:";

/// The four keys of one queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKeys {
    /// List of ready payloads (RPUSH to enqueue, LPOP to take).
    pub ready: String,
    /// List of wake-up tokens, one per ready job, for workers blocked in BLPOP.
    pub notify: String,
    /// Sorted set of reserved payloads scored by the unix second their reservation expires.
    pub reserved: String,
    /// Sorted set of delayed payloads scored by the unix second they become due.
    pub delayed: String,
}

impl QueueKeys {
    pub fn new(prefix: &str, queue: &str) -> QueueKeys {
        let ready = format!("{prefix}queues:{queue}");
        QueueKeys {
            notify: format!("{ready}:notify"),
            reserved: format!("{ready}:reserved"),
            delayed: format!("{ready}:delayed"),
            ready,
        }
    }
}

/// The dead-letter list (`integration-bus:dlq` by default): a plain list, not under `queues:`.
pub fn dead_letter_key(prefix: &str, dlq: &str) -> String {
    format!("{prefix}{dlq}")
}

/// The replay-dedupe key of an envelope identity. The parts are hashed with their lengths, so
/// no separator inside a part can make two identities share a key, and keys stay short.
pub fn replay_key(prefix: &str, connector_key: &str, external_id: &str, kind: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [connector_key, external_id, kind] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut key = String::with_capacity(prefix.len() + REPLAY_NAMESPACE.len() + 64);
    key.push_str(prefix);
    key.push_str(REPLAY_NAMESPACE);
    key.push_str(&crate::canonical::hex(&digest));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_keys_are_laravels_behind_the_prefix() {
        let k = QueueKeys::new("laravel_database_", "integration-bus");
        assert_eq!(k.ready, "laravel_database_queues:integration-bus");
        assert_eq!(k.notify, "laravel_database_queues:integration-bus:notify");
        assert_eq!(
            k.reserved,
            "laravel_database_queues:integration-bus:reserved"
        );
        assert_eq!(k.delayed, "laravel_database_queues:integration-bus:delayed");
        assert_eq!(QueueKeys::new("", "q").ready, "queues:q");
    }

    #[test]
    fn the_dead_letter_list_is_the_dlq_name_behind_the_prefix() {
        assert_eq!(
            dead_letter_key("", "integration-bus:dlq"),
            "integration-bus:dlq"
        );
        assert_eq!(
            dead_letter_key("p_", "integration-bus:dlq"),
            "p_integration-bus:dlq"
        );
    }

    #[test]
    fn replay_keys_depend_on_connector_external_id_and_kind_only() {
        let a = replay_key("", "aws-config", "i-123", "asset.discovery");
        assert!(a.starts_with("integration-bus:replay:"));
        assert_eq!(a.len(), REPLAY_NAMESPACE.len() + 64);
        assert_eq!(a, replay_key("", "aws-config", "i-123", "asset.discovery"));
        assert_ne!(a, replay_key("", "aws-config", "i-124", "asset.discovery"));
        assert_ne!(a, replay_key("", "aws-config", "i-123", "asset.lifecycle"));
        assert_ne!(
            a,
            replay_key("", "aws-confi", "gi-123", "asset.discovery"),
            "no separator ambiguity"
        );
        assert!(replay_key("p_", "c", "e", "k").starts_with("p_integration-bus:replay:"));
    }
}
