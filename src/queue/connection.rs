//! A Redis connection: one server's session, or a Redis Cluster's (`cluster`) when the settings
//! name seed nodes. Commands, pipelines, pre-encoded requests, `WAIT`; and the process-wide
//! pool that shares one connection per server session between queues (and, in PHP, across
//! requests). Not the socket (`transport`), the handshake and reconnection (`session`), the
//! scripts (`scripts`), nor what the commands mean (the queue operations).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use super::cluster::Cluster;
use super::config::ConnectionConfig;
use super::error::{redact, ErrorKind, QueueError};
use super::resp::Reply;
use super::session::{Session, Wait};

/// A Redis connection: one server, or a Redis Cluster when the config names seed nodes.
/// Opens lazily; commands, pipelines and scripts are routed by key slot in cluster mode.
pub struct Connection {
    config: ConnectionConfig,
    target: Target,
}

enum Target {
    Single(Session),
    Cluster(Box<Cluster>),
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("config", &self.config)
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl Connection {
    /// No I/O: sockets open on first use.
    pub fn new(config: ConnectionConfig) -> Connection {
        let target = if config.cluster.is_empty() {
            Target::Single(Session::new(config.clone()))
        } else {
            Target::Cluster(Box::new(Cluster::new(config.clone())))
        };
        Connection { config, target }
    }

    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Whether this is a Redis Cluster connection.
    pub fn is_cluster(&self) -> bool {
        matches!(self.target, Target::Cluster(_))
    }

    /// Whether a socket is open (it may still have been closed by the server since).
    pub fn is_connected(&self) -> bool {
        match &self.target {
            Target::Single(node) => node.is_connected(),
            Target::Cluster(cluster) => cluster.is_connected(),
        }
    }

    /// Closes the sockets (fresh ones open on next use). Inherited sockets are left open.
    pub fn disconnect(&mut self) {
        match &mut self.target {
            Target::Single(node) => node.disconnect(),
            Target::Cluster(cluster) => cluster.disconnect(),
        }
    }

    /// The cluster's masters as `host:port`, slot ranges each (empty for one server). Reads
    /// the slot map, loading it first if needed.
    pub fn cluster_masters(&mut self) -> Result<Vec<(String, Vec<(u16, u16)>)>, QueueError> {
        match &mut self.target {
            Target::Single(_) => Ok(Vec::new()),
            Target::Cluster(cluster) => cluster.masters(),
        }
    }

    /// Sends `commands` in one write per server and returns one raw reply per command.
    fn exchange(&mut self, commands: &[Vec<&[u8]>], wait: Wait) -> Result<Vec<Reply>, QueueError> {
        match &mut self.target {
            Target::Single(node) => node.send(commands, wait),
            Target::Cluster(cluster) => cluster.send(commands, wait),
        }
    }

    /// `WAIT replicas timeout` on the server that holds `key` (its slot's master in cluster
    /// mode): blocks until this connection's writes so far reached `replicas` replicas, or
    /// `timeout` passed. Returns how many replicas acknowledged them.
    pub fn wait_for_replicas(&mut self, key: &[u8], replicas: u32, timeout: Duration) -> Result<u32, QueueError> {
        let count = replicas.to_string();
        let millis = timeout.as_millis().clamp(1, u128::from(u32::MAX)).to_string();
        let command = vec![b"WAIT".as_slice(), count.as_bytes(), millis.as_bytes()];
        let wait = Wait::Extra(timeout);
        let reply = match &mut self.target {
            Target::Single(node) => node.send(&[command], wait)?,
            Target::Cluster(cluster) => cluster.send_to_owner(key, &[command], wait)?,
        }
        .pop()
        .ok_or_else(|| QueueError::protocol("missing reply"))?;
        match self.server_error(b"WAIT", reply)? {
            Reply::Integer(n) => Ok(u32::try_from(n).unwrap_or(0)),
            _ => Err(QueueError::protocol("unexpected reply to WAIT")),
        }
    }

    /// One command; an error reply becomes `ErrorKind::Server`.
    pub fn command(&mut self, args: &[&[u8]]) -> Result<Reply, QueueError> {
        self.command_waiting(args, Wait::Default)
    }

    /// One command with its own wait (for BLPOP and friends).
    pub fn command_waiting(&mut self, args: &[&[u8]], wait: Wait) -> Result<Reply, QueueError> {
        let reply = self
            .exchange(&[args.to_vec()], wait)?
            .pop()
            .ok_or_else(|| QueueError::protocol("missing reply"))?;
        self.server_error(args.first().copied().unwrap_or(b""), reply)
    }

    /// Several commands in one round trip (one per server in cluster mode). Replies come back
    /// raw, error replies included, one per command in order.
    pub fn pipeline(&mut self, commands: &[Vec<&[u8]>]) -> Result<Vec<Reply>, QueueError> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        self.exchange(commands, Wait::Default)
    }

    /// Sends `out`, `commands` commands the caller encoded as RESP, in one write and returns
    /// their raw replies (a large batch is written once, not copied into a pipeline first).
    /// One server only: a cluster routes each command by its key, so it takes `pipeline`.
    pub fn request(&mut self, out: &[u8], commands: usize) -> Result<Vec<Reply>, QueueError> {
        match &mut self.target {
            Target::Single(node) => node.round_trip(out, commands, Wait::Default),
            Target::Cluster(_) => Err(QueueError::config("encoded requests go to one server, not a cluster")),
        }
    }

    fn server_error(&self, command: &[u8], reply: Reply) -> Result<Reply, QueueError> {
        match reply {
            Reply::Error(e) => Err(QueueError::new(
                ErrorKind::Server,
                format!(
                    "Redis refused {}: {}",
                    String::from_utf8_lossy(command).to_ascii_uppercase(),
                    redact(&e, self.config.password.as_deref())
                ),
            )),
            r => Ok(r),
        }
    }
}

/// The process-wide connection for these settings: one per server session, reused by every
/// queue (and, in PHP, across requests).
pub fn shared(config: &ConnectionConfig) -> Arc<Mutex<Connection>> {
    static POOL: OnceLock<Mutex<HashMap<String, Arc<Mutex<Connection>>>>> = OnceLock::new();
    let pool = POOL.get_or_init(|| Mutex::new(HashMap::new()));
    let mut pool = pool.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    pool.entry(config.pool_key())
        .or_insert_with(|| Arc::new(Mutex::new(Connection::new(config.clone()))))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_server_fails_after_bounded_retries() {
        // Port 1 on loopback: nothing listens there.
        let mut conn = Connection::new(ConnectionConfig::tcp("127.0.0.1", 1));
        let started = std::time::Instant::now();
        let e = conn.command(&[b"PING"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect);
        assert!(e.to_string().contains("after 5 attempts"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
