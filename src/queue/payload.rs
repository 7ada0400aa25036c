//! The job payload Laravel's RedisQueue stores, with the envelope as `data` and its
//! `x-phpgrc-*` headers beside it (so routing never parses `data`).
//!
//! Laravel's `Job::fire()` splits `job` at `@`, resolves the class from the container and
//! calls the method with the job and the decoded `data`; `attempts` counts earlier attempts
//! (the copy in `:reserved` has it raised by one). The envelope's bytes are spliced in and out
//! unchanged; only its `error` member is ever rewritten.
#![forbid(unsafe_code)]

use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::error::QueueError;
use super::raw_json::{self, Edits, Member};
use crate::json_string::{decode_string, json_string, push_json_string};

/// The handler of our Laravel glue that receives envelope jobs (`Class@method`).
pub const DEFAULT_JOB: &str = "PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle";
/// Longest `error.message` the contract allows, in characters.
pub const MAX_ERROR_MESSAGE: usize = 512;
/// Longest `error.code` the schema allows, in characters.
pub const MAX_ERROR_CODE: usize = 128;

/// The payload members other than the envelope, headers, id and attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobTemplate {
    /// `job`: the handler Laravel calls.
    pub job: String,
    /// `maxTries`: a stock worker fails the job after this many attempts.
    pub max_tries: Option<u32>,
    pub max_exceptions: Option<u32>,
    pub fail_on_timeout: bool,
    /// `backoff`: seconds a stock worker waits before each retry, comma-separated.
    pub backoff: Option<String>,
    pub timeout: Option<u64>,
    pub retry_until: Option<i64>,
}

impl Default for JobTemplate {
    fn default() -> Self {
        JobTemplate {
            job: DEFAULT_JOB.to_owned(),
            max_tries: None,
            max_exceptions: None,
            fail_on_timeout: false,
            backoff: None,
            timeout: None,
            retry_until: None,
        }
    }
}

/// A new job id: a random UUID (version 4), used as both Laravel's `uuid` and `id`.
pub fn new_job_id() -> Result<String, QueueError> {
    let mut b = [0u8; 16];
    random_bytes(&mut b)?;
    Ok(uuid_v4(b))
}

/// `count` new job ids, drawn from the randomness pool in one go (a batch checks for a fork
/// once, not once per job).
pub fn new_job_ids(count: usize) -> Result<Vec<String>, QueueError> {
    let mut bytes = vec![0u8; count * 16];
    random_bytes(&mut bytes)?;
    Ok(bytes
        .chunks_exact(16)
        .map(|c| uuid_v4(c.try_into().unwrap_or([0; 16])))
        .collect())
}

fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(HEX[(x >> 4) as usize] as char);
        id.push(HEX[(x & 15) as usize] as char);
    }
    id
}

/// Random bytes from the OS, drawn 4 KiB at a time: one syscall per 256 job ids instead of
/// one each. The pool is per thread and refilled after fork (a child must not repeat its
/// parent's ids).
fn random_bytes(out: &mut [u8]) -> Result<(), QueueError> {
    use std::cell::RefCell;
    struct Pool {
        bytes: [u8; 4096],
        used: usize,
        pid: u32,
    }
    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; 4096], used: 4096, pid: 0 }) };
    }
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let pid = std::process::id();
        if pool.pid != pid {
            pool.used = pool.bytes.len();
            pool.pid = pid;
        }
        let mut filled = 0;
        while filled < out.len() {
            if pool.used == pool.bytes.len() {
                getrandom::fill(&mut pool.bytes)
                    .map_err(|e| QueueError::payload(format!("no randomness for a job id: {e}")))?;
                pool.used = 0;
            }
            let start = pool.used;
            let take = (out.len() - filled).min(pool.bytes.len() - start);
            out[filled..filled + take].copy_from_slice(&pool.bytes[start..start + take]);
            // Never hand out the same bytes twice.
            pool.bytes[start..start + take].fill(0);
            pool.used += take;
            filled += take;
        }
        Ok(())
    })
}

/// The payload bytes for a new job. `members` is its template's `members_json()`;
/// `envelope_json` must be one JSON object, copied as is. `attempts` comes last, as in
/// Laravel's own payloads, so the pop script can raise it in place.
pub fn encode<K: AsRef<str>, V: AsRef<str>>(
    members: &[u8],
    id: &str,
    envelope_json: &[u8],
    headers: &[(K, V)],
) -> Result<Vec<u8>, QueueError> {
    raw_json::object_members(envelope_json)
        .map_err(|e| QueueError::payload(format!("the envelope is not a JSON object: {e}")))?;
    Ok(encode_validated(members, id, unix_seconds(), envelope_json, headers))
}

