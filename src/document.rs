//! A JSON document parsed into one flat tape that borrows its strings from the input, and a
//! jsonschema representation over it: validating JSON bytes this way allocates one vector
//! (plus the few strings that contain escapes) instead of a tree of maps and strings.
//!
//! Used to decide validity fast; violations are still reported from a `serde_json::Value`,
//! which an invalid envelope's tape builds ([`Document::to_value`]) instead of the text being
//! parsed again.
#![forbid(unsafe_code)]

use std::borrow::Cow;

use jsonschema::json::{cmp, Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::{Number, Value};

use crate::json_string::next_escape;

/// One slot of the tape. Containers record where their last descendant ends, so a reader
/// skips a subtree in one step; an object's slots alternate key, value.
#[derive(Debug, Clone)]
enum Slot<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// `-0`: the integer 0 to every rule, but -0.0 as a value, as serde_json reads it.
    NegZero,
    UInt(u64),
    Float(f64),
    Str(Cow<'a, str>),
    Object { members: u32, end: u32 },
    Array { items: u32, end: u32 },
}

/// A parsed JSON document.
#[derive(Debug)]
pub struct Document<'a> {
    tape: Vec<Slot<'a>>,
}

/// Why bytes are not a JSON document within the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub reason: &'static str,
}

impl<'a> Document<'a> {
    /// Parses `text` (already known to be UTF-8), refusing nesting deeper than `max_depth`.
    pub fn parse(text: &'a str, max_depth: usize) -> Result<Document<'a>, ParseError> {
        let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, tape: Vec::with_capacity(text.len() / 8), max_depth };
        parser.value(0)?;
        parser.skip_ws();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("trailing characters after the JSON value"));
        }
        Ok(Document { tape: parser.tape })
    }

    pub fn root(&self) -> DocNode<'_> {
        DocNode::Slot(self, 0)
    }

    /// The document as a `serde_json::Value`: the one serde_json parses from the same text
    /// (duplicate members keep the first one's place and the last one's value; `-0` is -0.0).
    pub fn to_value(&self) -> Value {
        to_value(self, 0)
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tape: Vec<Slot<'a>>,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, reason: &'static str) -> ParseError {
        ParseError { offset: self.pos, reason }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), ParseError> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                let s = self.string()?;
                self.tape.push(Slot::Str(s));
                Ok(())
            }
            Some(b't') => self.literal("true", Slot::Bool(true)),
            Some(b'f') => self.literal("false", Slot::Bool(false)),
            Some(b'n') => self.literal("null", Slot::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn literal(&mut self, word: &'static str, slot: Slot<'a>) -> Result<(), ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            self.tape.push(slot);
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn container_start(&mut self, depth: usize, slot: Slot<'a>) -> Result<usize, ParseError> {
        if depth > self.max_depth {
            return Err(self.error("nesting deeper than the maximum depth"));
        }
        self.pos += 1;
        let at = self.tape.len();
        if at >= u32::MAX as usize {
            return Err(self.error("document too large"));
        }
        self.tape.push(slot);
        Ok(at)
    }

    fn object(&mut self, depth: usize) -> Result<(), ParseError> {
        let at = self.container_start(depth, Slot::Object { members: 0, end: 0 })?;
        let mut members = 0u32;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b'"') {
                    return Err(self.error("expected a member name"));
                }
                let key = self.string()?;
                self.tape.push(Slot::Str(key));
                self.skip_ws();
                if self.bytes.get(self.pos) != Some(&b':') {
                    return Err(self.error("expected ':'"));
                }
                self.pos += 1;
                self.value(depth)?;
                members += 1;
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or '}'")),
                }
            }
        }
        let end = self.tape.len() as u32;
        self.tape[at] = Slot::Object { members, end };
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<(), ParseError> {
        let at = self.container_start(depth, Slot::Array { items: 0, end: 0 })?;
        let mut items = 0u32;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
        } else {
            loop {
                self.value(depth)?;
                items += 1;
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or ']'")),
                }
            }
        }
        let end = self.tape.len() as u32;
        self.tape[at] = Slot::Array { items, end };
        Ok(())
    }

    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.pos += 1; // the opening quote
        let start = self.pos;
        // One pass over the slice to the first byte that ends the plain run.
        let run = next_escape(&self.bytes[self.pos..]);
        match run.map(|n| (n, self.bytes[self.pos + n])) {
            Some((n, b'"')) => {
                let s = &self.text[start..start + n];
                self.pos += n + 1;
                return Ok(Cow::Borrowed(s));
            }
            Some((n, b'\\')) => self.pos += n,
            Some((n, _)) => {
                self.pos += n;
                return Err(self.error("control character in a string"));
            }
            None => {
                self.pos = self.bytes.len();
                return Err(self.error("unterminated string"));
            }
        }
        // Escapes: build an owned string from here on.
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.bytes[self.pos..].starts_with(b"\\u") {
                                    return Err(self.error("lone surrogate in a \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("invalid surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    out.push(c);
                    self.pos += 1;
                }
                Some(&b) if b < 0x20 => return Err(self.error("control character in a string")),
                Some(_) => {
                    // Copy the run up to the next quote or backslash (whole UTF-8 sequences).
                    let run = self.pos;
                    let n = next_escape(&self.bytes[run..]).unwrap_or(self.bytes.len() - run);
                    self.pos += n;
                    out.push_str(&self.text[run..self.pos]);
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16).ok_or_else(|| self.error("invalid \\u escape"))?;
        }
        self.pos += 4;
        Ok(v)
    }

    fn number(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        let mut integral = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let literal = &self.text[start..self.pos];
        let slot = if integral {
            if let Ok(i) = literal.parse::<i64>() {
                if i == 0 && literal.starts_with('-') {
                    Slot::NegZero
                } else {
                    Slot::Int(i)
                }
            } else if let Ok(u) = literal.parse::<u64>() {
                Slot::UInt(u)
            } else {
                let f: f64 = literal.parse().map_err(|_| self.error("invalid number"))?;
                if !f.is_finite() {
                    return Err(self.error("number out of range"));
                }
                Slot::Float(f)
            }
        } else {
            let f: f64 = literal.parse().map_err(|_| self.error("invalid number"))?;
            if !f.is_finite() {
                return Err(self.error("number out of range"));
            }
            Slot::Float(f)
        };
        self.tape.push(slot);
        Ok(())
    }
}

