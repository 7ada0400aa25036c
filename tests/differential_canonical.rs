//! Our canonical JSON (`phpgrc_bus::canonical`) against `serde_json_canonicalizer`, an RFC 8785
//! implementation written apart from ours: inside the domain (integers within ±(2^53−1), any
//! finite double) they write the same bytes; outside it, the crate rounds and we refuse.
//!
//! This test found our one number bug: ties between two shortest digit strings were rounded up
//! (Rust's `{:e}`), not to even as ECMAScript says. Ours now writes doubles with `ryu-js`, the
//! crate's own formatter, so for numbers the independent check is the cross-language test
//! (`tests/checksum_languages.rs`: JavaScript's `canonicalize`, Python's `rfc8785`); here
//! numbers still cover our integer path, zero and the way numbers sit inside containers.

#[path = "support/seeded.rs"]
mod seeded;
#[path = "support/payloads.rs"]
mod payloads;

use payloads::{random_double, random_value};
use phpgrc_bus::canonical::{self, canonical_json, canonical_of};
use phpgrc_bus::document::{DocJson, Document};
use seeded::Seeded;
use serde_json::json;

#[test]
fn random_values_canonicalise_to_the_same_bytes_as_serde_json_canonicalizer() {
    let mut rng = Seeded::new(0x5eed_0201);
    for case in 0..20_000 {
        let value = random_value(&mut rng, 0);
        let theirs = serde_json_canonicalizer::to_string(&value).expect("finite values serialise");
        let ours = canonical_json(&value).unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(ours, theirs, "case {case}: {value}");
        // The same from the borrowed tape, as the queue and validate(string) read it.
        let text = serde_json::to_string(&value).expect("serialises");
        let doc = Document::parse(&text, 128).expect("our tape reads serde_json's text");
        assert_eq!(canonical_of::<DocJson>(doc.root()).as_deref(), Ok(theirs.as_str()), "case {case}: {text}");
    }
}

#[test]
fn random_doubles_are_written_as_ecmascript_does() {
    let mut rng = Seeded::new(0x5eed_0202);
    for case in 0..200_000 {
        let f = random_double(&mut rng);
        let value = json!(f);
        assert_eq!(canonical_json(&value).ok(), serde_json_canonicalizer::to_string(&value).ok(), "case {case}: {f:e}");
    }
}

#[test]
fn keys_sort_by_utf16_code_units_not_code_points() {
    // U+FF61 < U+1F600 as code points, but U+1F600 is the pair D83D DE00, which sorts first.
    let value = json!({"\u{ff61}": 1, "\u{1f600}": 2, "\u{e000}": 3, "\u{d7ff}": 4, "z": 5});
    let expected = "{\"z\":5,\"\u{d7ff}\":4,\"\u{1f600}\":2,\"\u{e000}\":3,\"\u{ff61}\":1}";
    assert_eq!(canonical_json(&value).as_deref(), Ok(expected));
    assert_eq!(serde_json_canonicalizer::to_string(&value).ok().as_deref(), Some(expected));
}

/// Outside the domain the crate writes `i as f64` (as JavaScript's `canonicalize` does): two
/// different payloads, one checksum. Ours refuses (as Python's `rfc8785` does).
#[test]
fn integers_beyond_2_pow_53_are_refused_where_the_crate_rounds() {
    for (given, rounded) in [
        (json!(9_007_199_254_740_993u64), "9007199254740992"),
        (json!(-9_007_199_254_740_993i64), "-9007199254740992"),
        (json!(u64::MAX), "18446744073709552000"),
        (json!(i64::MIN), "-9223372036854776000"),
    ] {
        assert_eq!(serde_json_canonicalizer::to_string(&given).ok().as_deref(), Some(rounded));
        assert!(canonical::canonical_json(&given).is_err(), "{given}");
    }
    // 2^53 itself is a double exactly, but as an integer it is outside I-JSON's range and
    // Python's rfc8785 refuses it: refused here too.
    assert!(canonical::canonical_json(&json!(9_007_199_254_740_992u64)).is_err());
    assert_eq!(canonical::canonical_json(&json!(9_007_199_254_740_991u64)).as_deref(), Ok("9007199254740991"));
}