/// Seconds since the Unix epoch: a new job's `createdAt`, as Laravel 12+ writes it (its
/// `queue:monitor` reports the oldest pending job's age from it).
pub fn unix_seconds() -> i64 {
    unix_millis() / 1000
}

impl JobTemplate {
    /// The payload members this template fixes, as the JSON text that follows `uuid`
    /// (`,"displayName":…,"retryUntil":…`): a queue writes it once, not once per job.
    pub fn members_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let number = |out: &mut Vec<u8>, v: Option<i128>| match v {
            Some(v) => out.extend_from_slice(v.to_string().as_bytes()),
            None => out.extend_from_slice(b"null"),
        };
        out.extend_from_slice(b",\"displayName\":");
        push_json_string(&mut out, self.job.split('@').next().unwrap_or_default().as_bytes());
        out.extend_from_slice(b",\"job\":");
        push_json_string(&mut out, self.job.as_bytes());
        out.extend_from_slice(b",\"maxTries\":");
        number(&mut out, self.max_tries.map(i128::from));
        out.extend_from_slice(b",\"maxExceptions\":");
        number(&mut out, self.max_exceptions.map(i128::from));
        out.extend_from_slice(if self.fail_on_timeout { b",\"failOnTimeout\":true" } else { b",\"failOnTimeout\":false" });
        out.extend_from_slice(b",\"backoff\":");
        match self.backoff.as_deref() {
            Some(backoff) => push_json_string(&mut out, backoff.as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"timeout\":");
        number(&mut out, self.timeout.map(i128::from));
        out.extend_from_slice(b",\"retryUntil\":");
        number(&mut out, self.retry_until.map(i128::from));
        out
    }
}

/// `encode` for envelope text the caller has just validated as one JSON object (the binding
/// does, with the contract schema): the strict re-scan is skipped.
pub fn encode_validated<K: AsRef<str>, V: AsRef<str>>(
    members: &[u8],
    id: &str,
    created_at: i64,
    envelope_json: &[u8],
    headers: &[(K, V)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(envelope_json.len() + members.len() + 144 + headers.len() * 48);
    write_with(&mut out, members, id, &created_at.to_string(), |out| {
        out.extend_from_slice(envelope_json);
        Some(headers.iter().map(|(name, value)| (name, value)))
    });
    out
}

/// A job's payload appended to `out`, its envelope written in place by `envelope`, which
/// returns the job's headers (a batch writes each envelope straight into its request, with
/// no copy). The envelope must be one validated JSON object. `false` when `envelope` gives
/// up, leaving part of a payload in `out` for the caller to drop. `created_at`: Unix seconds
/// as decimal digits (a batch formats them once).
pub fn write_with<H, K, V>(
    out: &mut Vec<u8>,
    members: &[u8],
    id: &str,
    created_at: &str,
    envelope: impl FnOnce(&mut Vec<u8>) -> Option<H>,
) -> bool
where
    H: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    out.extend_from_slice(b"{\"uuid\":");
    push_json_string(out, id.as_bytes());
    out.extend_from_slice(members);
    out.extend_from_slice(b",\"data\":");
    let Some(headers) = envelope(out) else { return false };
    out.extend_from_slice(b",\"createdAt\":");
    out.extend_from_slice(created_at.as_bytes());
    out.extend_from_slice(b",\"headers\":{");
    for (i, (name, value)) in headers.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_string(out, name.as_ref().as_bytes());
        out.push(b':');
        push_json_string(out, value.as_ref().as_bytes());
    }
    out.extend_from_slice(b"},\"id\":");
    push_json_string(out, id.as_bytes());
    out.extend_from_slice(b",\"attempts\":0}");
    true
}

/// What the queue reads from a payload; ranges point into the bytes it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPayload {
    pub id: String,
    pub attempts: u64,
    /// The envelope (`data`), always a JSON object.
    pub data: Range<usize>,
    /// `headers`, when it is a JSON object.
    pub headers: Option<Range<usize>>,
    /// `queue`: the queue a dead letter came from (absent on live jobs).
    pub queue: Option<String>,
    pub members: Vec<Member>,
}

