//! The connection against real (and deliberately broken) servers: reconnects, timeouts,
//! authentication, database selection, unix sockets, protocol garbage.
#![forbid(unsafe_code)]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phpgrc_bus::queue::resp::Reply;
use phpgrc_bus::queue::{
    Connection, ConnectionConfig, ErrorKind, LaravelConnection, Options, Queue,
};
use support::{bounded, envelope, headers, RedisServer};

const LIMIT: Duration = Duration::from_secs(30);

fn conn(url: &str) -> Connection {
    Connection::new(ConnectionConfig::parse(url).unwrap())
}

fn own_queue(config: ConnectionConfig, options: Options) -> Queue {
    Queue::with_connection(Arc::new(Mutex::new(Connection::new(config))), options).unwrap()
}

#[test]
fn the_connection_reconnects_by_itself_after_the_server_restarts() {
    let mut server = RedisServer::start();
    let mut c = conn(&server.url());
    assert_eq!(c.command(&[b"PING"]).unwrap(), Reply::Status("PONG".into()));
    server.restart();
    let mut c = bounded(LIMIT, move || {
        assert_eq!(c.command(&[b"PING"]).unwrap(), Reply::Status("PONG".into()));
        c
    });
    // Also when the server comes back only after a moment (retries with backoff).
    server.stop();
    let port = server.port;
    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        server.restart();
        server
    });
    let result = bounded(LIMIT, move || c.command(&[b"SET", b"k", b"v"]));
    let server = restarter.join().unwrap();
    assert_eq!(server.port, port);
    // Either the retries reached the new server, or they ran out first: never a hang.
    if let Err(e) = result {
        assert_eq!(e.kind(), ErrorKind::Connect, "{e}");
    }
}

#[test]
fn a_queue_keeps_working_across_a_server_restart() {
    let mut server = RedisServer::start();
    let mut q = own_queue(
        ConnectionConfig::parse(&server.url()).unwrap(),
        Options::default(),
    );
    q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
    server.restart();
    bounded(LIMIT, move || {
        assert_eq!(
            q.size(None).unwrap(),
            0,
            "a fresh server, reached without an error"
        );
        q.push(None, envelope(2).as_bytes(), &headers()).unwrap();
        assert!(q.pop(None, None, |_, _| Ok(())).unwrap().is_some());
    });
}

