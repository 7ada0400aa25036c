//! The context of the `integration.bus.message` log line a worker writes for every envelope.
//!
//! Keys only, never payload or meta values: the log must not leak data. The summary accepts any
//! JSON value, valid envelope or not; a missing or mistyped field becomes null.
#![forbid(unsafe_code)]

use jsonschema::json::{Array, Json, JsonNumber, Node, Object, SerdeJson};
use serde_json::{Map, Value};

use crate::contract::document::{DocJson, Document};
use crate::timestamp;

/// How many payload and meta keys the log line lists.
pub const LISTED_KEYS: usize = 15;

/// The error contract's bound on `error.message`; a longer message in a broken envelope is cut
/// so one log line stays small.
const ERROR_MESSAGE_MAX_CHARS: usize = crate::envelope::ERROR_MESSAGE_MAX_CHARS;

/// The log context of one envelope, keys in the contract's order: status, envelope_id,
/// connector {key, version}, tenant_id, run_id, kind, event, priority, received_at, emitted_at,
/// provenance {source, external_id, correlation_id, replay}, payload_keys, meta_keys,
/// attachments {count, types}, error.
///
/// `received_at`: when the worker received the job; `None` takes the envelope's `receivedAt`,
/// else now.
pub fn summarize(envelope: &Value, received_at: Option<&str>) -> Value {
    summarize_node::<SerdeJson>(envelope, received_at)
}

/// `summarize` of an envelope given as JSON bytes, read from a borrowed tape: no value of the
/// payload is copied.
pub fn summarize_json(bytes: &[u8], received_at: Option<&str>) -> Result<Value, serde_json::Error> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(doc) = Document::parse(text, 128) {
            return Ok(summarize_node::<DocJson>(doc.root(), received_at));
        }
    }
    // Not JSON (or not UTF-8): serde_json says why, with line and column.
    let envelope: Value = serde_json::from_slice(bytes)?;
    Ok(summarize(&envelope, received_at))
}

/// `summarize` over any JSON representation jsonschema can read (serde_json values, JSON
/// tapes, a binding's own values): it reads only the members it reports.
pub fn summarize_node<'a, F: Json>(envelope: F::Node<'a>, received_at: Option<&str>) -> Value {
    let top = |key: &str| member::<F>(&envelope, key);
    let text = |key: &str| string_at::<F>(top(key));
    let provenance = top("provenance");
    let error = top("error").filter(|e| !e.is_null());

    let mut summary = Map::new();
    let status = if error.is_some() { "errored" } else { "processed" };
    summary.insert("status".into(), status.into());
    summary.insert("envelope_id".into(), text("id"));
    summary.insert("connector".into(), object([("key", text("connectorKey")), ("version", text("connectorVersion"))]));
    summary.insert("tenant_id".into(), text("tenantId"));
    summary.insert("run_id".into(), text("runId"));
    summary.insert("kind".into(), text("kind"));
    summary.insert("event".into(), text("event"));
    let priority = top("priority").and_then(|p| p.as_string()).map_or_else(|| "normal".to_string(), |p| p.into_owned());
    summary.insert("priority".into(), priority.into());
    let received_at = match (received_at, top("receivedAt").and_then(|r| r.as_string())) {
        (Some(given), _) => given.to_string(),
        (None, Some(body)) => body.into_owned(),
        (None, None) => timestamp::now_utc_millis(),
    };
    summary.insert("received_at".into(), received_at.into());
    summary.insert("emitted_at".into(), text("emittedAt"));
    let field = |key: &str| string_at::<F>(provenance.as_ref().and_then(|p| member::<F>(p, key)));
    let replay = provenance.as_ref().and_then(|p| member::<F>(p, "replay")).and_then(|r| r.as_boolean()).unwrap_or(false);
    summary.insert(
        "provenance".into(),
        object([
            ("source", field("source")),
            ("external_id", field("externalId")),
            ("correlation_id", field("correlationId")),
            ("replay", replay.into()),
        ]),
    );
    summary.insert("payload_keys".into(), first_keys::<F>(top("payload")));
    summary.insert("meta_keys".into(), first_keys::<F>(top("meta")));
    summary.insert("attachments".into(), attachments::<F>(top("attachments")));
    summary.insert("error".into(), error.map_or(Value::Null, |e| error_summary::<F>(&e)));
    Value::Object(summary)
}

