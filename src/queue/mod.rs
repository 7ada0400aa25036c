//! A Redis queue client that speaks Laravel's RedisQueue wire format, with batch push,
//! retries with exponential backoff, a dead-letter list and replay dedupe. Pure Rust: the PHP
//! binding converts values and maps errors, nothing more.
//!
//! Layers: `resp` (protocol), `connection` (socket, timeouts, reconnect, fork), `keys`,
//! `payload` + `raw_json` (job JSON, envelope bytes kept exact), `scripts` (every multi-step
//! operation as one atomic Lua script), and here the operations.
#![forbid(unsafe_code)]

pub mod batch;
pub mod cluster;
pub mod connection;
pub mod error;
pub mod keys;
pub mod options;
pub mod payload;
pub mod raw_json;
pub mod resp;
pub mod scripts;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use jsonschema::json::Node as _;
use serde_json::Value;

pub use batch::Batch;
pub use connection::{parse_busy_poll, Address, Connection, ConnectionConfig, LaravelConnection, Tls, DEFAULT_BUSY_POLL};
pub use error::{ErrorKind, QueueError};
pub use options::{AckMode, Options};
pub use payload::ErrorAnnotation;

use crate::contract::document::{DocNode, Document};
use connection::{ScriptCall, Wait};
use keys::QueueKeys;
use payload::JobPayload;
use resp::Reply;
use scripts::Script;

/// The error code of a job dead-lettered because its headers do not match its body.
pub const VALIDATION_FAILED: &str = "VALIDATION_FAILED";
/// Most jobs one pop moves back from `:delayed` and from `:reserved` (the rest move next time),
/// so one pop never blocks Redis for long.
const MIGRATE_LIMIT: u32 = 1000;
/// Most jobs one `pop` call dead-letters or skips before answering "nothing for now".
const POP_SKIP_LIMIT: usize = 1000;
/// Deepest nesting a popped envelope is parsed to: the payload scan already refused anything
/// deeper (`raw_json::MAX_DEPTH` levels around it).
const ENVELOPE_DEPTH: usize = raw_json::MAX_DEPTH + 1;
/// Dead letters read per round trip when looking one up by id.
const DLQ_SCAN_CHUNK: i64 = 100;

/// One job to enqueue: the envelope's JSON text and its `x-phpgrc-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    pub envelope_json: &'a [u8],
    pub headers: &'a [(String, String)],
}

/// A job reserved by `pop`. Keeps the exact bytes `:reserved` holds, which ack, release and
/// dead-letter remove.
#[derive(Debug, Clone)]
pub struct Reserved {
    queue: String,
    /// The payload as it was in the ready list (what Laravel's RedisJob decodes).
    popped: Vec<u8>,
    /// The payload as it is in `:reserved` (attempts raised).
    reserved: Vec<u8>,
    decoded: JobPayload,
    /// The envelope's replay identity, read at pop when replay dedupe is on (ack stores it);
    /// `None` when not read.
    replay: Option<Option<ReplayKey>>,
}

impl Reserved {
    /// The job id (Laravel's `id` and `uuid`).
    pub fn id(&self) -> &str {
        &self.decoded.id
    }

    /// The queue name it was popped from, without prefix.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// Attempts including this one (Laravel's `RedisJob::attempts()`).
    pub fn attempts(&self) -> u64 {
        self.decoded.attempts.saturating_add(1)
    }

    /// The envelope JSON, byte for byte as it was pushed.
    pub fn envelope_json(&self) -> &[u8] {
        &self.popped[self.decoded.data.clone()]
    }

    /// The envelope, parsed.
    pub fn envelope(&self) -> Result<Value, QueueError> {
        serde_json::from_slice(self.envelope_json())
            .map_err(|e| QueueError::payload(format!("the job's envelope is not JSON: {e}")))
    }

    /// The `headers` object's JSON text, when the payload has one.
    pub fn headers_json(&self) -> Option<&[u8]> {
        self.decoded.headers.clone().map(|r| &self.popped[r])
    }

    /// The `headers` object, when the payload has one.
    pub fn headers(&self) -> Option<Value> {
        self.headers_json()
            .and_then(|h| serde_json::from_slice(h).ok())
    }

    /// The reserved payload exactly as Redis returned it.
    pub fn raw_payload(&self) -> &[u8] {
        &self.reserved
    }

    /// The payload as it was in the ready list before this attempt.
    pub fn popped_payload(&self) -> &[u8] {
        &self.popped
    }
}

/// Why the caller's check refused a popped job: it goes to the dead-letter list with this code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: String,
    pub message: String,
}

impl Rejection {
    /// A header/body mismatch (`VALIDATION_FAILED`).
    pub fn validation_failed(message: impl Into<String>) -> Rejection {
        Rejection {
            code: VALIDATION_FAILED.to_owned(),
            message: message.into(),
        }
    }
}

/// What release, fail and dead-letter did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Back in `:delayed`, due after this many seconds.
    Released {
        delay: u64,
    },
    DeadLettered,
    /// The job was no longer reserved (its reservation expired, so it is back in the ready
    /// list or with another worker): nothing was changed, so it never exists twice.
    NotReserved,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Released { .. } => "released",
            Outcome::DeadLettered => "dead-lettered",
            Outcome::NotReserved => "not-reserved",
        }
    }
}

