//! The context of the `integration.bus.message` log line a worker writes for every envelope.
//!
//! Keys only, never payload or meta values: the log must not leak data. The summary accepts any
//! JSON value, valid envelope or not; a missing or mistyped field becomes null.
#![forbid(unsafe_code)]

use jsonschema::json::{Array, Json, JsonNumber, Node, Object, SerdeJson};
use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::document::{DocJson, Document};
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
    with_context_json(bytes, received_at, |context| context.to_value())
}

/// Calls `f` with the context of an envelope given as JSON bytes (read from a borrowed tape).
pub fn with_context_json<T>(
    bytes: &[u8],
    received_at: Option<&str>,
    f: impl FnOnce(&Context<'_>) -> T,
) -> Result<T, serde_json::Error> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(doc) = Document::parse(text, 128) {
            return Ok(f(&context::<DocJson>(doc.root(), received_at)));
        }
    }
    // Not JSON (or not UTF-8): serde_json says why, with line and column.
    let envelope: Value = serde_json::from_slice(bytes)?;
    Ok(f(&context::<SerdeJson>(&envelope, received_at)))
}

/// `summarize` over any JSON representation jsonschema can read (serde_json values, JSON
/// tapes, a binding's own values): it reads only the members it reports.
pub fn summarize_node<'a, F: Json>(envelope: F::Node<'a>, received_at: Option<&str>) -> Value {
    context::<F>(envelope, received_at).to_value()
}

/// The summary of one envelope, its strings borrowed from the envelope where it can: what a
/// binding turns into its own values without a `serde_json::Value` in between. A missing or
/// mistyped field is `None` (null in the log line).
#[derive(Debug, Clone, PartialEq)]
pub struct Context<'a> {
    pub envelope_id: Option<Cow<'a, str>>,
    pub connector_key: Option<Cow<'a, str>>,
    pub connector_version: Option<Cow<'a, str>>,
    pub tenant_id: Option<Cow<'a, str>>,
    pub run_id: Option<Cow<'a, str>>,
    pub kind: Option<Cow<'a, str>>,
    pub event: Option<Cow<'a, str>>,
    /// `normal` when the envelope has none.
    pub priority: Cow<'a, str>,
    pub received_at: String,
    pub emitted_at: Option<Cow<'a, str>>,
    pub source: Option<Cow<'a, str>>,
    pub external_id: Option<Cow<'a, str>>,
    pub correlation_id: Option<Cow<'a, str>>,
    pub replay: bool,
    /// The first `LISTED_KEYS` keys of `payload` and of `meta`, in order.
    pub payload_keys: Vec<Cow<'a, str>>,
    pub meta_keys: Vec<Cow<'a, str>>,
    pub attachment_count: usize,
    /// Distinct attachment `type` values, first seen first.
    pub attachment_types: Vec<Cow<'a, str>>,
    /// Set when the envelope's `error` is anything but null (status `errored`).
    pub error: Option<ErrorContext<'a>>,
}

/// `{code, message, attempt, maxAttempts, retryAt when present}` of a set `error`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorContext<'a> {
    pub code: Option<Cow<'a, str>>,
    /// Cut at the error contract's bound.
    pub message: Option<Cow<'a, str>>,
    pub attempt: Option<Number>,
    pub max_attempts: Option<Number>,
    pub retry_at: Option<Cow<'a, str>>,
}

