//! The named packages beside the hand-written code they could replace (README "Dependencies"):
//! - `ulid`: our id generation and parsing;
//! - `simd_json`: the borrowed tape behind `validate(string)` and the pop path's payload read,
//!   on 1 KB, 10 KB and 100 KB envelopes.
//!
//! `cargo bench --bench dependencies` (about 2 min); a filter narrows it:
//! `cargo bench --bench dependencies -- json_parse`. redis-rs beside our queue client is a
//! separate timed harness against a real server: `cargo bench --bench redis_clients`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use phpgrc_bus::document::Document;
use phpgrc_bus::contract::{Check, Schema};
use phpgrc_bus::queue::{payload, Options};
use phpgrc_bus::ulid as bus;
use serde_json::Value;

/// The depth limit the extension applies by default (ini `phpgrc_bus.max_depth`).
const MAX_DEPTH: usize = 128;

/// Valid asset.discovery envelopes of about 1 KB, 10 KB and 100 KB, as compact JSON: the
/// kind's fixture, `large.json`, and `large.json` with its attributes repeated to 100 KB.
fn envelopes() -> Vec<(&'static str, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("php-tests/fixtures/envelopes");
    let read = |path: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture is JSON")
    };
    let small = read(&dir.join("asset.discovery/valid.json"));
    let large = read(&dir.join("large.json"));
    let mut huge = large.clone();
    let attributes = huge["payload"]["attributes"].as_object_mut().expect("large.json has attributes");
    let originals: Vec<Value> = attributes.values().cloned().collect();
    let mut n = attributes.len();
    while serde_json::to_vec(&huge).expect("serialises").len() < 100 * 1024 {
        let attributes = huge["payload"]["attributes"].as_object_mut().expect("attributes");
        for value in &originals {
            attributes.insert(format!("attr{n:05}"), value.clone());
            n += 1;
        }
    }
    [("1KB", small), ("10KB", large), ("100KB", huge)]
        .into_iter()
        .map(|(name, value)| (name, serde_json::to_vec(&value).expect("serialises")))
        .collect()
}

/// Our generator (fork-aware monotonic state, then the text) and reader, and the crate's
/// text conversions alone.
fn ids(c: &mut Criterion) {
    let mut group = c.benchmark_group("ulid");
    let sample = bus::generate();
    group.bench_function("ours/generate", |b| b.iter(bus::generate));
    group.bench_function("ours/is_ulid", |b| b.iter(|| bus::is_ulid(black_box(&sample))));
    group.bench_function("ours/timestamp_ms", |b| b.iter(|| bus::timestamp_ms(black_box(&sample))));
    let parsed = ::ulid::Ulid::from_string(&sample).expect("a ULID");
    group.bench_function("crate/to_string", |b| b.iter(|| black_box(parsed).to_string()));
    group.bench_function("crate/from_string", |b| b.iter(|| ::ulid::Ulid::from_string(black_box(&sample))));
    group.finish();
}

/// Parsing alone, then parsing and deciding validity (`validate(string)`). simd-json parses in
/// place, so each of its iterations copies the input first, as a caller holding PHP's string
/// (or Redis' reply) must.
fn json_parse(c: &mut Criterion) {
    let schema = Schema::embedded();
    let check = Check::default();
    let mut group = c.benchmark_group("json_parse");
    for (name, bytes) in envelopes() {
        let text = std::str::from_utf8(&bytes).expect("UTF-8");
        assert_eq!(schema.valid_json_fast(text, &check, MAX_DEPTH), Some(true), "{name} must be valid");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("tape", name), text, |b, t| b.iter(|| Document::parse(black_box(t), MAX_DEPTH)));
        group.bench_with_input(BenchmarkId::new("simd_json_tape", name), &bytes, |b, bytes| {
            b.iter(|| {
                let mut copy = bytes.clone();
                let parsed = simd_json::to_tape(black_box(&mut copy)).map(|tape| tape.0.len()).ok();
                parsed
            })
        });
        group.bench_with_input(BenchmarkId::new("simd_json_borrowed", name), &bytes, |b, bytes| {
            b.iter(|| {
                let mut copy = bytes.clone();
                let parsed = simd_json::to_borrowed_value(black_box(&mut copy)).is_ok();
                parsed
            })
        });
        group.bench_with_input(BenchmarkId::new("serde_json_value", name), &bytes, |b, bytes| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(bytes)).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("tape+is_valid", name), text, |b, t| {
            b.iter(|| schema.valid_json_fast(black_box(t), &check, MAX_DEPTH))
        });
        group.bench_with_input(BenchmarkId::new("simd_json_serde+is_valid", name), &bytes, |b, bytes| {
            b.iter(|| {
                let mut copy = bytes.clone();
                let value: Value = simd_json::serde::from_slice(black_box(&mut copy)).expect("JSON");
                schema.is_valid(&value, &check)
            })
        });
    }
    group.finish();
}

/// What pop reads from a job: the payload's members (id, attempts, data, headers as byte
/// ranges) and the envelope as a tape for the header check and the replay identity; against
/// simd-json parsing the whole job into a tree.
fn pop_read(c: &mut Criterion) {
    let members = Options::default().job_template().members_json();
    let headers = [("x-phpgrc-kind", "asset.discovery")];
    let mut group = c.benchmark_group("pop_read");
    for (name, envelope) in envelopes() {
        let job = payload::encode(&members, "01JABCDEFGHJKMNPQRSTVWXYZ0", &envelope, &headers).expect("encodes");
        group.throughput(Throughput::Bytes(job.len() as u64));
        group.bench_with_input(BenchmarkId::new("ours", name), &job, |b, job| {
            b.iter(|| {
                let decoded = payload::decode(black_box(job)).expect("a job");
                let data = std::str::from_utf8(&job[decoded.data.clone()]).expect("UTF-8");
                Document::parse(data, MAX_DEPTH + 1).is_ok()
            })
        });
        group.bench_with_input(BenchmarkId::new("simd_json_borrowed", name), &job, |b, job| {
            b.iter(|| {
                use simd_json::prelude::*;
                let mut copy = job.clone();
                let value = simd_json::to_borrowed_value(black_box(&mut copy)).expect("a job");
                let read = value.get("id").and_then(|v| v.as_str()).is_some() && value.get("data").is_some_and(|d| d.is_object());
                read
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = ids, json_parse, pop_read
}
criterion_main!(benches);
