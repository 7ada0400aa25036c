//! `PhpGrc\Bus\ulid()`, `Run`, `Envelope` and `Summary`: argument conversion around the core
//! builders and log summary.

use std::sync::OnceLock;

use ext_php_rs::prelude::*;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};
use serde_json::{Map, Value};

use super::built;
use super::convert::{self, object_table};
use super::ini;
use super::exceptions::BusError;
use super::zval_json::{self, PhpJson};
use crate::contract::{headers, Kind, Schema};
use crate::envelope::{self, EnvelopeError, EnvelopeOptions, ErrorAnnotation};
use crate::input::Key;
use crate::{canonical, summary, timestamp, ulid};

impl From<EnvelopeError> for BusError {
    fn from(e: EnvelopeError) -> Self {
        BusError::Envelope(e.to_string())
    }
}

/// A new ULID, monotonic within one millisecond in this process.
#[php_function]
#[php(name = "PhpGrc\\Bus\\ulid")]
pub fn bus_ulid() -> String {
    ulid::generate()
}

/// The module's plain functions.
pub fn functions() -> Vec<ext_php_rs::builders::FunctionBuilder<'static>> {
    vec![wrap_function!(bus_ulid)]
}

#[php_class]
#[php(name = "PhpGrc\\Bus\\Run")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Run {
    run: envelope::Run,
    /// Its strings as PHP holds them, for the envelopes built in place.
    stamp: built::Stamp,
}

fn table_value(ht: &ZendHashTable, prefix: &str) -> Result<(Value, Vec<String>), BusError> {
    let decoded = convert::decode_table(ht, &ini::limits(), prefix)?;
    Ok((decoded.value, decoded.empties))
}

fn option_text(options: &ZendHashTable, key: &str) -> Result<Option<String>, BusError> {
    match options.get(key).map(Zval::dereference) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => match v.str() {
            Some(s) => Ok(Some(s.to_owned())),
            None => Err(BusError::Type(format!("option '{key}' must be of type string, {} given", convert::type_name(v)))),
        },
    }
}

