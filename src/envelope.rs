//! Envelope builders: a connector run stamps every envelope it builds with the same identity;
//! the error contract annotates and clears `error`. The headers a body implies are the
//! contract's (`contract::headers::mirroring`).
//!
//! A builder checks what the caller gave before building (clear messages for the common
//! mistakes), then validates what it built against the contract in strict mode, so an envelope
//! it returns always passes the Validator.
#![forbid(unsafe_code)]

use std::fmt;

use serde_json::{Map, Value};

use crate::canonical;
use crate::contract::violation::quote;
use crate::contract::{Check, Kind, Schema, Violation};
use crate::{timestamp, ulid};

/// The tenant of a single-tenant phpGRC.
pub const DEFAULT_TENANT: &str = "core.default";

/// The error contract's bound on `error.message`, in characters.
pub const ERROR_MESSAGE_MAX_CHARS: usize = 512;

/// The error contract's bound on `error.code`, in characters.
const ERROR_CODE_MAX_CHARS: usize = 128;

/// A builder was given something that cannot make a valid envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeError {
    message: String,
    violations: Vec<Violation>,
}

impl EnvelopeError {
    fn new(message: impl Into<String>) -> Self {
        EnvelopeError { message: message.into(), violations: Vec::new() }
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The contract violations of the built envelope, when that is why building failed.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EnvelopeError {}

/// One connector execution: the identity every envelope of the run shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    run_id: String,
    connector_key: String,
    connector_version: String,
    tenant_id: String,
    bus_version: String,
}

/// What a caller may set on one envelope besides kind, event, payload and provenance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvelopeOptions {
    /// `low`, `normal` or `high`; default `normal`.
    pub priority: Option<String>,
    pub meta: Option<Value>,
    pub attachments: Option<Value>,
    /// UTC; default now.
    pub emitted_at: Option<String>,
    /// UTC; normally filled by the core on ingestion, so absent by default.
    pub received_at: Option<String>,
    /// A ULID; default a new one.
    pub id: Option<String>,
    /// RFC 6901 pointers from the envelope root (`/payload/attributes`, `/meta`) of empty
    /// containers decoded as `[]` from a source that cannot tell `{}` from `[]` (PHP arrays).
    /// Each one the schema wants as an object becomes `{}` before the checksum is taken.
    pub empties: Vec<String>,
}

