//! The queue on a real local Redis Cluster: slot routing, MOVED and ASK during a live slot
//! migration, a coordinated failover and a master killed outright.
#![forbid(unsafe_code)]

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use phpgrc_bus::queue::cluster::key_slot;
use phpgrc_bus::queue::{AckMode, Acked, Connection, ConnectionConfig, ErrorKind, Options, Outcome, Queue};
use support::{accept, bounded, cli, envelope, headers, RedisCluster};

const LIMIT: Duration = Duration::from_secs(120);
const TAG: &str = "integration-bus";

fn options() -> Options {
    Options {
        queue: format!("{{{TAG}}}"),
        dlq: format!("{{{TAG}}}:dlq"),
        max_attempts: 2,
        retry_seconds: 0,
        ..Options::default()
    }
}

fn queue(cluster: &RedisCluster) -> Queue {
    Queue::new(&cluster.client_config(), options()).unwrap()
}

fn slot() -> u16 {
    key_slot(TAG.as_bytes())
}

/// Pops and acks until the queue is empty; the envelope ids seen.
fn drain(q: &mut Queue) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(job) = q.pop(None, None, accept).unwrap() {
        let envelope = job.envelope().unwrap();
        seen.push(envelope["id"].as_str().unwrap().to_owned());
        assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
    }
    seen
}

fn push_range(q: &mut Queue, range: std::ops::Range<usize>) {
    for n in range {
        q.push(None, envelope(n).as_bytes(), &headers()).unwrap();
    }
}

fn ids(range: std::ops::Range<usize>) -> BTreeSet<String> {
    range.map(|n| format!("01JD{n:022}")).collect()
}

#[test]
fn jobs_go_to_the_master_of_the_queues_slot_and_back() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 0);
        let mut q = queue(&cluster);
        push_range(&mut q, 0..20);
        // Every key of the queue lives on the one master that owns slot("integration-bus").
        let owner = cluster.master_of(slot());
        assert_eq!(cli(owner.port, &["LLEN", "queues:{integration-bus}"]).trim(), "20");
        assert_eq!(cli(owner.port, &["LLEN", "queues:{integration-bus}:notify"]).trim(), "20");
        for other in cluster.nodes.iter().filter(|n| n.port != owner.port) {
            assert_eq!(cli(other.port, &["DBSIZE"]).trim(), "0");
        }
        assert_eq!(q.sizes(None).unwrap().ready, 20);

        // Reserve, fail to the dead-letter list (max_attempts 2), retry from it, ack.
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert!(matches!(q.release(&job, Some(0)).unwrap(), Outcome::Released { .. }));
        let mut dead_id = None;
        while let Some(job) = q.pop(None, None, accept).unwrap() {
            if job.attempts() == 2 {
                assert_eq!(q.fail(&job, "HANDLER_FAILED", "boom").unwrap(), Outcome::DeadLettered);
                dead_id = Some(job.id().to_owned());
                break;
            }
            assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
        }
        let dead_id = dead_id.expect("the released job came back");
        assert_eq!(cli(owner.port, &["LLEN", "{integration-bus}:dlq"]).trim(), "1");
        assert_eq!(q.dead_letters(10).unwrap().len(), 1);
        assert!(q.retry_dead_letter(&dead_id).unwrap());
        let rest = drain(&mut q);
        assert!(!rest.is_empty());
        let sizes = q.sizes(None).unwrap();
        assert_eq!((sizes.ready, sizes.reserved, sizes.delayed, sizes.dead_letters), (0, 0, 0, 0));
    });
}

#[test]
fn queues_with_different_tags_spread_over_the_masters() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 0);
        let mut masters = BTreeSet::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            let mut q = Queue::new(
                &cluster.client_config(),
                Options { queue: format!("{{{name}}}"), dlq: format!("{{{name}}}:dlq"), ..Options::default() },
            )
            .unwrap();
            q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
            let owner = cluster.master_of(key_slot(name.as_bytes()));
            assert_eq!(cli(owner.port, &["LLEN", &format!("queues:{{{name}}}")]).trim(), "1");
            masters.insert(owner.port);
            let job = q.pop(None, None, accept).unwrap().unwrap();
            assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
        }
        assert!(masters.len() > 1, "six tags all hashed to one master");
        // One connection serves every master.
        let mut conn = Connection::new(cluster.client_config());
        assert_eq!(conn.cluster_masters().unwrap().len(), 3);
    });
}

