//! Builders, checked against the contract with generated inputs: for every kind, whatever valid
//! inputs a connector gives, the envelope a builder returns passes strict validation.
#![forbid(unsafe_code)]

use std::collections::HashSet;

use phpgrc_bus::contract::{Check, Headers, Kind, Schema, BUS_VERSION};
use phpgrc_bus::contract::headers::of_envelope as headers;
use phpgrc_bus::envelope::{self, with_error, EnvelopeOptions, ErrorAnnotation, Run, DEFAULT_TENANT};
use phpgrc_bus::summary::summarize;
use phpgrc_bus::{timestamp, ulid};
use serde_json::{json, Map, Value};

const ENVELOPES_PER_KIND: usize = 300;

/// A small deterministic generator (SplitMix64), so a failure reproduces from its seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `min..=max`.
    fn between(&mut self, min: usize, max: usize) -> usize {
        min + (self.next() % (max - min + 1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.between(0, items.len() - 1)]
    }

    /// Free text of `min..=max` characters, with multi-byte characters, quotes, escapes and
    /// controls, skewed towards the limits where maxLength bugs hide.
    fn text(&mut self, min: usize, max: usize) -> String {
        const POOL: [char; 20] = [
            'a', 'Z', '0', ' ', '-', '_', '.', '/', ':', '"', '\\', '\n', '\u{1}', 'é', 'ß', '日', '本', '🙂', '€',
            '\u{2028}',
        ];
        let len = match self.between(0, 3) {
            0 => min,
            1 => max,
            _ => self.between(min, max.min(min + 40)),
        };
        (0..len).map(|_| self.pick(&POOL)).collect()
    }

    fn lowercase(&mut self, min: usize, max: usize, pool: &[u8]) -> String {
        let len = self.between(min, max);
        (0..len).map(|_| char::from(self.pick(pool))).collect()
    }

    fn hex(&mut self, len: usize) -> String {
        self.lowercase(len, len, b"0123456789abcdef")
    }

    /// An RFC 3339 UTC timestamp between 1970 and 2100, with or without milliseconds.
    fn timestamp(&mut self) -> String {
        let ms = (self.next() % 4_102_444_800_000) as i64;
        let text = timestamp::format_utc_millis(ms);
        if self.chance(30) {
            format!("{}Z", &text[..19])
        } else {
            text
        }
    }

    fn number(&mut self) -> Value {
        match self.between(0, 3) {
            // Integers of every magnitude inside the checksum's domain, ±(2^53−1): the
            // builders refuse larger ones (no canonical form).
            0 => json!(self.next() as i64 >> self.between(11, 62)),
            1 => json!((self.next() % 1_000_000) as f64 / 1000.0 - 500.0),
            2 => json!(0),
            _ => json!(f64::from_bits(self.next() >> 2 | 0x3ff0_0000_0000_0000) - 1.5),
        }
    }

    /// An object member name that no secret rule flags.
    fn key(&mut self) -> String {
        const KEYS: [&str; 14] = [
            "region",
            "owner",
            "cost_center",
            "zone",
            "tier",
            "label",
            "count",
            "enabled",
            "ratio",
            "größe",
            "名前",
            "a/b",
            "~x",
            "x y",
        ];
        format!("{}{}", self.pick(&KEYS), self.between(0, 99))
    }

    fn scalar(&mut self) -> Value {
        match self.between(0, 3) {
            0 => Value::String(self.text(0, 30)),
            1 => self.number(),
            2 => Value::Bool(self.chance(50)),
            _ => Value::Null,
        }
    }

    /// Any JSON value, a few levels deep.
    fn value(&mut self, depth: usize) -> Value {
        match if depth == 0 { 0 } else { self.between(0, 2) } {
            0 => self.scalar(),
            1 => Value::Array((0..self.between(0, 4)).map(|_| self.value(depth - 1)).collect()),
            _ => self.object(0, 5, |g| g.value(depth - 1)),
        }
    }

    fn object(&mut self, min: usize, max: usize, mut value: impl FnMut(&mut Gen) -> Value) -> Value {
        let mut map = Map::new();
        for _ in 0..self.between(min, max) {
            let key = self.key();
            map.insert(key, value(self));
        }
        Value::Object(map)
    }

    fn optional(&mut self, map: &mut Map<String, Value>, key: &str, value: impl FnOnce(&mut Gen) -> Value) {
        if self.chance(50) {
            let value = value(self);
            map.insert(key.into(), value);
        }
    }

    fn semver(&mut self) -> String {
        let number = |g: &mut Gen| if g.chance(20) { "0".to_string() } else { g.between(1, 2030).to_string() };
        let mut version = format!("{}.{}.{}", number(self), number(self), number(self));
        const LABEL: &[u8] = b"abcXYZ019-.";
        if self.chance(30) {
            version += &format!("-{}", self.lowercase(1, 12, LABEL));
        }
        if self.chance(30) {
            version += &format!("+{}", self.lowercase(1, 12, LABEL));
        }
        version
    }

    fn slug(&mut self) -> String {
        let words: Vec<String> =
            (0..self.between(1, 3)).map(|_| self.lowercase(1, 8, b"abcdefghijklmnopqrstuvwxyz0123456789")).collect();
        words.join("-")
    }

    fn event(&mut self) -> String {
        let mut event = self.lowercase(1, 12, b"abcdefghijklmnopqrstuvwxyz");
        for _ in 0..self.between(0, 3) {
            event += ".";
            event += &self.lowercase(1, 12, b"abcdefghijklmnopqrstuvwxyz_");
        }
        event
    }

    fn run(&mut self) -> Run {
        let tenant = if self.chance(50) { DEFAULT_TENANT.to_string() } else { ulid::generate() };
        let run_id = self.chance(50).then(ulid::generate);
        let bus_version = if self.chance(70) { BUS_VERSION.to_string() } else { self.semver() };
        let (key, version) = (self.slug(), self.semver());
        Run::new(key, version, tenant, run_id, bus_version).unwrap_or_else(|e| panic!("seed {}: {e}", self.0))
    }

    fn payload(&mut self, kind: Kind) -> Value {
        let mut p = Map::new();
        let text = |g: &mut Gen, max: usize| Value::String(g.text(1, max));
        match kind {
            Kind::AssetDiscovery => {
                p.insert("assetId".into(), text(self, 128));
                p.insert("name".into(), text(self, 128));
                p.insert("type".into(), text(self, 128));
                let environment = self.pick(&["production", "staging", "development", "test", "sandbox", "unknown"]);
                p.insert("environment".into(), json!(environment));
                let tags: HashSet<String> = (0..self.between(0, 6)).map(|_| self.text(1, 64)).collect();
                p.insert("tags".into(), json!(tags.into_iter().collect::<Vec<_>>()));
                let attributes = self.object(0, 8, |g| match g.between(0, 1) {
                    0 => g.scalar(),
                    _ => Value::Array((0..g.between(0, 3)).map(|_| g.scalar()).collect()),
                });
                p.insert("attributes".into(), attributes);
                self.optional(&mut p, "relationships", |g| {
                    let relationships =
                        (0..g.between(0, 3)).map(|_| json!({"type": g.text(1, 64), "target": g.text(1, 128)}));
                    Value::Array(relationships.collect())
                });
            }
            Kind::AssetLifecycle => {
                p.insert("assetId".into(), text(self, 128));
                let status = self.pick(&["commissioned", "active", "maintenance", "retired", "decommissioned"]);
                p.insert("status".into(), json!(status));
                p.insert("effectiveAt".into(), json!(self.timestamp()));
                self.optional(&mut p, "reason", |g| json!(g.text(0, 512)));
                self.optional(&mut p, "details", |g| g.object(0, 5, |g| g.value(2)));
            }
            Kind::IncidentEvent => {
                p.insert("incidentId".into(), text(self, 128));
                let status = self.pick(&["NEW", "TRIAGE", "CONTAINED", "ERADICATED", "RECOVERED", "CLOSED"]);
                p.insert("status".into(), json!(status));
                p.insert("severity".into(), json!(self.pick(&["LOW", "MEDIUM", "HIGH", "CRITICAL"])));
                p.insert("summary".into(), text(self, 256));
                self.optional(&mut p, "details", |g| json!(g.text(0, 4000)));
                self.optional(&mut p, "links", |g| {
                    let links = (0..g.between(0, 3)).map(|_| json!({"type": g.text(1, 32), "target": g.text(1, 256)}));
                    Value::Array(links.collect())
                });
            }
            Kind::VendorProfile => {
                p.insert("vendorId".into(), text(self, 128));
                p.insert("name".into(), text(self, 256));
                p.insert("category".into(), text(self, 128));
                let contacts = (0..self.between(0, 3)).map(|i| {
                    let mut contact = Map::new();
                    contact.insert("name".into(), self.text(1, 128).into());
                    let email = format!("{}.{i}+ops@{}.example.com", self.slug(), self.slug());
                    contact.insert("email".into(), email.into());
                    contact.insert("role".into(), self.text(1, 64).into());
                    self.optional(&mut contact, "phone", |g| json!(g.text(0, 32)));
                    Value::Object(contact)
                });
                p.insert("contacts".into(), Value::Array(contacts.collect()));
                let services = (0..self.between(1, 3)).map(|_| {
                    let mut service = Map::new();
                    service.insert("name".into(), self.text(1, 128).into());
                    service.insert("description".into(), self.text(1, 512).into());
                    self.optional(&mut service, "criticality", |g| {
                        json!(g.pick(&["LOW", "MEDIUM", "HIGH", "CRITICAL"]))
                    });
                    Value::Object(service)
                });
                p.insert("services".into(), Value::Array(services.collect()));
                self.optional(&mut p, "attributes", |g| g.object(0, 5, |g| g.value(2)));
                self.optional(&mut p, "riskScore", |g| json!(g.between(0, 10_000) as f64 / 100.0));
            }
            Kind::IndicatorMetric => {
                let key = format!("{}{}", self.lowercase(1, 1, b"abcxyz"), self.lowercase(2, 63, b"az09_.-"));
                p.insert("indicatorKey".into(), json!(key));
                let window = self.pick(&["P1D", "PT5M", "P1Y2M3W4DT5H6M7S", "P30D", "PT1H", "P2W"]);
                p.insert("window".into(), json!(window));
                p.insert("value".into(), self.number());
                p.insert("unit".into(), json!(self.text(0, 32)));
                let context = self.object(0, 6, |g| match g.between(0, 2) {
                    0 => json!(g.text(0, 20)),
                    1 => g.number(),
                    _ => json!(g.chance(50)),
                });
                p.insert("context".into(), context);
                self.optional(&mut p, "threshold", |g| {
                    let mut threshold = Map::new();
                    g.optional(&mut threshold, "direction", |g| json!(g.pick(&["above", "below"])));
                    g.optional(&mut threshold, "value", Gen::number);
                    Value::Object(threshold)
                });
            }
            Kind::CyberMetric => {
                p.insert("sourceType".into(), json!(self.pick(&["vulnerability_scanner", "siem"])));
                p.insert("assetKey".into(), text(self, 128));
                p.insert("observedAt".into(), json!(self.timestamp()));
                let metrics = self.object(0, 8, Gen::number);
                p.insert("metrics".into(), metrics);
                self.optional(&mut p, "residualRisk", |g| json!(g.between(0, 1000) as f64 / 1000.0));
            }
            Kind::AuthProvider => {
                let key = format!("{}{}", self.lowercase(1, 1, b"abcxyz"), self.lowercase(2, 63, b"az09_.-"));
                p.insert("providerKey".into(), json!(key));
                p.insert("status".into(), json!(self.pick(&["healthy", "degraded", "failed"])));
                p.insert("checkedAt".into(), json!(self.timestamp()));
                self.optional(&mut p, "details", |g| g.object(0, 5, |g| g.value(2)));
            }
        }
        Value::Object(p)
    }

    fn provenance(&mut self) -> Map<String, Value> {
        let mut provenance = Map::new();
        provenance.insert("source".into(), self.text(1, 128).into());
        provenance.insert("externalId".into(), self.text(1, 256).into());
        self.optional(&mut provenance, "sourceRegion", |g| json!(g.text(1, 64)));
        self.optional(&mut provenance, "sourceAccount", |g| json!(g.text(1, 64)));
        self.optional(&mut provenance, "correlationId", |g| json!(g.lowercase(16, 36, b"0123456789abcdefABCDEF-")));
        self.optional(&mut provenance, "ingestedAt", |g| json!(g.timestamp()));
        self.optional(&mut provenance, "replay", |g| json!(g.chance(50)));
        provenance
    }

    fn attachment(&mut self) -> Value {
        let mut attachment = Map::new();
        attachment.insert("type".into(), json!(self.pick(&["evidence", "log", "artifact", "report"])));
        let uri = if self.chance(50) {
            format!("https://files.example.com/{}/{}?sig={}", self.slug(), self.between(0, 9999), self.hex(16))
        } else {
            format!("s3://bucket-{}/{}/{}.json", self.slug(), self.slug(), self.between(0, 9999))
        };
        attachment.insert("uri".into(), json!(uri));
        let content_type = self.pick(&["application/pdf", "text/plain", "application/vnd.ms-excel", "image/svg+xml"]);
        attachment.insert("contentType".into(), json!(content_type));
        self.optional(&mut attachment, "size", |g| json!(g.next() >> 20));
        self.optional(&mut attachment, "hash", |g| {
            let len = if g.chance(50) { 64 } else { 128 };
            json!(g.hex(len))
        });
        Value::Object(attachment)
    }

    fn options(&mut self) -> EnvelopeOptions {
        EnvelopeOptions {
            priority: self.chance(60).then(|| self.pick(&["low", "normal", "high"]).to_string()),
            meta: self.chance(50).then(|| self.object(0, 20, |g| g.value(2))),
            attachments: self
                .chance(40)
                .then(|| Value::Array((0..self.between(1, 4)).map(|_| self.attachment()).collect())),
            emitted_at: self.chance(30).then(|| self.timestamp()),
            received_at: self.chance(30).then(|| self.timestamp()),
            id: self.chance(20).then(ulid::generate),
            empties: Vec::new(),
        }
    }

    fn annotation(&mut self) -> ErrorAnnotation {
        let max_attempts = self.between(1, 10) as i64;
        ErrorAnnotation {
            code: self.lowercase(1, 128, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_"),
            message: self.text(1, 700),
            attempt: self.between(1, 10) as i64,
            max_attempts,
            retry_at: self.chance(50).then(|| self.timestamp()),
            trace_id: self.chance(50).then(|| self.lowercase(8, 64, b"abcXYZ019_-")),
            occurred_at: self.chance(50).then(|| self.timestamp()),
        }
    }
}

/// Envelopes built from generated inputs, `ENVELOPES_PER_KIND` of each kind, with the inputs'
/// payload; a builder error fails the test with the seed that produced it.
fn built_envelopes(seed: u64) -> Vec<(Value, Value)> {
    let mut gen = Gen(seed);
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let mut run = gen.run();
        for i in 0..ENVELOPES_PER_KIND {
            if i % 25 == 0 {
                run = gen.run();
            }
            let state = gen.0;
            let payload = gen.payload(kind);
            let (event, provenance, options) = (gen.event(), gen.provenance(), gen.options());
            match run.envelope(kind.as_str(), &event, payload.clone(), provenance, options) {
                Ok(envelope) => out.push((envelope, payload)),
                Err(error) => panic!("{kind} from generator state {state}: {error}"),
            }
        }
    }
    out
}

