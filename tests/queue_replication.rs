//! Durability against losing a master: WAIT on the connection that wrote, against a real
//! master with a real replica.
#![forbid(unsafe_code)]

mod support;

use std::time::Duration;

use phpgrc_bus::queue::{Connection, ConnectionConfig};
use support::{bounded, cli, RedisServer};

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