/// The representation marker.
pub struct DocJson;

/// A node: a slot of a document, or a string handed over by the validator.
#[derive(Clone, Copy)]
pub enum DocNode<'d> {
    Slot(&'d Document<'d>, usize),
    Name(&'d str),
}

/// An object or array slot.
#[derive(Clone, Copy)]
pub struct Container<'d> {
    doc: &'d Document<'d>,
    at: usize,
}

#[derive(Clone, Copy)]
pub enum DocNumber {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Json for DocJson {
    type Node<'n> = DocNode<'n>;
    type PreparedKey = Box<str>;
    type StringBuffer = ();
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(DocNode<'_>) -> T) -> T {
        f(DocNode::Name(string))
    }
}

impl<'a> Document<'a> {
    /// The slot after a value's last descendant.
    fn after(&self, at: usize) -> usize {
        match self.tape[at] {
            Slot::Object { end, .. } | Slot::Array { end, .. } => end as usize,
            _ => at + 1,
        }
    }
}

impl<'d> DocNode<'d> {
    fn slot(&self) -> Option<&'d Slot<'d>> {
        match *self {
            DocNode::Slot(doc, at) => doc.tape.get(at),
            DocNode::Name(_) => None,
        }
    }

    /// A member of an object node (the last one of that name, as serde_json keeps).
    pub fn member(&self, name: &str) -> Option<DocNode<'d>> {
        self.as_object()?.member_named(name)
    }

    pub fn is_null_node(&self) -> bool {
        matches!(self.slot(), Some(Slot::Null))
    }

    pub fn text(&self) -> Option<&'d str> {
        match *self {
            DocNode::Name(s) => Some(s),
            DocNode::Slot(..) => match self.slot()? {
                Slot::Str(s) => Some(s),
                _ => None,
            },
        }
    }
}