fn assert_valid(envelope: &Value, check: &Check) {
    let violations = Schema::embedded().violations(envelope, check);
    assert!(violations.is_empty(), "{envelope:#}\n{violations:#?}");
}

#[test]
fn every_builder_output_validates_for_all_seven_kinds() {
    let envelopes = built_envelopes(0x5eed_0001);
    assert_eq!(envelopes.len(), 7 * ENVELOPES_PER_KIND);
    for (envelope, payload) in &envelopes {
        assert_valid(envelope, &Check { headers: None, strict: true });
        assert_eq!(&envelope["payload"], payload, "the builder must not alter the payload");
    }
    let kinds: HashSet<&str> = envelopes.iter().filter_map(|(e, _)| e["kind"].as_str()).collect();
    assert_eq!(kinds.len(), 7);
}

#[test]
fn headers_of_every_built_envelope_pass_the_header_rules() {
    for (envelope, _) in built_envelopes(0x5eed_0002) {
        let headers = Headers::from_pairs(headers(&envelope));
        assert_valid(&envelope, &Check { headers: Some(&headers), strict: true });
    }
}

#[test]
fn every_annotated_envelope_still_validates_and_clears() {
    let mut gen = Gen(0x5eed_0003);
    for (mut envelope, _) in built_envelopes(0x5eed_0004) {
        let annotation = gen.annotation();
        if let Err(error) = with_error(&mut envelope, annotation) {
            panic!("{error}");
        }
        assert_valid(&envelope, &Check { headers: None, strict: true });
        assert_eq!(summarize(&envelope, None)["status"], "errored");
        envelope::clear_error(&mut envelope);
        assert_eq!(envelope["error"], Value::Null);
        assert_eq!(summarize(&envelope, None)["status"], "processed");
    }
}

