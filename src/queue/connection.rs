//! One Redis connection: settings (URL or Laravel's connection array), connect and handshake,
//! timeouts, pipelining, EVALSHA with an EVAL fallback, reconnection and fork safety.
//!
//! Delivery rule: a command is sent at most once. Before sending, a connection the server has
//! closed (restart, idle timeout) is noticed and replaced, with bounded retries; a failure after
//! sending (timeout, reset) is returned as an error, because the command may have run.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rustix::net::RecvFlags;

use super::error::{redact, ErrorKind, QueueError};
use super::resp::{self, Decoder, ProtocolError, Reply};
use super::cluster::Cluster;
use super::scripts::Script;

pub const DEFAULT_PORT: u16 = 6379;
pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Covers Redis' default `cluster-node-timeout` (15 s) plus the election that follows it.
pub const DEFAULT_FAILOVER_TIMEOUT: Duration = Duration::from_secs(20);
/// Connection attempts before giving up, and the wait before the second one (doubled each time).
const CONNECT_ATTEMPTS: u32 = 5;
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(50);
const READ_CHUNK: usize = 64 * 1024;
/// A read buffer grown past this by one large reply is given back once it is drained.
const MAX_IDLE_BUFFER: usize = 1024 * 1024;
/// How long a reply is polled for before the thread sleeps in the kernel (`busy_poll`).
pub const DEFAULT_BUSY_POLL: Duration = Duration::from_micros(100);
/// The most `busy_poll` accepts: past this, sleeping is the cheaper wait.
pub const MAX_BUSY_POLL: Duration = Duration::from_millis(10);
/// How much longer the reply to a request is polled for, per KiB the request holds: the
/// server must read and store it before it can answer. Measured here: ~150 µs for a 100-job
/// batch of 1.5 KB jobs, about 1 µs per KiB; past the fixed budget, sleeping and being woken
/// cost such a batch ~7 %.
const POLL_PER_KIB: Duration = Duration::from_micros(1);
/// Round trips per busy-poll decision: polling goes on (or stays on) for the next window when
/// the fastest reply of this one came within the budget.
const POLL_WINDOW: u32 = 64;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Everything needed to open a connection. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionConfig {
    pub address: Address,
    pub username: Option<String>,
    pub password: Option<String>,
    pub database: u32,
    /// Laravel's key prefix (`prefix` of the connection array); applied by the queue, not here.
    pub prefix: String,
    /// `None`: wait as long as the OS does (Laravel's `timeout => 0`).
    pub connect_timeout: Option<Duration>,
    /// `None`: no limit (Laravel's `read_timeout => 0`). Also bounds writes.
    pub read_timeout: Option<Duration>,
    /// TLS (`rediss://`, scheme `tls`): `None` is plain TCP.
    pub tls: Option<Tls>,
    /// Redis Cluster seed nodes; empty: one server at `address`. Every node shares the
    /// credentials, TLS settings and timeouts above.
    pub cluster: Vec<Address>,
    /// Cluster mode: how long a command whose slot's master is unreachable keeps retrying
    /// (refreshing the slot map) while the cluster fails over.
    pub failover_timeout: Duration,
    /// How long to poll for a reply before sleeping until it comes (zero: always sleep).
    /// Waking a sleeping thread costs more than a same-host Redis takes to answer; polling
    /// stops by itself while even the fastest replies take longer (a remote server).
    pub busy_poll: Duration,
}

/// TLS to Redis. The server is verified against `ca_file` (else the system bundle,
/// /etc/ssl/certs/ca-certificates.crt) for the host name or IP connected to; a client
/// certificate is presented when both `cert_file` and `key_file` are given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tls {
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("address", &self.address)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("database", &self.database)
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("busy_poll", &self.busy_poll)
            .field("cluster", &self.cluster)
            .finish()
    }
}

/// A Laravel `config/database.php` redis connection, each value as the config gives it (env
/// values are strings, so ports and databases are strings here too). `url` wins over the
/// other keys, as in Laravel.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LaravelConnection {
    pub url: Option<String>,
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub database: Option<String>,
    pub prefix: Option<String>,
    pub timeout: Option<String>,
    pub read_timeout: Option<String>,
}

impl fmt::Debug for LaravelConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LaravelConnection")
            .field("url", &self.url.as_ref().map(|_| "…"))
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("database", &self.database)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

/// Settings found in one source; merged before defaults apply.
#[derive(Default)]
struct Parts {
    address: Option<Address>,
    username: Option<String>,
    password: Option<String>,
    database: Option<u32>,
    prefix: Option<String>,
    connect_timeout: Option<Option<Duration>>,
    read_timeout: Option<Option<Duration>>,
    busy_poll: Option<Duration>,
    tls: Option<Tls>,
}

impl Parts {
    /// `self` over `base`: a value set here wins.
    fn over(self, base: Parts) -> Parts {
        Parts {
            address: self.address.or(base.address),
            username: self.username.or(base.username),
            password: self.password.or(base.password),
            database: self.database.or(base.database),
            prefix: self.prefix.or(base.prefix),
            connect_timeout: self.connect_timeout.or(base.connect_timeout),
            read_timeout: self.read_timeout.or(base.read_timeout),
            busy_poll: self.busy_poll.or(base.busy_poll),
            tls: self.tls.or(base.tls),
        }
    }

