//! `PhpGrc\Bus\Queue` and `ReservedJob`: argument conversion around the core queue. Envelopes
//! are validated (the same Validator rules) before anything is enqueued; popped jobs have their
//! headers checked against the body before they are handed out.

use std::borrow::Cow;
use std::sync::Arc;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, Zval};
use serde_json::Value;

use super::convert::{self, entries, object_table, InputError};
use super::exceptions::BusError;
use super::ini;
use super::zval_json::{self, PhpJson};
use crate::document::DocNode;
use crate::contract::{headers, Check, Headers, RuleFields, Schema, Violation};
use crate::input::{self, Decoded, Judged, Key, Limits, Refused};
use crate::queue::{self, AckMode, Acked, Block, ConnectionConfig, LaravelConnection, Options, QueueError, Rejection, Reserved};

impl From<QueueError> for BusError {
    fn from(e: QueueError) -> Self {
        BusError::Queue(e.to_string())
    }
}

#[php_class]
#[php(name = "PhpGrc\\Bus\\Queue")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Queue {
    inner: queue::Queue,
    schema: Arc<Schema>,
    strict: bool,
}

#[php_class]
#[php(name = "PhpGrc\\Bus\\ReservedJob")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct ReservedJob {
    reserved: Reserved,
}

/// A scalar option or connection field as text (config arrays hold ints and strings alike).
fn scalar_text(zv: &Zval) -> Option<String> {
    let zv = zv.dereference();
    zv.str()
        .map(str::to_string)
        .or_else(|| zv.long().map(|i| i.to_string()))
        .or_else(|| zv.double().map(|f| f.to_string()))
        .or_else(|| zv.bool().map(|b| if b { "1".into() } else { "0".into() }))
}

fn connection_config(connection: &Zval) -> Result<ConnectionConfig, BusError> {
    let connection = connection.dereference();
    if let Some(url) = connection.str() {
        return Ok(ConnectionConfig::parse(url)?);
    }
    let Some(ht) = connection.array() else {
        return Err(BusError::Type(format!(
            "PhpGrc\\Bus\\Queue::__construct(): Argument #1 ($connection) must be of type array|string, {} given",
            convert::type_name(connection)
        )));
    };
    // Redis Cluster: `['cluster' => [seeds…], …shared settings]`, or a list of node arrays as
    // Laravel's `database.redis.clusters.<name>` holds them (settings from the first node).
    if let Some(seeds) = ht.get("cluster").filter(|v| !v.is_null()) {
        let seeds = cluster_seeds(seeds)?;
        return Ok(laravel_config(ht)?.with_cluster(&seeds)?);
    }
    if ht.len() > 0 && ht.has_sequential_keys() {
        let seeds = cluster_seeds(connection)?;
        let first = ht.get_index(0).and_then(|v| v.dereference().array());
        let shared = match first {
            Some(node) => laravel_config(node)?,
            None => ConnectionConfig::parse("redis://127.0.0.1")?,
        };
        return Ok(shared.with_cluster(&seeds)?);
    }
    laravel_config(ht)
}

fn laravel_config(ht: &ZendHashTable) -> Result<ConnectionConfig, BusError> {
    let field = |name: &str| ht.get(name).filter(|v| !v.is_null()).and_then(scalar_text);
    let laravel = LaravelConnection {
        url: field("url"),
        scheme: field("scheme"),
        host: field("host"),
        port: field("port"),
        username: field("username"),
        password: field("password"),
        database: field("database"),
        prefix: field("prefix"),
        timeout: field("timeout"),
        read_timeout: field("read_timeout"),
    };
    Ok(ConnectionConfig::from_laravel(&laravel)?)
}

