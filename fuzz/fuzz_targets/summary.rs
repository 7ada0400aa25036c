//! Any bytes → log summary: never panics, and the tape and serde readings agree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::summary;

fuzz_target!(|data: &[u8]| {
    let at = Some("2026-01-01T00:00:00.000Z");
    if let Ok(from_bytes) = summary::summarize_json(data, at) {
        let value: serde_json::Value = serde_json::from_slice(data).expect("summarize_json accepted it");
        assert_eq!(from_bytes, summary::summarize(&value, at));
    }
});