#[test]
fn a_server_that_is_gone_fails_with_a_connect_error_after_bounded_retries() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.stop();
    bounded(LIMIT, move || {
        let started = Instant::now();
        let e = conn(&url).command(&[b"PING"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect);
        assert!(e.to_string().contains("after 5 attempts"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn a_stalled_server_gives_a_timeout_error_then_works_once_it_resumes() {
    let server = RedisServer::start();
    let mut c = conn(&format!("{}?read_timeout=0.5", server.url()));
    assert!(c.command(&[b"PING"]).is_ok());
    server.pause();
    let mut c = bounded(LIMIT, move || {
        let started = Instant::now();
        let e = c.command(&[b"PING"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
        assert!(started.elapsed() < Duration::from_secs(3));
        // Still stalled: the next call fails the same way instead of hanging.
        assert_eq!(
            c.command(&[b"PING"]).unwrap_err().kind(),
            ErrorKind::Timeout
        );
        c
    });
    server.resume();
    bounded(LIMIT, move || {
        // The late replies to the timed-out PINGs must not be taken for this one's.
        assert_eq!(
            c.command(&[b"ECHO", b"fresh"]).unwrap(),
            Reply::Bulk(b"fresh".to_vec())
        );
    });
}

#[test]
fn a_password_authenticates_and_a_wrong_one_is_an_auth_error_that_does_not_show_it() {
    let server = RedisServer::start_with(&["--requirepass", "s3cret-pw"]);
    let port = server.port;
    bounded(LIMIT, move || {
        let mut ok = conn(&format!("redis://:s3cret-pw@127.0.0.1:{port}"));
        assert_eq!(
            ok.command(&[b"PING"]).unwrap(),
            Reply::Status("PONG".into())
        );
        let mut wrong = conn(&format!("redis://:wrong-pw-9@127.0.0.1:{port}"));
        let e = wrong.command(&[b"PING"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(
            !e.to_string().contains("wrong-pw-9") && !format!("{e:?}").contains("wrong-pw-9"),
            "{e}"
        );
        let mut none = conn(&format!("redis://127.0.0.1:{port}"));
        let e = none.command(&[b"PING"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server, "NOAUTH: {e}");
    });
}

#[test]
fn a_username_and_password_authenticate_an_acl_user() {
    let server = RedisServer::start();
    let port = server.port;
    bounded(LIMIT, move || {
        let mut admin = conn(&format!("redis://127.0.0.1:{port}"));
        admin
            .command(&[
                b"ACL", b"SETUSER", b"bus", b"on", b">bus-pw", b"~*", b"+@all",
            ])
            .unwrap();
        let laravel = LaravelConnection {
            host: Some("127.0.0.1".into()),
            port: Some(port.to_string()),
            username: Some("bus".into()),
            password: Some("bus-pw".into()),
            ..Default::default()
        };
        let mut c = Connection::new(ConnectionConfig::from_laravel(&laravel).unwrap());
        assert_eq!(
            c.command(&[b"ACL", b"WHOAMI"]).unwrap(),
            Reply::Bulk(b"bus".to_vec())
        );
        let bad = LaravelConnection {
            password: Some("nope-nope".into()),
            ..laravel
        };
        let e = Connection::new(ConnectionConfig::from_laravel(&bad).unwrap())
            .command(&[b"PING"])
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert!(!e.to_string().contains("nope-nope"));
    });
}

#[test]
fn the_database_number_selects_the_database() {
    let server = RedisServer::start();
    let url = server.url();
    bounded(LIMIT, move || {
        let mut q = own_queue(
            ConnectionConfig::parse(&format!("{url}/3")).unwrap(),
            Options::default(),
        );
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let mut db0 = conn(&url);
        assert_eq!(
            db0.command(&[b"EXISTS", b"queues:integration-bus"])
                .unwrap(),
            Reply::Integer(0)
        );
        let mut db3 = conn(&format!("{url}?db=3"));
        assert_eq!(
            db3.command(&[b"EXISTS", b"queues:integration-bus"])
                .unwrap(),
            Reply::Integer(1)
        );
    });
}

#[test]
fn a_unix_socket_path_connects() {
    let server = RedisServer::start();
    let path = server.socket_path();
    bounded(LIMIT, move || {
        let bare = path.to_str().unwrap().to_owned();
        let mut c = conn(&bare);
        assert_eq!(c.command(&[b"PING"]).unwrap(), Reply::Status("PONG".into()));
        let mut q = own_queue(
            ConnectionConfig::parse(&format!("unix://{bare}")).unwrap(),
            Options::default(),
        );
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        assert_eq!(q.size(None).unwrap(), 1);
    });
}

#[test]
fn a_pipeline_returns_one_reply_per_command_errors_included() {
    let server = RedisServer::start();
    let mut c = conn(&server.url());
    bounded(LIMIT, move || {
        let replies = c
            .pipeline(&[
                vec![b"SET", b"a", b"1"],
                vec![b"INCR", b"a"],
                vec![b"LPUSH", b"a", b"x"],
                vec![b"GET", b"a"],
            ])
            .unwrap();
        assert_eq!(replies[0], Reply::Status("OK".into()));
        assert_eq!(replies[1], Reply::Integer(2));
        assert!(matches!(&replies[2], Reply::Error(e) if e.starts_with("WRONGTYPE")));
        assert_eq!(replies[3], Reply::Bulk(b"2".to_vec()));
        // A big reply, read across many socket reads.
        let big = vec![b'x'; 3 * 1024 * 1024];
        c.command(&[b"SET", b"big", &big]).unwrap();
        assert_eq!(c.command(&[b"GET", b"big"]).unwrap(), Reply::Bulk(big));
    });
}

/// A listener on a free loopback port whose connections `handle` serves, one at a time.
fn serve(handle: impl Fn(std::net::TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(s) = stream else { return };
            handle(s);
        }
    });
    port
}

/// A fake server answering every connection with `reply`, then closing it.
fn fake_server(reply: &'static [u8]) -> u16 {
    serve(move |mut s| {
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
        let _ = s.write_all(reply);
    })
}

/// A fake server that answers each command with `parts`, sleeping `pause` before each part.
fn slow_server(pause: Duration, parts: &'static [&'static [u8]]) -> u16 {
    serve(move |mut s| {
        let mut buf = [0u8; 1024];
        while matches!(s.read(&mut buf), Ok(n) if n > 0) {
            for part in parts {
                std::thread::sleep(pause);
                let _ = s.write_all(part);
            }
        }
    })
}

#[test]
fn a_reply_slower_than_the_busy_poll_is_waited_for_and_read_whole() {
    // Each part arrives 20 ms apart, far past a 50 µs poll: the reader must fall back to
    // sleeping on the socket, again for each part, and assemble the reply.
    let port = slow_server(Duration::from_millis(20), &[b"$11\r\nhello", b" world\r\n"]);
    bounded(LIMIT, move || {
        let mut c = conn(&format!("redis://127.0.0.1:{port}?busy_poll=50"));
        for _ in 0..6 {
            assert_eq!(c.command(&[b"GET", b"k"]).unwrap(), Reply::Bulk(b"hello world".to_vec()));
        }
    });
}

#[test]
fn replies_are_read_alike_with_busy_poll_off_on_and_at_its_maximum() {
    let server = RedisServer::start();
    for poll in ["0", "1", "100", "10000"] {
        let mut c = conn(&format!("{}?busy_poll={poll}", server.url()));
        let big = vec![b'x'; 300_000];
        assert_eq!(c.command(&[b"SET", b"big", &big]).unwrap(), Reply::Status("OK".into()));
        // A reply larger than one read: the poll returns the first part, the rest follows.
        assert_eq!(c.command(&[b"GET", b"big"]).unwrap(), Reply::Bulk(big));
        let replies = c.pipeline(&[vec![b"PING".as_slice()], vec![b"ECHO", b"two"]]).unwrap();
        assert_eq!(replies, vec![Reply::Status("PONG".into()), Reply::Bulk(b"two".to_vec())]);
    }
}

#[test]
fn busy_poll_is_whole_microseconds_up_to_ten_milliseconds() {
    let poll = |url: &str| ConnectionConfig::parse(url).map(|c| c.busy_poll);
    assert_eq!(poll("redis://h").unwrap(), phpgrc_bus::queue::DEFAULT_BUSY_POLL);
    assert_eq!(poll("redis://h?busy_poll=0").unwrap(), Duration::ZERO);
    assert_eq!(poll("redis://h?busy_poll=10000").unwrap(), Duration::from_millis(10));
    for bad in ["10001", "-1", "0.5", "", "1e3"] {
        let e = poll(&format!("redis://h?busy_poll={bad}")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{bad}: {e}");
    }
}

#[test]
fn garbage_from_the_server_is_a_protocol_error() {
    let port = fake_server(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    bounded(LIMIT, move || {
        let e = conn(&format!("redis://127.0.0.1:{port}"))
            .command(&[b"PING"])
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    });
}

#[test]
fn a_reply_cut_short_by_a_closed_connection_is_an_io_error() {
    let port = fake_server(b"$10\r\nabc");
    bounded(LIMIT, move || {
        let mut c = conn(&format!("redis://127.0.0.1:{port}"));
        let e = c.command(&[b"GET", b"k"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io, "{e}");
        assert!(e.to_string().contains("may have run"));
        assert!(!c.is_connected());
    });
}