impl Context<'_> {
    /// `processed` or `errored`.
    pub fn status(&self) -> &'static str {
        if self.error.is_some() {
            "errored"
        } else {
            "processed"
        }
    }

    /// The context as the log line's JSON object, keys in the contract's order.
    pub fn to_value(&self) -> Value {
        let text = |s: &Option<Cow<'_, str>>| s.as_deref().map_or(Value::Null, Value::from);
        let list = |items: &[Cow<'_, str>]| Value::Array(items.iter().map(|k| Value::from(k.as_ref())).collect());
        let mut summary = Map::new();
        summary.insert("status".into(), self.status().into());
        summary.insert("envelope_id".into(), text(&self.envelope_id));
        summary.insert(
            "connector".into(),
            object([("key", text(&self.connector_key)), ("version", text(&self.connector_version))]),
        );
        summary.insert("tenant_id".into(), text(&self.tenant_id));
        summary.insert("run_id".into(), text(&self.run_id));
        summary.insert("kind".into(), text(&self.kind));
        summary.insert("event".into(), text(&self.event));
        summary.insert("priority".into(), self.priority.as_ref().into());
        summary.insert("received_at".into(), self.received_at.as_str().into());
        summary.insert("emitted_at".into(), text(&self.emitted_at));
        summary.insert(
            "provenance".into(),
            object([
                ("source", text(&self.source)),
                ("external_id", text(&self.external_id)),
                ("correlation_id", text(&self.correlation_id)),
                ("replay", self.replay.into()),
            ]),
        );
        summary.insert("payload_keys".into(), list(&self.payload_keys));
        summary.insert("meta_keys".into(), list(&self.meta_keys));
        summary.insert(
            "attachments".into(),
            object([("count", self.attachment_count.into()), ("types", list(&self.attachment_types))]),
        );
        let error = self.error.as_ref().map_or(Value::Null, |e| {
            let number = |n: &Option<Number>| n.clone().map_or(Value::Null, Value::Number);
            let mut error = Map::new();
            error.insert("code".into(), text(&e.code));
            error.insert("message".into(), text(&e.message));
            error.insert("attempt".into(), number(&e.attempt));
            error.insert("maxAttempts".into(), number(&e.max_attempts));
            if let Some(retry_at) = &e.retry_at {
                error.insert("retryAt".into(), retry_at.as_ref().into());
            }
            Value::Object(error)
        });
        summary.insert("error".into(), error);
        Value::Object(summary)
    }
}

/// A member the context reads; its index in [`NAMES`].
#[derive(Clone, Copy)]
enum Name {
    Id,
    ConnectorKey,
    ConnectorVersion,
    TenantId,
    RunId,
    Kind,
    Event,
    Priority,
    ReceivedAt,
    EmittedAt,
    Provenance,
    Source,
    ExternalId,
    CorrelationId,
    Replay,
    Payload,
    Meta,
    Attachments,
    Type,
    Error,
    Code,
    Message,
    Attempt,
    MaxAttempts,
    RetryAt,
}

/// The member names, in [`Name`] order.
const NAMES: [&str; 25] = [
    "id",
    "connectorKey",
    "connectorVersion",
    "tenantId",
    "runId",
    "kind",
    "event",
    "priority",
    "receivedAt",
    "emittedAt",
    "provenance",
    "source",
    "externalId",
    "correlationId",
    "replay",
    "payload",
    "meta",
    "attachments",
    "type",
    "error",
    "code",
    "message",
    "attempt",
    "maxAttempts",
    "retryAt",
];

/// The member names the context reads, prepared for one representation. Preparing can cost
/// (a PHP array lookup needs the name's hash and its own copy of it): a caller that summarizes
/// often keeps one set, as the binding does, instead of preparing 25 names per call.
pub struct Keys<F: Json> {
    keys: Vec<F::PreparedKey>,
}

impl<F: Json> Keys<F> {
    pub fn new() -> Keys<F> {
        Keys { keys: NAMES.iter().map(|name| F::prepare_key(name)).collect() }
    }

    fn member<'a>(&self, node: &F::Node<'a>, name: Name) -> Option<F::Node<'a>> {
        node.as_object()?.get(self.keys.get(name as usize)?)
    }
}

impl<F: Json> Default for Keys<F> {
    fn default() -> Keys<F> {
        Keys::new()
    }
}

/// The context of any JSON representation jsonschema can read; reads only what it reports.
pub fn context<'a, F: Json>(envelope: F::Node<'a>, received_at: Option<&str>) -> Context<'a> {
    context_with(&Keys::<F>::new(), envelope, received_at)
}

