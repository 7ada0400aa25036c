//! Shared test harness: a throwaway `redis-server` per test, and bounded test bodies.
#![forbid(unsafe_code)]
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use phpgrc_bus::document::DocNode;
use phpgrc_bus::queue::{Connection, ConnectionConfig, Options, Queue, Rejection, Reserved};

pub const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// A `redis-server` on a free loopback port (and a unix socket), without persistence, killed
/// when dropped.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    extra: Vec<String>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::start_with(&[])
    }

    /// With extra `redis-server` arguments, e.g. `["--requirepass", "pw"]`.
    pub fn start_with(extra: &[&str]) -> RedisServer {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "phpgrc-bus-redis-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        // A port found free may be taken before redis binds it: try a few.
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return server;
            }
        }
        panic!("redis-server did not start");
    }

    fn spawn(&mut self) -> bool {
        let port = self.port.to_string();
        let socket = self.socket_path();
        let _ = std::fs::remove_file(&socket);
        let mut cmd = Command::new(REDIS_SERVER);
        cmd.args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
        ])
        .arg("--unixsocket")
        .arg(&socket)
        .args(["--unixsocketperm", "700", "--dir"])
        .arg(&self.dir)
        .args(&self.extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            if ping(self.port) {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("server running")
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server (SIGKILL) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A fresh, empty server on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.spawn() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGSTOP: the server accepts nothing and answers nothing until `resume`.
    pub fn pause(&self) {
        signal(self.pid(), "-STOP");
    }

    /// SIGCONT.
    pub fn resume(&self) {
        signal(self.pid(), "-CONT");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a stopped (SIGSTOP) process too.
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .arg(sig)
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill {sig} {pid}");
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn ping(port: u16) -> bool {
    let Ok(mut s) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
    else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        // A password-protected server answers -NOAUTH: it is up all the same.
        Ok(n) => buf[..n].starts_with(b"+PONG") || buf[..n].starts_with(b"-NOAUTH"),
        Err(_) => false,
    }
}

/// Runs `body` on another thread and fails the test if it takes longer than `limit`.
pub fn bounded<T: Send + 'static>(limit: Duration, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("test body did not finish within {limit:?}"),
    }
}

/// A small valid-looking envelope; `n` makes ids and external ids distinct.
pub fn envelope(n: usize) -> String {
    format!(
        concat!(
            r#"{{"id":"01JD{n:022}","busVersion":"1.0.0","connectorKey":"aws-config","connectorVersion":"1.2.3","#,
            r#""tenantId":"core.default","runId":"01JDRUN000000000000000000A","kind":"asset.discovery","#,
            r#""event":"asset.upserted","emittedAt":"2026-11-26T10:00:00.000Z","priority":"normal","#,
            r#""payload":{{"assetId":"i-{n}","big":12345678901234567890,"path":"a/b","name":"é"}},"#,
            r#""provenance":{{"source":"aws","externalId":"i-{n}","ingestedAt":"2026-11-26T10:00:00.000Z","#,
            r#""schemaRef":"https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery"}},"#,
            r#""error":null}}"#
        ),
        n = n
    )
}

/// The headers of `envelope(n)`.
pub fn headers() -> Vec<(String, String)> {
    vec![
        ("x-phpgrc-bus-version".into(), "1.0.0".into()),
        ("x-phpgrc-connector".into(), "aws-config".into()),
        ("x-phpgrc-kind".into(), "asset.discovery".into()),
        (
            "x-phpgrc-run-id".into(),
            "01JDRUN000000000000000000A".into(),
        ),
        ("x-phpgrc-priority".into(), "normal".into()),
    ]
}

/// A local Redis Cluster: `masters` masters with `replicas` replicas each, every node a
/// `RedisServer` on its own free loopback port, joined with `redis-cli --cluster create`.
/// `cluster-node-timeout` is 1 s so an automatic failover takes about two seconds.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
    /// Each node's TLS port, in `nodes` order (empty without TLS).
    pub tls_ports: Vec<u16>,
    password: Option<String>,
}

/// The PEM files of a cluster whose nodes also speak TLS.
pub struct ClusterTls<'a> {
    pub cert: &'a Path,
    pub key: &'a Path,
    pub ca: &'a Path,
}

impl RedisCluster {
    pub fn start(masters: usize, replicas: usize) -> RedisCluster {
        RedisCluster::start_with(masters, replicas, None)
    }

    /// With every node requiring `password` (replicas authenticate with it too).
    pub fn start_with(masters: usize, replicas: usize, password: Option<&str>) -> RedisCluster {
        RedisCluster::build(masters, replicas, password, None)
    }

    /// Masters whose cluster bus runs over TLS (`tls-cluster yes`): they announce their TLS
    /// ports, so `CLUSTER SLOTS` sends clients there. The plain ports stay open for the
    /// harness's own `redis-cli` calls.
    pub fn start_tls(masters: usize, tls: ClusterTls<'_>) -> RedisCluster {
        RedisCluster::build(masters, 0, None, Some(tls))
    }

