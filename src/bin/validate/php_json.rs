//! JSON in and out the way the PHP command sees it, so the binary accepts, refuses and prints
//! exactly what `integration-bus:validate` does:
//!
//! - [`decode`] is `json_decode($bytes, false, 512, JSON_THROW_ON_ERROR)`: RFC 8259 only, at most
//!   511 nested containers, strict UTF-8, no unpaired `\u` surrogates, no object key starting
//!   with NUL, integers beyond `i64` become floats (`1e400` is INF), duplicate keys keep the
//!   first position and the last value.
//! - [`to_envelope`] is what the extension's Validator does with that `stdClass` tree: the
//!   core's one walk (`phpgrc_bus::input`, which the binding's `src/php/convert.rs` runs too),
//!   so the `phpgrc_bus.max_depth` / `max_bytes` limits (at their defaults), NaN/INF refused,
//!   the same messages, and the pointers of empty arrays (a PHP array cannot tell `[]` from
//!   `{}`), which [`phpgrc_bus::contract::Schema::violations_resolving_empties`] resolves.
//! - [`encode_string`] is `json_encode()` of a string with `JSON_UNESCAPED_SLASHES |
//!   JSON_UNESCAPED_UNICODE`.

use std::collections::HashMap;

use phpgrc_bus::input::{self, Data, Held, Key, Limits};
use serde_json::Value;

/// `json_decode()`'s depth argument in the PHP command.
const PHP_DEPTH: usize = 512;

/// A decoded JSON document as PHP holds it (objects as `stdClass`).
#[derive(Debug, Clone, PartialEq)]
pub enum PhpValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<PhpValue>),
    Object(Vec<(String, PhpValue)>),
}

/// The bytes are not a JSON document PHP would decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidJson;

/// `json_decode($bytes, false, 512)`.
pub fn decode(bytes: &[u8]) -> Result<PhpValue, InvalidJson> {
    let mut p = Parser { s: bytes, i: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != bytes.len() {
        return Err(InvalidJson);
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), InvalidJson> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(InvalidJson)
        }
    }

    fn literal(&mut self, word: &[u8], v: PhpValue) -> Result<PhpValue, InvalidJson> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(InvalidJson)
        }
    }

    /// `depth`: containers already open around this value.
    fn value(&mut self, depth: usize) -> Result<PhpValue, InvalidJson> {
        match self.peek().ok_or(InvalidJson)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(PhpValue::Str),
            b't' => self.literal(b"true", PhpValue::Bool(true)),
            b'f' => self.literal(b"false", PhpValue::Bool(false)),
            b'n' => self.literal(b"null", PhpValue::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(InvalidJson),
        }
    }

    fn object(&mut self, depth: usize) -> Result<PhpValue, InvalidJson> {
        // PHP refuses a container at depth >= the depth argument: 511 levels at most.
        if depth >= PHP_DEPTH {
            return Err(InvalidJson);
        }
        self.i += 1;
        let mut members: Vec<(String, PhpValue)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(PhpValue::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(InvalidJson);
            }
            let key = self.string()?;
            // "The decoded property name is invalid".
            if key.starts_with('\0') {
                return Err(InvalidJson);
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let v = self.value(depth)?;
            match index.get(&key) {
                Some(&at) => members[at].1 = v,
                None => {
                    index.insert(key.clone(), members.len());
                    members.push((key, v));
                }
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(PhpValue::Object(members));
                }
                _ => return Err(InvalidJson),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<PhpValue, InvalidJson> {
        if depth >= PHP_DEPTH {
            return Err(InvalidJson);
        }
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(PhpValue::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(PhpValue::Array(items));
                }
                _ => return Err(InvalidJson),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<PhpValue, InvalidJson> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(InvalidJson),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(InvalidJson);
            }
            integer = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(InvalidJson);
            }
            integer = false;
        }
        // ASCII digits and signs only: valid UTF-8.
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| InvalidJson)?;
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(PhpValue::Int(i));
            }
        }
        // Correctly rounded like zend_strtod; out of range is ±INF, as in PHP.
        text.parse::<f64>().map(PhpValue::Float).map_err(|_| InvalidJson)
    }

    fn hex4(&mut self) -> Result<u32, InvalidJson> {
        let digits = self.s.get(self.i..self.i + 4).ok_or(InvalidJson)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16).ok_or(InvalidJson)?;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, InvalidJson> {
        self.i += 1; // the opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or(InvalidJson)?;
            self.i += 1;
            match c {
                b'"' => break,
                0x00..=0x1f => return Err(InvalidJson),
                b'\\' => {
                    let e = self.peek().ok_or(InvalidJson)?;
                    self.i += 1;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => return Err(InvalidJson),
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    let unit = self.hex4()?;
                    let code = match unit {
                        0xD800..=0xDBFF => {
                            // Only an escaped low surrogate right after completes the pair.
                            if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                return Err(InvalidJson);
                            }
                            self.i += 2;
                            let low = self.hex4()?;
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return Err(InvalidJson);
                            }
                            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return Err(InvalidJson),
                        u => u,
                    };
                    let ch = char::from_u32(code).ok_or(InvalidJson)?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).map_err(|_| InvalidJson)
    }
}

