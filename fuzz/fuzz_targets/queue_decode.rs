//! Bytes from Redis → job payload decode and RESP reply decode: never panic, whatever a
//! broken or hostile server (or a foreign producer) sends.
#![no_main]
use libfuzzer_sys::fuzz_target;
use phpgrc_bus::queue::{payload, resp::Decoder};

fuzz_target!(|data: &[u8]| {
    if let Ok(job) = payload::decode(data) {
        // A payload that decodes agrees with serde_json that it is a JSON object.
        assert!(matches!(serde_json::from_slice::<serde_json::Value>(data), Ok(serde_json::Value::Object(_))));
        let _ = job;
    }
    let mut decoder = Decoder::new();
    let mut offset = 0;
    while offset < data.len() {
        match decoder.decode(&data[offset..]) {
            Ok((used, Some(_))) if used > 0 => offset += used,
            _ => break,
        }
    }
});
