//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and the payload checksum.
//!
//! The canonical form, which `provenance.checksum` hashes:
//! - no whitespace; object members sorted by their keys compared as UTF-16 code units;
//! - strings with only the escapes JSON requires (`\"`, `\\`, `\b \f \n \r \t`, other controls
//!   as `\u00xx` lowercase), everything else as UTF-8;
//! - numbers as ECMAScript's `Number.prototype.toString` writes them (`1`, `1.5`, `1e+21`,
//!   `1e-7`); integers beyond ±2^53 are written exactly rather than rounded through a double.
//!
//! A connector in any language with an RFC 8785 library computes the same checksum.
#![forbid(unsafe_code)]

use serde_json::{Number, Value};
use sha2::{Digest, Sha256, Sha512};
use std::fmt::Write as _;

/// The canonical JSON text of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// Lowercase hex SHA-256 of the canonical JSON of `value`.
pub fn checksum(value: &Value) -> String {
    hex(&Sha256::digest(canonical_json(value).as_bytes()))
}

/// Lowercase hex SHA-512 of the canonical JSON of `value` (the contract allows either length).
pub fn checksum_sha512(value: &Value) -> String {
    hex(&Sha512::digest(canonical_json(value).as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        write_double(out, f);
    } else {
        out.push_str("null");
    }
}

/// ECMAScript Number::toString for a finite double (serde_json never holds NaN or infinities).
fn write_double(out: &mut String, f: f64) {
    if f == 0.0 {
        out.push('0');
        return;
    }
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddddde<exp>".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32; // number of significant digits
    let n = exp + 1; // position of the decimal point relative to the digits
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n >= 1 { '+' } else { '-' });
        let _ = write!(out, "{}", (n - 1).abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_form_sorts_keys_by_utf16_and_drops_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, 2, {"y": null, "x": true}]}, "\u{e9}": "e", "\u{1f600}": 0, "\u{ff61}": 1});
        // U+1F600 is a surrogate pair (0xD83D...) and sorts before U+FF61 in UTF-16 order.
        assert_eq!(
            canonical_json(&v),
            "{\"a\":{\"z\":[1,2,{\"x\":true,\"y\":null}]},\"b\":1,\"\u{e9}\":\"e\",\"\u{1f600}\":0,\"\u{ff61}\":1}"
        );
    }

    #[test]
    fn canonical_strings_escape_only_what_json_requires() {
        let v = json!("a\"b\\c\n\u{1}/\u{7f}é");
        assert_eq!(canonical_json(&v), "\"a\\\"b\\\\c\\n\\u0001/\u{7f}é\"");
    }

    #[test]
    fn canonical_numbers_follow_ecmascript() {
        let cases: [(f64, &str); 10] = [
            (1.5, "1.5"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (-0.5, "-0.5"),
            (123.456e-10, "1.23456e-8"),
            (4.5e15, "4500000000000000"),
            (0.1 + 0.2, "0.30000000000000004"),
        ];
        for (f, want) in cases {
            assert_eq!(canonical_json(&json!(f)), want, "{f}");
        }
        assert_eq!(canonical_json(&json!(-0.0)), "0");
        assert_eq!(canonical_json(&json!(i64::MIN)), i64::MIN.to_string());
        assert_eq!(canonical_json(&json!(u64::MAX)), u64::MAX.to_string());
    }

    #[test]
    fn checksum_is_sha256_of_canonical_json() {
        // sha256("{\"a\":1}")
        assert_eq!(
            checksum(&json!({"a": 1})),
            "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
        );
        assert_eq!(checksum(&json!({"a": 1})).len(), 64);
        assert_eq!(checksum_sha512(&json!({})).len(), 128);
    }
}
