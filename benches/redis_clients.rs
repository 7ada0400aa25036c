//! Our queue client beside redis-rs's synchronous client, against a real redis-server on
//! loopback that this harness starts (and stops). A timed harness run by hand, not a test:
//! `cargo bench --bench redis_clients` (about 1 min; `-- 5000` for 5,000 jobs per contender
//! and round). Prints the median and p99 latency per operation and the client's CPU time per
//! operation (getrusage, user + system), for:
//! - push: one job (a 1.5 KB envelope in Laravel's payload) — `RPUSH` of the job and of its
//!   wake-up token in one round trip;
//! - pop+ack: the pop script (`EVALSHA`, the same Lua) reserving one job, the payload read,
//!   then `ZREM` from `:reserved`.
//! redis-rs runs the same commands with the same bytes; the payload is encoded and read by
//! our code for both, so the difference is the client: protocol, socket and waiting. Ours runs
//! with `busy_poll` 100 µs (its default) and 0 (sleeping on the socket, as redis-rs does).
//! Contenders take turns in rounds, so load on this shared machine falls on all of them.
//! Under `cargo test --all-targets` (no `--bench` argument) it makes one short round, to keep
//! the code working, and its numbers mean nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use phpgrc_bus::queue::keys::{dead_letter_key, QueueKeys};
use phpgrc_bus::queue::resp::Reply;
use phpgrc_bus::queue::{payload, scripts, ConnectionConfig, Options, Queue};


fn envelope() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/php-tests/fixtures/envelopes/asset.discovery/valid.json");
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("JSON");
    serde_json::to_vec(&value).expect("serialises")
}

fn headers() -> Vec<(String, String)> {
    support::headers()
}

/// Latencies of one contender, and the CPU time its loop used.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    cpu: Duration,
}

