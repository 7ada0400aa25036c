//! What redis-rs's synchronous clients do where our queue client must be careful, each checked
//! against real redis-servers and set beside what ours does (README "Dependencies"):
//! - after `fork()`, a child holding a redis-rs connection uses the parent's socket (ours opens
//!   its own);
//! - after a read timeout, a redis-rs connection stays open and skips the timed-out command's
//!   late reply before reading the next one; it does not resend (ours drops the connection,
//!   and does not resend either);
//! - in cluster mode redis-rs resends a command after a read timeout, so a non-idempotent script
//!   runs twice (ours fails the call: the command may have run);
//! - redis-rs follows `MOVED` and `ASK` by resending, as ours does: those replies mean the
//!   command did not run.
//!
//! Every command here runs one Lua script that counts its runs in a key, so "ran once" is read
//! back from the server, not inferred.

mod support;

use std::time::Duration;

use phpgrc_bus::queue::resp::Reply;
use phpgrc_bus::queue::{Connection, ConnectionConfig, ErrorKind};
use support::{bounded, RedisCluster, RedisServer};

/// Counts a run in KEYS[1], then keeps the server busy for ARGV[1] microseconds. Redis 8 freezes
/// `TIME` for the length of a script (it would loop forever there) and offers `os.clock()`, the
/// server's CPU time, which a busy loop advances; Redis 7 has no `os` but a live `TIME`.
const COUNT_THEN_STALL: &str = "local n = redis.call('INCR', KEYS[1]) local limit = tonumber(ARGV[1]) \
    local ok, clock = pcall(function() return os.clock end) \
    if ok and clock then local start = clock() repeat until (clock() - start) * 1000000 >= limit \
    else local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] \
    repeat local now = redis.call('TIME') until now[1] * 1000000 + now[2] - start >= limit end \
    return n";

fn runs(port: u16, key: &str) -> String {
    support::cli(port, &["GET", key]).trim().to_owned()
}

#[test]
fn a_forked_child_uses_the_parents_redis_rs_socket_and_ours_opens_its_own() {
    let server = RedisServer::start();
    let client = redis::Client::open(server.url()).expect("client");
    let mut theirs = client.get_connection().expect("redis-rs connection");
    let mut ours = support::raw(&server);
    let client_id = |reply: Reply| reply.as_integer().expect("CLIENT ID is an integer");
    let theirs_parent: i64 = redis::cmd("CLIENT").arg("ID").query(&mut theirs).expect("CLIENT ID");
    let ours_parent = client_id(ours.command(&[b"CLIENT", b"ID"]).expect("CLIENT ID"));

    let report = server.dir().join("child-ids");
    // SAFETY: the child only runs the two commands, writes a file and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let theirs_child: redis::RedisResult<i64> = redis::cmd("CLIENT").arg("ID").query(&mut theirs);
        let ours_child = ours.command(&[b"CLIENT", b"ID"]).map(client_id);
        let _ = std::fs::write(&report, format!("{}\n{}", theirs_child.unwrap_or(-1), ours_child.unwrap_or(-1)));
        // SAFETY: ends the child without running the parent's destructors or test harness.
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    // SAFETY: waits for the child forked above.
    assert_eq!(unsafe { libc::waitpid(pid, &raw mut status, 0) }, pid);
    let ids = std::fs::read_to_string(&report).expect("the child reported");
    let (theirs_child, ours_child) = ids.split_once('\n').expect("two ids");
    assert_eq!(theirs_child, theirs_parent.to_string(), "redis-rs: the child spoke on the parent's connection");
    assert_ne!(ours_child, ours_parent.to_string(), "ours: the child opened its own connection");
    assert_ne!(ours_child, "-1");
}

#[test]
fn after_a_read_timeout_neither_client_resends_and_the_next_reply_is_its_own() {
    let server = RedisServer::start();
    bounded(Duration::from_secs(20), move || {
        let client = redis::Client::open(server.url()).expect("client");
        let mut theirs = client.get_connection().expect("redis-rs connection");
        theirs.set_read_timeout(Some(Duration::from_millis(100))).expect("read timeout");
        let script = redis::cmd("EVAL").arg(COUNT_THEN_STALL).arg(1).arg("runs").arg(400_000).clone();
        let timed_out = script.query::<i64>(&mut theirs).expect_err("the script outlasts the read timeout");
        assert!(timed_out.is_timeout(), "{timed_out:?}");
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(runs(server.port, "runs"), "1", "not resent");
        // The connection stays open with the script's reply (1) still in the socket; redis-rs
        // counts it as one to skip, so the next command reads its own reply.
        assert!(redis::ConnectionLike::is_open(&theirs));
        let echoed: redis::RedisResult<redis::Value> = redis::cmd("ECHO").arg("mine").query(&mut theirs);
        assert_eq!(echoed.ok(), Some(redis::Value::BulkString(b"mine".to_vec())));

        // Ours: the timed-out call fails, the connection is dropped, the next call reconnects
        // and gets its own reply; the script ran once.
        let mut config = ConnectionConfig::parse(&server.url()).expect("config");
        config.read_timeout = Some(Duration::from_millis(100));
        let mut ours = Connection::new(config);
        let e = ours.command(&[b"EVAL", COUNT_THEN_STALL.as_bytes(), b"1", b"ours", b"400000"]).expect_err("times out");
        assert_eq!(e.kind(), ErrorKind::Timeout, "{}", e.message());
        assert!(!ours.is_connected(), "a socket that may still deliver the late reply is dropped");
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(ours.command(&[b"ECHO", b"mine"]).ok(), Some(Reply::Bulk(b"mine".to_vec())));
        assert_eq!(runs(server.port, "ours"), "1");
    });
}