fn member<'a, F: Json>(node: &F::Node<'a>, key: &str) -> Option<F::Node<'a>> {
    node.as_object()?.get(&F::prepare_key(key))
}

/// A string field as it is; anything else (missing, null, a number, an object) as null, so a
/// broken envelope can never put a structure into the log.
fn string_at<'a, F: Json>(value: Option<F::Node<'a>>) -> Value {
    value.and_then(|v| v.as_string()).map_or(Value::Null, |s| Value::String(s.into_owned()))
}

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The first keys of an object, in order; `[]` for anything that is not an object.
fn first_keys<'a, F: Json>(value: Option<F::Node<'a>>) -> Value {
    let Some(object) = value.as_ref().and_then(|v| v.as_object()) else { return Value::Array(Vec::new()) };
    // A name given twice counts once, at its first place (as serde_json keeps it).
    let mut keys: Vec<Value> = Vec::with_capacity(LISTED_KEYS);
    for (name, _) in object.members() {
        if keys.len() == LISTED_KEYS {
            break;
        }
        if !keys.iter().any(|k| k.as_str() == Some(name.as_ref())) {
            keys.push(Value::from(name.as_ref()));
        }
    }
    Value::Array(keys)
}

/// `{count, types}`: how many attachments and their distinct `type` values, first seen first.
fn attachments<'a, F: Json>(value: Option<F::Node<'a>>) -> Value {
    let mut count = 0usize;
    let mut types: Vec<Value> = Vec::new();
    if let Some(list) = value.as_ref().and_then(|v| v.as_array()) {
        count = list.len();
        for item in list.elements() {
            if let Some(kind) = member::<F>(&item, "type").and_then(|t| t.as_string()) {
                // Types come from a four-value enum, so a linear search stays cheap.
                let kind = Value::String(kind.into_owned());
                if !types.contains(&kind) {
                    types.push(kind);
                }
            }
        }
    }
    object([("count", count.into()), ("types", Value::Array(types))])
}

