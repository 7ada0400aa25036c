//! A JSON object seen as its top-level members' byte ranges, and edits that splice raw values.
//!
//! Job payloads carry the envelope as `data`; reading `id`/`attempts` or replacing `error`
//! must not re-serialise the envelope (numbers and key order stay byte-exact, and it is
//! cheaper). The scanner validates the whole text as strict JSON (RFC 8259, UTF-8, paired
//! surrogates, nesting at most 127 levels like serde_json) without allocating a tree.
#![forbid(unsafe_code)]

use std::ops::Range;

use crate::json_string::{decode_string, next_escape, push_json_string};

/// Deepest nesting accepted, in levels of objects and arrays (serde_json's own limit).
pub const MAX_DEPTH: usize = 127;

/// One top-level member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The decoded key.
    pub key: String,
    /// The key token, quotes included.
    pub key_raw: Range<usize>,
    /// The value token(s), without surrounding whitespace.
    pub value: Range<usize>,
}

/// Why bytes are not a JSON object, with the byte offset where that became clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// The members of `src`, which must be exactly one JSON object (whitespace around allowed).
pub fn object_members(src: &[u8]) -> Result<Vec<Member>, JsonError> {
    let mut s = Scanner { src, pos: 0 };
    s.ws();
    if s.peek() != Some(b'{') {
        return Err(s.error("expected a JSON object"));
    }
    s.pos += 1;
    let mut members = Vec::new();
    s.ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            s.ws();
            let key_start = s.pos;
            if s.peek() != Some(b'"') {
                return Err(s.error("expected a member name"));
            }
            let escaped = s.string()?;
            let key_raw = key_start..s.pos;
            let key = decode_key(&src[key_raw.clone()], escaped)
                .ok_or_else(|| s.error("invalid member name"))?;
            s.ws();
            if s.peek() != Some(b':') {
                return Err(s.error("expected ':'"));
            }
            s.pos += 1;
            s.ws();
            let value_start = s.pos;
            s.value(1)?;
            members.push(Member {
                key,
                key_raw,
                value: value_start..s.pos,
            });
            s.ws();
            match s.peek() {
                Some(b',') => s.pos += 1,
                Some(b'}') => {
                    s.pos += 1;
                    break;
                }
                _ => return Err(s.error("expected ',' or '}'")),
            }
        }
    }
    s.ws();
    if s.pos != src.len() {
        return Err(s.error("trailing bytes after the object"));
    }
    Ok(members)
}

/// The value bytes of member `key` (the last one, as JSON decoders keep), if present.
pub fn member_value<'a>(members: &[Member], src: &'a [u8], key: &str) -> Option<&'a [u8]> {
    members
        .iter()
        .rev()
        .find(|m| m.key == key)
        .and_then(|m| src.get(m.value.clone()))
}

/// How to rebuild an object: members are kept in order except that `replace` swaps a value in
/// place (appending the member when absent), `remove` drops every member with that key, and
/// `append` drops the key wherever it is and writes it last.
#[derive(Default)]
pub struct Edits<'a> {
    pub replace: Vec<(&'a str, &'a [u8])>,
    pub remove: Vec<&'a str>,
    pub append: Vec<(&'a str, &'a [u8])>,
}