    fn into_config(self) -> ConnectionConfig {
        ConnectionConfig {
            address: self.address.unwrap_or(Address::Tcp {
                host: DEFAULT_HOST.to_owned(),
                port: DEFAULT_PORT,
            }),
            username: self.username.filter(|u| !u.is_empty()),
            password: self.password.filter(|p| !p.is_empty()),
            database: self.database.unwrap_or(0),
            prefix: self.prefix.unwrap_or_default(),
            connect_timeout: self
                .connect_timeout
                .unwrap_or(Some(DEFAULT_CONNECT_TIMEOUT)),
            read_timeout: self.read_timeout.unwrap_or(Some(DEFAULT_READ_TIMEOUT)),
            tls: self.tls,
            cluster: Vec::new(),
            failover_timeout: DEFAULT_FAILOVER_TIMEOUT,
            busy_poll: self.busy_poll.unwrap_or(DEFAULT_BUSY_POLL),
        }
    }
}

impl ConnectionConfig {
    pub fn tcp(host: impl Into<String>, port: u16) -> Self {
        Parts {
            address: Some(Address::Tcp {
                host: host.into(),
                port,
            }),
            ..Parts::default()
        }
        .into_config()
    }

    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Parts {
            address: Some(Address::Unix(path.into())),
            ..Parts::default()
        }
        .into_config()
    }

    /// `redis://[user:pass@]host[:port][/db][?timeout=&read_timeout=&db=&prefix=&username=&password=]`,
    /// `rediss://…` (TLS), `unix:///path[?db=…]` or a bare `/path`.
    pub fn parse(connection: &str) -> Result<Self, QueueError> {
        Ok(parse_url(connection)?.into_config())
    }

    /// A Laravel redis connection array (already converted to strings by the caller).
    pub fn from_laravel(c: &LaravelConnection) -> Result<Self, QueueError> {
        let mut fields = Parts::default();
        match c.scheme.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("tcp") | Some("redis") | Some("unix") => {}
            Some("tls") | Some("rediss") => fields.tls = Some(Tls::default()),
            Some(_) => return Err(QueueError::config("unsupported redis connection scheme")),
        }
        if let Some(host) = c.host.as_deref().filter(|h| !h.is_empty()) {
            fields.address = Some(laravel_host(host, c.port.as_deref(), c.scheme.as_deref())?);
        } else if let Some(port) = c.port.as_deref().filter(|p| !p.is_empty()) {
            fields.address = Some(Address::Tcp {
                host: DEFAULT_HOST.to_owned(),
                port: parse_port(port)?,
            });
        }
        fields.username = c.username.clone();
        fields.password = c.password.clone();
        if let Some(db) = c.database.as_deref().filter(|d| !d.is_empty()) {
            fields.database = Some(parse_database(db)?);
        }
        fields.prefix = c.prefix.clone();
        if let Some(t) = c.timeout.as_deref() {
            fields.connect_timeout = Some(parse_timeout(t, "timeout")?);
        }
        if let Some(t) = c.read_timeout.as_deref() {
            fields.read_timeout = Some(parse_timeout(t, "read_timeout")?);
        }
        let parts = match c.url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => parse_url(url)?.over(fields),
            None => fields,
        };
        Ok(parts.into_config())
    }

    /// Redis Cluster mode over these seed nodes (`host[:port]`, `[v6]:port`, `redis://host:port`
    /// or `rediss://host:port`; the port defaults to 6379); the other settings apply to every node. The first seed becomes
    /// `address`. Cluster nodes have one database, 0.
    pub fn with_cluster<S: AsRef<str>>(mut self, seeds: &[S]) -> Result<Self, QueueError> {
        if seeds.is_empty() {
            return Err(QueueError::config("a Redis Cluster needs at least one seed node"));
        }
        if self.database != 0 {
            return Err(QueueError::config("Redis Cluster has only database 0; remove the database setting"));
        }
        let mut addresses = Vec::with_capacity(seeds.len());
        for seed in seeds {
            let seed = seed.as_ref().trim();
            let hostport = match seed.split_once("://") {
                None => seed,
                Some((scheme, rest)) => {
                    match scheme.to_ascii_lowercase().as_str() {
                        "redis" | "tcp" => {}
                        "rediss" | "tls" if self.tls.is_some() => {}
                        "rediss" | "tls" => self.tls = Some(Tls::default()),
                        _ => return Err(QueueError::config("a cluster seed is host:port or a redis:// or rediss:// URL")),
                    }
                    if rest.contains(['@', '/', '?']) {
                        return Err(QueueError::config(
                            "a cluster seed names host and port only; credentials and options go in the connection settings",
                        ));
                    }
                    rest
                }
            };
            if hostport.is_empty() {
                return Err(QueueError::config("an empty cluster seed"));
            }
            addresses.push(parse_hostport(hostport)?);
        }
        self.address = addresses[0].clone();
        self.cluster = addresses;
        Ok(self)
    }

    /// Identity of the server session: connections are shared per key. Holds the password in
    /// memory only; never displayed.
    fn pool_key(&self) -> String {
        format!(
            "{:?}\u{0}{}\u{0}{}\u{0}{}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
            self.address,
            self.username.as_deref().unwrap_or(""),
            self.password.as_deref().unwrap_or(""),
            self.database,
            self.connect_timeout,
            self.read_timeout,
            self.tls,
            self.cluster,
            self.failover_timeout,
            self.busy_poll
        )
    }
}


fn laravel_host(
    host: &str,
    port: Option<&str>,
    scheme: Option<&str>,
) -> Result<Address, QueueError> {
    let lower = host.to_ascii_lowercase();
    if lower.starts_with("tls://") || lower.starts_with("rediss://") || lower.starts_with("ssl://")
    {
        // phpredis spells TLS as a host prefix; here it is the connection's `scheme`.
        return Err(QueueError::config(
            "write TLS as the connection's scheme ('scheme' => 'tls') or a rediss:// url, not a host prefix",
        ));
    }
    if let Some(path) = host.strip_prefix("unix://") {
        return Ok(Address::Unix(PathBuf::from(path)));
    }
    if host.starts_with('/') || scheme.is_some_and(|s| s.eq_ignore_ascii_case("unix")) {
        return Ok(Address::Unix(PathBuf::from(host)));
    }
    let host = host.strip_prefix("tcp://").unwrap_or(host);
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port = match port.filter(|p| !p.is_empty()) {
        Some(p) => parse_port(p)?,
        None => DEFAULT_PORT,
    };
    Ok(Address::Tcp {
        host: host.to_owned(),
        port,
    })
}