/// What `ack` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acked {
    /// Removed from `:reserved` (and remembered for replay dedupe).
    Removed,
    /// The job was no longer reserved (its reservation expired): nothing was removed.
    NotReserved,
    /// `AckMode::Deferred`: queued, written with the next round trip; whether the job was
    /// still reserved is not known yet.
    Deferred,
}

/// A job the pop script reserved that `pop` has not handed out yet (`prefetch` > 1).
struct Prefetched {
    queue: String,
    popped: Vec<u8>,
    reserved: Vec<u8>,
    /// The unix second its reservation ends (the pop script's score).
    until: u64,
}

/// An acknowledgement to write: remove these exact reserved bytes, and remember the envelope
/// for replay dedupe when it has an identity.
struct PendingAck {
    reserved_key: String,
    member: Vec<u8>,
    /// The replay key and the checksum to store under it.
    replay: Option<(String, String)>,
}

/// What one write of acknowledgements (and maybe a script call after them) got back.
struct AcksWritten {
    /// How many acknowledgements removed a job that was still reserved.
    removed: usize,
    /// The first error reply to an acknowledgement.
    error: Option<QueueError>,
    /// The script's reply, when a script was called.
    script: Option<Result<Reply, QueueError>>,
}

/// Counts of one queue, read atomically.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    pub ready: u64,
    pub delayed: u64,
    pub reserved: u64,
    pub dead_letters: u64,
}

impl Sizes {
    /// What Laravel's `size()` counts: ready + delayed + reserved.
    pub fn total(&self) -> u64 {
        self.ready + self.delayed + self.reserved
    }
}

/// How long `pop` waits on `:notify` when no job is ready.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Block {
    /// The `block_for` option.
    #[default]
    Option,
    /// Not at all this time (Laravel 13's Worker asks this of every queue after the first).
    Never,
    /// Up to this many seconds; 0: until a job comes.
    Seconds(u64),
}

impl From<Option<u64>> for Block {
    /// `None`: the option; `Some(n)`: n seconds (0: until a job comes).
    fn from(seconds: Option<u64>) -> Block {
        seconds.map_or(Block::Option, Block::Seconds)
    }
}

/// What this `Queue` has done since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub pushed: u64,
    pub popped: u64,
    pub acked: u64,
    pub released: u64,
    pub dead_lettered: u64,
    pub replays_skipped: u64,
}

/// One entry of the dead-letter list. `id` and `queue` are absent when the entry is not a
/// readable job payload (it is kept as it was found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub raw: Vec<u8>,
    pub id: Option<String>,
    pub queue: Option<String>,
}

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

/// The queue client. Connections are shared per server session (see `connection::shared`);
/// a `Queue` adds options and counters.
pub struct Queue {
    conn: Arc<Mutex<Connection>>,
    options: Options,
    prefix: String,
    /// The job template's payload members (`JobTemplate::members_json`), written once.
    template_members: Vec<u8>,
    /// The queue and unix second of the last pop that asked for due jobs to be made ready.
    last_migration: Option<(String, u64)>,
    stats: Stats,
    /// Jobs reserved by the last pop script calls and not handed out yet, oldest first.
    prefetched: VecDeque<Prefetched>,
    /// Deferred acknowledgements not written yet.
    pending_acks: Vec<PendingAck>,
    /// An error reply to a deferred acknowledgement written along with another call: the
    /// next call reports it.
    ack_error: Option<QueueError>,
    /// The process the prefetched jobs and pending acks belong to: after fork() the child
    /// drops its copies (the parent hands out, acknowledges or gives back its own).
    owner_pid: u32,
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic elsewhere while holding the lock leaves a connection that is still consistent
    // (every failure path drops the socket), so keep using it.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn now_seconds() -> u64 {
    u64::try_from(payload::unix_millis() / 1000).unwrap_or(0)
}

fn unexpected(what: &str, reply: &Reply) -> QueueError {
    let shape = match reply {
        Reply::Status(_) => "a status",
        Reply::Error(_) => "an error",
        Reply::Integer(_) => "an integer",
        Reply::Bulk(_) => "a string",
        Reply::Nil => "nil",
        Reply::Array(_) => "an array",
    };
    QueueError::protocol(format!("unexpected reply to {what}: {shape}"))
}

/// Redis Cluster runs a script only when all its keys share a slot: the queue's four keys
/// and the dead-letter list must carry one hash tag (Laravel asks the same of queue names).
fn check_cluster_keys(prefix: &str, options: &Options) -> Result<(), QueueError> {
    let keys = QueueKeys::new(prefix, &options.queue);
    let dlq = keys::dead_letter_key(prefix, &options.dlq);
    let slot = cluster::key_slot(keys.ready.as_bytes());
    if cluster::hash_tag(keys.ready.as_bytes()) == keys.ready.as_bytes()
        || cluster::key_slot(keys.reserved.as_bytes()) != slot
    {
        return Err(QueueError::config(format!(
            "Redis Cluster: queue {:?} needs a hash tag so its keys share a slot, e.g. '{{{}}}'",
            options.queue, options.queue
        )));
    }
    if cluster::key_slot(dlq.as_bytes()) != slot {
        return Err(QueueError::config(format!(
            "Redis Cluster: the dead-letter list {:?} must carry the queue's hash tag, e.g. '{{{}}}:dlq'",
            options.dlq,
            String::from_utf8_lossy(cluster::hash_tag(keys.ready.as_bytes()))
        )));
    }
    Ok(())
}