#[test]
fn summary_of_every_built_envelope_names_its_first_payload_keys() {
    for (envelope, payload) in built_envelopes(0x5eed_0005) {
        let summary = summarize(&envelope, None);
        let keys: Vec<Value> =
            payload.as_object().into_iter().flat_map(|p| p.keys()).take(15).map(|k| json!(k)).collect();
        assert_eq!(summary["payload_keys"], Value::Array(keys));
        assert_eq!(summary["envelope_id"], envelope["id"]);
        assert_eq!(summary["run_id"], envelope["runId"]);
    }
}

#[test]
fn one_run_stamps_its_identity_on_every_envelope() {
    let mut gen = Gen(0x5eed_0006);
    let run = gen.run();
    let mut ids = HashSet::new();
    for kind in Kind::ALL {
        for _ in 0..20 {
            let payload = gen.payload(kind);
            let envelope =
                run.envelope(kind.as_str(), "sync.done", payload, gen.provenance(), EnvelopeOptions::default());
            let envelope = envelope.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(envelope["runId"], run.run_id());
            assert_eq!(envelope["connectorKey"], run.connector_key());
            assert_eq!(envelope["connectorVersion"], run.connector_version());
            assert_eq!(envelope["tenantId"], run.tenant_id());
            assert_eq!(envelope["busVersion"], run.bus_version());
            assert!(ids.insert(envelope["id"].as_str().map(str::to_string)), "ids are unique");
        }
    }
}