/// `{code, message, attempt, maxAttempts, retryAt when present}` of a set `error`.
fn error_summary<'a, F: Json>(error: &F::Node<'a>) -> Value {
    let mut summary = Map::new();
    summary.insert("code".into(), string_at::<F>(member::<F>(error, "code")));
    let message = member::<F>(error, "message").and_then(|m| m.as_string()).map_or(Value::Null, |m| {
        match m.char_indices().nth(ERROR_MESSAGE_MAX_CHARS) {
            Some((cut, _)) => Value::from(&m[..cut]),
            None => Value::from(m.as_ref()),
        }
    });
    summary.insert("message".into(), message);
    for key in ["attempt", "maxAttempts"] {
        let count = member::<F>(error, key)
            .and_then(|n| n.as_number())
            .map_or(Value::Null, |n| Value::Number(n.to_number().into_owned()));
        summary.insert(key.into(), count);
    }
    if let Some(retry_at) = member::<F>(error, "retryAt").and_then(|r| r.as_string()) {
        summary.insert("retryAt".into(), Value::String(retry_at.into_owned()));
    }
    Value::Object(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SUMMARY_KEYS: [&str; 15] = [
        "status",
        "envelope_id",
        "connector",
        "tenant_id",
        "run_id",
        "kind",
        "event",
        "priority",
        "received_at",
        "emitted_at",
        "provenance",
        "payload_keys",
        "meta_keys",
        "attachments",
        "error",
    ];

    fn keys(value: &Value) -> Vec<&str> {
        value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    fn envelope() -> Value {
        json!({
            "id": "01JDQ6Z3J0K8WQ0C2V5H9M4T7X",
            "busVersion": "1.0.0",
            "connectorKey": "aws-config",
            "connectorVersion": "2025.10.0",
            "tenantId": "core.default",
            "runId": "01JDQ6Z3HZ3B8K2X6N4C9M0P5R",
            "kind": "asset.discovery",
            "event": "asset.upserted",
            "emittedAt": "2026-11-26T19:31:25.123Z",
            "receivedAt": "2026-11-26T19:31:26.000Z",
            "priority": "high",
            "payload": {"assetId": "secret-value-1", "name": "web-1", "type": "ec2", "environment": "production", "tags": ["t"], "attributes": {"a": "secret-value-2"}},
            "provenance": {
                "source": "aws-config",
                "externalId": "arn:aws:ec2:1",
                "correlationId": "0123456789abcdef",
                "ingestedAt": "2026-11-26T19:31:25.200Z",
                "schemaRef": "https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery",
                "replay": true
            },
            "attachments": [
                {"type": "report", "uri": "https://f.example/1", "contentType": "application/pdf"},
                {"type": "log", "uri": "s3://b/2", "contentType": "text/plain"},
                {"type": "report", "uri": "https://f.example/3", "contentType": "application/pdf"}
            ],
            "meta": {"batch": "secret-value-3", "page": 2},
            "error": null
        })
    }

    fn with_keys(count: usize) -> Value {
        let mut envelope = envelope();
        let keys: Map<String, Value> = (0..count).map(|i| (format!("k{i:04}"), json!(i))).collect();
        envelope["payload"] = Value::Object(keys.clone());
        envelope["meta"] = Value::Object(keys);
        envelope
    }

    #[test]
    fn summary_has_exactly_the_log_line_keys_in_order() {
        let summary = summarize(&envelope(), None);
        assert_eq!(keys(&summary), SUMMARY_KEYS);
        assert_eq!(keys(&summary["connector"]), ["key", "version"]);
        assert_eq!(keys(&summary["provenance"]), ["source", "external_id", "correlation_id", "replay"]);
        assert_eq!(keys(&summary["attachments"]), ["count", "types"]);
    }

    #[test]
    fn summary_of_a_full_envelope() {
        let summary = summarize(&envelope(), None);
        assert_eq!(
            summary,
            json!({
                "status": "processed",
                "envelope_id": "01JDQ6Z3J0K8WQ0C2V5H9M4T7X",
                "connector": {"key": "aws-config", "version": "2025.10.0"},
                "tenant_id": "core.default",
                "run_id": "01JDQ6Z3HZ3B8K2X6N4C9M0P5R",
                "kind": "asset.discovery",
                "event": "asset.upserted",
                "priority": "high",
                "received_at": "2026-11-26T19:31:26.000Z",
                "emitted_at": "2026-11-26T19:31:25.123Z",
                "provenance": {"source": "aws-config", "external_id": "arn:aws:ec2:1", "correlation_id": "0123456789abcdef", "replay": true},
                "payload_keys": ["assetId", "name", "type", "environment", "tags", "attributes"],
                "meta_keys": ["batch", "page"],
                "attachments": {"count": 3, "types": ["report", "log"]},
                "error": null
            })
        );
    }

    #[test]
    fn summary_never_copies_payload_or_meta_values() {
        let line = summarize(&envelope(), None).to_string();
        assert!(!line.contains("secret-value"), "{line}");
    }

    #[test]
    fn payload_and_meta_keys_are_cut_at_15_in_order() {
        for count in [0, 1, 15, 16, 1000] {
            let summary = summarize(&with_keys(count), None);
            let expected: Vec<Value> = (0..count.min(15)).map(|i| json!(format!("k{i:04}"))).collect();
            assert_eq!(summary["payload_keys"], Value::Array(expected.clone()), "{count} keys");
            assert_eq!(summary["meta_keys"], Value::Array(expected), "{count} keys");
        }
    }

    #[test]
    fn payload_keys_keep_the_envelope_order_not_sorted() {
        let mut envelope = envelope();
        envelope["payload"] = json!({"zeta": 1, "alpha": 2, "mid": 3});
        assert_eq!(summarize(&envelope, None)["payload_keys"], json!(["zeta", "alpha", "mid"]));
    }

    #[test]
    fn status_is_errored_when_error_is_set() {
        let mut envelope = envelope();
        envelope["error"] = json!({
            "code": "UPSTREAM_TIMEOUT", "message": "no answer", "occurredAt": "2026-11-26T19:31:27Z",
            "attempt": 2, "maxAttempts": 5, "retryAt": "2026-11-26T19:35:27Z", "traceId": "trace-0001"
        });
        let summary = summarize(&envelope, None);
        assert_eq!(summary["status"], "errored");
        assert_eq!(
            summary["error"],
            json!({"code": "UPSTREAM_TIMEOUT", "message": "no answer", "attempt": 2, "maxAttempts": 5, "retryAt": "2026-11-26T19:35:27Z"})
        );
        assert_eq!(keys(&summary["error"]), ["code", "message", "attempt", "maxAttempts", "retryAt"]);
    }

    #[test]
    fn error_summary_has_retry_at_only_when_present() {
        let mut envelope = envelope();
        envelope["error"] =
            json!({"code": "X", "message": "m", "occurredAt": "2026-11-26T19:31:27Z", "attempt": 1, "maxAttempts": 5});
        assert_eq!(keys(&summarize(&envelope, None)["error"]), ["code", "message", "attempt", "maxAttempts"]);
    }

    #[test]
    fn status_is_processed_when_error_is_null_or_absent() {
        let mut envelope = envelope();
        assert_eq!(summarize(&envelope, None)["status"], "processed");
        if let Some(body) = envelope.as_object_mut() {
            body.remove("error");
        }
        let summary = summarize(&envelope, None);
        assert_eq!(summary["status"], "processed");
        assert_eq!(summary["error"], Value::Null);
    }

    #[test]
    fn status_is_errored_for_any_non_null_error() {
        let mut envelope = envelope();
        envelope["error"] = json!("boom");
        let summary = summarize(&envelope, None);
        assert_eq!(summary["status"], "errored");
        assert_eq!(summary["error"], json!({"code": null, "message": null, "attempt": null, "maxAttempts": null}));
    }

    #[test]
    fn received_at_prefers_the_argument_then_the_body_then_now() {
        let envelope = envelope();
        assert_eq!(summarize(&envelope, Some("2026-12-01T00:00:00.000Z"))["received_at"], "2026-12-01T00:00:00.000Z");
        assert_eq!(summarize(&envelope, None)["received_at"], "2026-11-26T19:31:26.000Z");
        let mut without = envelope;
        if let Some(body) = without.as_object_mut() {
            body.remove("receivedAt");
        }
        let now = summarize(&without, None)["received_at"].as_str().map(str::to_string).unwrap_or_default();
        assert!(timestamp::is_utc(&now), "{now}");
    }

    #[test]
    fn priority_defaults_to_normal_and_replay_to_false() {
        let mut envelope = envelope();
        if let Some(body) = envelope.as_object_mut() {
            body.remove("priority");
        }
        if let Some(provenance) = envelope["provenance"].as_object_mut() {
            provenance.remove("replay");
        }
        let summary = summarize(&envelope, None);
        assert_eq!(summary["priority"], "normal");
        assert_eq!(summary["provenance"]["replay"], false);
    }

    #[test]
    fn missing_fields_become_null_for_any_input() {
        for input in [
            json!(null),
            json!(true),
            json!(3.5),
            json!("text"),
            json!([1, {"id": "x"}]),
            json!({}),
            json!({"payload": [], "meta": "m", "attachments": {"type": "log"}, "provenance": 7}),
        ] {
            let summary = summarize(&input, Some("2026-11-26T19:31:25.123Z"));
            assert_eq!(keys(&summary), SUMMARY_KEYS, "{input}");
            assert_eq!(summary["status"], "processed");
            assert_eq!(summary["envelope_id"], Value::Null);
            assert_eq!(summary["connector"], json!({"key": null, "version": null}));
            assert_eq!(
                summary["provenance"],
                json!({"source": null, "external_id": null, "correlation_id": null, "replay": false})
            );
            assert_eq!(summary["payload_keys"], json!([]));
            assert_eq!(summary["meta_keys"], json!([]));
            assert_eq!(summary["attachments"], json!({"count": 0, "types": []}));
            assert_eq!(summary["error"], Value::Null);
        }
    }

    #[test]
    fn mistyped_fields_become_null_not_structures() {
        let input = json!({
            "id": {"nested": "secret"}, "connectorKey": ["a"], "runId": 5, "priority": 3,
            "provenance": {"source": {"x": 1}, "replay": "yes"},
            "attachments": [{"type": {"x": 1}}, "loose", {"type": "log"}, {"type": "log"}, {"no": "type"}],
            "error": {"code": 1, "message": ["m"], "attempt": "2", "maxAttempts": 5, "retryAt": 9}
        });
        let summary = summarize(&input, None);
        assert_eq!(summary["envelope_id"], Value::Null);
        assert_eq!(summary["connector"]["key"], Value::Null);
        assert_eq!(summary["run_id"], Value::Null);
        assert_eq!(summary["priority"], "normal");
        assert_eq!(summary["provenance"]["source"], Value::Null);
        assert_eq!(summary["provenance"]["replay"], false);
        assert_eq!(summary["attachments"], json!({"count": 5, "types": ["log"]}));
        assert_eq!(summary["error"], json!({"code": null, "message": null, "attempt": null, "maxAttempts": 5}));
    }

    #[test]
    fn error_message_in_the_summary_is_cut_to_512_characters() {
        let mut envelope = envelope();
        envelope["error"] = json!({"code": "X", "message": "ß".repeat(2000), "attempt": 1, "maxAttempts": 1});
        let summary = summarize(&envelope, None);
        assert_eq!(summary["error"]["message"].as_str().map(|m| m.chars().count()), Some(512));
    }

    #[test]
    fn summary_of_json_bytes_equals_summary_of_the_value() {
        let envelope = envelope();
        let bytes = envelope.to_string().into_bytes();
        let from_bytes = summarize_json(&bytes, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_bytes, summarize(&envelope, None));
        let large = summarize_json(with_keys(1000).to_string().as_bytes(), None).unwrap_or_default();
        assert_eq!(large["payload_keys"].as_array().map(Vec::len), Some(15));
    }

    #[test]
    fn duplicate_member_names_are_listed_once() {
        let bytes = br#"{"payload":{"a":1,"b":2,"a":3},"kind":"x","kind":"asset.discovery"}"#;
        let from_bytes = summarize_json(bytes, Some("2026-01-01T00:00:00.000Z")).unwrap();
        let value: Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(from_bytes, summarize(&value, Some("2026-01-01T00:00:00.000Z")));
        assert_eq!(from_bytes["payload_keys"], json!(["a", "b"]));
        assert_eq!(from_bytes["kind"], json!("asset.discovery"));
    }

    #[test]
    fn summary_of_invalid_json_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"{", b"\xff\xfe", b"{\"a\":1}}", b"NaN"] {
            assert!(summarize_json(bytes, None).is_err(), "{bytes:?}");
        }
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(summarize_json(deep.as_bytes(), None).is_err());
        assert!(summarize_json(b"[1,2]", None).is_ok());
    }
}
