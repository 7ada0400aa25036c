//! The queue client's state: the shared connection, the options, Laravel's key prefix, the
//! counters, and what one process holds between calls (prefetched jobs, deferred acks).
//! Making a `Queue`, the key names of its queues, and forgetting a parent's state after
//! `fork()`. The operations are in their own files: `push`, `pop`, `ack`, `dead_letter`,
//! `sizes`, `replay`.
#![forbid(unsafe_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::cluster;
use super::config::ConnectionConfig;
use super::connection::{self, Connection};
use super::error::QueueError;
use super::keys::{self, QueueKeys};
use super::options::Options;
use super::payload;
use super::resp::Reply;

/// A job the pop script reserved that `pop` has not handed out yet (`prefetch` > 1).
pub(super) struct Prefetched {
    pub(super) queue: String,
    pub(super) popped: Vec<u8>,
    pub(super) reserved: Vec<u8>,
    /// The unix second its reservation ends (the pop script's score).
    pub(super) until: u64,
}

/// An acknowledgement to write: remove these exact reserved bytes, and remember the envelope
/// for replay dedupe when it has an identity.
pub(super) struct PendingAck {
    pub(super) reserved_key: String,
    pub(super) member: Vec<u8>,
    /// The replay key and the checksum to store under it.
    pub(super) replay: Option<(String, String)>,
}

/// Counter increments not written yet: they ride on the next write (an ack, a fail, a pop).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct PendingCounts {
    pub(super) processed: u64,
    pub(super) failed: u64,
    pub(super) seconds: f64,
}

impl PendingCounts {
    pub(super) fn is_empty(&self) -> bool {
        self.processed == 0 && self.failed == 0
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

/// The queue client. Connections are shared per server session (see `connection::shared`);
/// a `Queue` adds options and counters.
pub struct Queue {
    pub(super) conn: Arc<Mutex<Connection>>,
    pub(super) options: Options,
    pub(super) prefix: String,
    /// The job template's payload members (`JobTemplate::members_json`), written once.
    pub(super) template_members: Vec<u8>,
    /// The queue and unix second of the last pop that asked for due jobs to be made ready.
    pub(super) last_migration: Option<(String, u64)>,
    pub(super) stats: Stats,
    /// Jobs reserved by the last pop script calls and not handed out yet, oldest first.
    pub(super) prefetched: VecDeque<Prefetched>,
    /// Deferred acknowledgements not written yet.
    pub(super) pending_acks: Vec<PendingAck>,
    /// The counters hash's full key (`counters` option under the prefix), and what is still
    /// to be added to it.
    pub(super) counters_key: Option<String>,
    pub(super) pending_counts: PendingCounts,
    /// An error reply to a deferred acknowledgement written along with another call: the
    /// next call reports it.
    pub(super) ack_error: Option<QueueError>,
    /// The process the prefetched jobs and pending acks belong to: after fork() the child
    /// drops its copies (the parent hands out, acknowledges or gives back its own).
    pub(super) owner_pid: u32,
}

pub(super) fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic elsewhere while holding the lock leaves a connection that is still consistent
    // (every failure path drops the socket), so keep using it.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) fn now_seconds() -> u64 {
    u64::try_from(payload::unix_millis() / 1000).unwrap_or(0)
}

pub(super) fn unexpected(what: &str, reply: &Reply) -> QueueError {
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
        let counters_key = options.counters.as_ref().map(|hash| format!("{prefix}{hash}"));
        Ok(Queue {
            conn,
            options,
            prefix,
            template_members,
            last_migration: None,
            stats: Stats::default(),
            prefetched: VecDeque::new(),
            pending_acks: Vec::new(),
            counters_key,
            pending_counts: PendingCounts::default(),
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

    pub(super) fn queue_name<'a>(&'a self, queue: Option<&'a str>) -> &'a str {
        queue
            .filter(|q| !q.is_empty())
            .unwrap_or(&self.options.queue)
    }

    pub(super) fn keys(&self, queue: &str) -> QueueKeys {
        QueueKeys::new(&self.prefix, queue)
    }

    pub(super) fn dlq_key(&self) -> String {
        keys::dead_letter_key(&self.prefix, &self.options.dlq)
    }

    /// Whether acks, counts or nothing wait to be written.
    pub(super) fn has_pending_writes(&self) -> bool {
        !self.pending_acks.is_empty() || !self.pending_counts.is_empty()
    }

    /// After fork(): the child forgets the parent's kept jobs, pending acks and counts.
    pub(super) fn adopt_process(&mut self) {
        let pid = std::process::id();
        if self.owner_pid != pid {
            self.prefetched.clear();
            self.pending_acks.clear();
            self.pending_counts = PendingCounts::default();
            self.ack_error = None;
            self.owner_pid = pid;
        }
    }
}