/// Cluster seeds: each `'host:port'`, a `redis://` URL, or a node array with `host`/`port`.
fn cluster_seeds(list: &Zval) -> Result<Vec<String>, BusError> {
    let invalid = || BusError::InvalidArgument("Redis Cluster seeds must be a list of 'host:port' strings or arrays with 'host' and 'port'".into());
    let Some(list) = list.dereference().array() else { return Err(invalid()) };
    let mut seeds = Vec::with_capacity(list.len());
    for (_, seed) in entries(list) {
        let seed = seed.dereference();
        if let Some(text) = seed.str() {
            seeds.push(text.to_owned());
        } else if let Some(node) = seed.array() {
            let host = node.get("host").and_then(scalar_text).ok_or_else(invalid)?;
            let port = node.get("port").and_then(scalar_text).unwrap_or_else(|| "6379".into());
            seeds.push(if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") });
        } else {
            return Err(invalid());
        }
    }
    if seeds.is_empty() {
        return Err(invalid());
    }
    Ok(seeds)
}

const OPTIONS: [&str; 23] = [
    "queue", "dlq", "max_attempts", "retry_seconds", "backoff_exp", "retry_after", "block_for", "prefix", "job",
    "dedupe_ttl", "strict", "timeout", "read_timeout", "tls_ca", "tls_cert", "tls_key", "failover_timeout", "prefetch",
    "ack", "wait_replicas", "wait_timeout", "busy_poll", "counters",
];

fn options(given: Option<&ZendHashTable>, config: &mut ConnectionConfig) -> Result<(Options, bool), BusError> {
    let mut o = Options::from_env()?;
    let mut strict = false;
    let Some(given) = given else { return Ok((o, strict)) };
    for (key, value) in entries(given) {
        let name = match key {
            Key::Name(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Key::Index(i) => i.to_string(),
        };
        if !OPTIONS.contains(&name.as_str()) {
            return Err(BusError::InvalidArgument(format!(
                "unknown Queue option {name:?}; known: {}",
                OPTIONS.join(", ")
            )));
        }
        let value = value.dereference();
        if value.is_null() {
            continue;
        }
        let text = scalar_text(value)
            .ok_or_else(|| BusError::Type(format!("Queue option '{name}' must be a scalar, {} given", convert::type_name(value))))?;
        let number = || {
            text.trim()
                .parse::<u64>()
                .map_err(|_| BusError::InvalidArgument(format!("Queue option '{name}' must be a whole number ≥ 0, got {text:?}")))
        };
        let seconds = || {
            text.trim()
                .parse::<f64>()
                .ok()
                // Bounded as in a redis URL: a Duration cannot hold every finite f64.
                .filter(|s| s.is_finite() && (0.0..=86_400.0).contains(s))
                .ok_or_else(|| BusError::InvalidArgument(format!("Queue option '{name}' must be seconds from 0 to 86400, got {text:?}")))
        };
        let timeout = |s: f64| (s > 0.0).then(|| std::time::Duration::from_secs_f64(s));
        match name.as_str() {
            "queue" => o.queue = text,
            "dlq" => o.dlq = text,
            "job" => o.job = text,
            "prefix" => o.prefix = Some(text),
            "counters" => o.counters = Some(text),
            "max_attempts" => o.max_attempts = number()?.min(u32::MAX as u64) as u32,
            "retry_seconds" => o.retry_seconds = number()?,
            "backoff_exp" => o.backoff_exp = number()?.min(u32::MAX as u64) as u32,
            "retry_after" => o.retry_after = number()?,
            "block_for" => o.block_for = Some(number()?),
            "dedupe_ttl" => o.dedupe_ttl = number()?,
            "wait_replicas" => o.wait_replicas = number()?.min(u64::from(u32::MAX)) as u32,
            "wait_timeout" => o.wait_timeout = std::time::Duration::from_secs_f64(seconds()?.clamp(0.001, 3600.0)),
            "prefetch" => o.prefetch = number()?.min(u32::MAX as u64) as u32,
            "ack" => {
                o.ack = AckMode::parse(&text).ok_or_else(|| {
                    BusError::InvalidArgument(format!("Queue option 'ack' must be 'sync' or 'deferred', got {text:?}"))
                })?
            }
            "strict" => strict = value.bool().unwrap_or(text == "1"),
            "timeout" => config.connect_timeout = timeout(seconds()?),
            "read_timeout" => config.read_timeout = timeout(seconds()?),
            "busy_poll" => {
                config.busy_poll = queue::parse_busy_poll(&text).map_err(|_| {
                    BusError::InvalidArgument(format!("Queue option 'busy_poll' must be whole microseconds from 0 to 10000, got {text:?}"))
                })?
            }
            "failover_timeout" => config.failover_timeout = std::time::Duration::from_secs_f64(seconds()?.min(3600.0)),
            "tls_ca" | "tls_cert" | "tls_key" => {
                let Some(tls) = config.tls.as_mut() else {
                    return Err(BusError::InvalidArgument(format!(
                        "Queue option '{name}' needs a TLS connection (rediss://… or 'scheme' => 'tls')"
                    )));
                };
                let path = Some(std::path::PathBuf::from(text));
                match name.as_str() {
                    "tls_ca" => tls.ca_file = path,
                    "tls_cert" => tls.cert_file = path,
                    _ => tls.key_file = path,
                }
            }
            _ => {}
        }
    }
    o.validate()?;
    Ok((o, strict))
}

/// A job's queue headers, borrowed from the PHP value where they can be.
type HeaderList<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// An envelope ready to enqueue: its compact JSON and its queue headers.
struct Ready<'a> {
    json: Cow<'a, [u8]>,
    headers: HeaderList<'a>,
}

/// A JSON string envelope as `write_valid` read it, for the converting path not to parse it
/// again: the value to report on, or why the text is not JSON data. `None`: not a string.
type ReadText = Option<Result<Value, Refused>>;

/// An envelope ready to enqueue (its compact JSON written into `buffer` where it is written
/// from PHP values), or its violations.
fn prepare<'a>(
    schema: &Schema,
    strict: bool,
    limits: &Limits,
    envelope: &'a Zval,
    buffer: &'a mut Vec<u8>,
    what: &str,
) -> Result<Result<Ready<'a>, Vec<Violation>>, BusError> {
    buffer.clear();
    let mut read = None;
    if let Some(headers) = write_valid(schema, strict, limits, envelope, buffer, &mut read) {
        return Ok(Ok(Ready { json: Cow::Borrowed(buffer.as_slice()), headers }));
    }
    prepare_converted(schema, strict, limits, envelope, what, read)
}