/// Reads a payload. Any bytes may come in (Redis holds what anyone pushed); anything that is
/// not a JSON object with a string `id`, a non-negative integer `attempts` and an object
/// `data` is an error.
pub fn decode(bytes: &[u8]) -> Result<JobPayload, QueueError> {
    let members = raw_json::object_members(bytes)
        .map_err(|e| QueueError::payload(format!("job payload is not a JSON object: {e}")))?;
    let last = |key: &str| {
        members
            .iter()
            .rev()
            .find(|m| m.key == key)
            .map(|m| m.value.clone())
    };
    // Ranges, not slices: they are kept to splice the payload later.
    let id = last("id")
        .and_then(|r| decode_string(&bytes[r]))
        .ok_or_else(|| QueueError::payload("job payload has no string id"))?;
    let attempts = last("attempts")
        .and_then(|r| {
            std::str::from_utf8(&bytes[r])
                .ok()
                .and_then(|t| t.parse::<u64>().ok())
        })
        .ok_or_else(|| QueueError::payload("job payload has no attempts count"))?;
    let data = last("data")
        .filter(|r| bytes.get(r.start) == Some(&b'{'))
        .ok_or_else(|| QueueError::payload("job payload data is not an envelope object"))?;
    let headers = last("headers").filter(|r| bytes.get(r.start) == Some(&b'{'));
    let queue = last("queue").and_then(|r| decode_string(&bytes[r]));
    Ok(JobPayload {
        id,
        attempts,
        data,
        headers,
        queue,
        members,
    })
}

/// The contract's error object (CONTRACT.md, "Error contract").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnnotation {
    pub code: String,
    pub message: String,
    /// RFC 3339, UTC.
    pub occurred_at: String,
    /// From 1.
    pub attempt: u64,
    pub max_attempts: u64,
    pub retry_at: Option<String>,
    pub trace_id: Option<String>,
}

impl ErrorAnnotation {
    /// An annotation occurring now; code and message are cut to the schema's limits and never
    /// left empty.
    pub fn now(code: &str, message: &str, attempt: u64, max_attempts: u64) -> ErrorAnnotation {
        let cut = |text: &str, max: usize, empty: &str| {
            let text: String = text.chars().take(max).collect();
            if text.is_empty() {
                empty.to_owned()
            } else {
                text
            }
        };
        ErrorAnnotation {
            code: cut(code, MAX_ERROR_CODE, "UNKNOWN"),
            message: cut(message, MAX_ERROR_MESSAGE, "(no message)"),
            occurred_at: utc_timestamp(unix_millis()),
            attempt: attempt.max(1),
            max_attempts: max_attempts.max(1),
            retry_at: None,
            trace_id: None,
        }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), self.code.clone().into());
        m.insert("message".into(), self.message.clone().into());
        m.insert("occurredAt".into(), self.occurred_at.clone().into());
        m.insert("attempt".into(), self.attempt.into());
        m.insert("maxAttempts".into(), self.max_attempts.into());
        if let Some(at) = &self.retry_at {
            m.insert("retryAt".into(), at.clone().into());
        }
        if let Some(id) = &self.trace_id {
            m.insert("traceId".into(), id.clone().into());
        }
        Value::Object(m)
    }
}

/// The envelope JSON with `error` set to the annotation (replaced in place, or added last).
/// JSON-level twin of the envelope module's Value-based `with_error`, so the queue never
/// re-serialises an envelope.
pub fn with_error(envelope_json: &[u8], error: &ErrorAnnotation) -> Result<Vec<u8>, QueueError> {
    let members = raw_json::object_members(envelope_json)
        .map_err(|e| QueueError::payload(format!("the envelope is not a JSON object: {e}")))?;
    let value = error.to_value().to_string();
    Ok(raw_json::rewrite(
        envelope_json,
        &members,
        &Edits {
            replace: vec![("error", value.as_bytes())],
            ..Edits::default()
        },
    ))
}

/// `payload` (decoded as `decoded`) with its envelope's `error` annotated.
pub fn with_envelope_error(
    payload: &[u8],
    decoded: &JobPayload,
    error: &ErrorAnnotation,
) -> Result<Vec<u8>, QueueError> {
    let data = with_error(&payload[decoded.data.clone()], error)?;
    Ok(raw_json::rewrite(
        payload,
        &decoded.members,
        &Edits {
            replace: vec![("data", &data)],
            ..Edits::default()
        },
    ))
}

