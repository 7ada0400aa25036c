//! JSON bytes → validate: the fast tape path and the full serde path must never panic and
//! must agree (the fast path may only say "valid" when the full path finds no violation).
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::contract::{Check, Schema};

fuzz_target!(|data: &[u8]| {
    let schema = Schema::embedded();
    let check = Check::default();
    let fast = std::str::from_utf8(data).ok().and_then(|text| schema.valid_json_fast(text, &check, 128));
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let violations = schema.violations(&value, &check);
        if fast == Some(true) {
            assert!(violations.is_empty(), "fast path accepted what the full path rejects: {violations:?}");
        }
        let _ = schema.violations(&value, &Check { headers: None, strict: true });
    } else {
        assert_ne!(fast, Some(true), "fast path accepted bytes serde_json rejects");
    }
});