/// The envelope as the extension's Validator converts a `stdClass` tree: the core's walk
/// (`input::to_json`) within the ini defaults, giving the JSON value and the pointers of its
/// empty arrays, or the reason it cannot be validated (the message of the
/// `\InvalidArgumentException`, NUL bytes shown as `\0`).
pub fn to_envelope(v: &PhpValue) -> Result<(Value, Vec<String>), String> {
    match input::to_json(v, &Limits::DEFAULT) {
        Ok(decoded) => Ok((decoded.value, decoded.empties)),
        Err(refused) => Err(refused.to_string().replace('\0', "\\0")),
    }
}

/// A decoded tree as the core's walk reads it: objects are stdClass, arrays are lists.
impl<'a> Held<'a> for &'a PhpValue {
    type Entries = Entries<'a>;

    fn data(&self) -> Data<'a, Entries<'a>> {
        let identity = *self as *const PhpValue as usize;
        match self {
            PhpValue::Null => Data::Null,
            PhpValue::Bool(b) => Data::Bool(*b),
            PhpValue::Int(i) => Data::Int(*i),
            PhpValue::Float(f) => Data::Float(*f),
            PhpValue::Str(s) => Data::Text(s.as_bytes()),
            PhpValue::Array(items) => {
                Data::Container { entries: Entries::List(items.iter().enumerate()), empty: items.is_empty(), object: false, identity }
            }
            PhpValue::Object(members) => {
                Data::Container { entries: Entries::Members(members.iter()), empty: members.is_empty(), object: true, identity }
            }
        }
    }
}

/// A container's entries with their keys.
pub enum Entries<'a> {
    List(std::iter::Enumerate<std::slice::Iter<'a, PhpValue>>),
    Members(std::slice::Iter<'a, (String, PhpValue)>),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Key<'a>, &'a PhpValue);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::List(items) => items.next().map(|(i, v)| (Key::Index(i as i64), v)),
            Entries::Members(members) => members.next().map(|(k, v)| (Key::Name(k.as_bytes()), v)),
        }
    }
}

/// `json_encode($string, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)`, quotes included;
/// `None` for bytes that are not UTF-8 (PHP throws "Malformed UTF-8 characters").
pub fn encode_string(bytes: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let s = std::str::from_utf8(bytes).ok()?;
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{0c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            // Escaped unless JSON_UNESCAPED_LINE_TERMINATORS, which the command does not set.
            '\u{2028}' => out.extend_from_slice(b"\\u2028"),
            '\u{2029}' => out.extend_from_slice(b"\\u2029"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
    Some(())
}