impl Run {
    /// A run of connector `connector_key` at `connector_version` for `tenant_id`, with
    /// `run_id` (a new ULID when `None`), targeting contract version `bus_version`.
    pub fn new(
        connector_key: impl Into<String>,
        connector_version: impl Into<String>,
        tenant_id: impl Into<String>,
        run_id: Option<String>,
        bus_version: impl Into<String>,
    ) -> Result<Run, EnvelopeError> {
        let (connector_key, connector_version, tenant_id, bus_version) =
            (connector_key.into(), connector_version.into(), tenant_id.into(), bus_version.into());
        if !is_slug(&connector_key) {
            return Err(EnvelopeError::new(format!(
                "connectorKey {} is not a lowercase slug: a-z and 0-9 in words joined by single hyphens, e.g. \"aws-config\"",
                quote(&connector_key)
            )));
        }
        if !is_semver(&connector_version) {
            return Err(EnvelopeError::new(format!(
                "connectorVersion {} is not a semantic version MAJOR.MINOR.PATCH[-pre][+build], e.g. \"2025.10.0\"",
                quote(&connector_version)
            )));
        }
        if tenant_id != DEFAULT_TENANT && !ulid::is_ulid(&tenant_id) {
            return Err(EnvelopeError::new(format!(
                "tenantId {} is neither a ULID nor \"{DEFAULT_TENANT}\"",
                quote(&tenant_id)
            )));
        }
        let run_id = match run_id {
            Some(run_id) if !ulid::is_ulid(&run_id) => {
                return Err(EnvelopeError::new(format!(
                    "runId {} is not a ULID (26 upper-case Crockford base32 characters)",
                    quote(&run_id)
                )));
            }
            Some(run_id) => run_id,
            None => ulid::generate(),
        };
        if !is_semver(&bus_version) {
            return Err(EnvelopeError::new(format!(
                "busVersion {} is not a semantic version MAJOR.MINOR.PATCH[-pre][+build], e.g. \"1.0.0\"",
                quote(&bus_version)
            )));
        }
        Ok(Run { run_id, connector_key, connector_version, tenant_id, bus_version })
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    pub fn connector_key(&self) -> &str {
        &self.connector_key
    }

    pub fn connector_version(&self) -> &str {
        &self.connector_version
    }

    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    pub fn bus_version(&self) -> &str {
        &self.bus_version
    }

    /// A complete envelope of this run that passes strict validation. Fills `id`, `emittedAt`,
    /// `priority`, `provenance.ingestedAt`, `provenance.schemaRef`, `provenance.checksum` and
    /// `error: null`; `provenance` keeps the caller's keys in the caller's order.
    pub fn envelope(
        &self,
        kind: &str,
        event: &str,
        mut payload: Value,
        mut provenance: Map<String, Value>,
        options: EnvelopeOptions,
    ) -> Result<Value, EnvelopeError> {
        let Some(kind) = Kind::parse(kind) else {
            let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            return Err(EnvelopeError::new(format!(
                "unknown kind {}; the contract's kinds are {}",
                quote(kind),
                kinds.join(", ")
            )));
        };
        if payload.as_array().is_some_and(Vec::is_empty) && options.empties.iter().any(|p| p == "/payload") {
            payload = Value::Object(Map::new());
        }
        if !payload.is_object() {
            return Err(EnvelopeError::new(format!(
                "payload must be an object (a map of field names to values), not {}",
                json_type(&payload)
            )));
        }
        if let Some(id) = &options.id {
            if !ulid::is_ulid(id) {
                return Err(EnvelopeError::new(format!(
                    "id {} is not a ULID (26 upper-case Crockford base32 characters)",
                    quote(id)
                )));
            }
        }
        require_utc("emittedAt", options.emitted_at.as_deref())?;
        require_utc("receivedAt", options.received_at.as_deref())?;
        match provenance.get("ingestedAt") {
            None => {}
            Some(Value::String(ingested_at)) => require_utc("provenance.ingestedAt", Some(ingested_at))?,
            Some(other) => {
                return Err(EnvelopeError::new(format!(
                    "provenance.ingestedAt must be an RFC 3339 UTC timestamp string, not {}",
                    json_type(other)
                )));
            }
        }

        let schema = Schema::embedded();
        let schema_ref = schema.schema_ref(kind);
        derived_by_the_builder("schemaRef", provenance.get("schemaRef"), &schema_ref)?;
        let given_checksum = provenance.get("checksum").cloned();
        let now = timestamp::now_utc_millis();
        if !provenance.contains_key("ingestedAt") {
            provenance.insert("ingestedAt".into(), Value::String(now.clone()));
        }
        provenance.insert("schemaRef".into(), Value::String(schema_ref));
        // Taken once the payload has its final shape, below.
        provenance.insert("checksum".into(), Value::Null);

        // Keys in the contract's order, so envelopes read the same everywhere they are logged.
        let mut envelope = Map::new();
        let id = options.id.unwrap_or_else(ulid::generate);
        envelope.insert("id".into(), Value::String(id));
        envelope.insert("busVersion".into(), Value::String(self.bus_version.clone()));
        envelope.insert("connectorKey".into(), Value::String(self.connector_key.clone()));
        envelope.insert("connectorVersion".into(), Value::String(self.connector_version.clone()));
        envelope.insert("tenantId".into(), Value::String(self.tenant_id.clone()));
        envelope.insert("runId".into(), Value::String(self.run_id.clone()));
        envelope.insert("kind".into(), Value::String(kind.as_str().into()));
        envelope.insert("event".into(), Value::String(event.into()));
        envelope.insert("emittedAt".into(), Value::String(options.emitted_at.unwrap_or(now)));
        if let Some(received_at) = options.received_at {
            envelope.insert("receivedAt".into(), Value::String(received_at));
        }
        let priority = options.priority.unwrap_or_else(|| "normal".into());
        envelope.insert("priority".into(), Value::String(priority));
        envelope.insert("payload".into(), payload);
        envelope.insert("provenance".into(), Value::Object(provenance));
        if let Some(attachments) = options.attachments {
            envelope.insert("attachments".into(), attachments);
        }
        if let Some(meta) = options.meta {
            envelope.insert("meta".into(), meta);
        }
        envelope.insert("error".into(), Value::Null);
        let mut envelope = Value::Object(envelope);

        if !options.empties.is_empty() {
            // Only the `[]` → `{}` resolution matters here; the verdict comes from the strict check below.
            schema.violations_resolving_empties(&mut envelope, &options.empties, &Check::default());
        }
        let checksum = canonical::checksum(&envelope["payload"])
            .map_err(|e| EnvelopeError::new(format!("the payload has no checksum: {}", e.under("/payload"))))?;
        derived_by_the_builder("checksum", given_checksum.as_ref(), &checksum)?;
        if let Some(provenance) = envelope.get_mut("provenance").and_then(Value::as_object_mut) {
            provenance.insert("checksum".into(), Value::String(checksum));
        }

        let violations = schema.violations(&envelope, &Check { headers: None, strict: true });
        if !violations.is_empty() {
            let listed: Vec<String> = violations.iter().map(Violation::to_string).collect();
            return Err(EnvelopeError {
                message: format!("the {} envelope would break the contract: {}", kind.as_str(), listed.join("; ")),
                violations,
            });
        }
        Ok(envelope)
    }
}

/// A retriable failure, as the error contract records it on the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnnotation {
    pub code: String,
    /// Cut to 512 characters.
    pub message: String,
    /// From 1.
    pub attempt: i64,
    pub max_attempts: i64,
    /// UTC.
    pub retry_at: Option<String>,
    pub trace_id: Option<String>,
    /// UTC; default now.
    pub occurred_at: Option<String>,
}