fn parse_url(url: &str) -> Result<Parts, QueueError> {
    if url.starts_with('/') {
        return Ok(Parts {
            address: Some(Address::Unix(PathBuf::from(url))),
            ..Parts::default()
        });
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        QueueError::config("a redis connection is redis://host:port/db, unix:///path or /path")
    })?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let mut parts = Parts::default();
    match scheme.to_ascii_lowercase().as_str() {
        "redis" | "tcp" | "rediss" | "tls" => {
            if matches!(scheme.to_ascii_lowercase().as_str(), "rediss" | "tls") {
                parts.tls = Some(Tls::default());
            }
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let hostport = match authority.rfind('@') {
                Some(at) => {
                    let userinfo = &authority[..at];
                    match userinfo.split_once(':') {
                        Some((user, pass)) => {
                            parts.username = Some(percent_decode(user, "username")?);
                            parts.password = Some(percent_decode(pass, "password")?);
                        }
                        None => parts.username = Some(percent_decode(userinfo, "username")?),
                    }
                    &authority[at + 1..]
                }
                None => authority,
            };
            parts.address = Some(parse_hostport(hostport)?);
            let db = path.trim_start_matches('/');
            if !db.is_empty() {
                parts.database = Some(parse_database(db)?);
            }
        }
        "unix" => {
            let path = percent_decode(rest, "socket path")?;
            if !path.starts_with('/') {
                return Err(QueueError::config(
                    "a unix socket URL is unix:///absolute/path",
                ));
            }
            parts.address = Some(Address::Unix(PathBuf::from(path)));
        }
        _ => {
            return Err(QueueError::config(
                "unsupported redis URL scheme (use redis:// or unix://)",
            ))
        }
    }
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "db" | "database" => parts.database = Some(parse_database(&percent_decode(value, key)?)?),
            "timeout" => parts.connect_timeout = Some(parse_timeout(value, key)?),
            "read_timeout" => parts.read_timeout = Some(parse_timeout(value, key)?),
            "prefix" => parts.prefix = Some(percent_decode(value, key)?),
            "busy_poll" => parts.busy_poll = Some(parse_busy_poll(value)?),
            "username" => parts.username = Some(percent_decode(value, key)?),
            "password" => parts.password = Some(percent_decode(value, "password")?),
            // Not echoed: a mistyped URL may carry a secret where a name was expected.
            _ => {
                return Err(QueueError::config(
                    "unknown redis URL parameter (known: db, database, timeout, read_timeout, busy_poll, prefix, username, password)",
                ))
            }
        }
    }
    Ok(parts)
}

fn parse_hostport(hostport: &str) -> Result<Address, QueueError> {
    if hostport.is_empty() {
        return Ok(Address::Tcp {
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
        });
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| QueueError::config("unclosed '[' in redis URL host"))?;
        match after {
            "" => (host, None),
            p => (
                host,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| QueueError::config("invalid redis URL host"))?,
                ),
            ),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let host = if host.is_empty() { DEFAULT_HOST } else { host };
    let port = match port {
        Some(p) => parse_port(p)?,
        None => DEFAULT_PORT,
    };
    Ok(Address::Tcp {
        host: host.to_owned(),
        port,
    })
}

fn parse_port(port: &str) -> Result<u16, QueueError> {
    port.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| QueueError::config("redis port must be a number from 1 to 65535"))
}

/// `busy_poll`: microseconds, 0 to 10000 (0 turns polling off).
pub fn parse_busy_poll(value: &str) -> Result<Duration, QueueError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_micros)
        .filter(|d| *d <= MAX_BUSY_POLL)
        .ok_or_else(|| QueueError::config("busy_poll must be whole microseconds from 0 to 10000"))
}

fn parse_database(db: &str) -> Result<u32, QueueError> {
    db.trim()
        .parse::<u32>()
        .map_err(|_| QueueError::config("redis database must be a non-negative integer"))
}

/// Seconds as Laravel writes them (`2`, `2.5`); `0` means no limit.
pub(crate) fn parse_timeout(value: &str, name: &str) -> Result<Option<Duration>, QueueError> {
    let secs: f64 = value
        .trim()
        .parse()
        .map_err(|_| QueueError::config(format!("redis {name} must be a number of seconds")))?;
    if !secs.is_finite() || !(0.0..=86_400.0).contains(&secs) {
        return Err(QueueError::config(format!(
            "redis {name} must be between 0 and 86400 seconds"
        )));
    }
    let d = Duration::from_secs_f64(secs);
    Ok(if d.is_zero() { None } else { Some(d) })
}

fn percent_decode(text: &str, what: &str) -> Result<String, QueueError> {
    crate::percent::decode(text)
        .ok_or_else(|| QueueError::config(format!("invalid percent-encoding in redis URL {what} (or not UTF-8)")))
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tls(s) => s.sock.set_read_timeout(t),
        }
    }

    fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_write_timeout(t),
            Stream::Unix(s) => s.set_write_timeout(t),
            Stream::Tls(s) => s.sock.set_write_timeout(t),
        }
    }

    fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            Stream::Unix(s) => s.set_nonblocking(on),
            Stream::Tls(s) => s.sock.set_nonblocking(on),
        }
    }
}

