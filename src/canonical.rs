//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and the payload checksum.
//!
//! The canonical form, which `provenance.checksum` hashes:
//! - no whitespace; object members sorted by their keys compared as UTF-16 code units;
//! - strings with only the escapes JSON requires (`\"`, `\\`, `\b \f \n \r \t`, other controls
//!   as `\u00xx` lowercase), everything else as UTF-8;
//! - numbers as ECMAScript's `Number.prototype.toString` writes them (`1`, `1.5`, `1e+21`,
//!   `1e-7`, `5e-324`, `-0` as `0`).
//!
//! The domain: any JSON value whose integers (numbers held as integers: JSON literals without
//! fraction or exponent that fit 64 bits, PHP ints) lie within ±(2^53−1); numbers held as
//! doubles may be any finite double. RFC 8785 writes every number as an IEEE-754 double, so an
//! integer beyond that range has no exact canonical form: JavaScript's `canonicalize` rounds it
//! (two payloads, one checksum), Python's `rfc8785` refuses it. We refuse it too
//! (`OutOfDomain`), so that inside the domain a connector in any language with an RFC 8785
//! library computes the same checksum, and outside it none computes a different one.
#![forbid(unsafe_code)]

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node, Object, SerdeJson};
use serde_json::{Number, Value};
use sha2::{Digest, Sha256, Sha512};

use crate::document::{DocJson, DocNode, Document};

/// The largest integer magnitude inside the domain: JavaScript's `Number.MAX_SAFE_INTEGER`,
/// I-JSON's (RFC 7493) limit for interoperable integers.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// An integer outside ±(2^53−1): it has no canonical form (see the module comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfDomain {
    /// JSON Pointer to the number, from the value given (`""`: the value itself).
    pub path: String,
    /// The integer as it was given.
    pub number: String,
}

impl std::fmt::Display for OutOfDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the integer {} at {} is beyond ±(2^53−1) (9007199254740991): RFC 8785 writes numbers as \
             IEEE-754 doubles, which cannot hold it exactly, so it has no canonical JSON and no checksum; \
             send it as a string",
            self.number,
            if self.path.is_empty() { "the top level" } else { &self.path }
        )
    }
}

impl std::error::Error for OutOfDomain {}

impl OutOfDomain {
    /// The same error, its path seen from `prefix` (a JSON Pointer such as `/payload`).
    pub fn under(mut self, prefix: &str) -> OutOfDomain {
        self.path.insert_str(0, prefix);
        self
    }
}

/// The canonical JSON text of `value`.
pub fn canonical_json(value: &Value) -> Result<String, OutOfDomain> {
    canonical_of::<SerdeJson>(value)
}

/// The canonical JSON text of any JSON representation jsonschema reads (serde values, the
/// borrowed tape, a binding's values). A member given twice counts once, with its last value,
/// as serde_json keeps it.
pub fn canonical_of<'a, F: Json>(node: F::Node<'a>) -> Result<String, OutOfDomain> {
    let mut out = Vec::with_capacity(1024);
    Writer::<F> { out: &mut out, members: Vec::with_capacity(32), integers: Integers::Refuse }.node(&node)?;
    // Escapes and number text are ASCII; every other byte is copied from UTF-8 strings.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Lowercase hex SHA-256 of the canonical JSON of `value`.
pub fn checksum(value: &Value) -> Result<String, OutOfDomain> {
    checksum_of::<SerdeJson>(value)
}

/// `checksum` of any representation (see `canonical_of`).
pub fn checksum_of<'a, F: Json>(node: F::Node<'a>) -> Result<String, OutOfDomain> {
    Ok(hex(&Sha256::digest(canonical_of::<F>(node)?.as_bytes())))
}

/// `checksum` of a JSON document given as text, read from a borrowed tape (no tree is built);
/// `None` when it is not JSON or is outside the domain.
pub fn checksum_json(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    let doc = Document::parse(text, 128).ok()?;
    checksum_doc(doc.root()).ok()
}

/// As `checksum`, of a node of a parsed document.
pub fn checksum_doc(node: DocNode<'_>) -> Result<String, OutOfDomain> {
    checksum_of::<DocJson>(node)
}

/// The SHA-256 of the canonical form with integers beyond ±(2^53−1) written exactly: the same
/// as `checksum_doc` inside the domain, and defined for every document. An identity for replay
/// dedupe, compared only with itself; never a `provenance.checksum`.
pub fn identity_checksum_doc(node: DocNode<'_>) -> String {
    identity_checksum_of::<DocJson>(node)
}

/// As `identity_checksum_doc`, of any representation.
pub fn identity_checksum_of<'a, F: Json>(node: F::Node<'a>) -> String {
    let mut out = Vec::with_capacity(1024);
    // Exact integers leave nothing out of the domain: this cannot fail.
    let _ = Writer::<F> { out: &mut out, members: Vec::with_capacity(32), integers: Integers::Exact }.node(&node);
    hex(&Sha256::digest(&out))
}