/// Sets the envelope's `error` per the error contract: `code`, `message` (cut to 512
/// characters), `occurredAt`, `attempt`, `maxAttempts`, then `retryAt` and `traceId` when given.
pub fn with_error(envelope: &mut Value, annotation: ErrorAnnotation) -> Result<(), EnvelopeError> {
    let ErrorAnnotation { code, mut message, attempt, max_attempts, retry_at, trace_id, occurred_at } = annotation;
    let Value::Object(body) = envelope else {
        return Err(EnvelopeError::new(format!("the envelope must be an object, not {}", json_type(envelope))));
    };
    if code.is_empty() {
        return Err(EnvelopeError::new("error.code must not be empty"));
    }
    if code.chars().count() > ERROR_CODE_MAX_CHARS {
        return Err(EnvelopeError::new(format!(
            "error.code {} is longer than {ERROR_CODE_MAX_CHARS} characters",
            quote(&code)
        )));
    }
    if message.is_empty() {
        return Err(EnvelopeError::new("error.message must not be empty"));
    }
    // Characters, as JSON Schema's maxLength counts them; never cut inside a UTF-8 sequence.
    if let Some((cut, _)) = message.char_indices().nth(ERROR_MESSAGE_MAX_CHARS) {
        message.truncate(cut);
    }
    if attempt < 1 {
        return Err(EnvelopeError::new(format!("error.attempt counts from 1, got {attempt}")));
    }
    if max_attempts < 1 {
        return Err(EnvelopeError::new(format!("error.maxAttempts must be at least 1, got {max_attempts}")));
    }
    require_utc("error.retryAt", retry_at.as_deref())?;
    require_utc("error.occurredAt", occurred_at.as_deref())?;
    if let Some(trace_id) = &trace_id {
        if !is_trace_id(trace_id) {
            return Err(EnvelopeError::new(format!(
                "error.traceId {} must be 8 to 64 letters, digits, '_' or '-'",
                quote(trace_id)
            )));
        }
    }

    let mut error = Map::new();
    error.insert("code".into(), Value::String(code));
    error.insert("message".into(), Value::String(message));
    let occurred_at = occurred_at.unwrap_or_else(timestamp::now_utc_millis);
    error.insert("occurredAt".into(), Value::String(occurred_at));
    error.insert("attempt".into(), Value::from(attempt));
    error.insert("maxAttempts".into(), Value::from(max_attempts));
    if let Some(retry_at) = retry_at {
        error.insert("retryAt".into(), Value::String(retry_at));
    }
    if let Some(trace_id) = trace_id {
        error.insert("traceId".into(), Value::String(trace_id));
    }
    body.insert("error".into(), Value::Object(error));
    Ok(())
}

/// Sets `error` to null, as successful processing must before the job is acknowledged.
/// A value that is not an object is left as it is.
pub fn clear_error(envelope: &mut Value) {
    if let Value::Object(body) = envelope {
        body.insert("error".into(), Value::Null);
    }
}