impl Queue {
    /// A queue on the process-wide connection for `config`. No I/O until the first operation.
    pub fn new(config: &ConnectionConfig, options: Options) -> Result<Queue, QueueError> {
        // The prefix comes from this config: a pooled connection may have been made by a
        // config that differs only in prefix.
        Queue::build(connection::shared(config), options, &config.prefix)
    }

    /// A queue on a given connection (prefix: the option, else the connection's).
    pub fn with_connection(
        conn: Arc<Mutex<Connection>>,
        options: Options,
    ) -> Result<Queue, QueueError> {
        let prefix = lock(&conn).config().prefix.clone();
        Queue::build(conn, options, &prefix)
    }

    fn build(
        conn: Arc<Mutex<Connection>>,
        options: Options,
        connection_prefix: &str,
    ) -> Result<Queue, QueueError> {
        options.validate()?;
        let prefix = options
            .prefix
            .clone()
            .unwrap_or_else(|| connection_prefix.to_owned());
        if lock(&conn).is_cluster() {
            check_cluster_keys(&prefix, &options)?;
        }
        let template_members = options.job_template().members_json();
        Ok(Queue {
            conn,
            options,
            prefix,
            template_members,
            last_migration: None,
            stats: Stats::default(),
            prefetched: VecDeque::new(),
            pending_acks: Vec::new(),
            ack_error: None,
            owner_pid: std::process::id(),
        })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The key prefix in use.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The cluster's seed nodes as `host:port`; `None` for one server.
    pub fn cluster_seeds(&self) -> Option<Vec<String>> {
        let conn = lock(&self.conn);
        let seeds = &conn.config().cluster;
        (!seeds.is_empty()).then(|| seeds.iter().map(ToString::to_string).collect())
    }

    /// The shared connection (for callers that need to disconnect or inspect it).
    pub fn connection(&self) -> &Arc<Mutex<Connection>> {
        &self.conn
    }

    fn queue_name<'a>(&'a self, queue: Option<&'a str>) -> &'a str {
        queue
            .filter(|q| !q.is_empty())
            .unwrap_or(&self.options.queue)
    }

    fn keys(&self, queue: &str) -> QueueKeys {
        QueueKeys::new(&self.prefix, queue)
    }

    fn dlq_key(&self) -> String {
        keys::dead_letter_key(&self.prefix, &self.options.dlq)
    }

    /// Enqueues one job; returns its id.
    pub fn push(
        &mut self,
        queue: Option<&str>,
        envelope_json: &[u8],
        headers: &[(String, String)],
    ) -> Result<String, QueueError> {
        let mut ids = self.push_batch(
            queue,
            &[NewJob {
                envelope_json,
                headers,
            }],
        )?;
        ids.pop()
            .ok_or_else(|| QueueError::protocol("push returned no id"))
    }

    /// Enqueues jobs in one round trip; returns their ids in input order. Every envelope is
    /// checked before anything is sent, and the jobs land together or not at all.
    pub fn push_batch(&mut self, queue: Option<&str>, jobs: &[NewJob]) -> Result<Vec<String>, QueueError> {
        for (index, job) in jobs.iter().enumerate() {
            raw_json::object_members(job.envelope_json)
                .map_err(|e| QueueError::payload(format!("job {index}: the envelope is not a JSON object: {e}")))?;
        }
        let mut batch = self.batch(queue, jobs.len())?;
        for job in jobs {
            batch.add(job.envelope_json, job.headers)?;
        }
        batch.finish()
    }

    /// Opens a batch push (see `batch`): jobs are encoded as they are added and stored
    /// together by `finish`; a batch dropped unfinished sends nothing. `expected`: how many
    /// jobs will be added (their ids are drawn at once).
    pub fn batch(&mut self, queue: Option<&str>, expected: usize) -> Result<Batch<'_>, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        Batch::new(self, keys, expected)
    }

    /// With `wait_replicas`: waits until that many replicas have this connection's writes
    /// (WAIT on the queue's master). Only pushes wait: they are the writes whose loss in a
    /// failover would lose a job; a lost pop, ack, release or dead-letter leaves the job
    /// reserved on the replica, so it comes back (a duplicate, not a loss).
    fn confirm_replicas(&mut self, ready_key: &str, jobs: usize) -> Result<(), QueueError> {
        let wanted = self.options.wait_replicas;
        if wanted == 0 {
            return Ok(());
        }
        let timeout = self.options.wait_timeout;
        let confirmed = lock(&self.conn).wait_for_replicas(ready_key.as_bytes(), wanted, timeout)?;
        if confirmed >= wanted {
            return Ok(());
        }
        Err(QueueError::new(
            ErrorKind::Replication,
            format!(
                "{jobs} job(s) are queued on the master, but {confirmed} of {wanted} replica(s) confirmed them \
                 within {} ms (wait_replicas): a failover before the replicas catch up would lose them",
                timeout.as_millis()
            ),
        ))
    }