/// Lowercase hex SHA-512 of the canonical JSON of `value` (the contract allows either length).
pub fn checksum_sha512(value: &Value) -> Result<String, OutOfDomain> {
    checksum_sha512_of::<SerdeJson>(value)
}

/// `checksum_sha512` of any representation.
pub fn checksum_sha512_of<'a, F: Json>(node: F::Node<'a>) -> Result<String, OutOfDomain> {
    Ok(hex(&Sha512::digest(canonical_of::<F>(node)?.as_bytes())))
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

/// What to do with an integer beyond ±(2^53−1).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Integers {
    Refuse,
    Exact,
}

/// Writes canonical JSON into `out`.
struct Writer<'o, 'a, F: Json> {
    out: &'o mut Vec<u8>,
    /// The members of the objects being written, each object's sorted at the end: one buffer
    /// for the whole value, not one per object.
    members: Vec<(Cow<'a, str>, F::Node<'a>)>,
    integers: Integers,
}

impl<'a, F: Json> Writer<'_, 'a, F> {
    fn node(&mut self, node: &F::Node<'a>) -> Result<(), OutOfDomain> {
        if let Some(s) = node.as_string() {
            write_string(self.out, &s);
        } else if let Some(n) = node.as_number() {
            write_number(self.out, &n.to_number(), self.integers)?;
        } else if let Some(b) = node.as_boolean() {
            self.out.extend_from_slice(if b { b"true" } else { b"false" });
        } else if let Some(items) = node.as_array() {
            self.out.push(b'[');
            for (i, item) in items.elements().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.node(&item).map_err(|e| e.under(&format!("/{i}")))?;
            }
            self.out.push(b']');
        } else if let Some(object) = node.as_object() {
            self.object(object)?;
        } else {
            self.out.extend_from_slice(b"null");
        }
        Ok(())
    }

    fn object(&mut self, object: <F::Node<'a> as Node<'a, F>>::Object) -> Result<(), OutOfDomain> {
        let start = self.members.len();
        self.members.extend(object.members().map(|(k, v)| (k.into(), v)));
        let members = &mut self.members[start..];
        // Stable: of equal keys the last one stays last, and is the one kept. Byte order is
        // UTF-16 order unless a key holds a character at or above U+E000.
        if members.iter().all(|(key, _)| key.bytes().all(|b| b < 0xEE)) {
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        } else {
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        }
        self.out.push(b'{');
        let end = self.members.len();
        let mut first = true;
        for i in start..end {
            if i + 1 < end && self.members[i + 1].0 == self.members[i].0 {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            let (key, item) = self.members[i].clone();
            write_string(self.out, &key);
            self.out.push(b':');
            self.node(&item).map_err(|e| e.under(&format!("/{}", key.replace('~', "~0").replace('/', "~1"))))?;
        }
        self.members.truncate(start);
        self.out.push(b'}');
        Ok(())
    }
}

fn write_string(out: &mut Vec<u8>, s: &str) {
    crate::json_string::push_json_string(out, s.as_bytes());
}

fn write_number(out: &mut Vec<u8>, n: &Number, integers: Integers) -> Result<(), OutOfDomain> {
    let out_of_domain = || OutOfDomain { path: String::new(), number: n.to_string() };
    if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER && integers == Integers::Refuse {
            return Err(out_of_domain());
        }
        if i < 0 {
            out.push(b'-');
        }
        write_digits(out, i.unsigned_abs());
    } else if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER && integers == Integers::Refuse {
            return Err(out_of_domain());
        }
        write_digits(out, u);
    } else if let Some(f) = n.as_f64() {
        write_double(out, f);
    } else {
        out.extend_from_slice(b"null");
    }
    Ok(())
}