/// `prepare` by converting the envelope to a serde value (or taking the one `write_valid`
/// read): the path that finds violations, and that decides what the JSON of an empty PHP
/// array is.
fn prepare_converted(
    schema: &Schema,
    strict: bool,
    limits: &Limits,
    envelope: &Zval,
    what: &str,
    read: ReadText,
) -> Result<Result<Ready<'static>, Vec<Violation>>, BusError> {
    let mut decoded = match read {
        Some(Ok(value)) => Decoded { value, empties: Vec::new() },
        Some(Err(refused)) => return Err(InputError::from(refused).into()),
        None => convert::decode_envelope(envelope, limits, what)?,
    };
    let check = Check { headers: None, strict };
    let violations = schema.violations_resolving_empties(&mut decoded.value, &decoded.empties, &check);
    if !violations.is_empty() {
        return Ok(Err(violations));
    }
    let json = serde_json::to_vec(&decoded.value).map_err(|e| BusError::InvalidArgument(e.to_string()))?;
    let headers = headers::of_envelope(&decoded.value);
    Ok(Ok(Ready { json: Cow::Owned(json), headers: headers.into_iter().map(|(k, v)| (Cow::Owned(k), Cow::Owned(v))).collect() }))
}

/// Appends a valid envelope's compact JSON to `out` without converting it (the JSON string as
/// given, or JSON written from the PHP values) and returns its headers. `None`: take the
/// converting path (invalid, strict, or holding an empty array whose JSON only the schema
/// decides), with what was read of a JSON string in `read`; `out` may then hold part of the
/// envelope, for the caller to drop.
fn write_valid<'a>(
    schema: &Schema,
    strict: bool,
    limits: &Limits,
    envelope: &'a Zval,
    out: &mut Vec<u8>,
    read: &mut ReadText,
) -> Option<HeaderList<'a>> {
    let zv = envelope.dereference();
    if let Some(s) = zv.zend_str() {
        let bytes = s.as_bytes();
        let mirrored = |fields: &RuleFields| -> HeaderList<'a> {
            headers::mirroring(fields).map(|(k, v)| (Cow::Owned(k.to_owned()), Cow::Owned(v.to_owned()))).collect()
        };
        match input::judge_json(schema, bytes, &Check { headers: None, strict }, limits, mirrored) {
            Ok(Judged::Valid(headers)) => {
                out.extend_from_slice(bytes);
                return Some(headers);
            }
            Ok(Judged::Value(value)) => *read = Some(Ok(value)),
            Err(refused) => *read = Some(Err(refused)),
        }
        return None;
    }
    if strict {
        return None;
    }
    let check = Check { headers: None, strict: false };
    let php = schema.for_representation::<PhpJson>()?;
    // Written before it is validated: one walk checks and writes it, and an invalid envelope
    // takes the converting path anyway.
    let root = zval_json::written(zv, limits, out)?;
    let fields = zval_json::rule_fields(root);
    if !(php.is_valid(root) && schema.field_violations(&fields, &check).is_empty()) {
        return None;
    }
    Some(headers::mirroring(&fields).map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v))).collect())
}