    fn build(masters: usize, replicas: usize, password: Option<&str>, tls: Option<ClusterTls<'_>>) -> RedisCluster {
        let count = masters * (1 + replicas);
        let mut args = vec![
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "1000",
            // Let a replica take over even right after a restart of the test machine.
            "--cluster-replica-validity-factor",
            "0",
        ];
        if let Some(password) = password {
            args.extend(["--requirepass", password, "--masterauth", password]);
        }
        let tls_ports: Vec<u16> = if tls.is_some() { (0..count).map(|_| free_port()).collect() } else { Vec::new() };
        let nodes: Vec<RedisServer> = (0..count)
            .map(|i| match &tls {
                None => RedisServer::start_with(&args),
                Some(tls) => {
                    let (port, cert, key, ca) =
                        (tls_ports[i].to_string(), tls.cert.display().to_string(), tls.key.display().to_string(), tls.ca.display().to_string());
                    let mut node_args = args.clone();
                    node_args.extend(["--tls-port", &port, "--tls-cert-file", &cert, "--tls-key-file", &key]);
                    node_args.extend(["--tls-ca-cert-file", &ca, "--tls-auth-clients", "no", "--tls-cluster", "yes", "--tls-replication", "yes"]);
                    RedisServer::start_with(&node_args)
                }
            })
            .collect();
        let mut create = Command::new("redis-cli");
        if let Some(password) = password {
            create.args(["--no-auth-warning", "-a", password]);
        }
        if let Some(tls) = &tls {
            create.arg("--tls").arg("--cacert").arg(tls.ca);
        }
        create.arg("--cluster").arg("create");
        for (i, node) in nodes.iter().enumerate() {
            create.arg(format!("127.0.0.1:{}", tls_ports.get(i).copied().unwrap_or(node.port)));
        }
        let out = create
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = RedisCluster { nodes, tls_ports, password: password.map(str::to_owned) };
        cluster.wait_until_ok(count);
        cluster
    }

    /// Waits until every live node reports `cluster_state:ok` and knows `count` nodes, and
    /// every replica has finished its first sync.
    pub fn wait_until_ok(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self.nodes.iter().filter(|n| n.child.is_some()).all(|n| {
                let info = self.cli(n.port, &["CLUSTER", "INFO"]);
                let replication = self.cli(n.port, &["INFO", "replication"]);
                info.contains("cluster_state:ok")
                    && info.contains(&format!("cluster_known_nodes:{count}"))
                    && (!replication.contains("role:slave") || replication.contains("master_link_status:up"))
            });
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "the test cluster did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `redis-cli` on one node, authenticated when the cluster has a password.
    pub fn cli(&self, port: u16, args: &[&str]) -> String {
        match &self.password {
            None => cli(port, args),
            Some(password) => {
                let mut all = vec!["--no-auth-warning", "-a", password.as_str()];
                all.extend_from_slice(args);
                cli(port, &all)
            }
        }
    }

    /// The client's configuration: one seed is enough, the client learns the other nodes from
    /// `CLUSTER SLOTS`.
    pub fn client_config(&self) -> ConnectionConfig {
        ConnectionConfig::parse("redis://127.0.0.1").unwrap().with_cluster(&self.seeds()[..1]).unwrap()
    }

    /// Seed list for the client: every node as `127.0.0.1:port`.
    pub fn seeds(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect()
    }

    /// The node serving `slot` as master, by its own account (`CLUSTER NODES`, `myself`).
    pub fn master_of(&self, slot: u16) -> &RedisServer {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .find(|n| {
                self.cli(n.port, &["CLUSTER", "NODES"]).lines().any(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    fields.len() > 8
                        && fields[2].contains("myself")
                        && fields[2].contains("master")
                        && fields[8..].iter().any(|range| serves(range, slot))
                })
            })
            .expect("a master for the slot")
    }

    /// The node with this port.
    pub fn node(&self, port: u16) -> &RedisServer {
        self.nodes.iter().find(|n| n.port == port).expect("node")
    }

    /// The replicas of the master on `port`.
    pub fn replicas_of(&self, port: u16) -> Vec<&RedisServer> {
        let id = self.cli(port, &["CLUSTER", "MYID"]);
        let id = id.trim();
        self.nodes
            .iter()
            .filter(|n| n.child.is_some() && n.port != port)
            .filter(|n| {
                let info = self.cli(n.port, &["CLUSTER", "NODES"]);
                info.lines()
                    .any(|l| l.contains("myself") && l.contains("slave") && l.contains(id))
            })
            .collect()
    }
}

/// Whether a `CLUSTER NODES` slot field (`5461`, `0-5460`; `[…]` migration marks never) holds `slot`.
fn serves(range: &str, slot: u16) -> bool {
    match range.split_once('-') {
        _ if range.starts_with('[') => false,
        Some((a, b)) => matches!((a.parse::<u16>(), b.parse::<u16>()), (Ok(a), Ok(b)) if (a..=b).contains(&slot)),
        None => range.parse::<u16>() == Ok(slot),
    }
}

/// `redis-cli -p PORT ARGS…` (raw output).
pub fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["--raw", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A queue on `server` with `options`.
pub fn queue(server: &RedisServer, options: Options) -> Queue {
    Queue::new(&ConnectionConfig::parse(&server.url()).unwrap(), options).unwrap()
}

/// A separate connection for looking at keys directly.
pub fn raw(server: &RedisServer) -> Connection {
    Connection::new(ConnectionConfig::parse(&server.url()).unwrap())
}

/// A pop check that accepts every job.
pub fn accept(_: &Reserved, _: Option<DocNode<'_>>) -> Result<(), Rejection> {
    Ok(())
}