/// `context`, looking members up with prepared `keys`.
pub fn context_with<'a, F: Json>(keys: &Keys<F>, envelope: F::Node<'a>, received_at: Option<&str>) -> Context<'a> {
    let top = |name: Name| keys.member(&envelope, name);
    let text = |name: Name| string_at::<F>(top(name));
    let provenance = top(Name::Provenance);
    let field = |name: Name| string_at::<F>(provenance.as_ref().and_then(|p| keys.member(p, name)));
    let received_at = match (received_at, top(Name::ReceivedAt).and_then(|r| r.as_string())) {
        (Some(given), _) => given.to_owned(),
        (None, Some(body)) => body.into_owned(),
        (None, None) => timestamp::now_utc_millis(),
    };
    let (attachment_count, attachment_types) = attachments(keys, top(Name::Attachments));
    Context {
        envelope_id: text(Name::Id),
        connector_key: text(Name::ConnectorKey),
        connector_version: text(Name::ConnectorVersion),
        tenant_id: text(Name::TenantId),
        run_id: text(Name::RunId),
        kind: text(Name::Kind),
        event: text(Name::Event),
        priority: top(Name::Priority).and_then(|p| p.as_string()).unwrap_or(Cow::Borrowed("normal")),
        received_at,
        emitted_at: text(Name::EmittedAt),
        source: field(Name::Source),
        external_id: field(Name::ExternalId),
        correlation_id: field(Name::CorrelationId),
        replay: provenance
            .as_ref()
            .and_then(|p| keys.member(p, Name::Replay))
            .and_then(|r| r.as_boolean())
            .unwrap_or(false),
        payload_keys: first_keys::<F>(top(Name::Payload)),
        meta_keys: first_keys::<F>(top(Name::Meta)),
        attachment_count,
        attachment_types,
        error: top(Name::Error).filter(|e| !e.is_null()).map(|e| error_context(keys, &e)),
    }
}

/// A string field as it is; anything else (missing, null, a number, an object) as `None`, so a
/// broken envelope can never put a structure into the log.
fn string_at<'a, F: Json>(value: Option<F::Node<'a>>) -> Option<Cow<'a, str>> {
    value.and_then(|v| v.as_string())
}

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// The first keys of an object, in order; none for anything that is not an object.
fn first_keys<'a, F: Json>(value: Option<F::Node<'a>>) -> Vec<Cow<'a, str>> {
    let Some(object) = value.as_ref().and_then(|v| v.as_object()) else { return Vec::new() };
    // A name given twice counts once, at its first place (as serde_json keeps it).
    let mut keys: Vec<Cow<'a, str>> = Vec::with_capacity(LISTED_KEYS);
    for (name, _) in object.members() {
        if keys.len() == LISTED_KEYS {
            break;
        }
        if !keys.iter().any(|k| k.as_ref() == name.as_ref()) {
            keys.push(name.into());
        }
    }
    keys
}

/// How many attachments, and their distinct `type` values, first seen first.
fn attachments<'a, F: Json>(keys: &Keys<F>, value: Option<F::Node<'a>>) -> (usize, Vec<Cow<'a, str>>) {
    let mut types: Vec<Cow<'a, str>> = Vec::new();
    let Some(list) = value.as_ref().and_then(|v| v.as_array()) else { return (0, types) };
    for item in list.elements() {
        if let Some(kind) = keys.member(&item, Name::Type).and_then(|t| t.as_string()) {
            // Types come from a four-value enum, so a linear search stays cheap.
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
    }
    (list.len(), types)
}

fn error_context<'a, F: Json>(keys: &Keys<F>, error: &F::Node<'a>) -> ErrorContext<'a> {
    let message = keys.member(error, Name::Message).and_then(|m| m.as_string()).map(|m| {
        match m.char_indices().nth(ERROR_MESSAGE_MAX_CHARS) {
            Some((cut, _)) => Cow::Owned(m[..cut].to_owned()),
            None => m,
        }
    });
    let count = |name: Name| keys.member(error, name).and_then(|n| n.as_number()).map(|n| n.to_number().into_owned());
    ErrorContext {
        code: string_at::<F>(keys.member(error, Name::Code)),
        message,
        attempt: count(Name::Attempt),
        max_attempts: count(Name::MaxAttempts),
        retry_at: keys.member(error, Name::RetryAt).and_then(|r| r.as_string()),
    }
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