impl Tally {
    fn report(&mut self, name: &str) {
        self.latencies.sort();
        let n = self.latencies.len();
        let at = |q: f64| self.latencies[((n as f64 * q) as usize).min(n - 1)].as_secs_f64() * 1e6;
        println!(
            "  {name:<36} {:>9.1} {:>9.1} {:>11.1} {:>10.0}",
            at(0.5),
            at(0.99),
            self.cpu.as_secs_f64() * 1e6 / n as f64,
            n as f64 / self.latencies.iter().sum::<Duration>().as_secs_f64()
        );
    }
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &raw mut usage) };
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `op` `n` times, timing each call.
fn measure(tally: &mut Tally, n: usize, mut op: impl FnMut()) {
    let cpu = cpu_time();
    for _ in 0..n {
        let start = Instant::now();
        op();
        tally.latencies.push(start.elapsed());
    }
    tally.cpu += cpu_time() - cpu;
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// redis-rs doing what `Queue::push` does for one job.
fn redis_rs_push(con: &mut redis::Connection, keys: &QueueKeys, members: &[u8], envelope: &[u8], headers: &[(String, String)]) {
    let id = payload::new_job_id().expect("an id");
    let job = payload::encode(members, &id, envelope, headers).expect("encodes");
    let (_, _): (i64, i64) = redis::pipe()
        .cmd("RPUSH")
        .arg(&keys.ready)
        .arg(job)
        .cmd("RPUSH")
        .arg(&keys.notify)
        .arg(1)
        .query(con)
        .expect("pushed");
}

/// redis-rs doing what `Queue::pop` + `Queue::ack` do for one job (replay dedupe off).
fn redis_rs_pop_ack(con: &mut redis::Connection, keys: &QueueKeys, dlq: &str, last_migration: &mut u64) {
    let now = now();
    let migrate = if *last_migration == now { "0" } else { "1" };
    *last_migration = now;
    let reply: redis::Value = redis::cmd("EVALSHA")
        .arg(scripts::POP.sha1())
        .arg(5)
        .arg(&keys.ready)
        .arg(&keys.reserved)
        .arg(&keys.notify)
        .arg(&keys.delayed)
        .arg(dlq)
        .arg(now)
        .arg(now + 900)
        .arg(1000)
        .arg(1)
        .arg(migrate)
        .query(con)
        .expect("popped");
    let redis::Value::Array(items) = reply else { panic!("nothing to pop: {reply:?}") };
    let [redis::Value::BulkString(_popped), redis::Value::BulkString(reserved)] = items.as_slice() else {
        panic!("unexpected pop reply")
    };
    let decoded = payload::decode(reserved).expect("a job");
    let data = std::str::from_utf8(&reserved[decoded.data.clone()]).expect("UTF-8");
    let _ = phpgrc_bus::document::Document::parse(data, 128).expect("an envelope");
    let removed: i64 = redis::cmd("ZREM").arg(&keys.reserved).arg(reserved.as_slice()).query(con).expect("acked");
    assert_eq!(removed, 1);
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let (rounds, jobs): (usize, usize) =
        if benching { (3, std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000)) } else { (1, 50) };
    let server = support::RedisServer::start();
    let envelope = envelope();
    let headers = headers();
    let members = Options::default().job_template().members_json();
    let options = || Options { queue: "bench".into(), dedupe_ttl: 0, ..Options::default() };
    let config = |busy_poll_us: u64| {
        let mut config = ConnectionConfig::parse(&server.url()).expect("config");
        config.busy_poll = Duration::from_micros(busy_poll_us);
        config
    };
    let mut ours = Queue::new(&config(100), options()).expect("queue");
    let mut ours_sleeping = Queue::new(&config(0), options()).expect("queue");
    let client = redis::Client::open(server.url()).expect("client");
    let mut theirs = client.get_connection().expect("redis-rs connection");
    let keys = QueueKeys::new("", "bench");
    let dlq = dead_letter_key("", &Options::default().dlq);
    let _: String = redis::cmd("SCRIPT").arg("LOAD").arg(scripts::POP.source).query(&mut theirs).expect("script loaded");

    let names = ["ours (busy_poll 100 µs)", "ours (busy_poll 0)", "redis-rs"];
    let mut push: [Tally; 3] = Default::default();
    let mut pop_ack: [Tally; 3] = Default::default();
    let mut last_migration = 0;
    for round in 0..=rounds {
        // Round 0 warms up (connections, script cache, allocator) and is not counted.
        let n = if round == 0 { 200 } else { jobs };
        let mut scratch: [Tally; 3] = Default::default();
        let tallies = if round == 0 { &mut scratch } else { &mut push };
        measure(&mut tallies[0], n, || {
            ours.push(None, &envelope, &headers).expect("pushed");
        });
        measure(&mut tallies[1], n, || {
            ours_sleeping.push(None, &envelope, &headers).expect("pushed");
        });
        measure(&mut tallies[2], n, || redis_rs_push(&mut theirs, &keys, &members, &envelope, &headers));
        let mut scratch: [Tally; 3] = Default::default();
        let tallies = if round == 0 { &mut scratch } else { &mut pop_ack };
        measure(&mut tallies[0], n, || {
            let job = ours.pop(None, None, support::accept).expect("popped").expect("a job");
            ours.ack(&job).expect("acked");
        });
        measure(&mut tallies[1], n, || {
            let job = ours_sleeping.pop(None, None, support::accept).expect("popped").expect("a job");
            ours_sleeping.ack(&job).expect("acked");
        });
        measure(&mut tallies[2], n, || redis_rs_pop_ack(&mut theirs, &keys, &dlq, &mut last_migration));
    }
    let left: Reply = support::raw(&server).command(&[b"LLEN", keys.ready.as_bytes()]).expect("LLEN");
    assert_eq!(left, Reply::Integer(0), "every pushed job was popped");

    if !benching {
        println!("a smoke run of {jobs} jobs (cargo bench --bench redis_clients measures)");
        return;
    }
    println!("{rounds} rounds of {jobs} jobs per contender, 1.5 KB envelope, redis-server on loopback");
    println!("  {:<36} {:>9} {:>9} {:>11} {:>10}", "push", "median µs", "p99 µs", "CPU µs/op", "ops/s");
    for (tally, name) in push.iter_mut().zip(names) {
        tally.report(name);
    }
    println!("  {:<36} {:>9} {:>9} {:>11} {:>10}", "pop+ack", "median µs", "p99 µs", "CPU µs/op", "ops/s");
    for (tally, name) in pop_ack.iter_mut().zip(names) {
        tally.report(name);
    }
}