    /// Enqueues one job to become ready after `delay_seconds` (ZADD to `:delayed`, as
    /// Laravel's `later`; no notify token until it is moved to the ready list).
    pub fn later<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        queue: Option<&str>,
        delay_seconds: u64,
        envelope_json: &[u8],
        headers: &[(K, V)],
    ) -> Result<String, QueueError> {
        let id = payload::new_job_id()?;
        let bytes = payload::encode(&self.template_members, &id, envelope_json, headers)?;
        let keys = self.keys(self.queue_name(queue));
        let due = now_seconds()
            .saturating_add(delay_seconds.min(options::MAX_DELAY_SECONDS))
            .to_string();
        lock(&self.conn).command(&[b"ZADD", keys.delayed.as_bytes(), due.as_bytes(), &bytes])?;
        self.stats.pushed += 1;
        self.confirm_replicas(&keys.delayed, 1)?;
        Ok(id)
    }

    /// Reserves the next job: due delayed and expired reserved jobs move back first, then
    /// `prefetch` jobs (default 1) are popped with attempts + 1 and reserved until now +
    /// retry_after (one round trip); the first is returned, the others are kept and handed out
    /// by the next calls without a round trip. A kept job whose reservation ran out is never
    /// handed out (Redis makes it ready again). Deferred acknowledgements go in the same write.
    ///
    /// Before a job is returned: a payload that cannot be read, or one `check` rejects (the
    /// binding checks headers against the body), goes to the dead-letter list; a replayed
    /// envelope already processed is acknowledged and skipped. Then the next job is tried.
    /// When nothing is ready, waits up to `block_for` seconds (else the option) on `:notify`
    /// and tries once more; `Some(0)` waits until a job comes.
    pub fn pop(
        &mut self,
        queue: Option<&str>,
        block_for: impl Into<Block>,
        mut check: impl FnMut(&Reserved, Option<DocNode<'_>>) -> Result<(), Rejection>,
    ) -> Result<Option<Reserved>, QueueError> {
        self.adopt_process();
        let name = self.queue_name(queue).to_owned();
        let keys = self.keys(&name);
        let dlq = self.dlq_key();
        let wait = match block_for.into() {
            Block::Option => self.options.block_for,
            Block::Never => None,
            Block::Seconds(seconds) => Some(seconds),
        };
        let mut waited = false;
        let mut skipped = 0;
        while skipped < POP_SKIP_LIMIT {
            let Some(Prefetched { popped, reserved, .. }) = self.take_prefetched(&name) else {
                if self.reserve(&keys, &dlq, &name)? > 0 {
                    continue;
                }
                if let (Some(secs), false) = (wait, waited) {
                    waited = true;
                    if self.wait_for_notify(&keys, secs)? {
                        continue;
                    }
                }
                return Ok(None);
            };
            self.stats.popped += 1;
            let decoded = match payload::decode(&popped) {
                Ok(d) => d,
                Err(_) => {
                    // Unreadable: keep the bytes as they are in the dead-letter list.
                    self.move_to_dead_letters(&keys, &reserved, &reserved)?;
                    skipped += 1;
                    continue;
                }
            };
            let mut job = Reserved {
                queue: name.clone(),
                popped,
                reserved,
                decoded,
                replay: None,
            };
            // The envelope is parsed once, for the caller's check and for replay dedupe.
            let (replay, is_replay) = {
                let doc = std::str::from_utf8(job.envelope_json())
                    .ok()
                    .and_then(|text| Document::parse(text, ENVELOPE_DEPTH).ok());
                let envelope = doc.as_ref().map(Document::root);
                if let Err(rejection) = check(&job, envelope) {
                    self.dead_letter(&job, &rejection.code, &rejection.message)?;
                    skipped += 1;
                    continue;
                }
                match envelope {
                    Some(envelope) if self.options.dedupe_ttl > 0 => ReplayKey::of_doc(envelope),
                    _ => (None, false),
                }
            };
            if let (Some(key), true) = (&replay, is_replay) {
                if self.was_processed(key)? {
                    self.ack_only(&job)?;
                    self.stats.replays_skipped += 1;
                    skipped += 1;
                    continue;
                }
            }
            if self.options.dedupe_ttl > 0 {
                job.replay = Some(replay);
            }
            return Ok(Some(job));
        }
        Ok(None)
    }

    /// The oldest kept job of `queue` whose reservation still runs. Kept jobs whose
    /// reservation ran out are dropped: Redis makes them ready again, and handing one out
    /// would let two workers run it.
    fn take_prefetched(&mut self, queue: &str) -> Option<Prefetched> {
        let now = now_seconds();
        self.prefetched.retain(|p| p.until > now);
        let at = self.prefetched.iter().position(|p| p.queue == queue)?;
        self.prefetched.remove(at)
    }

    /// One run of the pop script (with any deferred acks in the same write): keeps the jobs
    /// it reserved, returns how many.
    fn reserve(&mut self, keys: &QueueKeys, dlq: &str, queue: &str) -> Result<usize, QueueError> {
        let now = now_seconds();
        let until = now.saturating_add(self.options.retry_after);
        let (now_text, until_text) = (now.to_string(), until.to_string());
        let limit = MIGRATE_LIMIT.to_string();
        let count = self.options.prefetch.to_string();
        // Due and expired jobs are moved at most once a second per queue (scores are whole
        // seconds), and whenever the ready list runs dry.
        let migrate = self.last_migration.as_ref().is_none_or(|(q, second)| q != queue || *second != now);
        let reply = self.eval_after_acks(
            &scripts::POP,
            &[
                keys.ready.as_bytes(),
                keys.reserved.as_bytes(),
                keys.notify.as_bytes(),
                keys.delayed.as_bytes(),
                dlq.as_bytes(),
            ],
            &[now_text.as_bytes(), until_text.as_bytes(), limit.as_bytes(), count.as_bytes(), if migrate { b"1" } else { b"0" }],
        )?;
        if migrate {
            self.last_migration = Some((queue.to_owned(), now));
        }
        let items = match reply {
            Reply::Nil => Vec::new(),
            Reply::Array(items) if items.len() % 2 == 0 => items,
            Reply::Array(_) => return Err(QueueError::protocol("unexpected reply shape from the pop script")),
            other => return Err(unexpected("the pop script", &other)),
        };
        let reserved = items.len() / 2;
        let mut items = items.into_iter();
        while let (Some(popped), Some(reserved)) = (items.next(), items.next()) {
            let (Reply::Bulk(popped), Reply::Bulk(reserved)) = (popped, reserved) else {
                return Err(QueueError::protocol("unexpected reply shape from the pop script"));
            };
            self.prefetched.push_back(Prefetched {
                queue: queue.to_owned(),
                popped,
                reserved,
                until,
            });
        }
        match self.ack_error.take() {
            Some(e) => Err(e),
            None => Ok(reserved),
        }
    }

    /// BLPOP on `:notify`; whether a token came before the timeout.
    fn wait_for_notify(&mut self, keys: &QueueKeys, seconds: u64) -> Result<bool, QueueError> {
        let secs = seconds.to_string();
        let wait = if seconds == 0 {
            Wait::Forever
        } else {
            Wait::Extra(std::time::Duration::from_secs(seconds))
        };
        let reply = lock(&self.conn)
            .command_waiting(&[b"BLPOP", keys.notify.as_bytes(), secs.as_bytes()], wait)?;
        Ok(!matches!(reply, Reply::Nil))
    }

    /// Processing succeeded: removes exactly the reserved bytes, and remembers the envelope
    /// for replay dedupe (same round trip). With `AckMode::Deferred` both are queued and
    /// written with the next pop or sizes round trip, by `flush`, or when the queue is dropped
    /// (`Acked::Deferred`); an error reply to them is reported by that call, or by the next
    /// `ack` when it came with another call.
    pub fn ack(&mut self, job: &Reserved) -> Result<Acked, QueueError> {
        self.adopt_process();
        let replay = if self.options.dedupe_ttl > 0 {
            // Read at pop, unless another queue (dedupe off) popped it.
            let key = match &job.replay {
                Some(read) => read.clone(),
                None => ReplayKey::of_json(job.envelope_json()).0,
            };
            key.map(|key| (self.replay_key(&key), key.checksum))
        } else {
            None
        };
        let ack = PendingAck {
            reserved_key: self.keys(&job.queue).reserved,
            member: job.reserved.clone(),
            replay,
        };
        self.stats.acked += 1;
        if self.options.ack == AckMode::Deferred {
            self.pending_acks.push(ack);
            return match self.ack_error.take() {
                Some(e) => Err(e),
                None => Ok(Acked::Deferred),
            };
        }
        let written = self.write_acks(&[ack], None)?;
        if let Some(e) = written.error {
            return Err(e);
        }
        Ok(if written.removed == 1 { Acked::Removed } else { Acked::NotReserved })
    }

    /// Writes the deferred acknowledgements now; returns how many were written. Does nothing
    /// (0) when none are pending.
    pub fn flush(&mut self) -> Result<usize, QueueError> {
        self.adopt_process();
        let acks = std::mem::take(&mut self.pending_acks);
        if !acks.is_empty() {
            match self.write_acks(&acks, None) {
                Ok(written) => {
                    if let Some(e) = written.error {
                        self.ack_error.get_or_insert(e);
                    }
                }
                Err(e) => {
                    // The acks may not have run; resending them is harmless (ZREM of bytes no
                    // longer reserved removes nothing, the SET is the same).
                    self.pending_acks = acks;
                    return Err(e);
                }
            }
        }
        match self.ack_error.take() {
            Some(e) => Err(e),
            None => Ok(acks.len()),
        }
    }

    /// Writes the deferred acknowledgements and gives back the kept (prefetched) jobs never
    /// handed out: each still reserved goes back to the head of its ready list with its
    /// attempts as before (it never ran). Dropping the queue does this; returns how many jobs
    /// went back.
    pub fn close(&mut self) -> Result<usize, QueueError> {
        let flushed = self.flush();
        let kept: Vec<Prefetched> = self.prefetched.drain(..).collect();
        let mut queues: Vec<&str> = kept.iter().map(|p| p.queue.as_str()).collect();
        queues.sort_unstable();
        queues.dedup();
        let keys: Vec<QueueKeys> = queues.iter().map(|q| self.keys(q)).collect();
        let calls: Vec<ScriptCall> = queues
            .iter()
            .zip(&keys)
            .map(|(queue, keys)| {
                let args = kept
                    .iter()
                    .filter(|p| p.queue == *queue)
                    .flat_map(|p| [p.reserved.as_slice(), p.popped.as_slice()])
                    .collect();
                (vec![keys.reserved.as_bytes(), keys.ready.as_bytes(), keys.notify.as_bytes()], args)
            })
            .collect();
        let given_back = if calls.is_empty() {
            0
        } else {
            lock(&self.conn)
                .eval_many(&scripts::UNRESERVE, &calls)?
                .iter()
                .filter_map(Reply::as_integer)
                .sum::<i64>()
        };
        flushed?;
        Ok(usize::try_from(given_back).unwrap_or(0))
    }

    /// After fork(): the child forgets the parent's kept jobs and pending acks.
    fn adopt_process(&mut self) {
        let pid = std::process::id();
        if self.owner_pid != pid {
            self.prefetched.clear();
            self.pending_acks.clear();
            self.ack_error = None;
            self.owner_pid = pid;
        }
    }

    /// Runs a script; pending deferred acks go first in the same write. An error reply to an
    /// ack is kept for the caller to report after it has used the script's reply.
    fn eval_after_acks(&mut self, script: &Script, keys: &[&[u8]], args: &[&[u8]]) -> Result<Reply, QueueError> {
        if self.pending_acks.is_empty() {
            return lock(&self.conn).eval(script, keys, args);
        }
        let acks = std::mem::take(&mut self.pending_acks);
        match self.write_acks(&acks, Some((script, keys, args))) {
            Ok(written) => {
                if let Some(e) = written.error {
                    self.ack_error.get_or_insert(e);
                }
                written
                    .script
                    .unwrap_or_else(|| Err(QueueError::protocol("missing script reply")))
            }
            Err(e) => {
                // Nothing is known to have run: keep the acks for the next write.
                self.pending_acks = acks;
                Err(e)
            }
        }
    }

    /// One write: every ack's ZREM (and replay SET), then the script call if any. `Err` only
    /// when no reply came (the connection failed).
    fn write_acks(
        &mut self,
        acks: &[PendingAck],
        script: Option<(&Script, &[&[u8]], &[&[u8]])>,
    ) -> Result<AcksWritten, QueueError> {
        let ttl = self.options.dedupe_ttl.max(1).to_string();
        let mut commands: Vec<Vec<&[u8]>> = Vec::with_capacity(acks.len() * 2 + 1);
        for ack in acks {
            commands.push(vec![b"ZREM", ack.reserved_key.as_bytes(), &ack.member]);
            if let Some((key, checksum)) = &ack.replay {
                commands.push(vec![b"SET", key.as_bytes(), checksum.as_bytes(), b"EX", ttl.as_bytes()]);
            }
        }
        let numkeys = script.map(|(_, keys, _)| keys.len().to_string()).unwrap_or_default();
        if let Some((script, keys, args)) = script {
            let mut call: Vec<&[u8]> = vec![b"EVALSHA", script.sha1().as_bytes(), numkeys.as_bytes()];
            call.extend_from_slice(keys);
            call.extend_from_slice(args);
            commands.push(call);
        }
        let mut conn = lock(&self.conn);
        let mut replies = conn.pipeline(&commands)?;
        let script_reply = match script {
            None => None,
            Some((script, keys, args)) => Some(match replies.pop() {
                // The server does not know the script (nothing ran): the plain path loads it.
                Some(Reply::Error(e)) if e.starts_with("NOSCRIPT") => conn.eval(script, keys, args),
                Some(Reply::Error(e)) => Err(QueueError::new(
                    ErrorKind::Server,
                    format!(
                        "Redis refused script {}: {}",
                        script.name,
                        error::redact(&e, conn.config().password.as_deref())
                    ),
                )),
                Some(reply) => Ok(reply),
                None => Err(QueueError::protocol("missing script reply")),
            }),
        };
        let mut written = AcksWritten { removed: 0, error: None, script: script_reply };
        for reply in replies {
            match reply {
                Reply::Integer(1) => written.removed += 1,
                Reply::Error(e) if written.error.is_none() => {
                    written.error = Some(QueueError::new(
                        ErrorKind::Server,
                        format!("Redis refused ack: {}", error::redact(&e, conn.config().password.as_deref())),
                    ));
                }
                _ => {}
            }
        }
        Ok(written)
    }

    /// Removes the job from `:reserved` without marking it processed.
    fn ack_only(&mut self, job: &Reserved) -> Result<bool, QueueError> {
        let keys = self.keys(&job.queue);
        let reply =
            lock(&self.conn).command(&[b"ZREM", keys.reserved.as_bytes(), &job.reserved])?;
        Ok(reply.as_integer() == Some(1))
    }

    /// Puts the job back after `delay` seconds (`None`: the backoff for its attempt), bytes
    /// unchanged as Laravel does; once attempts reach max_attempts it is dead-lettered instead.
    pub fn release(&mut self, job: &Reserved, delay: Option<u64>) -> Result<Outcome, QueueError> {
        self.retry_or_dead_letter(job, delay, None)
    }

    /// Processing failed: annotates the envelope's `error` (error contract), then re-delays
    /// with backoff while attempts < max_attempts, else dead-letters it with the error kept.
    pub fn fail(
        &mut self,
        job: &Reserved,
        code: &str,
        message: &str,
    ) -> Result<Outcome, QueueError> {
        self.retry_or_dead_letter(job, None, Some((code, message)))
    }

    fn retry_or_dead_letter(
        &mut self,
        job: &Reserved,
        delay: Option<u64>,
        error: Option<(&str, &str)>,
    ) -> Result<Outcome, QueueError> {
        let attempt = job.attempts();
        if attempt >= u64::from(self.options.max_attempts) {
            return match error {
                Some((code, message)) => self.dead_letter(job, code, message),
                // A plain release that used the last attempt: the dead letter must still say why
                // (error contract). An error a handler already recorded is kept as it is.
                None if job.envelope().ok().is_some_and(|e| e.get("error").is_some_and(Value::is_object)) => {
                    self.dead_letter_as_is(job)
                }
                None => self.dead_letter(
                    job,
                    "MAX_ATTEMPTS_EXCEEDED",
                    &format!("released on attempt {attempt} of {}; no attempts left", self.options.max_attempts),
                ),
            };
        }
        let delay = delay
            .unwrap_or_else(|| self.options.backoff_seconds(attempt))
            .min(options::MAX_DELAY_SECONDS);
        let due = now_seconds().saturating_add(delay);
        let released = match error {
            None => job.reserved.clone(),
            Some((code, message)) => {
                let mut annotation = ErrorAnnotation::now(
                    code,
                    message,
                    attempt,
                    u64::from(self.options.max_attempts),
                );
                annotation.retry_at = Some(payload::utc_timestamp(
                    i64::try_from(due.saturating_mul(1000)).unwrap_or(i64::MAX),
                ));
                self.annotated(job, &annotation)?
            }
        };
        let keys = self.keys(&job.queue);
        let due = due.to_string();
        let reply = lock(&self.conn).eval(
            &scripts::RELEASE,
            &[keys.reserved.as_bytes(), keys.delayed.as_bytes()],
            &[&job.reserved, &released, due.as_bytes()],
        )?;
        if reply.as_integer() == Some(1) {
            self.stats.released += 1;
            Ok(Outcome::Released { delay })
        } else {
            Ok(Outcome::NotReserved)
        }
    }

    /// The reserved payload with the envelope's `error` annotated.
    fn annotated(
        &self,
        job: &Reserved,
        annotation: &ErrorAnnotation,
    ) -> Result<Vec<u8>, QueueError> {
        let decoded = payload::decode(&job.reserved)?;
        payload::with_envelope_error(&job.reserved, &decoded, annotation)
    }

    /// Moves the job to the dead-letter list with `error` annotated (`code`, `message`, this
    /// attempt). The binding calls this with `VALIDATION_FAILED` for a header/body mismatch.
    pub fn dead_letter(
        &mut self,
        job: &Reserved,
        code: &str,
        message: &str,
    ) -> Result<Outcome, QueueError> {
        let annotation = ErrorAnnotation::now(
            code,
            message,
            job.attempts(),
            u64::from(self.options.max_attempts),
        );
        let annotated = self.annotated(job, &annotation)?;
        self.dead_letter_payload(job, &annotated)
    }

    /// Moves the job to the dead-letter list with its envelope as it is.
    fn dead_letter_as_is(&mut self, job: &Reserved) -> Result<Outcome, QueueError> {
        self.dead_letter_payload(job, &job.reserved.clone())
    }

    fn dead_letter_payload(
        &mut self,
        job: &Reserved,
        payload_bytes: &[u8],
    ) -> Result<Outcome, QueueError> {
        let decoded = payload::decode(payload_bytes)?;
        let entry = payload::dead_letter_entry(payload_bytes, &decoded.members, &job.queue);
        let keys = self.keys(&job.queue);
        Ok(
            if self.move_to_dead_letters(&keys, &job.reserved, &entry)? {
                Outcome::DeadLettered
            } else {
                Outcome::NotReserved
            },
        )
    }

    fn move_to_dead_letters(
        &mut self,
        keys: &QueueKeys,
        reserved: &[u8],
        entry: &[u8],
    ) -> Result<bool, QueueError> {
        let dlq = self.dlq_key();
        let reply = lock(&self.conn).eval(
            &scripts::DEAD_LETTER,
            &[keys.reserved.as_bytes(), dlq.as_bytes()],
            &[reserved, entry],
        )?;
        let moved = reply.as_integer() == Some(1);
        if moved {
            self.stats.dead_lettered += 1;
        }
        Ok(moved)
    }

    /// Ready + delayed + reserved jobs (Laravel's `size()`).
    pub fn size(&mut self, queue: Option<&str>) -> Result<u64, QueueError> {
        Ok(self.sizes(queue)?.total())
    }

    /// Each count of the queue, plus the dead-letter list's length, in one snapshot.
    pub fn sizes(&mut self, queue: Option<&str>) -> Result<Sizes, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        let dlq = self.dlq_key();
        let reply = self.eval_after_acks(
            &scripts::SIZES,
            &[
                keys.ready.as_bytes(),
                keys.delayed.as_bytes(),
                keys.reserved.as_bytes(),
                dlq.as_bytes(),
            ],
            &[],
        )?;
        let counts: Option<Vec<u64>> = match &reply {
            Reply::Array(items) if items.len() == 4 => items
                .iter()
                .map(|r| r.as_integer().and_then(|i| u64::try_from(i).ok()))
                .collect(),
            _ => None,
        };
        if let Some(e) = self.ack_error.take() {
            return Err(e);
        }
        match counts.as_deref() {
            Some(&[ready, delayed, reserved, dead_letters]) => Ok(Sizes {
                ready,
                delayed,
                reserved,
                dead_letters,
            }),
            _ => Err(unexpected("the sizes script", &reply)),
        }
    }

    /// Laravel 13's `creationTimeOfOldestPendingJob()`: the `createdAt` (Unix seconds) of the
    /// job at the head of the ready list; `None` when the list is empty or that job has no
    /// integer `createdAt` (pushed by Laravel 11 or older, or not a job payload).
    pub fn oldest_pending_created_at(&mut self, queue: Option<&str>) -> Result<Option<i64>, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        let reply = lock(&self.conn).command(&[b"LINDEX", keys.ready.as_bytes(), b"0"])?;
        let Some(head) = reply.as_bytes() else { return Ok(None) };
        let Ok(members) = raw_json::object_members(head) else { return Ok(None) };
        Ok(members
            .iter()
            .rev()
            .find(|m| m.key == "createdAt")
            .and_then(|m| std::str::from_utf8(&head[m.value.clone()]).ok())
            .and_then(|text| text.parse::<i64>().ok()))
    }

    /// Deletes the queue's ready, delayed and reserved jobs (Laravel's `queue:clear`); returns
    /// how many. Jobs this object prefetched from that queue are dropped with them; the
    /// dead-letter list is kept.
    pub fn clear(&mut self, queue: Option<&str>) -> Result<u64, QueueError> {
        self.adopt_process();
        let name = self.queue_name(queue).to_owned();
        let keys = self.keys(&name);
        let reply = self.eval_after_acks(
            &scripts::CLEAR,
            &[
                keys.ready.as_bytes(),
                keys.delayed.as_bytes(),
                keys.reserved.as_bytes(),
                keys.notify.as_bytes(),
            ],
            &[],
        )?;
        self.prefetched.retain(|p| p.queue != name);
        if let Some(e) = self.ack_error.take() {
            return Err(e);
        }
        reply
            .as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| unexpected("the clear script", &reply))
    }

    /// The oldest `limit` dead letters.
    pub fn dead_letters(&mut self, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let last = i64::try_from(limit).unwrap_or(i64::MAX).saturating_sub(1);
        self.dead_letter_range(0, last)
    }

    fn dead_letter_range(&mut self, first: i64, last: i64) -> Result<Vec<DeadLetter>, QueueError> {
        let dlq = self.dlq_key();
        let (first, last) = (first.to_string(), last.to_string());
        let reply = lock(&self.conn).command(&[
            b"LRANGE",
            dlq.as_bytes(),
            first.as_bytes(),
            last.as_bytes(),
        ])?;
        let Reply::Array(items) = reply else {
            return Err(unexpected("LRANGE", &reply));
        };
        Ok(items
            .into_iter()
            .filter_map(|item| match item {
                Reply::Bulk(raw) => {
                    let decoded = payload::decode(&raw).ok();
                    Some(DeadLetter {
                        id: decoded.as_ref().map(|d| d.id.clone()),
                        queue: decoded.and_then(|d| d.queue),
                        raw,
                    })
                }
                _ => None,
            })
            .collect())
    }

    /// Moves the dead letter with job id `id` back to the queue it came from (else the default
    /// queue), attempts reset to 0, `error` kept for the next worker to see. `false` when no
    /// such dead letter exists (or another client moved it first).
    pub fn retry_dead_letter(&mut self, id: &str) -> Result<bool, QueueError> {
        let mut first = 0;
        loop {
            let batch = self.dead_letter_range(first, first + DLQ_SCAN_CHUNK - 1)?;
            if batch.is_empty() {
                return Ok(false);
            }
            if let Some(found) = batch.into_iter().find(|d| d.id.as_deref() == Some(id)) {
                let decoded = payload::decode(&found.raw)?;
                let fresh = payload::retried_entry(&found.raw, &decoded);
                let queue = found
                    .queue
                    .as_deref()
                    .filter(|q| !q.is_empty())
                    .unwrap_or(&self.options.queue);
                let keys = self.keys(queue);
                let dlq = self.dlq_key();
                let reply = lock(&self.conn).eval(
                    &scripts::RETRY_DEAD_LETTER,
                    &[
                        dlq.as_bytes(),
                        keys.ready.as_bytes(),
                        keys.notify.as_bytes(),
                    ],
                    &[&found.raw, &fresh],
                )?;
                return Ok(reply.as_integer() == Some(1));
            }
            first += DLQ_SCAN_CHUNK;
        }
    }

    fn replay_key(&self, key: &ReplayKey) -> String {
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

impl Drop for Queue {
    /// Writes deferred acks and gives back kept jobs (see `close`). A failure has nowhere to
    /// go: unwritten acks mean those jobs come back after retry_after (run twice, never lost),
    /// and kept jobs stay reserved until retry_after.
    fn drop(&mut self) {
        self.adopt_process();
        if !self.pending_acks.is_empty() || !self.prefetched.is_empty() {
            let _ = self.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn outcomes_read_as_the_stub_says() {
        assert_eq!(Outcome::Released { delay: 1 }.as_str(), "released");
        assert_eq!(Outcome::DeadLettered.as_str(), "dead-lettered");
        assert_eq!(
            Sizes {
                ready: 1,
                delayed: 2,
                reserved: 3,
                dead_letters: 4
            }
            .total(),
            6
        );
    }
}
