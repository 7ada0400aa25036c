//! Any bytes → log summary and payload checksum: never panics, and the tape and serde readings
//! agree (summary fields, and the RFC 8785 canonical form the replay checksum hashes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::{canonical, summary};

fuzz_target!(|data: &[u8]| {
    let at = Some("2026-01-01T00:00:00.000Z");
    if let Ok(from_bytes) = summary::summarize_json(data, at) {
        let value: serde_json::Value = serde_json::from_slice(data).expect("summarize_json accepted it");
        assert_eq!(from_bytes, summary::summarize(&value, at));
    }
    if let Some(from_tape) = canonical::checksum_json(data) {
        let value: serde_json::Value = serde_json::from_slice(data).expect("the tape accepted it");
        assert_eq!(Some(from_tape), canonical::checksum(&value).ok());
    }
});