/// The dead-letter entry for `payload`: the payload, plus `queue` (where a retry sends it).
pub fn dead_letter_entry(payload: &[u8], members: &[Member], queue: &str) -> Vec<u8> {
    let queue = json_string(queue);
    raw_json::rewrite(
        payload,
        members,
        &Edits {
            append: vec![("queue", queue.as_bytes())],
            ..Edits::default()
        },
    )
}

/// A dead letter made a fresh job again: `queue` dropped, `attempts` reset to 0 and last.
pub fn retried_entry(entry: &[u8], decoded: &JobPayload) -> Vec<u8> {
    raw_json::rewrite(
        entry,
        &decoded.members,
        &Edits {
            remove: vec!["queue"],
            append: vec![("attempts", b"0")],
            ..Edits::default()
        },
    )
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-26T20:34:37.123Z`. Clamped to years
/// 1970..=9999.
pub fn utc_timestamp(unix_millis: i64) -> String {
    const MAX: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let ms = unix_millis.clamp(0, MAX);
    let (secs, millis) = (ms / 1000, ms % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's method,
/// restated): shift to eras of 400 years starting on March 1st.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"id":"01J0000000000000000000000A","kind":"asset.discovery","payload":{"big":12345678901234567890,"url":"a/b"},"error":null}"#;

    fn headers() -> Vec<(String, String)> {
        vec![
            ("x-phpgrc-kind".into(), "asset.discovery".into()),
            ("x-phpgrc-run-id".into(), "01J…".into()),
        ]
    }

    fn template() -> JobTemplate {
        JobTemplate {
            max_tries: Some(5),
            backoff: Some("120,240,480,960".into()),
            ..JobTemplate::default()
        }
    }

    #[test]
    fn a_payload_has_laravels_keys_in_order_with_attempts_last() {
        let before = unix_seconds();
        let bytes = encode(&template().members_json(), "id-1", ENVELOPE.as_bytes(), &headers()).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "uuid",
                "displayName",
                "job",
                "maxTries",
                "maxExceptions",
                "failOnTimeout",
                "backoff",
                "timeout",
                "retryUntil",
                "data",
                "createdAt",
                "headers",
                "id",
                "attempts"
            ]
        );
        let created = v["createdAt"].as_i64().expect("createdAt is an integer");
        assert!((before..=unix_seconds()).contains(&created), "createdAt is the push's Unix second");
        assert_eq!(v["job"], "PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle");
        assert_eq!(v["displayName"], "PhpGrc\\Bus\\Laravel\\EnvelopeJob");
        assert_eq!(v["uuid"], v["id"]);
        assert_eq!(v["maxTries"], 5);
        assert_eq!(v["backoff"], "120,240,480,960");
        assert_eq!(v["failOnTimeout"], false);
        assert_eq!(v["attempts"], 0);
        assert_eq!(v["headers"]["x-phpgrc-run-id"], "01J…");
        assert!(
            bytes.ends_with(b",\"attempts\":0}"),
            "the pop script's fast path needs this"
        );
    }

    #[test]
    fn the_envelope_bytes_are_spliced_in_and_out_unchanged() {
        let bytes = encode(&template().members_json(), "id-1", ENVELOPE.as_bytes(), &headers()).unwrap();
        let decoded = decode(&bytes).unwrap();
        assert_eq!(&bytes[decoded.data.clone()], ENVELOPE.as_bytes());
        assert_eq!(decoded.id, "id-1");
        assert_eq!(decoded.attempts, 0);
        let h: Value = serde_json::from_slice(&bytes[decoded.headers.clone().unwrap()]).unwrap();
        assert_eq!(h["x-phpgrc-kind"], "asset.discovery");
    }

    #[test]
    fn a_non_object_envelope_is_refused() {
        for bad in ["[]", "", "{", "{\"a\":1} {}", "null"] {
            assert!(
                encode(&template().members_json(), "x", bad.as_bytes(), &[] as &[(&str, &str)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn decoding_never_panics_and_names_what_is_missing() {
        for bad in [
            &b""[..],
            b"\xff\xfe",
            b"[1]",
            b"{}",
            br#"{"id":1,"attempts":0,"data":{}}"#,
            br#"{"id":"a","attempts":-1,"data":{}}"#,
            br#"{"id":"a","attempts":1.5,"data":{}}"#,
            br#"{"id":"a","attempts":0,"data":"x"}"#,
            br#"{"id":"a","attempts":0}"#,
        ] {
            assert!(decode(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let ok = decode(br#"{"id":"a","attempts":3,"data":{},"headers":[1]}"#).unwrap();
        assert_eq!((ok.attempts, ok.headers), (3, None));
        for cut in 0..ENVELOPE.len() {
            let _ = decode(&ENVELOPE.as_bytes()[..cut]);
        }
    }

    #[test]
    fn job_ids_are_random_uuid_v4() {
        let a = new_job_id().unwrap();
        let b = new_job_id().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn a_batch_of_job_ids_spans_pool_refills_without_repeating() {
        // 1000 ids need 16,000 random bytes: about four refills of the 4 KiB pool.
        let mut ids = new_job_ids(1000).unwrap();
        ids.extend(new_job_ids(300).unwrap());
        assert!(ids.iter().all(|id| id.len() == 36 && &id[14..15] == "4"));
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(new_job_ids(0).unwrap().is_empty());
    }

    #[test]
    fn error_annotation_follows_the_error_contract() {
        let mut e = ErrorAnnotation::now("HTTP_503", &"é".repeat(600), 2, 5);
        e.retry_at = Some("2026-01-01T00:00:00.000Z".into());
        let annotated = with_error(ENVELOPE.as_bytes(), &e).unwrap();
        let v: Value = serde_json::from_slice(&annotated).unwrap();
        let err = &v["error"];
        assert_eq!(err["code"], "HTTP_503");
        assert_eq!(err["message"].as_str().unwrap().chars().count(), 512);
        assert_eq!(err["attempt"], 2);
        assert_eq!(err["maxAttempts"], 5);
        assert_eq!(err["retryAt"], "2026-01-01T00:00:00.000Z");
        assert!(err.get("traceId").is_none());
        assert!(err["occurredAt"].as_str().unwrap().ends_with('Z'));
        // Other members keep their bytes (the big integer is not rounded through a double).
        assert!(String::from_utf8(annotated)
            .unwrap()
            .contains("\"big\":12345678901234567890"));
        let empty = ErrorAnnotation::now("", "", 0, 0);
        assert_eq!(
            (empty.code.as_str(), empty.message.as_str(), empty.attempt),
            ("UNKNOWN", "(no message)", 1)
        );
    }

    #[test]
    fn an_envelope_without_error_gets_one_added() {
        let out = with_error(br#"{"id":"x"}"#, &ErrorAnnotation::now("C", "m", 1, 5)).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["error"]["code"], "C");
    }

    #[test]
    fn annotating_a_payload_keeps_attempts_last() {
        let mut bytes = encode(&template().members_json(), "id", ENVELOPE.as_bytes(), &headers()).unwrap();
        // As the pop script leaves it.
        bytes.truncate(bytes.len() - 2);
        bytes.extend_from_slice(b"1}");
        let decoded = decode(&bytes).unwrap();
        let out =
            with_envelope_error(&bytes, &decoded, &ErrorAnnotation::now("C", "m", 1, 5)).unwrap();
        assert!(out.ends_with(b",\"attempts\":1}"));
        let again = decode(&out).unwrap();
        let data: Value = serde_json::from_slice(&out[again.data]).unwrap();
        assert_eq!(data["error"]["code"], "C");
    }

    #[test]
    fn a_dead_letter_remembers_its_queue_and_a_retry_resets_attempts() {
        let bytes = encode(&template().members_json(), "id", ENVELOPE.as_bytes(), &headers()).unwrap();
        let decoded = decode(&bytes).unwrap();
        let entry = dead_letter_entry(&bytes, &decoded.members, "integration-bus");
        let dl = decode(&entry).unwrap();
        assert_eq!(dl.queue.as_deref(), Some("integration-bus"));
        let retried = retried_entry(&entry, &dl);
        let r = decode(&retried).unwrap();
        assert_eq!((r.queue, r.attempts), (None, 0));
        assert!(retried.ends_with(b",\"attempts\":0}"));
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(utc_timestamp(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
        assert_eq!(utc_timestamp(-5), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_timestamp(i64::MAX), "9999-12-31T23:59:59.999Z");
    }
}