/// `src` (whose members are `members`) rebuilt with `edits`, compact between members.
/// Values in edits must be valid JSON; callers build them with serde_json or take them from
/// scanned text.
pub fn rewrite(src: &[u8], members: &[Member], edits: &Edits) -> Vec<u8> {
    let extra: usize = edits
        .replace
        .iter()
        .chain(&edits.append)
        .map(|(k, v)| k.len() + v.len() + 8)
        .sum();
    let mut out = Vec::with_capacity(src.len() + extra);
    out.push(b'{');
    let mut first = true;
    let mut separator = |out: &mut Vec<u8>| {
        if !first {
            out.push(b',');
        }
        first = false;
    };
    let mut replaced = vec![false; edits.replace.len()];
    for m in members {
        if edits.remove.contains(&m.key.as_str()) || edits.append.iter().any(|(k, _)| *k == m.key) {
            continue;
        }
        separator(&mut out);
        out.extend_from_slice(&src[m.key_raw.clone()]);
        out.push(b':');
        match edits.replace.iter().position(|(k, _)| *k == m.key) {
            Some(i) => {
                replaced[i] = true;
                out.extend_from_slice(edits.replace[i].1);
            }
            None => out.extend_from_slice(&src[m.value.clone()]),
        }
    }
    let missing = edits
        .replace
        .iter()
        .zip(&replaced)
        .filter(|(_, done)| !**done)
        .map(|(kv, _)| kv);
    for (key, value) in missing.chain(&edits.append) {
        separator(&mut out);
        push_json_string(&mut out, key.as_bytes());
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
    out
}

fn decode_key(token: &[u8], escaped: bool) -> Option<String> {
    if escaped {
        decode_string(token)
    } else {
        std::str::from_utf8(&token[1..token.len() - 1])
            .ok()
            .map(str::to_owned)
    }
}

struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn error(&self, message: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            message,
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.container(depth, b'}', true),
            Some(b'[') => self.container(depth, b']', false),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected byte")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn container(&mut self, depth: usize, close: u8, object: bool) -> Result<(), JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if object {
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a member name"));
                }
                self.string()?;
                self.ws();
                if self.peek() != Some(b':') {
                    return Err(self.error("expected ':'"));
                }
                self.pos += 1;
                self.ws();
            }
            self.value(depth + 1)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or the closing bracket")),
            }
        }
    }

    /// A string token starting at `"`; returns whether it holds escapes.
    fn string(&mut self) -> Result<bool, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let mut escaped = false;
        loop {
            // Plain runs eight bytes per step: strings are most of a payload's bytes. UTF-8 is
            // checked once the token's end is known.
            let rest = &self.src[self.pos..];
            self.pos += next_escape(rest).unwrap_or(rest.len());
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(self.error("lone low surrogate"));
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                if self.src.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("lone high surrogate"));
                                }
                                self.pos += 2;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.error("lone high surrogate"));
                                }
                            }
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
        if !crate::utf8::is_utf8(&self.src[start..self.pos]) {
            return Err(JsonError {
                offset: start,
                message: "string is not UTF-8",
            });
        }
        Ok(escaped)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .src
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let text = std::str::from_utf8(digits).map_err(|_| self.error("invalid \\u escape"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("invalid \\u escape"));
        }
        let unit = u32::from_str_radix(text, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(unit)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        if self.src.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn number(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        // Like serde_json, refuse numbers no f64 can hold (1e400): PHP could not hold them either.
        let token = &self.src[start..self.pos];
        if token.len() > 15 || token.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            let finite = std::str::from_utf8(token)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_finite);
            if !finite {
                return Err(JsonError {
                    offset: start,
                    message: "number out of range",
                });
            }
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(src: &str) -> Vec<String> {
        object_members(src.as_bytes())
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect()
    }

    #[test]
    fn members_are_found_with_their_exact_value_bytes() {
        let src = br#" { "a" : [1, {"b":2}] , "c\u0041":"x\"y", "n": -1.5e+3 } "#;
        let members = object_members(src).unwrap();
        let got: Vec<(&str, &[u8])> = members
            .iter()
            .map(|m| (m.key.as_str(), &src[m.value.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", &br#"[1, {"b":2}]"#[..]),
                ("cA", br#""x\"y""#),
                ("n", b"-1.5e+3")
            ]
        );
        assert_eq!(keys("{}"), Vec::<String>::new());
    }

    #[test]
    fn only_strict_json_objects_pass() {
        for bad in [
            "",
            "[]",
            "1",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":-}",
            "{\"a\":1e}",
            "{\"a\":tru}",
            "{\"a\":NaN}",
            "{'a':1}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\\udc00\"}",
            "{\"a\":\"\t\"}",
            "{\"a\":1} x",
            "{\"a\":[1 2]}",
            "{\"a\":{\"b\" 1}}",
        ] {
            assert!(object_members(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(object_members(b"{\"a\":\"\xff\"}").is_err());
        assert!(object_members("{\"a\":\"\\ud83d\\ude00 é\"}".as_bytes()).is_ok());
    }

    #[test]
    fn nesting_is_capped_like_serde_json() {
        let ok = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(object_members(ok.as_bytes()).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&ok).is_ok());
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert!(object_members(deep.as_bytes()).is_err());
        let very_deep = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert!(object_members(very_deep.as_bytes()).is_err(), "no stack overflow");
    }

    #[test]
    fn whatever_the_scanner_accepts_serde_json_parses_the_same() {
        let mut state: u64 = 42;
        let alphabet = br#"{}[]":,0123456789-+.eEtrufalsn \u00d8\"abc"#;
        for _ in 0..30_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            let mut bytes = b"{\"k\":".to_vec();
            let mut x = state;
            for _ in 0..len {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                bytes.push(alphabet[((x >> 33) % alphabet.len() as u64) as usize]);
            }
            bytes.push(b'}');
            let ours = object_members(&bytes).is_ok();
            let theirs = serde_json::from_slice::<serde_json::Value>(&bytes)
                .map(|v| v.is_object())
                .unwrap_or(false);
            assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn rewrite_replaces_in_place_removes_and_appends_last() {
        let src = br#"{"a":1, "attempts":3, "data":{"x":1}, "queue":"q"}"#;
        let members = object_members(src).unwrap();
        let edits = Edits {
            replace: vec![("data", br#"{"x":2}"#), ("new", b"true")],
            remove: vec!["queue"],
            append: vec![("attempts", b"0")],
        };
        let out = rewrite(src, &members, &edits);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":1,"data":{"x":2},"new":true,"attempts":0}"#
        );
        let empty = rewrite(
            b"{}",
            &[],
            &Edits {
                replace: vec![("e", b"null")],
                ..Edits::default()
            },
        );
        assert_eq!(empty, br#"{"e":null}"#);
    }
}
