//! Connection settings, as a Redis URL or a Laravel `config/database.php` connection array
//! gives them: address, credentials, database, Laravel's key prefix, timeouts, TLS files,
//! busy polling, Redis Cluster seeds. Parsing and defaults only; nothing here opens a socket
//! (`session`) or knows the queue's options (`options`).
#![forbid(unsafe_code)]

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::QueueError;
use super::transport::poll::{DEFAULT_BUSY_POLL, MAX_BUSY_POLL};
use super::transport::tls::Tls;
use super::transport::Address;

pub const DEFAULT_PORT: u16 = 6379;
pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Covers Redis' default `cluster-node-timeout` (15 s) plus the election that follows it.
pub const DEFAULT_FAILOVER_TIMEOUT: Duration = Duration::from_secs(20);

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
    pub(super) fn pool_key(&self) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::error::ErrorKind;

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
}