impl Queue {
    fn queue_name(queue: &Option<String>) -> Option<&str> {
        // Decide on the discriminant alone. A `None`'s other bytes are undefined, and an
        // optimised select that peeks at its length first (harmless, but a "conditional move
        // depends on uninitialised value" under valgrind) is kept out by the barrier.
        let queue = std::hint::black_box(queue.as_ref())?;
        (!queue.is_empty()).then_some(queue.as_str())
    }
}

/// The values of an iterable, taken before any of them is used (running a Traversable's code).
fn drain(envelopes: &Zval) -> Result<Vec<Zval>, BusError> {
    // Iterating a Traversable needs a mutable value; a shallow clone shares the object.
    let mut owned = envelopes.dereference().shallow_clone();
    let Some(mut iterable) = owned.iterable() else {
        return Err(BusError::Type(format!(
            "PhpGrc\\Bus\\Queue::pushBatch(): Argument #1 ($envelopes) must be of type iterable, {} given",
            convert::type_name(envelopes)
        )));
    };
    let Some(iter) = iterable.iter() else {
        return Err(BusError::InvalidArgument("the envelopes cannot be iterated".into()));
    };
    Ok(iter.map(|(_, envelope)| envelope).collect())
}

/// Header/body alignment of a popped job: a mismatch sends it to the dead-letter list.
fn check_reserved(schema: &Schema, job: &Reserved, envelope: Option<DocNode<'_>>) -> Result<(), Rejection> {
    let envelope = envelope
        .ok_or_else(|| Rejection::validation_failed("the job's envelope cannot be read: it is not a JSON document"))?;
    let headers = job.headers().and_then(|h| Headers::from_json(&h)).unwrap_or_default();
    // Read on the JSON tape the queue parsed: this runs on every pop, and the rules need seven
    // members.
    let violations = schema.field_violations_doc(envelope, &Check { headers: Some(&headers), strict: false });
    if violations.is_empty() {
        Ok(())
    } else {
        let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
        Err(Rejection::validation_failed(format!("headers do not match the envelope: {}", listed.join("; "))))
    }
}

/// A handler's run time as given to ack()/fail(): finite and not negative.
fn ran_for(seconds: Option<f64>) -> Result<Option<std::time::Duration>, BusError> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && (0.0..=86_400.0 * 366.0).contains(&s) => Ok(Some(std::time::Duration::from_secs_f64(s))),
        Some(s) => Err(BusError::InvalidArgument(format!("seconds must be a finite number of seconds ≥ 0, got {s}"))),
    }
}

#[php_impl]
impl Queue {
    pub fn __construct(connection: &Zval, options: Option<&ZendHashTable>) -> PhpResult<Self> {
        let mut config = connection_config(connection)?;
        let (options, strict) = self::options(options, &mut config)?;
        let inner = queue::Queue::new(&config, options).map_err(BusError::from)?;
        Ok(Queue { inner, schema: super::validator::schema_for(None)?, strict })
    }

    /// Validates, then enqueues one envelope; returns the job id.
    pub fn push(&mut self, envelope: &Zval, queue: Option<String>) -> PhpResult<String> {
        let what = "PhpGrc\\Bus\\Queue::push(): Argument #1 ($envelope)";
        let (schema, strict, limits) = (&self.schema, self.strict, ini::limits());
        let mut batch = self.inner.batch(Self::queue_name(&queue), 1).map_err(BusError::from)?;
        let mut read = None;
        if !batch.add_with(|out| write_valid(schema, strict, &limits, envelope, out, &mut read)).map_err(BusError::from)? {
            let ready = prepare_converted(schema, strict, &limits, envelope, what, read)?.map_err(BusError::validation)?;
            batch.add(&ready.json, &ready.headers).map_err(BusError::from)?;
        }
        let mut ids = batch.finish().map_err(BusError::from)?;
        Ok(ids.pop().unwrap_or_default())
    }