impl Stream {
    /// A read that never sleeps: `None` when this stream cannot be read that way (TLS, whose
    /// records need rustls' own buffering), else the read's result (`WouldBlock`: nothing yet).
    fn try_read(&self, buf: &mut [u8], peek: bool) -> Option<io::Result<usize>> {
        let flags = if peek { RecvFlags::DONTWAIT | RecvFlags::PEEK } else { RecvFlags::DONTWAIT };
        let received = match self {
            Stream::Tcp(s) => rustix::net::recv(s, buf, flags),
            Stream::Unix(s) => rustix::net::recv(s, buf, flags),
            Stream::Tls(_) => return None,
        };
        Some(received.map(|(n, _)| n).map_err(io::Error::from))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

enum LinkError {
    Io(io::Error),
    Closed,
    Protocol(ProtocolError),
}

/// An open socket with its read buffer and decoder state.
struct Link {
    stream: Stream,
    /// Read buffer, zero-filled once when it grows (never per read); the unread bytes are
    /// `rbuf[rpos..rend]`.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
    decoder: Decoder,
    read_timeout: Option<Duration>,
    poll: BusyPoll,
    /// When the last request was written, and its length, until the first bytes of its
    /// reply arrive.
    sent: Option<(Instant, usize)>,
}

/// Whether to poll a socket for a reply (for up to `budget`) before sleeping on it, decided
/// per window of round trips from the fastest reply in the last one: that is the link's floor.
/// A remote or overloaded server, whose fastest reply still outlasts the budget, stops the
/// polling after one window; slow commands on a fast link (a large batch, a long script) do
/// not, since the link's other replies keep the floor low.
#[derive(Debug, Clone, Copy)]
struct BusyPoll {
    budget: Duration,
    polling: bool,
    fastest: Duration,
    seen: u32,
}

impl BusyPoll {
    fn new(budget: Duration) -> BusyPoll {
        BusyPoll { budget, polling: !budget.is_zero(), fastest: Duration::MAX, seen: 0 }
    }

    fn wanted(&self) -> bool {
        self.polling
    }

    /// How long the reply to a request of `bytes` is polled for: the budget, plus the server's
    /// time to take in that many bytes, within `MAX_BUSY_POLL`.
    fn budget_for(&self, bytes: usize) -> Duration {
        (self.budget + allowance(bytes)).min(MAX_BUSY_POLL)
    }

    /// The time from the write of a request of `bytes` to the first bytes of its reply. The
    /// link is judged on the time beyond the request's size allowance.
    fn observe(&mut self, round_trip: Duration, bytes: usize) {
        self.fastest = self.fastest.min(round_trip.saturating_sub(allowance(bytes)));
        self.seen += 1;
        if self.seen == POLL_WINDOW {
            self.polling = !self.budget.is_zero() && self.fastest <= self.budget;
            self.fastest = Duration::MAX;
            self.seen = 0;
        }
    }
}

/// The server's time to read and store a request of `bytes`, at `POLL_PER_KIB`.
fn allowance(bytes: usize) -> Duration {
    POLL_PER_KIB.saturating_mul(u32::try_from(bytes / 1024).unwrap_or(u32::MAX))
}

impl Link {
    fn new(stream: Stream, read_timeout: Option<Duration>, busy_poll: Duration) -> io::Result<Link> {
        // A zero duration means "no limit" here, as in Laravel (std refuses zero).
        let read_timeout = read_timeout.filter(|d| !d.is_zero());
        stream.set_read_timeout(read_timeout)?;
        stream.set_write_timeout(read_timeout)?;
        Ok(Link {
            stream,
            rbuf: vec![0; READ_CHUNK],
            rpos: 0,
            rend: 0,
            decoder: Decoder::new(),
            read_timeout,
            poll: BusyPoll::new(busy_poll),
            sent: None,
        })
    }

    fn set_read_timeout(&mut self, t: Option<Duration>) -> io::Result<()> {
        let t = t.filter(|d| !d.is_zero());
        if self.read_timeout != t {
            self.stream.set_read_timeout(t)?;
            self.read_timeout = t;
        }
        Ok(())
    }

    /// Whether the server still holds this connection: a non-blocking read finds nothing to
    /// read. End of stream (the server closed it) or unexpected bytes both mean "replace it".
    fn is_alive(&mut self) -> bool {
        if self.rpos != self.rend {
            return false;
        }
        let mut probe = [0u8; 1];
        // Plain sockets: one peek that never sleeps.
        if let Some(peeked) = self.stream.try_read(&mut probe, true) {
            return matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        }
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let alive = loop {
            match self.stream.read(&mut probe) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break e.kind() == io::ErrorKind::WouldBlock,
                Ok(_) => break false,
            }
        };
        alive && self.stream.set_nonblocking(false).is_ok()
    }

    /// Writes `out` (holding `count` commands) and reads `count` replies; `prompt`: the replies
    /// are expected at once (no blocking command), so they are polled for before sleeping.
    fn exchange(&mut self, out: &[u8], count: usize, prompt: bool) -> Result<Vec<Reply>, LinkError> {
        self.stream.write_all(out).map_err(LinkError::Io)?;
        self.sent = Some((Instant::now(), out.len()));
        let mut replies = Vec::with_capacity(count);
        for _ in 0..count {
            replies.push(self.read_reply(prompt)?);
        }
        Ok(replies)
    }

    fn read_reply(&mut self, prompt: bool) -> Result<Reply, LinkError> {
        loop {
            if self.rpos < self.rend {
                let (used, reply) = self
                    .decoder
                    .decode(&self.rbuf[self.rpos..self.rend])
                    .map_err(LinkError::Protocol)?;
                self.rpos += used;
                if let Some(reply) = reply {
                    if self.rpos == self.rend {
                        self.rpos = 0;
                        self.rend = 0;
                        // A huge reply (a long LRANGE) does not pin its buffer for good.
                        if self.rbuf.len() > MAX_IDLE_BUFFER {
                            self.rbuf = vec![0; READ_CHUNK];
                        }
                    }
                    return Ok(reply);
                }
            }
            if self.rpos > 0 {
                self.rbuf.copy_within(self.rpos..self.rend, 0);
                self.rend -= self.rpos;
                self.rpos = 0;
            }
            if self.rend == self.rbuf.len() {
                self.rbuf.resize(self.rbuf.len() + READ_CHUNK, 0);
            }
            match self.fill(prompt) {
                Ok(0) => return Err(LinkError::Closed),
                Ok(n) => self.rend += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LinkError::Io(e)),
            }
        }
    }