#[test]
fn redis_rs_cluster_resends_after_a_read_timeout_ours_does_not() {
    let cluster = RedisCluster::start(3, 0);
    let seeds = cluster.seeds();
    let port = cluster.master_of(phpgrc_bus::queue::cluster::key_slot(b"{facts}")).port;
    let config = cluster.client_config();
    bounded(Duration::from_secs(60), move || {
        let client = redis::cluster::ClusterClient::builder(seeds.iter().map(|s| format!("redis://{s}")))
            .response_timeout(Duration::from_millis(100))
            .retries(2)
            .build()
            .expect("cluster client");
        let mut theirs = client.get_connection().expect("cluster connection");
        let outcome: redis::RedisResult<redis::Value> =
            redis::cmd("EVAL").arg(COUNT_THEN_STALL).arg(1).arg("{facts}theirs").arg(400_000).query(&mut theirs);
        std::thread::sleep(Duration::from_millis(2000));
        let theirs_runs: u32 = runs(port, "{facts}theirs").parse().expect("a count");
        assert!(theirs_runs > 1, "redis-rs ran the script {theirs_runs} time(s); outcome {outcome:?}");
        eprintln!("redis-rs cluster, read timeout 100 ms, retries 2: the script ran {theirs_runs} times; the call returned {outcome:?}");

        let mut config = config;
        config.read_timeout = Some(Duration::from_millis(100));
        let mut ours = Connection::new(config);
        let e = ours
            .command(&[b"EVAL", COUNT_THEN_STALL.as_bytes(), b"1", b"{facts}ours", b"400000"])
            .expect_err("times out");
        assert_eq!(e.kind(), ErrorKind::Timeout, "{}", e.message());
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(runs(port, "{facts}ours"), "1", "ours: {}", e.message());
    });
}

#[test]
fn redis_rs_cluster_follows_moved_and_ask_and_runs_the_command_once() {
    let cluster = RedisCluster::start(3, 0);
    let slot = phpgrc_bus::queue::cluster::key_slot(b"{moving}");
    let source = cluster.master_of(slot).port;
    let target = cluster.nodes.iter().map(|n| n.port).find(|&p| p != source).expect("another master");
    let id = |port: u16| support::cli(port, &["CLUSTER", "MYID"]).trim().to_owned();
    let (source_id, target_id) = (id(source), id(target));
    let seeds = cluster.seeds();
    let client = redis::cluster::ClusterClient::builder(seeds.iter().map(|s| format!("redis://{s}"))).build().expect("client");
    let mut theirs = client.get_connection().expect("cluster connection");
    let script = |key: &str| redis::cmd("EVAL").arg(COUNT_THEN_STALL).arg(1).arg(key.to_owned()).arg(0).clone();
    assert_eq!(script("{moving}a").query::<i64>(&mut theirs).ok(), Some(1));

    // ASK: the slot is migrating and the key is not on the source yet.
    let s = slot.to_string();
    assert_eq!(support::cli(target, &["CLUSTER", "SETSLOT", &s, "IMPORTING", &source_id]).trim(), "OK");
    assert_eq!(support::cli(source, &["CLUSTER", "SETSLOT", &s, "MIGRATING", &target_id]).trim(), "OK");
    assert_eq!(script("{moving}b").query::<i64>(&mut theirs).ok(), Some(1));
    let on_source = support::cli(source, &["CLUSTER", "COUNTKEYSINSLOT", &s]);
    assert_eq!(on_source.trim(), "1", "only {{moving}}a on the source: b ran on the target");

    // MOVED: the slot ends on the target, with its keys; redis-rs still maps it to the source.
    let port = target.to_string();
    assert_eq!(support::cli(source, &["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS", "{moving}a"]).trim(), "OK");
    for node in &cluster.nodes {
        support::cli(node.port, &["CLUSTER", "SETSLOT", &s, "NODE", &target_id]);
    }
    assert_eq!(script("{moving}a").query::<i64>(&mut theirs).ok(), Some(2), "ran once more, on the target");
    let ask_asking = support::cli(target, &["GET", "{moving}b"]);
    assert_eq!(ask_asking.trim(), "1", "the ASK-redirected run, once");
}
