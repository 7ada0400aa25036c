//! Criterion benches of the pure core, one group per operation a worker or connector runs per
//! envelope. Inputs are the contract fixtures (`php-tests/fixtures/envelopes/<kind>/valid.json`,
//! the first `invalid-*.json` of each kind, and `large.json`), as compact JSON — what a queue
//! carries — so the byte benches and the PHP benchmark see the same sizes.
//!
//! `cargo bench --bench core` (about 4.5 min); `cargo bench --bench core -- --quick` (about 1 min);
//! a filter narrows it: `cargo bench --bench core -- validate_bytes`.
//!
//! The queue protocol (`phpgrc_bus::queue`) has no payload encoder yet; add its group here when
//! it has one.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use phpgrc_bus::canonical::{canonical_json, checksum};
use phpgrc_bus::document::Document;
use phpgrc_bus::contract::{headers, Check, Headers, Kind, Schema, BUS_VERSION};
use phpgrc_bus::envelope::{EnvelopeOptions, Run, DEFAULT_TENANT};
use phpgrc_bus::summary::{summarize, summarize_json};
use phpgrc_bus::ulid;
use serde_json::{Map, Value};

/// The depth limit the extension applies by default (ini `phpgrc_bus.max_depth`).
const MAX_DEPTH: usize = 128;

/// A fixture as the benches use it: parsed, and as the compact bytes a queue job would carry.
struct Fixture {
    name: String,
    value: Value,
    bytes: Vec<u8>,
    headers: Option<Headers>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("php-tests/fixtures/envelopes")
}

fn load(name: impl Into<String>, path: &Path, headers: Option<&Path>) -> Fixture {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = serde_json::to_vec(&value).expect("a parsed value serializes");
    let headers = headers.filter(|h| h.exists()).map(|h| {
        let json: Value = serde_json::from_slice(&std::fs::read(h).expect("headers fixture")).expect("headers JSON");
        Headers::from_json(&json).expect("headers fixture is an object")
    });
    Fixture { name: name.into(), value, bytes, headers }
}

/// The valid envelope of each kind, then the large one (~16 KB, 200 attributes).
fn valid() -> Vec<Fixture> {
    let dir = fixtures_dir();
    let mut out: Vec<Fixture> = Kind::ALL
        .iter()
        .map(|k| {
            let kind_dir = dir.join(k.as_str());
            load(k.as_str(), &kind_dir.join("valid.json"), Some(&kind_dir.join("headers.json")))
        })
        .collect();
    let large = dir.join("large.json");
    if large.exists() {
        out.push(load("large", &large, None));
    }
    out
}

/// The first `invalid-*.json` of each kind (by name), so runs compare like with like.
fn invalid() -> Vec<Fixture> {
    let dir = fixtures_dir();
    Kind::ALL
        .iter()
        .filter_map(|k| {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(k.as_str()))
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("invalid-")))
                .collect();
            files.sort();
            let first = files.first()?;
            let stem = first.file_stem()?.to_str()?.to_string();
            Some(load(format!("{}/{stem}", k.as_str()), first, None))
        })
        .collect()
}

fn text(fixture: &Fixture) -> &str {
    std::str::from_utf8(&fixture.bytes).expect("serde_json writes UTF-8")
}

