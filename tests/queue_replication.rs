//! Durability against losing a master: WAIT on the connection that wrote, against a real
//! master with a real replica.
#![forbid(unsafe_code)]

mod support;

use std::time::Duration;

use phpgrc_bus::queue::{Connection, ConnectionConfig, ErrorKind, Options};
use support::{bounded, cli, envelope, headers, queue, RedisServer};

const LIMIT: Duration = Duration::from_secs(60);

/// A master and one replica of it, the replica's first sync done.
fn master_and_replica() -> (RedisServer, RedisServer) {
    let master = RedisServer::start();
    let port = master.port.to_string();
    let replica = RedisServer::start_with(&["--replicaof", "127.0.0.1", &port]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cli(replica.port, &["INFO", "replication"]).contains("master_link_status:up") {
        assert!(std::time::Instant::now() < deadline, "the replica did not sync");
        std::thread::sleep(Duration::from_millis(50));
    }
    (master, replica)
}

#[test]
fn wait_counts_the_replicas_that_have_this_connections_writes() {
    bounded(LIMIT, || {
        let (master, replica) = master_and_replica();
        let mut conn = Connection::new(ConnectionConfig::parse(&master.url()).unwrap());
        conn.command(&[b"RPUSH", b"queues:q", b"job-1"]).unwrap();
        assert_eq!(conn.wait_for_replicas(b"queues:q", 1, Duration::from_secs(5)).unwrap(), 1);
        assert_eq!(cli(replica.port, &["LLEN", "queues:q"]).trim(), "1");

        // A replica that stopped answering acknowledges nothing: WAIT gives up after its timeout.
        replica.pause();
        conn.command(&[b"RPUSH", b"queues:q", b"job-2"]).unwrap();
        assert_eq!(conn.wait_for_replicas(b"queues:q", 1, Duration::from_millis(300)).unwrap(), 0);
        replica.resume();
    });
}

#[test]
fn with_wait_replicas_a_push_returns_once_the_replica_has_it() {
    bounded(LIMIT, || {
        let (master, replica) = master_and_replica();
        let options = Options { wait_replicas: 1, wait_timeout: Duration::from_millis(500), ..Options::default() };
        let mut q = queue(&master, options);
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        // No polling: the push returned only after the replica acknowledged it.
        assert_eq!(cli(replica.port, &["LLEN", "queues:integration-bus"]).trim(), "1");
        q.later(None, 60, envelope(2).as_bytes(), &headers()).unwrap();
        assert_eq!(cli(replica.port, &["ZCARD", "queues:integration-bus:delayed"]).trim(), "1");

        // The replica stops answering: the push is on the master, and the caller is told it is
        // not confirmed.
        replica.pause();
        let e = q.push(None, envelope(3).as_bytes(), &headers()).unwrap_err();
        replica.resume();
        assert_eq!(e.kind(), ErrorKind::Replication);
        assert!(e.message().contains("queued on the master, but 0 of 1 replica(s)"), "{}", e.message());
        assert_eq!(cli(master.port, &["LLEN", "queues:integration-bus"]).trim(), "2");
    });
}

#[test]
fn without_replicas_wait_replicas_fails_every_push_but_keeps_the_job() {
    bounded(LIMIT, || {
        let server = RedisServer::start();
        let mut q = queue(&server, Options { wait_replicas: 1, wait_timeout: Duration::from_millis(50), ..Options::default() });
        let e = q.push(None, envelope(1).as_bytes(), &headers()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Replication);
        assert_eq!(q.size(None).unwrap(), 1);
    });
}
