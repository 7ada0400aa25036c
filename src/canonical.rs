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

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node, Object, SerdeJson};
use serde_json::{Number, Value};
use sha2::{Digest, Sha256, Sha512};
use std::io::Write as _;

use crate::contract::document::{DocJson, DocNode, Document};

/// The canonical JSON text of `value`.
pub fn canonical_json(value: &Value) -> String {
    canonical_of::<SerdeJson>(value)
}

/// The canonical JSON text of any JSON representation jsonschema reads (serde values, the
/// borrowed tape, a binding's values). A member given twice counts once, with its last value,
/// as serde_json keeps it.
pub fn canonical_of<'a, F: Json>(node: F::Node<'a>) -> String {
    let mut out = Vec::with_capacity(256);
    write_node::<F>(&mut out, &node);
    // Escapes and number text are ASCII; every other byte is copied from UTF-8 strings.
    String::from_utf8(out).unwrap_or_default()
}

/// Lowercase hex SHA-256 of the canonical JSON of `value`.
pub fn checksum(value: &Value) -> String {
    hex(&Sha256::digest(canonical_json(value).as_bytes()))
}

/// `checksum` of a JSON document given as text, read from a borrowed tape (no tree is built);
/// `None` when it is not JSON.
pub fn checksum_json(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    let doc = Document::parse(text, 128).ok()?;
    Some(checksum_doc(doc.root()))
}

/// As `checksum`, of a node of a parsed document.
pub fn checksum_doc(node: DocNode<'_>) -> String {
    hex(&Sha256::digest(canonical_of::<DocJson>(node).as_bytes()))
}

/// Lowercase hex SHA-512 of the canonical JSON of `value` (the contract allows either length).
pub fn checksum_sha512(value: &Value) -> String {
    hex(&Sha512::digest(canonical_json(value).as_bytes()))
}

/// Lowercase hex of `bytes` (digests: checksums, replay keys).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// UTF-16 code unit order; byte order gives the same answer unless a key holds a character
/// at or above U+E000 (where UTF-8 and UTF-16 orders part ways).
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    let simple = |s: &str| s.bytes().all(|b| b < 0xEE);
    if simple(a) && simple(b) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

fn write_node<'a, F: Json>(out: &mut Vec<u8>, node: &F::Node<'a>) {
    if let Some(s) = node.as_string() {
        write_string(out, &s);
    } else if let Some(n) = node.as_number() {
        write_number(out, &n.to_number());
    } else if let Some(b) = node.as_boolean() {
        out.extend_from_slice(if b { b"true" } else { b"false" });
    } else if let Some(items) = node.as_array() {
        out.push(b'[');
        for (i, item) in items.elements().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_node::<F>(out, &item);
        }
        out.push(b']');
    } else if let Some(object) = node.as_object() {
        let mut members: Vec<(Cow<'a, str>, F::Node<'a>)> = object.members().map(|(k, v)| (k.into(), v)).collect();
        // Stable: of equal keys the last one stays last, and is the one kept.
        members.sort_by(|a, b| utf16_order(&a.0, &b.0));
        out.push(b'{');
        let mut first = true;
        for (i, (key, item)) in members.iter().enumerate() {
            if members.get(i + 1).is_some_and(|next| next.0 == *key) {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_string(out, key);
            out.push(b':');
            write_node::<F>(out, item);
        }
        out.push(b'}');
    } else {
        out.extend_from_slice(b"null");
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    crate::json_string::push_json_string(out, s.as_bytes());
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        write_double(out, f);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// ECMAScript Number::toString for a finite double (serde_json never holds NaN or infinities).
fn write_double(out: &mut Vec<u8>, f: f64) {
    if f == 0.0 {
        out.push(b'0');
        return;
    }
    if !f.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if f < 0.0 {
        out.push(b'-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddddde<exp>".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32; // number of significant digits
    let n = exp + 1; // position of the decimal point relative to the digits
    if k <= n && n <= 21 {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b'0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.extend_from_slice(&digits.as_bytes()[..n as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits.as_bytes()[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-n) as usize));
        out.extend_from_slice(digits.as_bytes());
    } else {
        out.extend_from_slice(&digits.as_bytes()[..1]);
        if k > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[1..]);
        }
        out.push(b'e');
        out.push(if n >= 1 { b'+' } else { b'-' });
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
    fn the_tape_and_serde_values_give_one_canonical_form() {
        let texts = [
            r#"{"b":1,"a":{"z":[1,2.50,{"y":null,"x":true}]},"é":"e\u0001","😀":0,"｡":1e21}"#,
            r#"{"dup":1,"x":[],"dup":{"k":"last"},"y":{}}"#,
            r#"[-0, 1.0, 123456789012345678901234567890, -9007199254740993, "\/\u00e9"]"#,
            r#""just a string""#,
        ];
        for text in texts {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(checksum_json(text.as_bytes()), Some(checksum(&value)), "{text}");
            let doc = Document::parse(text, 128).unwrap();
            assert_eq!(canonical_of::<DocJson>(doc.root()), canonical_json(&value), "{text}");
        }
        assert_eq!(checksum_json(b"{not json"), None);
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