/// Validating an already parsed `serde_json::Value`: the verdict, and every violation.
fn validate_value(c: &mut Criterion) {
    let schema = Schema::embedded();
    let check = Check::default();
    let mut group = c.benchmark_group("validate_value");
    for f in valid() {
        assert!(schema.is_valid(&f.value, &check), "{} must be valid", f.name);
        group.throughput(Throughput::Bytes(f.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("is_valid", &f.name), &f.value, |b, v| {
            b.iter(|| schema.is_valid(black_box(v), &check))
        });
        group.bench_with_input(BenchmarkId::new("violations", &f.name), &f.value, |b, v| {
            b.iter(|| schema.violations(black_box(v), &check))
        });
    }
    for f in invalid() {
        assert!(!schema.violations(&f.value, &check).is_empty(), "{} must be invalid", f.name);
        group.throughput(Throughput::Bytes(f.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("violations_invalid", &f.name), &f.value, |b, v| {
            b.iter(|| schema.violations(black_box(v), &check))
        });
    }
    group.finish();
}

/// Validating JSON bytes: serde_json into a `Value` then the verdict, against the borrowed tape
/// (`valid_json_fast`, what `validate(string)` runs); and the two parsers alone.
fn validate_bytes(c: &mut Criterion) {
    let schema = Schema::embedded();
    let check = Check::default();
    let mut group = c.benchmark_group("validate_bytes");
    for f in valid() {
        let text = text(&f);
        assert_eq!(schema.valid_json_fast(text, &check, MAX_DEPTH), Some(true), "{} must be valid", f.name);
        group.throughput(Throughput::Bytes(f.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("serde_json+is_valid", &f.name), &f.bytes, |b, bytes| {
            b.iter(|| {
                let v: Value = serde_json::from_slice(black_box(bytes)).expect("fixture is JSON");
                schema.is_valid(&v, &check)
            })
        });
        group.bench_with_input(BenchmarkId::new("tape+is_valid", &f.name), text, |b, text| {
            b.iter(|| schema.valid_json_fast(black_box(text), &check, MAX_DEPTH))
        });
        group.bench_with_input(BenchmarkId::new("serde_json_parse", &f.name), &f.bytes, |b, bytes| {
            b.iter(|| serde_json::from_slice::<Value>(black_box(bytes)).expect("fixture is JSON"))
        });
        group.bench_with_input(BenchmarkId::new("tape_parse", &f.name), text, |b, text| {
            b.iter(|| Document::parse(black_box(text), MAX_DEPTH))
        });
    }
    group.finish();
}

/// Header alignment (rule 2) alone, and the headers a producer derives from a body.
fn headers(c: &mut Criterion) {
    let schema = Schema::embedded();
    let mut group = c.benchmark_group("headers");
    for f in valid() {
        let Some(headers) = f.headers.as_ref() else { continue };
        let check = Check { headers: Some(headers), strict: false };
        assert!(schema.contract_violations(&f.value, &check).is_empty(), "{} headers must align", f.name);
        group.bench_with_input(BenchmarkId::new("align", &f.name), &f.value, |b, v| {
            b.iter(|| schema.contract_violations(black_box(v), &check))
        });
        group.bench_with_input(BenchmarkId::new("derive", &f.name), &f.value, |b, v| {
            b.iter(|| headers::of_envelope(black_box(v)))
        });
    }
    group.finish();
}

/// The log-line context, from a parsed value and from bytes.
fn summary(c: &mut Criterion) {
    let received_at = Some("2026-03-14T09:26:54.000Z");
    let mut group = c.benchmark_group("summary");
    for f in valid() {
        group.throughput(Throughput::Bytes(f.bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("value", &f.name), &f.value, |b, v| {
            b.iter(|| summarize(black_box(v), received_at))
        });
        group.bench_with_input(BenchmarkId::new("bytes", &f.name), &f.bytes, |b, bytes| {
            b.iter(|| summarize_json(black_box(bytes), received_at).expect("fixture is JSON"))
        });
    }
    group.finish();
}

/// `Run::envelope` from each fixture's payload and caller-given provenance: ids, timestamps,
/// schemaRef, checksum and the strict check included.
fn envelope_build(c: &mut Criterion) {
    let run = Run::new("aws-config", "2.3.1", DEFAULT_TENANT, None, BUS_VERSION).expect("a valid run");
    let mut group = c.benchmark_group("envelope_build");
    for f in valid() {
        let kind = f.value["kind"].as_str().expect("fixture kind").to_string();
        let event = f.value["event"].as_str().expect("fixture event").to_string();
        let payload = f.value["payload"].clone();
        // What a connector gives; the builder derives schemaRef and checksum itself.
        let mut provenance: Map<String, Value> = f.value["provenance"].as_object().expect("fixture provenance").clone();
        provenance.remove("schemaRef");
        provenance.remove("checksum");
        let options = || EnvelopeOptions {
            meta: f.value.get("meta").cloned(),
            attachments: f.value.get("attachments").cloned(),
            ..EnvelopeOptions::default()
        };
        run.envelope(&kind, &event, payload.clone(), provenance.clone(), options())
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        group.throughput(Throughput::Bytes(f.bytes.len() as u64));
        group.bench_function(BenchmarkId::new("run_envelope", &f.name), |b| {
            b.iter_batched(
                || (payload.clone(), provenance.clone(), options()),
                |(payload, provenance, options)| run.envelope(&kind, &event, payload, provenance, options),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn ids(c: &mut Criterion) {
    c.bench_function("ulid/generate", |b| b.iter(ulid::generate));
}

/// RFC 8785 canonical JSON and the SHA-256 checksum of each payload (what the builder stamps
/// and strict validation recomputes).
fn canonical(c: &mut Criterion) {
    let mut group = c.benchmark_group("canonical");
    for f in valid() {
        let payload = &f.value["payload"];
        group.throughput(Throughput::Bytes(canonical_json(payload).map_or(0, |c| c.len()) as u64));
        group.bench_with_input(BenchmarkId::new("canonical_json", &f.name), payload, |b, p| {
            b.iter(|| canonical_json(black_box(p)))
        });
        group.bench_with_input(BenchmarkId::new("checksum", &f.name), payload, |b, p| b.iter(|| checksum(black_box(p))));
    }
    group.finish();
}

/// The Laravel job payload around each envelope (push), and reading one back (pop).
fn queue_payload(c: &mut Criterion) {
    use phpgrc_bus::queue::{payload, Options};
    let members = Options::default().job_template().members_json();
    let mut group = c.benchmark_group("queue_payload");
    for f in valid() {
        let json = serde_json::to_vec(&f.value).expect("fixture serialises");
        let headers = phpgrc_bus::contract::headers::of_envelope(&f.value);
        let encoded = payload::encode(&members, "01JABCDEFGHJKMNPQRSTVWXYZ0", &json, &headers).expect("encodes");
        group.throughput(Throughput::Bytes(encoded.len() as u64));
        group.bench_with_input(BenchmarkId::new("encode", &f.name), &json, |b, j| {
            b.iter(|| payload::encode(&members, "01JABCDEFGHJKMNPQRSTVWXYZ0", black_box(j), &headers))
        });
        group.bench_with_input(BenchmarkId::new("decode", &f.name), &encoded, |b, e| b.iter(|| payload::decode(black_box(e))));
    }
    group.finish();
}

/// Short windows: ~110 benches of micro- to milliseconds, so the default run stays near 4.5 min;
/// `--warm-up-time` / `--measurement-time` on the command line still override.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_millis(1500))
}

criterion_group! {
    name = benches;
    config = config();
    targets = validate_value, validate_bytes, headers, summary, envelope_build, ids, canonical, queue_payload
}
criterion_main!(benches);