    /// Validates and enqueues all, or none: each envelope is validated and written into one
    /// request, sent in one round trip only when every one is valid.
    pub fn push_batch(&mut self, envelopes: &Zval, queue: Option<String>) -> PhpResult<ZBox<ZendHashTable>> {
        // An array is read in place. A Traversable is drained first: its code may use a queue,
        // and no PHP code may run while the batch holds the connection.
        let drained: Vec<Zval>;
        let items: Vec<&Zval> = match envelopes.dereference().array() {
            Some(ht) => entries(ht).map(|(_, zv)| zv).collect(),
            None => {
                drained = drain(envelopes)?;
                drained.iter().collect()
            }
        };
        let (schema, strict, limits) = (&self.schema, self.strict, ini::limits());
        let mut batch = Some(self.inner.batch(Self::queue_name(&queue), items.len()).map_err(BusError::from)?);
        let mut invalid: Vec<Violation> = Vec::new();
        let mut first_invalid = None;
        for (index, envelope) in items.into_iter().enumerate() {
            let mut read = None;
            if let Some(batch) = batch.as_mut() {
                if batch.add_with(|out| write_valid(schema, strict, &limits, envelope, out, &mut read)).map_err(BusError::from)? {
                    continue;
                }
            }
            // Input that is not JSON data says which envelope it was, as violations do.
            let what = format!("PhpGrc\\Bus\\Queue::pushBatch(): envelope #{index}");
            let converted = prepare_converted(schema, strict, &limits, envelope, &what, read).map_err(|e| match e {
                BusError::InvalidArgument(m) => {
                    BusError::InvalidArgument(format!("envelope #{index} of the batch is not JSON data; nothing was enqueued. {m}"))
                }
                BusError::Type(m) => BusError::Type(format!("{m}; nothing was enqueued")),
                other => other,
            })?;
            match converted {
                Ok(ready) => {
                    if let Some(batch) = batch.as_mut() {
                        batch.add(&ready.json, &ready.headers).map_err(BusError::from)?;
                    }
                }
                Err(violations) => {
                    // Dropping the batch discards the jobs encoded so far (nothing was sent);
                    // the rest are still validated, so that the exception lists every violation.
                    batch = None;
                    first_invalid.get_or_insert(index);
                    invalid.extend(violations.into_iter().map(|mut v| {
                        v.path = format!("/{index}{}", v.path);
                        v
                    }));
                }
            }
        }
        if let Some(index) = first_invalid {
            let mut e = BusError::validation(invalid);
            if let BusError::Validation { message, .. } = &mut e {
                *message = format!("envelope #{index} of the batch is invalid; nothing was enqueued. {message}");
            }
            return Err(e.into());
        }
        let ids = match batch {
            Some(batch) => batch.finish().map_err(BusError::from)?,
            None => Vec::new(),
        };
        let mut list = ZendHashTable::with_capacity(ids.len() as u32);
        for id in ids {
            let _ = list.push(id);
        }
        Ok(list)
    }

    /// Enqueues one envelope to run after `delaySeconds`.
    pub fn later(&mut self, delaySeconds: i64, envelope: &Zval, queue: Option<String>) -> PhpResult<String> {
        if delaySeconds < 0 {
            return Err(BusError::InvalidArgument(format!("delaySeconds must be ≥ 0, got {delaySeconds}")).into());
        }
        let mut buffer = Vec::new();
        let what = "PhpGrc\\Bus\\Queue::later(): Argument #2 ($envelope)";
        let ready = match prepare(&self.schema, self.strict, &ini::limits(), envelope, &mut buffer, what)? {
            Ok(ready) => ready,
            Err(violations) => return Err(BusError::validation(violations).into()),
        };
        Ok(self.inner.later(Self::queue_name(&queue), delaySeconds as u64, &ready.json, &ready.headers).map_err(BusError::from)?)
    }

