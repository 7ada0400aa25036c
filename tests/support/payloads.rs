//! Generated JSON values for the canonical-JSON tests: the characters, numbers and shapes
//! where RFC 8785 implementations are easy to get wrong, from a seeded generator.
#![allow(dead_code)]

use phpgrc_bus::canonical::MAX_SAFE_INTEGER;
use serde_json::{json, Map, Number, Value};

use super::seeded::Seeded;

/// Characters where RFC 8785 is easy to get wrong: controls (escaped `\u00xx`), the two-letter
/// escapes, DEL and U+2028 (left alone), characters either side of U+E000 (where UTF-8 and
/// UTF-16 orders part), and astral characters (surrogate pairs in UTF-16).
const CHARS: &[char] = &[
    'a', 'b', 'z', 'A', '0', ' ', '"', '\\', '/', '\u{0}', '\u{1}', '\u{8}', '\u{9}', '\u{a}', '\u{c}', '\u{d}',
    '\u{1f}', '\u{7f}', '\u{80}', 'é', '€', '\u{2028}', '\u{d7ff}', '\u{e000}', '\u{ff61}', '\u{fffd}', '\u{ffff}',
    '\u{10000}', '😀', '\u{1f600}', '\u{10ffff}',
];

pub fn random_string(rng: &mut Seeded) -> String {
    let len = rng.below(6);
    (0..len).map(|_| *rng.pick(CHARS)).collect()
}

/// Doubles that RFC 8785's number section calls out, and random bit patterns.
pub fn random_double(rng: &mut Seeded) -> f64 {
    let named = [
        0.0, -0.0, 1.0, -1.0, 0.5, 1e21, 1e20, 1e-6, 1e-7, 5e-324, -5e-324, f64::MIN_POSITIVE, f64::MAX, f64::MIN,
        0.1 + 0.2, 1.0 / 3.0, 4.35, 0.000001, 123456789012345680000.0, 9007199254740992.0, 9007199254740993.0,
        1e23, 295147905179352830000.0, 4.5e15, 333333333.3333333, 1.7976931348623157e308,
    ];
    if rng.chance(3) {
        return *rng.pick(&named);
    }
    loop {
        let f = f64::from_bits(rng.next_u64());
        if f.is_finite() {
            return f;
        }
    }
}

pub fn random_integer(rng: &mut Seeded) -> i64 {
    let max = MAX_SAFE_INTEGER as i64;
    match rng.below(5) {
        0 => *rng.pick(&[0, 1, -1, max, -max, max - 1, 1 << 52, -(1 << 52)]),
        1 => rng.below(2000) as i64 - 1000,
        _ => (rng.next_u64() % (2 * MAX_SAFE_INTEGER + 1)) as i64 - max,
    }
}

pub fn random_value(rng: &mut Seeded, depth: usize) -> Value {
    match rng.below(if depth < 4 { 8 } else { 6 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(2)),
        2 => Value::Number(Number::from(random_integer(rng))),
        3 => Number::from_f64(random_double(rng)).map_or(Value::Null, Value::Number),
        4 | 5 => Value::String(random_string(rng)),
        6 => Value::Array((0..rng.below(5)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => {
            let mut members = Map::new();
            for _ in 0..rng.below(7) {
                members.insert(random_string(rng), random_value(rng, depth + 1));
            }
            Value::Object(members)
        }
    }
}

/// Payloads RFC 8785's examples and our own bugs point at, each inside the domain.
pub fn named() -> Vec<Value> {
    let max = MAX_SAFE_INTEGER as i64;
    vec![
        // Keys whose UTF-16 order differs from their code point order (and from UTF-8 order).
        json!({"\u{ff61}": 1, "\u{1f600}": 2, "\u{e000}": 3, "\u{d7ff}": 4, "\u{10ffff}": 5, "z": 6, "": 7}),
        json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u{80}": "Control", "\u{f6}": "Latin Small Letter O With Diaeresis"}),
        // Escapes: the two-letter ones, other controls as \u00xx, and what must stay as is.
        json!({"s": "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \"\\/\u{7f}\u{80}\u{2028}\u{2029}\u{fffd}\u{10ffff}"}),
        // Numbers: the RFC's and ECMAScript's corner cases.
        json!([1e21, 1e20, 1e-7, 1e-6, 5e-324, -5e-324, -0.0, 0.0, 0.1 + 0.2, 1.0 / 3.0, f64::MAX, f64::MIN_POSITIVE,
            4.5e15, 333333333.3333333, 1e23, 27152973067464.5625, 1305208928447936.25, 9007199254740992.0, 1.5, -1.0]),
        json!([0, 1, -1, max, -max, max - 1, 1i64 << 52, 4294967296i64, -2147483649i64, 100, 1000000]),
        json!({"payload": {"nested": [{"b": [], "a": {}}, null, true, false, "", {"": ""}]}}),
        json!("top-level string"),
        json!(12.5),
    ]
}