#[test]
fn names_without_a_shared_hash_tag_are_refused_before_anything_is_sent() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 0);
        let untagged = Queue::new(&cluster.client_config(), Options::default()).err().expect("untagged queue refused");
        assert_eq!(untagged.kind(), ErrorKind::Config);
        assert!(untagged.message().contains("'{integration-bus}'"), "{}", untagged.message());
        let split = Queue::new(&cluster.client_config(), Options { dlq: "dlq".into(), ..options() })
            .err()
            .expect("dead-letter list in another slot refused");
        assert!(split.message().contains("'{integration-bus}:dlq'"), "{}", split.message());
        // A per-call queue in another slot than the dead-letter list: refused, nothing sent.
        let mut q = queue(&cluster);
        let e = q.pop(Some("{other}"), None, accept).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("hash tag"), "{}", e.message());
        for node in &cluster.nodes {
            assert_eq!(cli(node.port, &["DBSIZE"]).trim(), "0");
        }
    });
}

/// One command on an importing node, after `ASKING` (its answer alone).
fn asking(port: u16, command: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("redis-cli")
        .args(["--raw", "-p", &port.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    write!(child.stdin.take().unwrap(), "ASKING\n{command}\n").unwrap();
    let out = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    out.lines().nth(1).unwrap_or_default().to_owned()
}

/// Moves `slot` from its master to another one the way `redis-cli --cluster reshard` does,
/// stopping after `keys_moved` so the caller can act while the slot is half migrated.
struct Migration {
    slot: u16,
    source: u16,
    target: u16,
    target_id: String,
}

impl Migration {
    fn begin(cluster: &RedisCluster, slot: u16) -> Migration {
        let source = cluster.master_of(slot).port;
        let target = cluster
            .nodes
            .iter()
            .find(|n| n.port != source && cli(n.port, &["ROLE"]).starts_with("master"))
            .unwrap()
            .port;
        let source_id = cli(source, &["CLUSTER", "MYID"]).trim().to_owned();
        let target_id = cli(target, &["CLUSTER", "MYID"]).trim().to_owned();
        let s = slot.to_string();
        assert_eq!(cli(target, &["CLUSTER", "SETSLOT", &s, "IMPORTING", &source_id]).trim(), "OK");
        assert_eq!(cli(source, &["CLUSTER", "SETSLOT", &s, "MIGRATING", &target_id]).trim(), "OK");
        Migration { slot, source, target, target_id }
    }

    fn move_keys(&self) {
        let s = self.slot.to_string();
        let keys = cli(self.source, &["CLUSTER", "GETKEYSINSLOT", &s, "1000"]);
        let keys: Vec<&str> = keys.lines().filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            return;
        }
        let port = self.target.to_string();
        let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
        args.extend(keys);
        assert_eq!(cli(self.source, &args).trim(), "OK");
    }

}

#[test]
fn a_live_slot_migration_is_followed_through_ask_tryagain_and_moved() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 0);
        let mut q = queue(&cluster);
        push_range(&mut q, 0..10);
        let migration = Migration::begin(&cluster, slot());

        // A key the source does not have: it answers ASK, and the target takes it.
        q.later(None, 0, envelope(10).as_bytes(), &headers()).unwrap();
        assert_eq!(asking(migration.target, "ZCARD queues:{integration-bus}:delayed"), "1");

        // Ready list and tokens moved: the push script follows ASK to the target.
        migration.move_keys();
        assert_eq!(cli(migration.source, &["CLUSTER", "COUNTKEYSINSLOT", &slot().to_string()]).trim(), "0");
        push_range(&mut q, 11..15);
        assert_eq!(asking(migration.target, "LLEN queues:{integration-bus}"), "14");

        // A script over keys that are only partly there gets TRYAGAIN until the migration
        // ends; the pop waits it out, then follows MOVED to the new owner.
        let ports: Vec<u16> = cluster.nodes.iter().map(|n| n.port).collect();
        let (s, target_id) = (slot().to_string(), migration.target_id.clone());
        let finisher = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700));
            for port in ports {
                cli(port, &["CLUSTER", "SETSLOT", &s, "NODE", &target_id]);
            }
        });
        let first = q.pop(None, None, accept).unwrap().expect("a job after the migration");
        finisher.join().unwrap();
        assert_eq!(q.ack(&first).unwrap(), Acked::Removed);
        push_range(&mut q, 15..20);
        let mut seen: BTreeSet<String> = drain(&mut q).into_iter().collect();
        seen.insert(first.envelope().unwrap()["id"].as_str().unwrap().to_owned());
        assert_eq!(seen, ids(0..20));
        assert_eq!(cli(migration.source, &["CLUSTER", "COUNTKEYSINSLOT", &slot().to_string()]).trim(), "0");
        let masters = Connection::new(cluster.client_config()).cluster_masters().unwrap();
        let owner = masters
            .iter()
            .find(|(_, ranges)| ranges.iter().any(|(a, b)| (*a..=*b).contains(&slot())))
            .unwrap();
        assert_eq!(owner.0, format!("127.0.0.1:{}", migration.target));
    });
}