    /// Reserves the next job whose headers match its body, or null. blockFor: null the
    /// option, 0 until a job comes, n seconds, negative not at all.
    pub fn pop(&mut self, queue: Option<String>, blockFor: Option<i64>) -> PhpResult<Option<ReservedJob>> {
        let block_for = match blockFor {
            None => Block::Option,
            Some(b) if b < 0 => Block::Never,
            Some(b) => Block::Seconds(b as u64),
        };
        let schema = self.schema.clone();
        let reserved = self
            .inner
            .pop(Self::queue_name(&queue), block_for, |job, envelope| check_reserved(&schema, job, envelope))
            .map_err(BusError::from)?;
        Ok(reserved.map(|reserved| ReservedJob { reserved }))
    }

    /// Processing succeeded: removes exactly the reserved bytes. true: removed; false: no
    /// longer reserved; null: deferred (`'ack' => 'deferred'`), written with the next round trip.
    /// With the `counters` option the job counts as processed, for `seconds` (null: since pop).
    pub fn ack(&mut self, job: &ZendClassObject<ReservedJob>, seconds: Option<f64>) -> PhpResult<Option<bool>> {
        Ok(match self.inner.ack_timed(&job.reserved, ran_for(seconds)?).map_err(BusError::from)? {
            Acked::Removed => Some(true),
            Acked::NotReserved => Some(false),
            Acked::Deferred => None,
        })
    }

    /// Writes the deferred acknowledgements now; returns how many were written.
    pub fn flush(&mut self) -> PhpResult<i64> {
        Ok(self.inner.flush().map_err(BusError::from)? as i64)
    }

    /// Puts the job back after `delay` seconds (null: the backoff for its attempt), or
    /// dead-letters it when its attempts are exhausted.
    pub fn release(&mut self, job: &ZendClassObject<ReservedJob>, delay: Option<i64>) -> PhpResult<String> {
        let delay = delay.map(|d| d.max(0) as u64);
        Ok(self.inner.release(&job.reserved, delay).map_err(BusError::from)?.as_str().to_string())
    }

    /// Processing failed: annotates `error`, then retries with backoff or dead-letters. With the
    /// `counters` option the job counts as failed, for `seconds` (null: since pop).
    pub fn fail(&mut self, job: &ZendClassObject<ReservedJob>, code: String, message: String, seconds: Option<f64>) -> PhpResult<String> {
        Ok(self.inner.fail_timed(&job.reserved, &code, &message, ran_for(seconds)?).map_err(BusError::from)?.as_str().to_string())
    }

    /// Moves the job to the dead-letter list now, with `error` annotated: for failures that
    /// retrying cannot fix (an invalid envelope, a kind nobody handles).
    pub fn dead_letter(&mut self, job: &ZendClassObject<ReservedJob>, code: String, message: String) -> PhpResult<String> {
        Ok(self.inner.dead_letter(&job.reserved, &code, &message).map_err(BusError::from)?.as_str().to_string())
    }

    /// Ready + delayed + reserved jobs.
    pub fn size(&mut self, queue: Option<String>) -> PhpResult<i64> {
        Ok(self.inner.size(Self::queue_name(&queue)).map_err(BusError::from)? as i64)
    }

    /// Ready jobs (Laravel 13's `pendingSize`).
    pub fn pending_size(&mut self, queue: Option<String>) -> PhpResult<i64> {
        Ok(self.inner.sizes(Self::queue_name(&queue)).map_err(BusError::from)?.ready as i64)
    }

    /// Delayed jobs, released ones included (Laravel 13's `delayedSize`).
    pub fn delayed_size(&mut self, queue: Option<String>) -> PhpResult<i64> {
        Ok(self.inner.sizes(Self::queue_name(&queue)).map_err(BusError::from)?.delayed as i64)
    }

    /// Reserved jobs (Laravel 13's `reservedSize`).
    pub fn reserved_size(&mut self, queue: Option<String>) -> PhpResult<i64> {
        Ok(self.inner.sizes(Self::queue_name(&queue)).map_err(BusError::from)?.reserved as i64)
    }

    /// `createdAt` (Unix seconds) of the oldest ready job; null when none is ready or it has none.
    pub fn creation_time_of_oldest_pending_job(&mut self, queue: Option<String>) -> PhpResult<Option<i64>> {
        Ok(self.inner.oldest_pending_created_at(Self::queue_name(&queue)).map_err(BusError::from)?)
    }