    /// Reads what has arrived into the buffer: polling for up to the `busy_poll` budget (a
    /// yield between polls leaves the core to a runnable Redis), then sleeping in the kernel
    /// under the read timeout.
    fn fill(&mut self, prompt: bool) -> io::Result<usize> {
        let read = self.poll_then_read(prompt);
        if let (Ok(_), Some((at, bytes))) = (&read, self.sent.take()) {
            // Blocking commands wait by design: only prompt replies say how fast the link is.
            if prompt {
                self.poll.observe(at.elapsed(), bytes);
            }
        }
        read
    }

    fn poll_then_read(&mut self, prompt: bool) -> io::Result<usize> {
        if prompt && self.poll.wanted() {
            // The first read of a reply waits for the server to take in the request.
            let budget = self.poll.budget_for(self.sent.map_or(0, |(_, bytes)| bytes));
            let start = Instant::now();
            loop {
                match self.stream.try_read(&mut self.rbuf[self.rend..], false) {
                    None => break,
                    Some(Ok(n)) => return Ok(n),
                    Some(Err(e)) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
                    Some(Err(e)) => return Err(e),
                }
                if start.elapsed() >= budget {
                    break;
                }
                std::thread::yield_now();
            }
        }
        self.stream.read(&mut self.rbuf[self.rend..])
    }
}

/// One script call's KEYS and ARGV.
pub type ScriptCall<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

/// How long to wait for replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The configured read timeout.
    Default,
    /// The read timeout plus this much (a blocking command's own timeout).
    Extra(Duration),
    /// No limit (a blocking command that waits forever).
    Forever,
}

/// One server's connection, lazily opened. Not shared between processes: after `fork()` the
/// child opens its own and leaves the inherited socket to the parent.
pub(super) struct Node {
    config: ConnectionConfig,
    link: Option<Link>,
    /// The process that opened `link`.
    pid: u32,
    out: Vec<u8>,
}

impl Node {
    /// No I/O: the socket opens on first use.
    pub(super) fn new(config: ConnectionConfig) -> Node {
        Node {
            config,
            link: None,
            pid: std::process::id(),
            out: Vec::new(),
        }
    }

    pub(super) fn is_connected(&self) -> bool {
        self.link.is_some() && self.pid == std::process::id()
    }

    pub(super) fn disconnect(&mut self) {
        self.drop_link();
    }

    /// Opens (or checks) the socket. A failure here means nothing was sent.
    pub(super) fn connect(&mut self) -> Result<(), QueueError> {
        self.ensure_link()
    }