/// The decimal digits of `n`, without `fmt`'s machinery (payload numbers are mostly small).
fn write_digits(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// ECMAScript's `Number::toString` for a finite double (serde_json never holds NaN or
/// infinities), by `ryu-js`: of two shortest digit strings equally near the value it takes the
/// even one, as ECMAScript says. Rust's own `{:e}` rounds such ties up (27152973067464.5625 came
/// out `…464.563`, where JavaScript, Python's rfc8785 and this write `…464.562`).
fn write_double(out: &mut Vec<u8>, f: f64) {
    if f == 0.0 {
        // -0 too: ECMAScript writes it as "0".
        out.push(b'0');
    } else if f.is_finite() {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(value: &Value) -> String {
        canonical_json(value).expect("inside the domain")
    }

    #[test]
    fn canonical_form_sorts_keys_by_utf16_and_drops_whitespace() {
        let v = json!({"b": 1, "a": {"z": [1, 2, {"y": null, "x": true}]}, "\u{e9}": "e", "\u{1f600}": 0, "\u{ff61}": 1});
        // U+1F600 is a surrogate pair (0xD83D...) and sorts before U+FF61 in UTF-16 order.
        assert_eq!(
            canonical(&v),
            "{\"a\":{\"z\":[1,2,{\"x\":true,\"y\":null}]},\"b\":1,\"\u{e9}\":\"e\",\"\u{1f600}\":0,\"\u{ff61}\":1}"
        );
    }

    #[test]
    fn canonical_strings_escape_only_what_json_requires() {
        let v = json!("a\"b\\c\n\u{1}/\u{7f}é");
        assert_eq!(canonical(&v), "\"a\\\"b\\\\c\\n\\u0001/\u{7f}é\"");
    }

    #[test]
    fn canonical_numbers_follow_ecmascript() {
        let cases: [(f64, &str); 12] = [
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
            // A tie between two shortest digit strings goes to the even one.
            (27152973067464.5625, "27152973067464.562"),
            (1305208928447936.25, "1305208928447936.2"),
        ];
        for (f, want) in cases {
            assert_eq!(canonical(&json!(f)), want, "{f}");
        }
        assert_eq!(canonical(&json!(-0.0)), "0");
        assert_eq!(canonical(&json!(5e-324)), "5e-324");
        // A double may hold any magnitude: 2^60 as a double is written as ECMAScript does
        // (shortest digits, then zeros).
        assert_eq!(canonical(&json!(1152921504606846976.0)), "1152921504606847000");
    }

    #[test]
    fn integers_within_2_pow_53_are_written_exactly_and_beyond_are_refused() {
        let max = MAX_SAFE_INTEGER as i64;
        assert_eq!(canonical(&json!(max)), "9007199254740991");
        assert_eq!(canonical(&json!(-max)), "-9007199254740991");
        for beyond in [json!(max + 1), json!(-max - 1), json!(i64::MIN), json!(u64::MAX)] {
            let e = canonical_json(&beyond).unwrap_err();
            assert_eq!((e.path.as_str(), e.number.clone()), ("", beyond.to_string()));
        }
        let nested = json!({"a": [1, {"b/c~": 9007199254740993u64}]});
        let e = checksum(&nested).unwrap_err().under("/payload");
        assert_eq!(e.path, "/payload/a/1/b~1c~0");
        assert!(e.to_string().contains("9007199254740993 at /payload/a/1/b~1c~0 is beyond ±(2^53−1)"), "{e}");
        assert_eq!(checksum_sha512(&nested).unwrap_err().number, "9007199254740993");
        // The replay identity is defined all the same, and agrees with the checksum inside.
        let exact = identity_checksum_of::<SerdeJson>(&nested);
        assert_eq!(exact, hex(&Sha256::digest(br#"{"a":[1,{"b/c~":9007199254740993}]}"#)));
        let inside = json!({"a": [1, 2.5]});
        assert_eq!(Ok(identity_checksum_of::<SerdeJson>(&inside)), checksum(&inside));
    }

    #[test]
    fn the_tape_and_serde_values_give_one_canonical_form() {
        let texts = [
            r#"{"b":1,"a":{"z":[1,2.50,{"y":null,"x":true}]},"é":"e\u0001","😀":0,"｡":1e21}"#,
            r#"{"dup":1,"x":[],"dup":{"k":"last"},"y":{}}"#,
            r#"[-0, 1.0, 123456789012345678901234567890, -9007199254740991, "\/\u00e9"]"#,
            r#""just a string""#,
        ];
        for text in texts {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(checksum_json(text.as_bytes()), checksum(&value).ok(), "{text}");
            let doc = Document::parse(text, 128).unwrap();
            assert_eq!(canonical_of::<DocJson>(doc.root()), canonical_json(&value), "{text}");
        }
        assert_eq!(checksum_json(b"{not json"), None);
        // Both refuse the same integer at the same place.
        let text = r#"{"a":[0,-9007199254740993]}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let doc = Document::parse(text, 128).unwrap();
        assert_eq!(canonical_of::<DocJson>(doc.root()).unwrap_err().path, "/a/1");
        assert_eq!(canonical_json(&value).unwrap_err().path, "/a/1");
        assert_eq!(checksum_json(text.as_bytes()), None);
    }

    #[test]
    fn checksum_is_sha256_of_canonical_json() {
        // sha256("{\"a\":1}")
        assert_eq!(
            checksum(&json!({"a": 1})).as_deref(),
            Ok("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
        );
        assert_eq!(checksum_sha512(&json!({})).map(|c| c.len()), Ok(128));
    }
}