impl<'d> Node<'d, DocJson> for DocNode<'d> {
    type Object = Container<'d>;
    type Array = Container<'d>;
    type Number = DocNumber;

    fn as_object(&self) -> Option<Container<'d>> {
        match (*self, self.slot()?) {
            (DocNode::Slot(doc, at), Slot::Object { .. }) => Some(Container { doc, at }),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<Container<'d>> {
        match (*self, self.slot()?) {
            (DocNode::Slot(doc, at), Slot::Array { .. }) => Some(Container { doc, at }),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'d, str>> {
        self.text().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<DocNumber> {
        match self.slot()? {
            Slot::Int(i) => Some(DocNumber::Int(*i)),
            Slot::NegZero => Some(DocNumber::Int(0)),
            Slot::UInt(u) => Some(DocNumber::UInt(*u)),
            Slot::Float(f) => Some(DocNumber::Float(*f)),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.slot()? {
            Slot::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.slot(), Some(Slot::Null))
    }

    fn json_type(&self) -> JsonType {
        match self.slot() {
            None | Some(Slot::Str(_)) => JsonType::String,
            Some(Slot::Null) => JsonType::Null,
            Some(Slot::Bool(_)) => JsonType::Boolean,
            Some(Slot::Int(_) | Slot::NegZero | Slot::UInt(_) | Slot::Float(_)) => JsonType::Number,
            Some(Slot::Object { .. }) => JsonType::Object,
            Some(Slot::Array { .. }) => JsonType::Array,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (self.text(), expected) {
            (Some(s), Value::String(e)) => s == e.as_str(),
            (Some(_), _) => false,
            (None, _) => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'d, Value> {
        Cow::Owned(match *self {
            DocNode::Name(s) => Value::String(s.to_owned()),
            DocNode::Slot(doc, at) => to_value(doc, at),
        })
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            DocNode::Slot(doc, at) => Some(NodeIdentity::tagged(doc as *const Document as usize, at as u32)),
            DocNode::Name(s) => Some(NodeIdentity::new(s.as_ptr() as usize)),
        }
    }
}

fn to_value<'d>(doc: &'d Document<'d>, at: usize) -> Value {
    match &doc.tape[at] {
        Slot::Null => Value::Null,
        Slot::Bool(b) => Value::Bool(*b),
        Slot::Int(i) => Value::Number((*i).into()),
        Slot::NegZero => Number::from_f64(-0.0).map_or(Value::Null, Value::Number),
        Slot::UInt(u) => Value::Number((*u).into()),
        Slot::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Slot::Str(s) => Value::String(s.to_string()),
        Slot::Array { .. } => {
            let c = Container { doc, at };
            Value::Array(c.slots().map(|i| to_value(doc, i)).collect())
        }
        Slot::Object { .. } => {
            let c = Container { doc, at };
            let mut map = serde_json::Map::new();
            for (k, v) in c.member_slots() {
                if let Slot::Str(name) = &doc.tape[k] {
                    map.insert(name.to_string(), to_value(doc, v));
                }
            }
            Value::Object(map)
        }
    }
}

impl<'d> Container<'d> {
    /// Element slots of an array.
    fn slots(self) -> impl Iterator<Item = usize> + 'd {
        let doc = self.doc;
        let mut next = self.at + 1;
        let end = doc.after(self.at);
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let at = next;
                next = doc.after(at);
                at
            })
        })
    }

    /// The value of the last member called `key`, as serde_json keeps duplicates.
    fn member_named(self, key: &str) -> Option<DocNode<'d>> {
        let doc = self.doc;
        self.member_slots()
            .filter(|&(k, _)| matches!(&doc.tape[k], Slot::Str(name) if **name == *key))
            .last()
            .map(|(_, v)| DocNode::Slot(doc, v))
    }

    /// (name slot, value slot) pairs of an object.
    fn member_slots(self) -> impl Iterator<Item = (usize, usize)> + 'd {
        let doc = self.doc;
        let mut next = self.at + 1;
        let end = doc.after(self.at);
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let key = next;
                let value = key + 1;
                next = doc.after(value);
                (key, value)
            })
        })
    }

    fn count(self) -> usize {
        match self.doc.tape[self.at] {
            Slot::Object { members, .. } => members as usize,
            Slot::Array { items, .. } => items as usize,
            _ => 0,
        }
    }
}