    /// Sends `commands` in one write and reads one reply per command, error replies included.
    pub(super) fn send(&mut self, commands: &[Vec<&[u8]>], wait: Wait) -> Result<Vec<Reply>, QueueError> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        for c in commands {
            resp::encode(&mut out, c);
        }
        let result = self.round_trip(&out, commands.len(), wait);
        self.out = out;
        result
    }

    fn round_trip(
        &mut self,
        out: &[u8],
        count: usize,
        wait: Wait,
    ) -> Result<Vec<Reply>, QueueError> {
        self.ensure_link()?;
        let base = self.config.read_timeout;
        let timeout = match wait {
            Wait::Default => base,
            // A wait too long to add up is no limit at all.
            Wait::Extra(extra) => base.and_then(|b| b.checked_add(extra)),
            Wait::Forever => None,
        };
        let Some(link) = self.link.as_mut() else {
            return Err(QueueError::new(ErrorKind::Connect, "not connected"));
        };
        let result = link
            .set_read_timeout(timeout)
            .map_err(LinkError::Io)
            .and_then(|_| link.exchange(out, count, wait == Wait::Default));
        match result {
            Ok(replies) => Ok(replies),
            Err(e) => {
                // Replies to what was sent may still arrive: this socket can never be trusted
                // again.
                self.drop_link();
                Err(self.link_error(e, timeout))
            }
        }
    }

    fn link_error(&self, e: LinkError, timeout: Option<Duration>) -> QueueError {
        let at = &self.config.address;
        match e {
            LinkError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                QueueError::new(
                    ErrorKind::Timeout,
                    format!(
                        "Redis at {at} did not answer within {:.3} s (read_timeout); the command may have run",
                        timeout.unwrap_or_default().as_secs_f64()
                    ),
                )
            }
            LinkError::Io(e) => QueueError::new(
                ErrorKind::Io,
                format!("connection to Redis at {at} failed: {e}; the command may have run"),
            ),
            LinkError::Closed => QueueError::new(
                ErrorKind::Io,
                format!("Redis at {at} closed the connection; the command may have run"),
            ),
            LinkError::Protocol(p) => QueueError::new(ErrorKind::Protocol, format!("{p} (from {at})")),
        }
    }

    fn drop_link(&mut self) {
        if let Some(link) = self.link.take() {
            if self.pid == std::process::id() {
                drop(link);
            } else {
                // Inherited across fork(): the parent still talks over this socket, and closing
                // it here could send a FIN/RST the parent would see. Leave the descriptor alone.
                std::mem::forget(link);
            }
        }
    }

    /// An open, live socket owned by this process, opening one with bounded retries.
    fn ensure_link(&mut self) -> Result<(), QueueError> {
        let pid = std::process::id();
        if self.pid != pid {
            self.drop_link();
            self.pid = pid;
        }
        if let Some(link) = self.link.as_mut() {
            if link.is_alive() {
                return Ok(());
            }
            self.drop_link();
        }
        let mut delay = FIRST_RETRY_DELAY;
        let mut attempt = 1;
        loop {
            match self.open() {
                Ok(link) => {
                    self.link = Some(link);
                    return Ok(());
                }
                Err(Retry::Again(_)) if attempt < CONNECT_ATTEMPTS => {
                    std::thread::sleep(delay);
                    delay *= 2;
                    attempt += 1;
                }
                Err(Retry::Again(reason)) => {
                    return Err(QueueError::new(
                        ErrorKind::Connect,
                        format!(
                            "cannot connect to Redis at {} after {attempt} attempts: {reason}",
                            self.config.address
                        ),
                    ))
                }
                Err(Retry::Stop(e)) => return Err(e),
            }
        }
    }

    /// Connects and authenticates. `Retry::Again` for failures a restarting server causes.
    fn open(&self) -> Result<Link, Retry> {
        let at = &self.config.address;
        let transient = |e: &io::Error| {
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::NotFound
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            )
        };
        let fail = |e: io::Error| {
            if transient(&e) {
                Retry::Again(e.to_string())
            } else if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                Retry::Stop(QueueError::new(
                    ErrorKind::Timeout,
                    format!("connecting to Redis at {at} timed out"),
                ))
            } else {
                Retry::Stop(QueueError::new(
                    ErrorKind::Connect,
                    format!("cannot connect to Redis at {at}: {e}"),
                ))
            }
        };
        let stream = match (at, &self.config.tls) {
            (Address::Tcp { host, port }, None) => {
                Stream::Tcp(connect_tcp(host, *port, self.config.connect_timeout).map_err(fail)?)
            }
            (Address::Tcp { host, port }, Some(tls)) => {
                let tcp = connect_tcp(host, *port, self.config.connect_timeout).map_err(fail)?;
                Stream::Tls(Box::new(tls_stream(tls, host, tcp, self.config.connect_timeout).map_err(Retry::Stop)?))
            }
            (Address::Unix(_), Some(_)) => {
                return Err(Retry::Stop(QueueError::config("TLS is for TCP connections, not unix sockets")))
            }
            (Address::Unix(path), None) => Stream::Unix(UnixStream::connect(path).map_err(fail)?),
        };
        if let Stream::Tcp(s) = &stream {
            // Small commands must not wait for Nagle's algorithm.
            let _ = s.set_nodelay(true);
        }
        let mut link = Link::new(stream, self.config.read_timeout, self.config.busy_poll).map_err(fail)?;

        let mut out = Vec::new();
        let mut count = 0;
        if let Some(password) = &self.config.password {
            match &self.config.username {
                Some(user) => {
                    resp::encode(&mut out, &[b"AUTH", user.as_bytes(), password.as_bytes()])
                }
                None => resp::encode(&mut out, &[b"AUTH", password.as_bytes()]),
            }
            count += 1;
        }
        let db = self.config.database.to_string();
        if self.config.database != 0 {
            resp::encode(&mut out, &[b"SELECT", db.as_bytes()]);
            count += 1;
        }
        if count == 0 {
            return Ok(link);
        }
        let replies = link.exchange(&out, count, true).map_err(|e| match e {
            LinkError::Io(e) => fail(e),
            LinkError::Closed => Retry::Again("closed during handshake".to_owned()),
            LinkError::Protocol(p) => Retry::Stop(QueueError::new(
                ErrorKind::Protocol,
                format!("{p} (from {at})"),
            )),
        })?;
        let secret = self.config.password.as_deref();
        for (i, reply) in replies.into_iter().enumerate() {
            if let Reply::Error(e) = reply {
                let auth = self.config.password.is_some() && i == 0;
                let (kind, what) = if auth {
                    (ErrorKind::Auth, "AUTH")
                } else {
                    (ErrorKind::Server, "SELECT")
                };
                return Err(Retry::Stop(QueueError::new(
                    kind,
                    format!("Redis at {at} refused {what}: {}", redact(&e, secret)),
                )));
            }
        }
        Ok(link)
    }
}

/// A Redis connection: one server, or a Redis Cluster when the config names seed nodes.
/// Opens lazily; commands, pipelines and scripts are routed by key slot in cluster mode.
pub struct Connection {
    config: ConnectionConfig,
    target: Target,
}

enum Target {
    Single(Node),
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
            Target::Single(Node::new(config.clone()))
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

    /// Runs a script by its SHA-1, sending its source only when the server does not know it
    /// (`NOSCRIPT`: nothing ran, so resending is safe). An error reply becomes `ErrorKind::Server`.
    pub fn eval(
        &mut self,
        script: &Script,
        keys: &[&[u8]],
        args: &[&[u8]],
    ) -> Result<Reply, QueueError> {
        let mut replies = self.eval_many(script, &[(keys.to_vec(), args.to_vec())])?;
        replies
            .pop()
            .ok_or_else(|| QueueError::protocol("missing script reply"))
    }

