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

/// A queue on `server` with `options`.
pub fn queue(server: &RedisServer, options: Options) -> Queue {
    Queue::new(&ConnectionConfig::parse(&server.url()).unwrap(), options).unwrap()
}

/// A separate connection for looking at keys directly.
pub fn raw(server: &RedisServer) -> Connection {
    Connection::new(ConnectionConfig::parse(&server.url()).unwrap())
}

/// A pop check that accepts every job.
pub fn accept(_: &Reserved) -> Result<(), Rejection> {
    Ok(())
}