/// `schemaRef` and `checksum` follow from kind and payload; a caller's different value could
/// only be wrong.
fn derived_by_the_builder(key: &str, given: Option<&Value>, derived: &str) -> Result<(), EnvelopeError> {
    match given {
        Some(given) if given.as_str() != Some(derived) => Err(EnvelopeError::new(format!(
            "provenance.{key} is derived by the builder ({}); leave it out",
            quote(derived)
        ))),
        _ => Ok(()),
    }
}

fn require_utc(field: &str, value: Option<&str>) -> Result<(), EnvelopeError> {
    match value {
        Some(text) if !timestamp::is_utc(text) => Err(EnvelopeError::new(format!(
            "{field} {} is not an RFC 3339 UTC timestamp ending in Z, e.g. \"2026-11-26T19:31:25.123Z\"",
            quote(text)
        ))),
        _ => Ok(()),
    }
}

/// `^[a-z0-9]+(?:-[a-z0-9]+)*$`, the contract's `connectorKey`.
fn is_slug(text: &str) -> bool {
    text.split('-').all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// The contract's semver pattern: `MAJOR.MINOR.PATCH` (no leading zeros), then optionally `-`
/// and `+` each followed by one or more of `[0-9A-Za-z-.]`.
fn is_semver(text: &str) -> bool {
    fn is_label(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    }
    fn is_number(text: &str) -> bool {
        text == "0" || (!text.starts_with('0') && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
    }
    let (version, build) = match text.split_once('+') {
        Some((version, build)) => (version, Some(build)),
        None => (text, None),
    };
    let (core, pre_release) = match version.split_once('-') {
        Some((core, pre_release)) => (core, Some(pre_release)),
        None => (version, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers.iter().all(|n| is_number(n))
        && pre_release.is_none_or(is_label)
        && build.is_none_or(is_label)
}

/// `^[\w-]{8,64}$` with ECMA-262's ASCII `\w`, the contract's `error.traceId`.
fn is_trace_id(text: &str) -> bool {
    (8..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::headers::of_envelope as headers;
    use crate::contract::BUS_VERSION;
    use serde_json::json;

    fn run() -> Run {
        let run = Run::new("aws-config", "2025.10.0", DEFAULT_TENANT, None, BUS_VERSION);
        run.unwrap_or_else(|e| panic!("{e}"))
    }

    fn discovery_payload() -> Value {
        json!({
            "assetId": "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc",
            "name": "web-1",
            "type": "ec2.instance",
            "environment": "production",
            "tags": ["web", "pci"],
            "attributes": {"region": "eu-west-1", "cpus": 4, "public": false, "zones": ["a", "b"]}
        })
    }

    fn provenance() -> Map<String, Value> {
        let mut provenance = Map::new();
        provenance.insert("source".into(), json!("aws-config"));
        provenance.insert("externalId".into(), json!("arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"));
        provenance
    }

    fn built() -> Value {
        let envelope = run().envelope(
            "asset.discovery",
            "asset.upserted",
            discovery_payload(),
            provenance(),
            EnvelopeOptions::default(),
        );
        envelope.unwrap_or_else(|e| panic!("{e}"))
    }

    fn annotation() -> ErrorAnnotation {
        ErrorAnnotation {
            code: "UPSTREAM_TIMEOUT".into(),
            message: "the CMDB did not answer".into(),
            attempt: 1,
            max_attempts: 5,
            retry_at: None,
            trace_id: None,
            occurred_at: None,
        }
    }

    fn message_of<T: fmt::Debug>(result: Result<T, EnvelopeError>) -> String {
        match result {
            Ok(value) => panic!("expected an EnvelopeError, got {value:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn run_new_checks_the_connector_key_is_a_lowercase_slug() {
        for bad in ["", "AWS", "aws_config", "aws--config", "-aws", "aws-", "aws config", "awś"] {
            let message = message_of(Run::new(bad, "1.0.0", DEFAULT_TENANT, None, BUS_VERSION));
            assert!(message.starts_with("connectorKey"), "{bad:?}: {message}");
        }
        for good in ["aws", "aws-config", "a1-b2-c3", "0"] {
            assert!(Run::new(good, "1.0.0", DEFAULT_TENANT, None, BUS_VERSION).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn run_new_checks_versions_are_semver() {
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.00.0",
            "1.0.0-",
            "1.0.0+",
            "v1.0.0",
            "1.0.0-a+b+c",
            "1.0.0-é",
            "１.0.0",
        ] {
            let message = message_of(Run::new("aws", bad, DEFAULT_TENANT, None, BUS_VERSION));
            assert!(message.starts_with("connectorVersion"), "{bad:?}: {message}");
            let message = message_of(Run::new("aws", "1.0.0", DEFAULT_TENANT, None, bad));
            assert!(message.starts_with("busVersion"), "{bad:?}: {message}");
        }
        for good in ["0.0.0", "2025.10.0", "1.0.0-rc.1", "1.0.0+build.5", "1.0.0-alpha-1+sha.abc-def", "10.20.30"] {
            assert!(Run::new("aws", good, DEFAULT_TENANT, None, good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn run_new_checks_tenant_is_a_ulid_or_core_default() {
        assert!(Run::new("aws", "1.0.0", "01ARZ3NDEKTSV4RRFFQ69G5FAV", None, BUS_VERSION).is_ok());
        for bad in ["", "core", "CORE.DEFAULT", "01arz3ndektsv4rrffq69g5fav", "tenant-1"] {
            let message = message_of(Run::new("aws", "1.0.0", bad, None, BUS_VERSION));
            assert!(message.starts_with("tenantId"), "{bad:?}: {message}");
        }
    }

    #[test]
    fn run_keeps_a_given_run_id_and_generates_one_otherwise() {
        let given = Run::new("aws", "1.0.0", DEFAULT_TENANT, Some("01ARZ3NDEKTSV4RRFFQ69G5FAV".into()), "1.2.3");
        let given = given.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(given.run_id(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(given.bus_version(), "1.2.3");
        assert!(ulid::is_ulid(run().run_id()));
        let message = message_of(Run::new("aws", "1.0.0", DEFAULT_TENANT, Some("not-a-ulid".into()), BUS_VERSION));
        assert!(message.starts_with("runId"), "{message}");
    }

    #[test]
    fn envelope_has_the_contract_key_order() {
        let envelope = built();
        let keys: Vec<&str> = envelope.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(
            keys,
            [
                "id",
                "busVersion",
                "connectorKey",
                "connectorVersion",
                "tenantId",
                "runId",
                "kind",
                "event",
                "emittedAt",
                "priority",
                "payload",
                "provenance",
                "error"
            ]
        );
        let options = EnvelopeOptions {
            meta: Some(json!({"batch": 3})),
            attachments: Some(
                json!([{"type": "report", "uri": "https://files.example/r.pdf", "contentType": "application/pdf"}]),
            ),
            received_at: Some("2026-11-26T19:31:25.123Z".into()),
            ..EnvelopeOptions::default()
        };
        let envelope = run().envelope("asset.discovery", "asset.upserted", discovery_payload(), provenance(), options);
        let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
        let keys: Vec<&str> = envelope.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(
            keys,
            [
                "id",
                "busVersion",
                "connectorKey",
                "connectorVersion",
                "tenantId",
                "runId",
                "kind",
                "event",
                "emittedAt",
                "receivedAt",
                "priority",
                "payload",
                "provenance",
                "attachments",
                "meta",
                "error"
            ]
        );
    }

    #[test]
    fn envelope_fills_the_derived_fields() {
        let run = run();
        let envelope = run.envelope(
            "asset.discovery",
            "asset.upserted",
            discovery_payload(),
            provenance(),
            EnvelopeOptions::default(),
        );
        let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
        assert!(ulid::is_ulid(envelope["id"].as_str().unwrap_or_default()));
        assert_eq!(envelope["busVersion"], BUS_VERSION);
        assert_eq!(envelope["runId"], run.run_id());
        assert!(timestamp::is_utc(envelope["emittedAt"].as_str().unwrap_or_default()));
        assert_eq!(envelope["emittedAt"].as_str().map(str::len), Some(24));
        assert_eq!(envelope["priority"], "normal");
        assert_eq!(envelope["error"], Value::Null);
        let provenance = &envelope["provenance"];
        assert!(timestamp::is_utc(provenance["ingestedAt"].as_str().unwrap_or_default()));
        assert_eq!(provenance["schemaRef"], Schema::embedded().schema_ref(Kind::AssetDiscovery));
        assert_eq!(provenance["checksum"], canonical::checksum(&discovery_payload()).unwrap_or_default());
    }

    #[test]
    fn envelope_refuses_a_payload_integer_beyond_2_pow_53() {
        let mut payload = discovery_payload();
        payload["attributes"]["bytes"] = json!(9_007_199_254_740_993u64);
        let message = message_of(run().envelope("asset.discovery", "asset.upserted", payload, provenance(), EnvelopeOptions::default()));
        assert!(message.contains("9007199254740993 at /payload/attributes/bytes is beyond ±(2^53−1)"), "{message}");
        let mut payload = discovery_payload();
        payload["attributes"]["bytes"] = json!(9_007_199_254_740_991u64);
        assert!(run().envelope("asset.discovery", "asset.upserted", payload, provenance(), EnvelopeOptions::default()).is_ok());
    }

    #[test]
    fn envelope_keeps_what_the_caller_gave() {
        let mut provenance = provenance();
        provenance.insert("ingestedAt".into(), json!("2026-01-02T03:04:05Z"));
        provenance.insert("correlationId".into(), json!("0123456789abcdef"));
        let options = EnvelopeOptions {
            priority: Some("high".into()),
            emitted_at: Some("2026-01-02T03:04:00.5Z".into()),
            id: Some("01ARZ3NDEKTSV4RRFFQ69G5FAV".into()),
            ..EnvelopeOptions::default()
        };
        let envelope = run().envelope("asset.discovery", "asset.upserted", discovery_payload(), provenance, options);
        let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(envelope["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(envelope["priority"], "high");
        assert_eq!(envelope["emittedAt"], "2026-01-02T03:04:00.5Z");
        assert_eq!(envelope["provenance"]["ingestedAt"], "2026-01-02T03:04:05Z");
        assert_eq!(envelope["provenance"]["correlationId"], "0123456789abcdef");
    }

    #[test]
    fn one_run_stamps_one_run_id_on_every_envelope() {
        let run = run();
        let mut ids = std::collections::HashSet::new();
        for _ in 0..50 {
            let envelope = run.envelope(
                "asset.discovery",
                "asset.upserted",
                discovery_payload(),
                provenance(),
                EnvelopeOptions::default(),
            );
            let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(envelope["runId"], run.run_id());
            assert!(ids.insert(envelope["id"].to_string()));
        }
    }

    #[test]
    fn unknown_kind_is_rejected_before_building() {
        let message = message_of(run().envelope(
            "asset.discovered",
            "asset.upserted",
            discovery_payload(),
            provenance(),
            EnvelopeOptions::default(),
        ));
        assert!(message.starts_with("unknown kind \"asset.discovered\""), "{message}");
        assert!(message.contains("auth.provider"), "{message}");
    }

    #[test]
    fn payload_must_be_an_object() {
        for payload in [json!([]), json!("x"), json!(null), json!(1)] {
            let message = message_of(run().envelope(
                "asset.discovery",
                "asset.upserted",
                payload,
                provenance(),
                EnvelopeOptions::default(),
            ));
            assert!(message.starts_with("payload must be an object"), "{message}");
        }
    }

    #[test]
    fn caller_timestamps_must_be_utc() {
        let local = "2026-11-26T21:31:25+02:00";
        let cases = [
            EnvelopeOptions { emitted_at: Some(local.into()), ..EnvelopeOptions::default() },
            EnvelopeOptions { received_at: Some(local.into()), ..EnvelopeOptions::default() },
            EnvelopeOptions { emitted_at: Some("2026-02-30T00:00:00Z".into()), ..EnvelopeOptions::default() },
        ];
        for options in cases {
            let message = message_of(run().envelope(
                "asset.discovery",
                "asset.upserted",
                discovery_payload(),
                provenance(),
                options,
            ));
            assert!(message.contains("is not an RFC 3339 UTC timestamp"), "{message}");
        }
        let mut provenance = provenance();
        provenance.insert("ingestedAt".into(), json!(local));
        let message = message_of(run().envelope(
            "asset.discovery",
            "asset.upserted",
            discovery_payload(),
            provenance,
            EnvelopeOptions::default(),
        ));
        assert!(message.starts_with("provenance.ingestedAt"), "{message}");
    }

    #[test]
    fn derived_provenance_fields_cannot_be_overridden() {
        for key in ["schemaRef", "checksum"] {
            let mut provenance = provenance();
            provenance.insert(key.into(), json!("https://example.com/other.json#/$defs/payloadAssetLifecycle"));
            let message = message_of(run().envelope(
                "asset.discovery",
                "asset.upserted",
                discovery_payload(),
                provenance,
                EnvelopeOptions::default(),
            ));
            assert!(message.starts_with(&format!("provenance.{key}")), "{message}");
        }
    }

    #[test]
    fn ambiguous_empty_arrays_become_objects_where_the_schema_wants_one() {
        let mut payload = discovery_payload();
        payload["attributes"] = json!([]);
        payload["tags"] = json!([]);
        let result = run().envelope(
            "asset.discovery",
            "asset.upserted",
            payload.clone(),
            provenance(),
            EnvelopeOptions::default(),
        );
        assert!(message_of(result).contains("/payload/attributes"));

        let options = EnvelopeOptions {
            meta: Some(json!([])),
            empties: ["/payload/attributes", "/payload/tags", "/meta"].map(String::from).to_vec(),
            ..EnvelopeOptions::default()
        };
        let envelope = run().envelope("asset.discovery", "asset.upserted", payload.clone(), provenance(), options);
        let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(envelope["payload"]["attributes"], json!({}));
        assert_eq!(envelope["payload"]["tags"], json!([]));
        assert_eq!(envelope["meta"], json!({}));
        payload["attributes"] = json!({});
        assert_eq!(
            envelope["provenance"]["checksum"],
            canonical::checksum(&payload).unwrap_or_default(),
            "checksum of the resolved payload"
        );
    }

    #[test]
    fn invalid_payload_is_rejected_with_its_violations() {
        let payload =
            json!({"assetId": "a", "name": "n", "type": "t", "environment": "moon", "tags": [], "attributes": {}});
        let result =
            run().envelope("asset.discovery", "asset.upserted", payload, provenance(), EnvelopeOptions::default());
        let Err(error) = result else { panic!("an invalid environment was accepted") };
        assert!(!error.violations().is_empty());
        assert!(error.message().contains("/payload/environment"), "{error}");
    }

    #[test]
    fn invalid_event_and_priority_are_rejected() {
        let result = run().envelope(
            "asset.discovery",
            "Asset Upserted",
            discovery_payload(),
            provenance(),
            EnvelopeOptions::default(),
        );
        assert!(message_of(result).contains("/event"));
        let options = EnvelopeOptions { priority: Some("urgent".into()), ..EnvelopeOptions::default() };
        let result = run().envelope("asset.discovery", "asset.upserted", discovery_payload(), provenance(), options);
        assert!(message_of(result).contains("/priority"));
    }

    #[test]
    fn headers_mirror_the_required_body_fields() {
        let envelope = built();
        let headers = headers(&envelope);
        let expected: Vec<(String, String)> = [
            ("x-phpgrc-bus-version", BUS_VERSION),
            ("x-phpgrc-connector", "aws-config"),
            ("x-phpgrc-kind", "asset.discovery"),
            ("x-phpgrc-run-id", envelope["runId"].as_str().unwrap_or_default()),
            ("x-phpgrc-priority", "normal"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(headers, expected);
    }

    #[test]
    fn headers_carry_correlation_only_when_the_body_has_one() {
        let mut envelope = built();
        envelope["provenance"]["correlationId"] = json!("0123456789abcdef");
        let headers = headers(&envelope);
        assert_eq!(headers.last(), Some(&("x-phpgrc-correlation".to_string(), "0123456789abcdef".to_string())));
    }

    #[test]
    fn headers_skip_fields_that_are_missing_or_not_strings() {
        let envelope = json!({"busVersion": 1, "connectorKey": "aws", "kind": null, "provenance": "x"});
        assert_eq!(headers(&envelope), vec![("x-phpgrc-connector".to_string(), "aws".to_string())]);
        assert!(headers(&json!([1, 2])).is_empty());
        assert!(headers(&json!("x")).is_empty());
    }

    #[test]
    fn with_error_sets_the_error_contract_fields_in_order() {
        let mut envelope = built();
        let annotation = ErrorAnnotation {
            retry_at: Some("2026-11-26T19:33:25.000Z".into()),
            trace_id: Some("trace_0123-abcd".into()),
            ..annotation()
        };
        assert_eq!(with_error(&mut envelope, annotation), Ok(()));
        let error = &envelope["error"];
        let keys: Vec<&str> = error.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(keys, ["code", "message", "occurredAt", "attempt", "maxAttempts", "retryAt", "traceId"]);
        assert!(timestamp::is_utc(error["occurredAt"].as_str().unwrap_or_default()));
        assert_eq!(error["attempt"], 1);
        assert_eq!(error["maxAttempts"], 5);
        let violations = Schema::embedded().violations(&envelope, &Check { headers: None, strict: true });
        assert!(violations.is_empty(), "{violations:?}");
        // `error` stays where the builder put it: last.
        assert_eq!(envelope.as_object().and_then(|o| o.keys().next_back()).map(String::as_str), Some("error"));
    }

    #[test]
    fn error_message_is_cut_to_512_characters_not_bytes() {
        let mut envelope = built();
        let message = "é".repeat(600) + "🙂";
        assert_eq!(with_error(&mut envelope, ErrorAnnotation { message, ..annotation() }), Ok(()));
        let cut = envelope["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(cut.chars().count(), 512);
        assert_eq!(cut, "é".repeat(512));
        let violations = Schema::embedded().violations(&envelope, &Check { headers: None, strict: true });
        assert!(violations.is_empty(), "{violations:?}");

        let message = "a".repeat(511) + "🙂🙂";
        assert_eq!(with_error(&mut envelope, ErrorAnnotation { message, ..annotation() }), Ok(()));
        assert_eq!(envelope["error"]["message"].as_str(), Some(("a".repeat(511) + "🙂").as_str()));

        let message = "ü".repeat(512);
        assert_eq!(with_error(&mut envelope, ErrorAnnotation { message: message.clone(), ..annotation() }), Ok(()));
        assert_eq!(envelope["error"]["message"].as_str(), Some(message.as_str()));
    }

    #[test]
    fn with_error_rejects_what_breaks_the_error_contract() {
        let cases: Vec<(ErrorAnnotation, &str)> = vec![
            (ErrorAnnotation { code: String::new(), ..annotation() }, "error.code"),
            (ErrorAnnotation { code: "C".repeat(129), ..annotation() }, "error.code"),
            (ErrorAnnotation { message: String::new(), ..annotation() }, "error.message"),
            (ErrorAnnotation { attempt: 0, ..annotation() }, "error.attempt"),
            (ErrorAnnotation { max_attempts: 0, ..annotation() }, "error.maxAttempts"),
            (ErrorAnnotation { retry_at: Some("2026-11-26T19:33:25+01:00".into()), ..annotation() }, "error.retryAt"),
            (ErrorAnnotation { occurred_at: Some("yesterday".into()), ..annotation() }, "error.occurredAt"),
            (ErrorAnnotation { trace_id: Some("short".into()), ..annotation() }, "error.traceId"),
            (ErrorAnnotation { trace_id: Some("t".repeat(65)), ..annotation() }, "error.traceId"),
            (ErrorAnnotation { trace_id: Some("trace id with spaces".into()), ..annotation() }, "error.traceId"),
            (ErrorAnnotation { trace_id: Some("trace-idé-0000".into()), ..annotation() }, "error.traceId"),
        ];
        for (annotation, field) in cases {
            let mut envelope = built();
            let before = envelope.clone();
            let message = message_of(with_error(&mut envelope, annotation));
            assert!(message.starts_with(field), "{field}: {message}");
            assert_eq!(envelope, before, "a rejected annotation must leave the envelope as it was");
        }
        let message = message_of(with_error(&mut json!([]), annotation()));
        assert!(message.contains("must be an object"), "{message}");
    }

    #[test]
    fn clear_error_sets_error_to_null() {
        let mut envelope = built();
        assert_eq!(with_error(&mut envelope, annotation()), Ok(()));
        clear_error(&mut envelope);
        assert_eq!(envelope["error"], Value::Null);
        let mut without = json!({"id": "x"});
        clear_error(&mut without);
        assert_eq!(without, json!({"id": "x", "error": null}));
        let mut not_an_object = json!(3);
        clear_error(&mut not_an_object);
        assert_eq!(not_an_object, json!(3));
    }
}