    /// Runs a script several times in one round trip (plus one more only for calls the
    /// server answered with `NOSCRIPT`). Fails on the first error reply.
    pub fn eval_many(
        &mut self,
        script: &Script,
        calls: &[ScriptCall],
    ) -> Result<Vec<Reply>, QueueError> {
        let sha = script.sha1().as_bytes();
        let counts: Vec<Vec<u8>> = calls.iter().map(|(k, _)| k.len().to_string().into_bytes()).collect();
        fn script_command<'a>(head: &'a [u8], body: &'a [u8], count: &'a [u8], call: &ScriptCall<'a>) -> Vec<&'a [u8]> {
            let (keys, args) = call;
            let mut cmd: Vec<&[u8]> = Vec::with_capacity(3 + keys.len() + args.len());
            cmd.extend_from_slice(&[head, body, count]);
            cmd.extend_from_slice(keys);
            cmd.extend_from_slice(args);
            cmd
        }
        let commands: Vec<Vec<&[u8]>> = calls
            .iter()
            .zip(&counts)
            .map(|(call, count)| script_command(b"EVALSHA", sha, count, call))
            .collect();
        let mut replies = self.pipeline(&commands)?;
        let missing: Vec<usize> = replies
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Reply::Error(e) if e.starts_with("NOSCRIPT")))
            .map(|(i, _)| i)
            .collect();
        if !missing.is_empty() {
            let commands: Vec<Vec<&[u8]>> = missing
                .iter()
                .map(|&i| script_command(b"EVAL", script.source.as_bytes(), &counts[i], &calls[i]))
                .collect();
            let again = self.pipeline(&commands)?;
            for (i, reply) in missing.into_iter().zip(again) {
                replies[i] = reply;
            }
        }
        replies
            .into_iter()
            .map(|r| match r {
                Reply::Error(e) => Err(QueueError::new(
                    ErrorKind::Server,
                    format!(
                        "Redis refused script {}: {}",
                        script.name,
                        redact(&e, self.config.password.as_deref())
                    ),
                )),
                r => Ok(r),
            })
            .collect()
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

enum Retry {
    Again(String),
    Stop(QueueError),
}

/// The system CA bundle on Debian, used when no CA file is given.
const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// A TLS session over `tcp`, handshake completed (so a bad certificate fails here, as a
/// connect error, not on the first command).
fn tls_stream(
    tls: &Tls,
    host: &str,
    mut tcp: TcpStream,
    timeout: Option<Duration>,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, QueueError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    let failed = |what: String| QueueError::new(ErrorKind::Tls, what);
    let ca = tls.ca_file.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(&ca)
        .map_err(|e| failed(format!("cannot read the TLS CA file {}: {e}", ca.display())))?;
    for cert in certs {
        let cert = cert.map_err(|e| failed(format!("the TLS CA file {} is not PEM: {e}", ca.display())))?;
        roots.add(cert).map_err(|e| failed(format!("a certificate in {} is unusable: {e}", ca.display())))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots);
    let config = match (&tls.cert_file, &tls.key_file) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| failed(format!("cannot read the TLS client certificate {}: {e}", cert.display())))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| failed(format!("cannot read the TLS client key {}: {e}", key.display())))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| failed(format!("the TLS client certificate is unusable: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err(QueueError::config("a TLS client certificate needs both tls_cert and tls_key")),
    };
    let name = ServerName::try_from(host.to_owned()).map_err(|e| failed(format!("{host} is not a TLS server name: {e}")))?;
    let mut session = rustls::ClientConnection::new(std::sync::Arc::new(config), name)
        .map_err(|e| failed(format!("TLS setup failed: {e}")))?;
    // The handshake is bounded like a connect.
    let _ = tcp.set_read_timeout(timeout);
    let _ = tcp.set_write_timeout(timeout);
    let _ = tcp.set_nodelay(true);
    while session.is_handshaking() {
        session
            .complete_io(&mut tcp)
            .map_err(|e| failed(format!("TLS handshake with {host} failed: {e}")))?;
    }
    Ok(rustls::StreamOwned::new(session, tcp))
}