#[test]
fn a_coordinated_failover_loses_nothing_reserved_or_dead_lettered() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 1);
        let mut q = queue(&cluster);
        push_range(&mut q, 0..50);
        let dead = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(q.dead_letter(&dead, "HANDLER_FAILED", "before the failover").unwrap(), Outcome::DeadLettered);
        let reserved = q.pop(None, None, accept).unwrap().unwrap();
        let old = cluster.master_of(slot()).port;
        let replica = cluster.replicas_of(old)[0].port;
        assert_eq!(cli(replica, &["CLUSTER", "FAILOVER"]).trim(), "OK");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !cli(replica, &["ROLE"]).starts_with("master") {
            assert!(std::time::Instant::now() < deadline, "failover did not happen");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The job reserved before the failover is still reserved on the new master, and the
        // dead letter is still there to retry.
        assert_eq!(q.ack(&reserved).unwrap(), Acked::Removed);
        assert_eq!(q.sizes(None).unwrap().dead_letters, 1);
        assert!(q.retry_dead_letter(dead.id()).unwrap());
        push_range(&mut q, 50..60);
        let mut seen: BTreeSet<String> = drain(&mut q).into_iter().collect();
        seen.insert(reserved.envelope().unwrap()["id"].as_str().unwrap().to_owned());
        assert_eq!(seen, ids(0..60));
        assert_eq!(cluster.master_of(slot()).port, replica);
    });
}

#[test]
fn a_killed_master_is_replaced_and_wait_replicas_kept_every_push() {
    bounded(LIMIT, || {
        let mut cluster = RedisCluster::start(3, 1);
        // Replication is asynchronous: with wait_replicas each push returns only once the
        // master's replica has it, so killing the master right after loses none.
        let mut q = Queue::new(
            &cluster.client_config(),
            Options { wait_replicas: 1, wait_timeout: Duration::from_millis(500), ..options() },
        )
        .unwrap();
        push_range(&mut q, 0..30);
        let old = cluster.master_of(slot()).port;
        let replica = cluster.replicas_of(old)[0].port;
        let index = cluster.nodes.iter().position(|n| n.port == old).unwrap();
        cluster.nodes[index].stop();

        // The next calls retry (nothing sent: the master is unreachable) until the replica
        // is promoted, then carry on.
        let mut seen = BTreeSet::new();
        while let Some(job) = q.pop(None, None, accept).unwrap() {
            seen.insert(job.envelope().unwrap()["id"].as_str().unwrap().to_owned());
            assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
        }
        assert_eq!(seen, ids(0..30));
        assert!(cli(replica, &["ROLE"]).starts_with("master"));
        // The promoted master has no replica left: pushes still queue, and say they are
        // not confirmed.
        for n in 30..35 {
            let e = q.push(None, envelope(n).as_bytes(), &headers()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Replication, "{e}");
        }
        assert_eq!(drain(&mut q).len(), 5);
    });
}

