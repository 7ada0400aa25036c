//! JSON bytes → validate: the fast tape path and the full serde path must never panic and
//! must agree (the fast path may only say "valid" when the full path finds no violation), and
//! the value an invalid envelope's tape builds for the full path must be serde_json's.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::contract::{Check, Schema};
use phpgrc_bus::input::{judge_json, Judged, Limits};

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
        if let Ok(Judged::Value(built)) = judge_json(schema, data, &check, &Limits::DEFAULT, |_| ()) {
            assert_eq!(built, value, "the tape built another value than serde_json parses");
        }
    } else {
        assert_ne!(fast, Some(true), "fast path accepted bytes serde_json rejects");
    }
});