type Members<'d> = Box<dyn Iterator<Item = (&'d str, DocNode<'d>)> + 'd>;
type Elements<'d> = Box<dyn Iterator<Item = DocNode<'d>> + 'd>;

impl<'d> Object<'d, DocJson> for Container<'d> {
    type Node = DocNode<'d>;
    type MemberName = &'d str;
    type MembersIter = Members<'d>;

    fn len(&self) -> usize {
        self.count()
    }

    fn get(&self, key: &Box<str>) -> Option<DocNode<'d>> {
        self.member_named(key)
    }

    fn members(&self) -> Members<'d> {
        let doc = self.doc;
        Box::new(self.member_slots().filter_map(move |(k, v)| match &doc.tape[k] {
            Slot::Str(name) => Some((name.as_ref(), DocNode::Slot(doc, v))),
            _ => None,
        }))
    }
}

impl<'d> Array<'d, DocJson> for Container<'d> {
    type Node = DocNode<'d>;
    type ElementsIter = Elements<'d>;

    fn len(&self) -> usize {
        self.count()
    }

    fn elements(&self) -> Elements<'d> {
        let doc = self.doc;
        Box::new(self.slots().map(move |i| DocNode::Slot(doc, i)))
    }
}

impl JsonNumber for DocNumber {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            DocNumber::Int(i) => u64::try_from(i).ok(),
            DocNumber::UInt(u) => Some(u),
            DocNumber::Float(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match *self {
            DocNumber::Int(i) => Some(i),
            DocNumber::UInt(u) => i64::try_from(u).ok(),
            DocNumber::Float(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            DocNumber::Int(i) => i as f64,
            DocNumber::UInt(u) => u as f64,
            DocNumber::Float(f) => f,
        })
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(match *self {
            DocNumber::Int(i) => i.to_string(),
            DocNumber::UInt(u) => u.to_string(),
            DocNumber::Float(f) => f.to_string(),
        })
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(match *self {
            DocNumber::Int(i) => Number::from(i),
            DocNumber::UInt(u) => Number::from(u),
            DocNumber::Float(f) => Number::from_f64(f).unwrap_or_else(|| Number::from(0)),
        })
    }

    fn is_written_as_integer(&self) -> bool {
        !matches!(self, DocNumber::Float(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        let doc = Document::parse(s, 128).expect("parses");
        to_value(&doc, 0)
    }

    #[test]
    fn document_reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[true,false,null,{"c":"d"}],"e":-1.5e3,"f":"x\"y\\z\u00e9\ud83d\ude00\n","g":{},"h":[]}"#,
            r#"[18446744073709551615, -9223372036854775808, 0.1, 1e-7, "", "é"]"#,
            r#"  {"nested": {"deeper": {"deepest": [1, [2, [3]]]}}}  "#,
            r#""just a string""#,
            r#"[-0, 0, -0.0, 1.0, 1e2, 100000000000000000000, -9223372036854775809, 18446744073709551616]"#,
            r#"{"a":1,"a":{"b":2},"c":[],"a":3}"#,
        ] {
            assert_eq!(parse(text), serde_json::from_str::<Value>(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn document_refuses_what_is_not_json() {
        for text in [
            "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"a\u{1}\"",
            "\"\\ud800\"", "[1] 2", "{\"a\":1}}", "1e400",
            // Found by the summary fuzz target: an integer literal beyond f64's range.
            &format!("1{}", "4".repeat(400)),
        ] {
            assert!(Document::parse(text, 128).is_err(), "{text:?} should not parse");
            // serde_json agrees that none of these is JSON (it maps 1e400 to an error too).
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn document_depth_is_bounded() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(Document::parse(&deep, 128).unwrap_err().reason, "nesting deeper than the maximum depth");
        let ok = "[".repeat(128) + &"]".repeat(128);
        assert!(Document::parse(&ok, 128).is_ok());
    }

    #[test]
    fn duplicate_members_resolve_to_the_last_as_serde_json_does() {
        let text = r#"{"kind":"asset.discovery","kind":"evil"}"#;
        let doc = Document::parse(text, 128).unwrap();
        assert_eq!(doc.root().member("kind").and_then(|n| n.text()), Some("evil"));
    }
}