    /// Deletes the queue's ready, delayed and reserved jobs; returns how many (dead letters stay).
    pub fn clear(&mut self, queue: Option<String>) -> PhpResult<i64> {
        Ok(self.inner.clear(Self::queue_name(&queue)).map_err(BusError::from)? as i64)
    }

    /// The oldest dead letters, as decoded job payloads.
    #[php(defaults(limit = 100))]
    pub fn dead_letters(&mut self, limit: i64) -> PhpResult<ZBox<ZendHashTable>> {
        let letters = self.inner.dead_letters(limit.max(0) as usize).map_err(BusError::from)?;
        let mut list = ZendHashTable::with_capacity(letters.len() as u32);
        for letter in letters {
            let entry = match serde_json::from_slice::<Value>(&letter.raw) {
                Ok(Value::Object(map)) => {
                    let mut zv = Zval::new();
                    zv.set_hashtable(object_table(&map));
                    zv
                }
                _ => {
                    let mut zv = Zval::new();
                    zv.set_binary(letter.raw);
                    zv
                }
            };
            let _ = list.push(entry);
        }
        Ok(list)
    }

    /// Moves one dead letter back to its queue with attempts reset.
    pub fn retry_dead_letter(&mut self, id: String) -> PhpResult<bool> {
        Ok(self.inner.retry_dead_letter(&id).map_err(BusError::from)?)
    }

    /// This object's counters and the queue's sizes.
    pub fn stats(&mut self, queue: Option<String>) -> PhpResult<ZBox<ZendHashTable>> {
        let sizes = self.inner.sizes(Self::queue_name(&queue)).map_err(BusError::from)?;
        let s = self.inner.stats();
        let mut ht = ZendHashTable::with_capacity(10);
        for (name, n) in [
            ("pushed", s.pushed),
            ("popped", s.popped),
            ("acked", s.acked),
            ("released", s.released),
            ("dead_lettered", s.dead_lettered),
            ("replays_skipped", s.replays_skipped),
            ("ready", sizes.ready),
            ("delayed", sizes.delayed),
            ("reserved", sizes.reserved),
            ("dead_letters", sizes.dead_letters),
        ] {
            let _ = ht.insert(name, n as i64);
        }
        Ok(ht)
    }

    /// Never shows connection settings (they may hold a password).
    pub fn __debug_info(&self) -> ZBox<ZendHashTable> {
        let mut ht = ZendHashTable::new();
        let _ = ht.insert("queue", self.inner.options().queue.as_str());
        let _ = ht.insert("prefix", self.inner.prefix());
        if let Some(seeds) = self.inner.cluster_seeds() {
            let mut list = ZendHashTable::new();
            for seed in seeds {
                let _ = list.push(seed);
            }
            let _ = ht.insert("cluster", list);
        }
        ht
    }
}

#[php_impl]
impl ReservedJob {
    pub fn id(&self) -> String {
        self.reserved.id().to_string()
    }

    pub fn queue(&self) -> String {
        self.reserved.queue().to_string()
    }

    pub fn attempts(&self) -> i64 {
        self.reserved.attempts() as i64
    }

    /// The envelope as an array (as `json_decode($json, true)`).
    pub fn envelope(&self) -> PhpResult<ZBox<ZendHashTable>> {
        match self.reserved.envelope().map_err(BusError::from)? {
            Value::Object(map) => Ok(object_table(&map)),
            _ => Err(BusError::Queue("the job's envelope is not a JSON object".into()).into()),
        }
    }

    /// The envelope JSON, byte for byte as pushed.
    pub fn envelope_json(&self) -> Zval {
        let mut zv = Zval::new();
        zv.set_binary(self.reserved.envelope_json().to_vec());
        zv
    }

    /// The `x-phpgrc-*` headers carried by the job payload.
    pub fn headers(&self) -> ZBox<ZendHashTable> {
        let mut ht = ZendHashTable::new();
        if let Some(Value::Object(map)) = self.reserved.headers() {
            for (name, value) in map {
                if let Some(v) = value.as_str() {
                    let _ = ht.insert(name.as_str(), v);
                }
            }
        }
        ht
    }

    /// The reserved payload exactly as Redis returned it.
    pub fn raw_payload(&self) -> Zval {
        let mut zv = Zval::new();
        zv.set_binary(self.reserved.raw_payload().to_vec());
        zv
    }
}