fn connect_tcp(host: &str, port: u16, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host name did not resolve");
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
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
    fn a_redis_url_gives_host_port_database_and_credentials() {
        let c = ConnectionConfig::parse("redis://bus:s%40cret@redis.internal:6380/3").unwrap();
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "redis.internal".into(),
                port: 6380
            }
        );
        assert_eq!(c.username.as_deref(), Some("bus"));
        assert_eq!(c.password.as_deref(), Some("s@cret"));
        assert_eq!(c.database, 3);
        assert_eq!(c.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(c.read_timeout, Some(DEFAULT_READ_TIMEOUT));
    }

    #[test]
    fn a_password_only_url_has_no_username() {
        let c = ConnectionConfig::parse("redis://:pw@localhost").unwrap();
        assert_eq!(c.username, None);
        assert_eq!(c.password.as_deref(), Some("pw"));
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "localhost".into(),
                port: 6379
            }
        );
    }

    #[test]
    fn ipv6_hosts_and_query_parameters_parse() {
        let c = ConnectionConfig::parse(
            "redis://[::1]:7000?db=2&timeout=0.5&read_timeout=0&prefix=app_",
        )
        .unwrap();
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "::1".into(),
                port: 7000
            }
        );
        assert_eq!(c.database, 2);
        assert_eq!(c.connect_timeout, Some(Duration::from_millis(500)));
        assert_eq!(c.read_timeout, None, "read_timeout=0 means no limit");
        assert_eq!(c.prefix, "app_");
        assert_eq!(c.address.to_string(), "[::1]:7000");
    }

    #[test]
    fn unix_sockets_are_urls_or_bare_paths() {
        let c = ConnectionConfig::parse("unix:///run/redis.sock?db=1").unwrap();
        assert_eq!(c.address, Address::Unix("/run/redis.sock".into()));
        assert_eq!(c.database, 1);
        let c = ConnectionConfig::parse("/run/redis.sock").unwrap();
        assert_eq!(c.address, Address::Unix("/run/redis.sock".into()));
    }

    #[test]
    fn tls_is_selected_by_rediss_or_the_tls_scheme() {
        let c = ConnectionConfig::parse("rediss://:pw@host:6380/2").unwrap();
        assert_eq!((c.tls, c.address, c.database), (Some(Tls::default()), Address::Tcp { host: "host".into(), port: 6380 }, 2));
        assert_eq!(ConnectionConfig::parse("redis://host").unwrap().tls, None);
        let laravel = LaravelConnection { scheme: Some("tls".into()), host: Some("h".into()), ..Default::default() };
        assert_eq!(ConnectionConfig::from_laravel(&laravel).unwrap().tls, Some(Tls::default()));
        let prefixed = LaravelConnection { host: Some("tls://h".into()), ..Default::default() };
        assert_eq!(ConnectionConfig::from_laravel(&prefixed).unwrap_err().kind(), ErrorKind::Config);
    }

    #[test]
    fn invalid_urls_are_config_errors_that_never_show_the_password() {
        for url in [
            "redis://:hunter2@host:notaport",
            "redis://:hunter2@host:6379/x",
            "redis://:hunter2@host:6379?hunter2=1",
            "redis://:hunter2@host:6379?x=hunter2",
            "redis://:hunt%zzer2@host",
            "http://:hunter2@host",
            "hunter2",
            "redis://:hunter2@host?timeout=-1",
        ] {
            let e = ConnectionConfig::parse(url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{url}");
            assert!(!e.to_string().contains("hunter"), "{url}: {e}");
            assert!(!format!("{e:?}").contains("hunter"), "{url}");
        }
    }

    #[test]
    fn debug_output_hides_the_password() {
        let c = ConnectionConfig::parse("redis://u:hunter2@h").unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        let l = LaravelConnection {
            password: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{l:?}").contains("hunter2"));
    }

    #[test]
    fn a_laravel_connection_array_maps_key_by_key() {
        let l = LaravelConnection {
            host: Some("10.0.0.5".into()),
            port: Some("6381".into()),
            username: Some("bus".into()),
            password: Some("pw".into()),
            database: Some("4".into()),
            prefix: Some("laravel_database_".into()),
            timeout: Some("1.5".into()),
            read_timeout: Some("60".into()),
            ..Default::default()
        };
        let c = ConnectionConfig::from_laravel(&l).unwrap();
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "10.0.0.5".into(),
                port: 6381
            }
        );
        assert_eq!(
            (c.username.as_deref(), c.password.as_deref()),
            (Some("bus"), Some("pw"))
        );
        assert_eq!(c.database, 4);
        assert_eq!(c.prefix, "laravel_database_");
        assert_eq!(c.connect_timeout, Some(Duration::from_millis(1500)));
        assert_eq!(c.read_timeout, Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_laravel_url_wins_over_the_other_keys() {
        let l = LaravelConnection {
            url: Some("redis://url-host:7000/5".into()),
            host: Some("array-host".into()),
            database: Some("1".into()),
            password: Some("from-array".into()),
            ..Default::default()
        };
        let c = ConnectionConfig::from_laravel(&l).unwrap();
        assert_eq!(
            c.address,
            Address::Tcp {
                host: "url-host".into(),
                port: 7000
            }
        );
        assert_eq!(c.database, 5);
        assert_eq!(
            c.password.as_deref(),
            Some("from-array"),
            "the URL has no password"
        );
    }

    #[test]
    fn a_laravel_host_may_be_a_socket_path_and_empty_values_mean_unset() {
        let l = LaravelConnection {
            host: Some("/var/run/redis.sock".into()),
            port: Some("0".into()),
            password: Some("".into()),
            ..Default::default()
        };
        let c = ConnectionConfig::from_laravel(&l).unwrap();
        assert_eq!(c.address, Address::Unix("/var/run/redis.sock".into()));
        assert_eq!(c.password, None);
    }

    #[test]
    fn busy_polling_follows_the_fastest_reply_of_each_window() {
        let us = Duration::from_micros;
        let mut poll = BusyPoll::new(us(100));
        assert!(poll.wanted(), "a new link polls until it knows better");
        // A remote server: even its fastest reply outlasts the budget; polling stops after
        // one window.
        for _ in 0..POLL_WINDOW {
            assert!(poll.wanted());
            poll.observe(us(400), 0);
        }
        assert!(!poll.wanted());
        // Mostly slow replies (large batches, long scripts) with one prompt one: a fast link.
        for i in 0..POLL_WINDOW {
            poll.observe(if i == 7 { us(25) } else { us(900) }, 0);
        }
        assert!(poll.wanted());
        for _ in 0..POLL_WINDOW {
            poll.observe(us(60), 0);
        }
        assert!(poll.wanted());
        assert!(!BusyPoll::new(Duration::ZERO).wanted());
        let mut off = BusyPoll::new(Duration::ZERO);
        for _ in 0..POLL_WINDOW {
            off.observe(us(1), 0);
        }
        assert!(!off.wanted(), "busy_poll 0 never polls");
    }

    #[test]
    fn a_large_request_is_polled_for_longer_and_the_link_judged_without_it() {
        let us = Duration::from_micros;
        let mut poll = BusyPoll::new(us(100));
        assert_eq!(poll.budget_for(300), us(100));
        assert_eq!(poll.budget_for(160 * 1024), us(260), "a 100-job batch");
        assert_eq!(poll.budget_for(usize::MAX), MAX_BUSY_POLL, "never past the most busy_poll accepts");
        assert_eq!(BusyPoll::new(MAX_BUSY_POLL).budget_for(1 << 20), MAX_BUSY_POLL);
        // Batches answered in 200 µs on a fast link: within their allowance, polling stays on.
        for _ in 0..POLL_WINDOW {
            poll.observe(us(200), 160 * 1024);
        }
        assert!(poll.wanted());
        // Small requests answered in 200 µs: a slow link.
        for _ in 0..POLL_WINDOW {
            poll.observe(us(200), 100);
        }
        assert!(!poll.wanted());
    }

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
