//! An arbitrary JSON value validated with arbitrary headers (the first half of the input is
//! the envelope, the second the header map), strict and not.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::contract::{Check, Headers, Schema};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (body, rest) = data.split_at(split);
    let Ok(envelope) = serde_json::from_slice::<serde_json::Value>(body) else { return };
    let headers = serde_json::from_slice::<serde_json::Value>(rest.get(1..).unwrap_or_default())
        .ok()
        .and_then(|h| Headers::from_json(&h))
        .unwrap_or_default();
    let schema = Schema::embedded();
    for strict in [false, true] {
        let check = Check { headers: Some(&headers), strict };
        let violations = schema.violations(&envelope, &check);
        assert_eq!(violations.is_empty(), schema.is_valid(&envelope, &check));
    }
});