#[test]
fn a_password_protected_cluster_authenticates_every_node_and_a_wrong_password_fails_fast() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start_with(3, 0, Some("s3cret-cluster"));
        let seeds = cluster.seeds();
        let good = ConnectionConfig::parse("redis://:s3cret-cluster@127.0.0.1").unwrap().with_cluster(&seeds).unwrap();
        let mut masters = BTreeSet::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            let mut q = Queue::new(&good, Options { queue: format!("{{{name}}}"), dlq: format!("{{{name}}}:dlq"), ..Options::default() })
                .unwrap();
            q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
            let job = q.pop(None, None, accept).unwrap().unwrap();
            assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
            masters.insert(cluster.master_of(key_slot(name.as_bytes())).port);
        }
        assert!(masters.len() > 1, "one master served every tag");

        // Refused credentials are not a failover to wait for: with an hour of failover_timeout,
        // a retry loop would run into the test's bound.
        let mut bad = ConnectionConfig::parse("redis://:wrong@127.0.0.1").unwrap().with_cluster(&seeds).unwrap();
        bad.failover_timeout = Duration::from_secs(3600);
        let e = Queue::new(&bad, options()).unwrap().size(None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
        assert!(!e.to_string().contains("wrong"), "{e}");
    });
}

#[test]
fn prefetch_and_deferred_acks_work_across_masters() {
    bounded(LIMIT, || {
        let cluster = RedisCluster::start(3, 0);
        let mut q = Queue::new(&cluster.client_config(), Options { prefetch: 8, ack: AckMode::Deferred, ..options() }).unwrap();
        push_range(&mut q, 0..40);
        // Each pop's write carries the acks queued since the last one: the ZREMs go to the
        // queue's master, the replay-dedupe SETs to whichever masters own their keys.
        let mut seen = BTreeSet::new();
        while let Some(job) = q.pop(None, None, accept).unwrap() {
            seen.insert(job.envelope().unwrap()["id"].as_str().unwrap().to_owned());
            assert_eq!(q.ack(&job).unwrap(), Acked::Deferred);
        }
        q.flush().unwrap();
        assert_eq!(seen, ids(0..40));
        let sizes = q.sizes(None).unwrap();
        assert_eq!((sizes.ready, sizes.reserved), (0, 0));
        // Kept jobs go back to the head of the queue when the Queue is closed.
        push_range(&mut q, 40..50);
        let first = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(q.ack(&first).unwrap(), Acked::Deferred);
        q.close().unwrap();
        let sizes = Queue::new(&cluster.client_config(), options()).unwrap().sizes(None).unwrap();
        assert_eq!((sizes.ready, sizes.reserved), (9, 0));
    });
}

#[test]
fn seeds_are_host_port_or_urls() {
    let base = ConnectionConfig::parse("redis://:secret@127.0.0.1").unwrap();
    let c = base
        .clone()
        .with_cluster(&["10.0.0.1:7000", "redis://10.0.0.2:7001", "[::1]:7002", "node-4"])
        .unwrap();
    assert_eq!(c.cluster.len(), 4);
    assert_eq!(c.address.to_string(), "10.0.0.1:7000");
    assert_eq!(c.cluster[2].to_string(), "[::1]:7002");
    assert_eq!(c.cluster[3].to_string(), "node-4:6379");
    assert_eq!(c.password.as_deref(), Some("secret"));
    assert!(base.clone().with_cluster(&["rediss://10.0.0.1:7000"]).unwrap().tls.is_some());
    assert_eq!(base.clone().with_cluster::<&str>(&[]).unwrap_err().kind(), ErrorKind::Config);
    assert!(base.clone().with_cluster(&["redis://u:p@h:1"]).is_err());
    let db = ConnectionConfig::parse("redis://127.0.0.1/2").unwrap();
    assert!(db.with_cluster(&["h:1"]).unwrap_err().message().contains("database 0"));
    assert!(!format!("{c:?}").contains("secret"));
}
