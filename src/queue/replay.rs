//! Replay dedupe (CONTRACT.md rule 5): an envelope's replay identity, read from its JSON, and
//! remembering processed identities in Redis for `dedupe_ttl`. When it is consulted is
//! `pop`'s and `ack`'s business.
#![forbid(unsafe_code)]

use jsonschema::json::Node as _;

use crate::document::{DocNode, Document};

use super::error::QueueError;
use super::keys;
use super::raw_json;
use super::redis_queue::{lock, Queue};

/// Deepest nesting a popped envelope is parsed to: the payload scan already refused anything
/// deeper (`raw_json::MAX_DEPTH` levels around it).
pub(super) const ENVELOPE_DEPTH: usize = raw_json::MAX_DEPTH + 1;

/// The replay identity of an envelope (CONTRACT.md rule 5): `(connectorKey, externalId,
/// kind)` and the payload checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayKey {
    pub connector_key: String,
    pub external_id: String,
    pub kind: String,
    /// `provenance.checksum`, else the SHA-256 of the payload's canonical JSON.
    pub checksum: String,
}

impl ReplayKey {
    /// The replay identity of the envelope's JSON text (`None` when it lacks one of the
    /// identity members), and whether it says it is a replay (`provenance.replay: true`).
    pub fn of_json(envelope_json: &[u8]) -> (Option<ReplayKey>, bool) {
        let Ok(text) = std::str::from_utf8(envelope_json) else {
            return (None, false);
        };
        match Document::parse(text, ENVELOPE_DEPTH) {
            Ok(doc) => ReplayKey::of_doc(doc.root()),
            Err(_) => (None, false),
        }
    }

    /// As `of_json`, for an envelope already parsed (a popped job's is parsed once for the
    /// caller's check and this). The payload's checksum is computed only when
    /// `provenance.checksum` is absent.
    pub fn of_doc(envelope: DocNode<'_>) -> (Option<ReplayKey>, bool) {
        let Some(provenance) = envelope.member("provenance").filter(|p| p.as_object().is_some()) else {
            return (None, false);
        };
        let replay = provenance.member("replay").and_then(|r| r.as_boolean()) == Some(true);
        let text = |node: Option<DocNode<'_>>| node.and_then(|n| n.text()).map(str::to_owned);
        let key = (|| {
            Some(ReplayKey {
                connector_key: text(envelope.member("connectorKey"))?,
                external_id: text(provenance.member("externalId"))?,
                kind: text(envelope.member("kind"))?,
                checksum: match text(provenance.member("checksum")) {
                    Some(c) => c,
                    None => crate::canonical::identity_checksum_doc(envelope.member("payload")?),
                },
            })
        })();
        (key, replay)
    }
}

impl Queue {
    pub(super) fn replay_key(&self, key: &ReplayKey) -> String {
        keys::replay_key(
            &self.prefix,
            &key.connector_key,
            &key.external_id,
            &key.kind,
        )
    }

    /// Remembers an envelope as processed for `dedupe_ttl` seconds.
    pub fn mark_processed(&mut self, key: &ReplayKey) -> Result<(), QueueError> {
        let ttl = self.options.dedupe_ttl.max(1).to_string();
        let replay_key = self.replay_key(key);
        lock(&self.conn).command(&[
            b"SET",
            replay_key.as_bytes(),
            key.checksum.as_bytes(),
            b"EX",
            ttl.as_bytes(),
        ])?;
        Ok(())
    }

    /// Whether an envelope with this identity and this checksum was processed within the TTL.
    pub fn was_processed(&mut self, key: &ReplayKey) -> Result<bool, QueueError> {
        let replay_key = self.replay_key(key);
        let reply = lock(&self.conn).command(&[b"GET", replay_key.as_bytes()])?;
        Ok(reply.as_bytes() == Some(key.checksum.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The rule read from a `serde_json::Value`: the reference the tape reader must agree with.
    fn reference(envelope: &Value) -> (Option<ReplayKey>, bool) {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let key = (|| {
            let provenance = envelope.get("provenance")?;
            Some(ReplayKey {
                connector_key: text(envelope.get("connectorKey")?)?,
                external_id: text(provenance.get("externalId")?)?,
                kind: text(envelope.get("kind")?)?,
                checksum: match provenance.get("checksum").and_then(Value::as_str) {
                    Some(c) => c.to_owned(),
                    None => crate::canonical::identity_checksum_of::<jsonschema::json::SerdeJson>(envelope.get("payload")?),
                },
            })
        })();
        (key, envelope.pointer("/provenance/replay").and_then(Value::as_bool) == Some(true))
    }

    const ENVELOPE: &str = r#"{"connectorKey":"aws-config","kind":"asset.discovery","payload":{"b":1,"a":[1.0,"x"]},"provenance":{"externalId":"i-1","replay":true}}"#;

    #[test]
    fn the_replay_identity_is_connector_external_id_kind_and_checksum() {
        let value: Value = serde_json::from_str(ENVELOPE).unwrap();
        let (from_value, replay) = reference(&value);
        let from_value = from_value.unwrap();
        assert!(replay);
        assert_eq!(
            ReplayKey::of_json(ENVELOPE.as_bytes()),
            (Some(from_value.clone()), true)
        );
        assert_eq!(from_value.connector_key, "aws-config");
        assert_eq!(from_value.external_id, "i-1");
        assert_eq!(from_value.kind, "asset.discovery");
        assert_eq!(
            from_value.checksum,
            crate::canonical::checksum(&value["payload"]).unwrap_or_default(),
            "computed when absent"
        );
    }

    #[test]
    fn a_given_checksum_is_used_and_replay_defaults_to_false() {
        let json = r#"{"connectorKey":"c","kind":"k","payload":{},"provenance":{"externalId":"e","checksum":"ab12"}}"#;
        let (key, replay) = ReplayKey::of_json(json.as_bytes());
        assert_eq!(key.unwrap().checksum, "ab12");
        assert!(!replay);
    }

    #[test]
    fn an_envelope_without_an_identity_has_no_replay_key() {
        for json in [
            r#"{"kind":"k","payload":{},"provenance":{"externalId":"e"}}"#,
            r#"{"connectorKey":"c","kind":"k","payload":{}}"#,
            r#"{"connectorKey":"c","kind":"k","provenance":{}}"#,
            r#"{"connectorKey":1,"kind":"k","payload":{},"provenance":{"externalId":"e"}}"#,
            "not json",
        ] {
            assert_eq!(ReplayKey::of_json(json.as_bytes()).0, None, "{json}");
            if let Ok(v) = serde_json::from_str::<Value>(json) {
                assert_eq!(reference(&v).0, None, "{json}");
            }
        }
    }
}