fn envelope_options(options: Option<&ZendHashTable>) -> Result<EnvelopeOptions, BusError> {
    let mut out = EnvelopeOptions::default();
    let Some(options) = options else { return Ok(out) };
    const KNOWN: [&str; 6] = ["priority", "meta", "attachments", "emittedAt", "receivedAt", "id"];
    for (key, _) in convert::entries(options) {
        let name = match key {
            Key::Name(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Key::Index(i) => i.to_string(),
        };
        if !KNOWN.contains(&name.as_str()) {
            return Err(BusError::InvalidArgument(format!(
                "unknown option {name:?}; Run::envelope() accepts: {}",
                KNOWN.join(", ")
            )));
        }
    }
    out.priority = option_text(options, "priority")?;
    out.emitted_at = option_text(options, "emittedAt")?;
    out.received_at = option_text(options, "receivedAt")?;
    out.id = option_text(options, "id")?;
    for (key, pointer) in [("meta", "/meta"), ("attachments", "/attachments")] {
        match options.get(key).map(Zval::dereference) {
            None => {}
            Some(v) if v.is_null() => {}
            Some(v) => match v.array() {
                Some(ht) => {
                    let (value, empties) = table_value(ht, pointer)?;
                    out.empties.extend(empties);
                    if key == "meta" {
                        out.meta = Some(value);
                    } else {
                        out.attachments = Some(value);
                    }
                }
                None => {
                    return Err(BusError::Type(format!(
                        "option '{key}' must be of type array, {} given",
                        convert::type_name(v)
                    )))
                }
            },
        }
    }
    Ok(out)
}

#[php_impl]
impl Run {
    #[php(defaults(tenantId = "\"core.default\"", busVersion = "\"1.0.0\""))]
    // The busVersion default mirrors contract::BUS_VERSION (php-tests/phpt/envelope/run_defaults.phpt).
    pub fn __construct(
        connectorKey: String,
        connectorVersion: String,
        tenantId: String,
        runId: Option<String>,
        busVersion: String,
    ) -> PhpResult<Self> {
        let run = envelope::Run::new(connectorKey, connectorVersion, tenantId, runId, busVersion)
            .map_err(BusError::from)?;
        let stamp = built::Stamp::new(&run);
        Ok(Run { run, stamp })
    }

    pub fn run_id(&self) -> String {
        self.run.run_id().to_string()
    }

    pub fn connector_key(&self) -> String {
        self.run.connector_key().to_string()
    }

    pub fn connector_version(&self) -> String {
        self.run.connector_version().to_string()
    }

    pub fn tenant_id(&self) -> String {
        self.run.tenant_id().to_string()
    }

    pub fn bus_version(&self) -> String {
        self.run.bus_version().to_string()
    }

    /// A complete, validated envelope of this run.
    pub fn envelope(
        &self,
        kind: &str,
        event: &str,
        payload: &ZendHashTable,
        provenance: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        if let Some(built) = built::envelope(&self.stamp, kind, event, payload, provenance, options) {
            return Ok(built);
        }
        // Not plain data, or refused: the converting path says why, or builds it.
        let (payload, mut empties) = table_value(payload, "/payload")?;
        let (provenance, _) = table_value(provenance, "/provenance")?;
        let provenance = match provenance {
            Value::Object(map) => map,
            Value::Array(items) if items.is_empty() => Map::new(),
            _ => {
                return Err(BusError::Envelope(
                    "provenance must be an array with string keys (source, externalId, ...)".into(),
                )
                .into())
            }
        };
        let mut options = envelope_options(options)?;
        options.empties.append(&mut empties);
        let built = self.run.envelope(kind, event, payload, provenance, options).map_err(BusError::from)?;
        Ok(as_table(&built))
    }
}

#[php_class]
#[php(name = "PhpGrc\\Bus\\Envelope")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Envelope;

/// A JSON object (what the core builds) as a PHP array.
fn as_table(value: &Value) -> ZBox<ZendHashTable> {
    match value {
        Value::Object(map) => object_table(map),
        _ => ZendHashTable::new(),
    }
}

/// The log context as a PHP array, built straight from the borrowed strings (no JSON value in
/// between): the same array `object_table(&context.to_value())` gives.
fn context_table(c: &summary::Context<'_>) -> ZBox<ZendHashTable> {
    fn text(s: &Option<std::borrow::Cow<'_, str>>) -> Zval {
        let mut zv = Zval::new();
        match s {
            // Only fails on an interior NUL in a C string, which ZendStr does not use.
            Some(s) => drop(zv.set_string(s, false)),
            None => zv.set_null(),
        }
        zv
    }
    fn list(items: &[std::borrow::Cow<'_, str>]) -> ZBox<ZendHashTable> {
        let mut ht = ZendHashTable::with_capacity(items.len() as u32);
        for item in items {
            let _ = ht.push(item.as_ref());
        }
        ht
    }
    fn number(n: &Option<serde_json::Number>) -> Zval {
        convert::to_zval(&n.clone().map_or(Value::Null, Value::Number))
    }
    let mut ht = ZendHashTable::with_capacity(15);
    let _ = ht.insert("status", c.status());
    let _ = ht.insert("envelope_id", text(&c.envelope_id));
    let mut connector = ZendHashTable::with_capacity(2);
    let _ = connector.insert("key", text(&c.connector_key));
    let _ = connector.insert("version", text(&c.connector_version));
    let _ = ht.insert("connector", connector);
    let _ = ht.insert("tenant_id", text(&c.tenant_id));
    let _ = ht.insert("run_id", text(&c.run_id));
    let _ = ht.insert("kind", text(&c.kind));
    let _ = ht.insert("event", text(&c.event));
    let _ = ht.insert("priority", c.priority.as_ref());
    let _ = ht.insert("received_at", c.received_at.as_str());
    let _ = ht.insert("emitted_at", text(&c.emitted_at));
    let mut provenance = ZendHashTable::with_capacity(4);
    let _ = provenance.insert("source", text(&c.source));
    let _ = provenance.insert("external_id", text(&c.external_id));
    let _ = provenance.insert("correlation_id", text(&c.correlation_id));
    let _ = provenance.insert("replay", c.replay);
    let _ = ht.insert("provenance", provenance);
    let _ = ht.insert("payload_keys", list(&c.payload_keys));
    let _ = ht.insert("meta_keys", list(&c.meta_keys));
    let mut attachments = ZendHashTable::with_capacity(2);
    let _ = attachments.insert("count", i64::try_from(c.attachment_count).unwrap_or(i64::MAX));
    let _ = attachments.insert("types", list(&c.attachment_types));
    let _ = ht.insert("attachments", attachments);
    match &c.error {
        None => {
            let _ = ht.insert("error", ());
        }
        Some(e) => {
            let mut error = ZendHashTable::with_capacity(5);
            let _ = error.insert("code", text(&e.code));
            let _ = error.insert("message", text(&e.message));
            let _ = error.insert("attempt", number(&e.attempt));
            let _ = error.insert("maxAttempts", number(&e.max_attempts));
            if let Some(retry_at) = &e.retry_at {
                let _ = error.insert("retryAt", retry_at.as_ref());
            }
            let _ = ht.insert("error", error);
        }
    }
    ht
}

/// An integer beyond ±(2^53−1) is input the canonical form cannot take: `\InvalidArgumentException`.
fn out_of_domain(e: canonical::OutOfDomain) -> BusError {
    BusError::InvalidArgument(e.to_string())
}

/// `write` on an array or stdClass tree read in place, when it is plain JSON data inside the
/// canonical domain; `None` sends it to the converting path, which says what is wrong with it.
/// (A JSON string is text to parse, not a value to read.)
fn in_place<T>(zv: &Zval, write: impl FnOnce(zval_json::PhpNode<'_>) -> Result<T, canonical::OutOfDomain>) -> Option<T> {
    let zv = zv.dereference();
    if !(zv.is_array() || zv.is_object()) {
        return None;
    }
    write(zval_json::checked(zv, &ini::limits())?).ok()
}

fn any_value(zv: &Zval, what: &str) -> Result<Value, BusError> {
    Ok(convert::decode_envelope(zv, &ini::limits(), what)?.value)
}

#[php_impl]
impl Envelope {
    /// The queue headers of an envelope.
    pub fn headers(envelope: &Zval) -> PhpResult<ZBox<ZendHashTable>> {
        let value = any_value(envelope, "Argument #1 ($envelope)")?;
        let mut ht = ZendHashTable::with_capacity(6);
        for (name, v) in headers::of_envelope(&value) {
            let _ = ht.insert(name.as_str(), v.as_str());
        }
        Ok(ht)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn with_error(
        envelope: &ZendHashTable,
        code: String,
        message: String,
        attempt: i64,
        maxAttempts: i64,
        retryAt: Option<String>,
        traceId: Option<String>,
        occurredAt: Option<String>,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let (mut value, _) = table_value(envelope, "")?;
        if !value.is_object() {
            return Err(BusError::Envelope("the envelope must be an array with string keys".into()).into());
        }
        envelope::with_error(
            &mut value,
            ErrorAnnotation {
                code,
                message,
                attempt,
                max_attempts: maxAttempts,
                retry_at: retryAt,
                trace_id: traceId,
                occurred_at: occurredAt,
            },
        )
        .map_err(BusError::from)?;
        Ok(as_table(&value))
    }

    pub fn clear_error(envelope: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
        let (mut value, _) = table_value(envelope, "")?;
        if !value.is_object() {
            return Err(BusError::Envelope("the envelope must be an array with string keys".into()).into());
        }
        envelope::clear_error(&mut value);
        Ok(as_table(&value))
    }

    /// SHA-256 of the canonical JSON of a payload. An empty PHP array counts as `[]`; pass a
    /// JSON string or a stdClass to mean `{}`.
    pub fn checksum(payload: &Zval) -> PhpResult<String> {
        if let Some(checksum) = in_place(payload, canonical::checksum_of::<PhpJson>) {
            return Ok(checksum);
        }
        Ok(canonical::checksum(&any_value(payload, "Argument #1 ($payload)")?).map_err(out_of_domain)?)
    }

    pub fn canonical_json(value: &Zval) -> PhpResult<String> {
        if let Some(text) = in_place(value, canonical::canonical_of::<PhpJson>) {
            return Ok(text);
        }
        Ok(canonical::canonical_json(&any_value(value, "Argument #1 ($value)")?).map_err(out_of_domain)?)
    }

    pub fn schema_ref(kind: String) -> PhpResult<String> {
        match Kind::parse(&kind) {
            Some(k) => Ok(Schema::embedded().schema_ref(k)),
            None => Err(BusError::Envelope(format!("unknown kind {kind:?}")).into()),
        }
    }

    pub fn kinds() -> ZBox<ZendHashTable> {
        let mut ht = ZendHashTable::with_capacity(Kind::ALL.len() as u32);
        for k in Kind::ALL {
            let _ = ht.insert(k.as_str(), k.definition());
        }
        ht
    }
}

#[php_class]
#[php(name = "PhpGrc\\Bus\\Summary")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Summary;

/// A `\DateTimeInterface` as an RFC 3339 UTC timestamp with milliseconds.
fn utc_millis(when: &ZendObject) -> Result<String, BusError> {
    let not_a_date = || BusError::Type("Argument #2 ($receivedAt) must be a DateTimeInterface".into());
    let seconds = when.try_call_method("getTimestamp", vec![]).map_err(|_| not_a_date())?.long().ok_or_else(not_a_date)?;
    let millis = when
        .try_call_method("format", vec![&"v"])
        .ok()
        .and_then(|z| z.str().and_then(|s| s.parse::<i64>().ok()))
        .unwrap_or(0);
    Ok(timestamp::format_utc_millis(seconds.saturating_mul(1000).saturating_add(millis)))
}

#[php_impl]
impl Summary {
    /// The `integration.bus.message` log context of an envelope; keys only, never values.
    pub fn of(envelope: &Zval, receivedAt: Option<&ZendObject>) -> PhpResult<ZBox<ZendHashTable>> {
        let received = receivedAt.map(utc_millis).transpose()?;
        let envelope = envelope.dereference();
        match envelope.zend_str() {
            // From the JSON bytes: no PHP array of the payload is ever built.
            Some(s) => {
                let limits = ini::limits();
                if s.len() > limits.max_bytes {
                    return Err(BusError::InvalidArgument(format!(
                        "the envelope is {} bytes, over the limit of {} bytes (ini phpgrc_bus.max_bytes)",
                        s.len(),
                        limits.max_bytes
                    ))
                    .into());
                }
                Ok(summary::with_context_json(s.as_bytes(), received.as_deref(), context_table)
                    .map_err(|e| BusError::InvalidArgument(format!("invalid JSON at line {} column {}: {e}", e.line(), e.column())))?)
            }
            // Read in place when the value is plain JSON data; otherwise the converting path
            // says precisely what is wrong with it.
            None => match zval_json::checked(envelope, &ini::limits()) {
                Some(root) => {
                    // The member names, hashed and copied once per process.
                    static KEYS: OnceLock<summary::Keys<PhpJson>> = OnceLock::new();
                    let keys = KEYS.get_or_init(summary::Keys::new);
                    Ok(context_table(&summary::context_with(keys, root, received.as_deref())))
                }
                None => {
                    let value = any_value(envelope, "Argument #1 ($envelope)")?;
                    Ok(context_table(&summary::context::<jsonschema::json::SerdeJson>(&value, received.as_deref())))
                }
            },
        }
    }
}
