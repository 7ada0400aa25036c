//! A fault soak on a real Redis Cluster: a producer and a consumer keep jobs flowing while the
//! queue's master is failed over again and again, by `CLUSTER FAILOVER` and by killing it
//! outright. Every push the queue confirmed (`wait_replicas` 1) must be processed at least
//! once. `cargo test` runs two rounds (one of each fault, ~15 s);
//! `make test-cluster-soak` runs ten (PHPGRC_BUS_CLUSTER_SOAK_ROUNDS).
#![forbid(unsafe_code)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use phpgrc_bus::queue::cluster::key_slot;
use phpgrc_bus::queue::{ConnectionConfig, ErrorKind, Options, Queue};
use support::{accept, bounded, cli, envelope, headers, RedisCluster};

const TAG: &str = "integration-bus";
/// Jobs reserved when an ack was lost come back after this long.
const RETRY_AFTER: u64 = 3;

fn options() -> Options {
    Options {
        queue: format!("{{{TAG}}}"),
        dlq: format!("{{{TAG}}}:dlq"),
        retry_after: RETRY_AFTER,
        max_attempts: 20,
        wait_replicas: 1,
        wait_timeout: Duration::from_millis(500),
        ..Options::default()
    }
}

/// What the producer knows about each push.
#[derive(Default)]
struct Pushed {
    /// The first few errors of the `unknown` pushes, for the report.
    errors: Vec<String>,
    /// Stored on the master and on its replica.
    confirmed: BTreeSet<String>,
    /// Stored on the master, not confirmed on a replica in time (`ErrorKind::Replication`).
    unconfirmed: BTreeSet<String>,
    /// Failed otherwise: stored or not.
    unknown: BTreeSet<String>,
}

fn envelope_id(n: usize) -> String {
    format!("01JD{n:022}")
}

fn produce(cluster_config: ConnectionConfig, stop: Arc<AtomicBool>) -> Pushed {
    let mut q = Queue::new(&cluster_config, options()).unwrap();
    let mut pushed = Pushed::default();
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        match q.push(None, envelope(n).as_bytes(), &headers()) {
            Ok(_) => pushed.confirmed.insert(envelope_id(n)),
            Err(e) if e.kind() == ErrorKind::Replication => pushed.unconfirmed.insert(envelope_id(n)),
            Err(e) => {
                if pushed.errors.len() < 3 {
                    pushed.errors.push(e.to_string());
                }
                pushed.unknown.insert(envelope_id(n))
            }
        };
        n += 1;
        thread::sleep(Duration::from_millis(1));
    }
    pushed
}

/// Envelope id → times processed, and how many calls failed.
fn consume(cluster_config: ConnectionConfig, stop: Arc<AtomicBool>) -> (BTreeMap<String, usize>, usize) {
    let mut q = Queue::new(&cluster_config, options()).unwrap();
    let mut processed: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = 0;
    // After `stop`, drain until nothing has come for longer than a lost ack takes to return.
    let mut idle_since: Option<Instant> = None;
    loop {
        match q.pop(None, None, accept) {
            Ok(Some(job)) => {
                idle_since = None;
                let id = job.envelope().unwrap()["id"].as_str().unwrap().to_owned();
                *processed.entry(id).or_default() += 1;
                // A lost ack leaves the job reserved: it comes back after RETRY_AFTER.
                if q.ack(&job).is_err() {
                    errors += 1;
                }
            }
            Ok(None) => {
                if stop.load(Ordering::SeqCst) {
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() > Duration::from_secs(2 * RETRY_AFTER + 1) {
                        return (processed, errors);
                    }
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => {
                errors += 1;
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn wait_for_role(port: u16, role: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cli(port, &["ROLE"]).starts_with(role) {
        assert!(Instant::now() < deadline, "node {port} did not become {role}");
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn jobs_keep_flowing_through_repeated_failovers_and_no_confirmed_push_is_lost() {
    let rounds: usize = std::env::var("PHPGRC_BUS_CLUSTER_SOAK_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(2);
    bounded(Duration::from_secs(60 + 30 * rounds as u64), move || {
        let mut cluster = RedisCluster::start(3, 1);
        let count = cluster.nodes.len();
        let slot = key_slot(TAG.as_bytes());
        let started = Instant::now();
        let (stop_producing, stop_consuming) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let producer = {
            let (config, stop) = (cluster.client_config(), stop_producing.clone());
            thread::spawn(move || produce(config, stop))
        };
        let consumer = {
            let (config, stop) = (cluster.client_config(), stop_consuming.clone());
            thread::spawn(move || consume(config, stop))
        };

        let (mut failovers, mut kills) = (0, 0);
        for round in 0..rounds {
            thread::sleep(Duration::from_millis(1500));
            let old = cluster.master_of(slot).port;
            let replica = cluster.replicas_of(old)[0].port;
            if round % 2 == 0 {
                // Coordinated: the replica catches up, then takes over.
                assert_eq!(cli(replica, &["CLUSTER", "FAILOVER"]).trim(), "OK");
                wait_for_role(replica, "master");
                failovers += 1;
            } else {
                // Killed outright mid-stream; it comes back empty and rejoins as the new
                // master's replica.
                let index = cluster.nodes.iter().position(|n| n.port == old).unwrap();
                cluster.nodes[index].stop();
                wait_for_role(replica, "master");
                cluster.nodes[index].restart();
                kills += 1;
            }
            cluster.wait_until_ok(count);
        }
        thread::sleep(Duration::from_millis(1500));
        stop_producing.store(true, Ordering::SeqCst);
        let pushed = producer.join().unwrap();
        stop_consuming.store(true, Ordering::SeqCst);
        let (processed, errors) = consumer.join().unwrap();

        let seen: BTreeSet<&String> = processed.keys().collect();
        let lost: Vec<&String> = pushed.confirmed.iter().filter(|id| !seen.contains(id)).collect();
        let unconfirmed_lost = pushed.unconfirmed.iter().filter(|id| !seen.contains(id)).count();
        let duplicated = processed.values().filter(|&&times| times > 1).count();
        println!(
            "cluster soak: {} confirmed pushes, {} unconfirmed ({} of them never processed), {} unknown; \
             {} processed, {} more than once, {} lost; {} failovers, {} masters killed, {} failed calls \
             in the consumer; {:.1} s; unknown pushes failed with: {:?}",
            pushed.confirmed.len(),
            pushed.unconfirmed.len(),
            unconfirmed_lost,
            pushed.unknown.len(),
            processed.len(),
            duplicated,
            lost.len(),
            failovers,
            kills,
            errors,
            started.elapsed().as_secs_f64(),
            pushed.errors,
        );
        assert!(pushed.confirmed.len() > 100 * rounds, "too few pushes to say anything");
        assert!(lost.is_empty(), "confirmed pushes never processed: {:?}", &lost[..lost.len().min(10)]);
        // Nothing is processed that was not pushed.
        let all: BTreeSet<&String> = pushed.confirmed.iter().chain(&pushed.unconfirmed).chain(&pushed.unknown).collect();
        assert!(seen.is_subset(&all));
    });
}
