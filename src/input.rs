//! Envelopes as PHP holds them, read as JSON data: the limits every envelope is read within
//! (`phpgrc_bus.max_depth`, `phpgrc_bus.max_bytes`), what is refused (numbers without a JSON
//! form, text that is not UTF-8, a value that contains itself, anything that is not data),
//! PHP arrays read as lists or objects by their keys, and the empty arrays whose JSON (`{}` or
//! `[]`) only the schema decides. One walk, generic over who holds the values: the binding's
//! zvals (`php::convert`; its in-place check and writer, `php::zval_json`, count with the same
//! [`Limits`] and [`Budget`]) and the standalone validator's decoded tree
//! (`bin/validate/php_json.rs`). JSON text is read within the same limits (`parse_json`),
//! and an envelope given as JSON text is judged from one parse (`judge_json`).
//!
//! No PHP types: what a zval is belongs to the binding. What the contract says of the data
//! belongs to `contract`.
#![forbid(unsafe_code)]

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::document::Document;
use crate::contract::violation::push_token;
use crate::contract::{Check, RuleFields, Schema};

/// serde_json's own recursion limit: JSON text cannot nest deeper than this.
pub const PARSER_DEPTH: usize = 128;

/// The limits an envelope is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects (`phpgrc_bus.max_depth`).
    pub max_depth: usize,
    /// Most bytes of text (strings and member names) an envelope may hold, or bytes of JSON
    /// it may be (`phpgrc_bus.max_bytes`).
    pub max_bytes: usize,
}

impl Limits {
    /// The ini defaults: 128 levels, 16 MiB.
    pub const DEFAULT: Limits = Limits { max_depth: PARSER_DEPTH, max_bytes: 16 * 1024 * 1024 };

    /// Whether an array or object with `depth` containers above it (0: the envelope itself)
    /// may be entered.
    #[inline(always)]
    pub fn admits_depth(&self, depth: usize) -> bool {
        depth < self.max_depth
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// The text bytes one envelope has held so far, against `max_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    used: usize,
    max: usize,
}

impl Budget {
    pub fn new(limits: &Limits) -> Budget {
        Budget { used: 0, max: limits.max_bytes }
    }

    /// Counts `bytes` more; false once the envelope holds more than `max_bytes`.
    #[inline(always)]
    pub fn take(&mut self, bytes: usize) -> bool {
        self.used = self.used.saturating_add(bytes);
        self.used <= self.max
    }
}

/// Why a value or a text is not JSON data within the limits. `Display` is the sentence the
/// binding throws (`\InvalidArgumentException`) and the validator prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    TooDeep { max_depth: usize },
    TooLarge { max_bytes: usize },
    /// NaN or an infinity.
    NotFinite(f64),
    TextNotUtf8 { offset: usize },
    KeyNotUtf8 { offset: usize },
    /// An array or object that holds itself (through a reference or an object).
    ContainsItself,
    /// Not data at all (a resource, an object of another class…), in the holder's words.
    NotData(String),
    /// JSON text larger than `max_bytes`.
    JsonTooLarge { bytes: usize, max_bytes: usize },
    /// JSON text nested deeper than `max_depth` (`at`: line and column, when the parser
    /// stopped there).
    JsonTooDeep { max_depth: usize, at: Option<(usize, usize)> },
    /// Not JSON: the parser's reason.
    NotJson { line: usize, column: usize, reason: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TooDeep { max_depth } => {
                write!(f, "nesting deeper than the maximum depth of {max_depth} (ini phpgrc_bus.max_depth)")
            }
            Refusal::TooLarge { max_bytes } => {
                write!(f, "the envelope holds more than {max_bytes} bytes of text (ini phpgrc_bus.max_bytes)")
            }
            Refusal::NotFinite(x) => write!(f, "{x} is not a finite number and has no JSON form (NaN/INF)"),
            Refusal::TextNotUtf8 { offset } => write!(f, "string is not valid UTF-8 (invalid byte at offset {offset})"),
            Refusal::KeyNotUtf8 { offset } => write!(f, "array key is not valid UTF-8 (invalid byte at offset {offset})"),
            Refusal::ContainsItself => f.write_str("the value contains itself (a recursive reference), which has no JSON form"),
            Refusal::NotData(message) => f.write_str(message),
            Refusal::JsonTooLarge { bytes, max_bytes } => {
                write!(f, "the envelope is {bytes} bytes, over the limit of {max_bytes} bytes (ini phpgrc_bus.max_bytes)")
            }
            Refusal::JsonTooDeep { max_depth, at: Some((line, column)) } => write!(
                f,
                "invalid JSON: nesting deeper than the maximum depth of {max_depth} (ini phpgrc_bus.max_depth), at line {line} column {column}"
            ),
            Refusal::JsonTooDeep { max_depth, at: None } => {
                write!(f, "invalid JSON: nesting deeper than the maximum depth of {max_depth} (ini phpgrc_bus.max_depth)")
            }
            Refusal::NotJson { line, column, reason } => write!(f, "invalid JSON at line {line} column {column}: {reason}"),
        }
    }
}

/// A refusal and where in the envelope it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub refusal: Refusal,
    /// The RFC 6901 pointer of the refused value; empty for the envelope itself.
    pub at: String,
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Refused {
        Refused { refusal, at: String::new() }
    }
}

impl fmt::Display for Refused {
    /// The refusal, then `at <pointer>` (a deep pointer keeps its start and end).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.refusal)?;
        if !self.at.is_empty() {
            write!(f, " at {}", shorten(&self.at))?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// A pointer for a message: deep ones keep their start and end.
fn shorten(pointer: &str) -> String {
    const KEEP: usize = 60;
    let chars: Vec<char> = pointer.chars().collect();
    if chars.len() <= 2 * KEEP {
        return pointer.to_string();
    }
    let head: String = chars[..KEEP].iter().collect();
    let tail: String = chars[chars.len() - KEEP..].iter().collect();
    format!("{head}…{tail}")
}

/// A key of a PHP array entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    Index(i64),
    Name(&'a [u8]),
}

/// One value as the walk reads it.
pub enum Data<'a, E> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string's bytes; the walk checks they are UTF-8.
    Text(&'a [u8]),
    /// A PHP array (`object: false`) or a stdClass object's properties (`object: true`).
    /// `identity` tells containers apart, so that one holding itself is refused.
    Container { entries: E, empty: bool, object: bool, identity: usize },
    /// Not JSON data: why, in the holder's words.
    NotData(String),
}

/// A node of a tree of PHP values, as its holder reads it.
pub trait Held<'a>: Sized {
    /// A container's entries in order, each with its key.
    type Entries: Iterator<Item = (Key<'a>, Self)>;
    fn data(&self) -> Data<'a, Self::Entries>;
}

/// PHP values read as JSON data, and where they held empty PHP arrays (which may mean `{}` or
/// `[]`: the schema decides, see `Schema::violations_resolving_empties`).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub value: Value,
    /// RFC 6901 pointers of the empty arrays, read as `[]`.
    pub empties: Vec<String>,
}

/// Reads a tree of PHP values as JSON data within `limits`: depth and text bytes counted,
/// strings and keys checked as UTF-8, a value that holds itself refused, an array whose keys
/// are 0, 1, 2… in order read as a list and any other as an object, an empty array recorded in
/// `empties`. A stdClass object is always an object.
pub fn to_json<'a, H: Held<'a>>(root: H, limits: &Limits) -> Result<Decoded, Refused> {
    let mut walk = Walk { limits: *limits, budget: Budget::new(limits), on_path: Vec::new(), empties: Vec::new() };
    match walk.value(&root, 0) {
        Ok(value) => Ok(Decoded {
            value,
            empties: walk
                .empties
                .into_iter()
                .map(|mut segments| {
                    segments.reverse();
                    pointer(&segments)
                })
                .collect(),
        }),
        Err(mut failed) => {
            failed.segments.reverse();
            Err(Refused { refusal: failed.refusal, at: pointer(&failed.segments) })
        }
    }
}

fn pointer(segments: &[String]) -> String {
    let mut p = String::new();
    for s in segments {
        push_token(&mut p, s);
    }
    p
}

struct Failed {
    refusal: Refusal,
    /// Keys from the refused node up to the root, pushed while unwinding (cheap on success).
    segments: Vec<String>,
}

impl From<Refusal> for Failed {
    fn from(refusal: Refusal) -> Failed {
        Failed { refusal, segments: Vec::new() }
    }
}

struct Walk {
    limits: Limits,
    budget: Budget,
    /// The containers on the current path, to refuse one that holds itself.
    on_path: Vec<usize>,
    /// Empty arrays, each as its keys from the leaf up.
    empties: Vec<Vec<String>>,
}

impl Walk {
    fn text(&mut self, bytes: usize) -> Result<(), Failed> {
        if self.budget.take(bytes) {
            Ok(())
        } else {
            Err(Refusal::TooLarge { max_bytes: self.limits.max_bytes }.into())
        }
    }

    fn value<'a, H: Held<'a>>(&mut self, node: &H, depth: usize) -> Result<Value, Failed> {
        match node.data() {
            Data::Null => Ok(Value::Null),
            Data::Bool(b) => Ok(Value::Bool(b)),
            Data::Int(n) => Ok(Value::Number(n.into())),
            Data::Float(x) => Number::from_f64(x).map(Value::Number).ok_or_else(|| Refusal::NotFinite(x).into()),
            Data::Text(bytes) => {
                self.text(bytes.len())?;
                std::str::from_utf8(bytes)
                    .map(|s| Value::String(s.to_owned()))
                    .map_err(|e| Refusal::TextNotUtf8 { offset: e.valid_up_to() }.into())
            }
            Data::Container { entries, empty, object, identity } => self.container::<H>(entries, empty, object, identity, depth),
            Data::NotData(message) => Err(Refusal::NotData(message).into()),
        }
    }

    fn container<'a, H: Held<'a>>(
        &mut self,
        entries: H::Entries,
        empty: bool,
        object: bool,
        identity: usize,
        depth: usize,
    ) -> Result<Value, Failed> {
        if !self.limits.admits_depth(depth) {
            return Err(Refusal::TooDeep { max_depth: self.limits.max_depth }.into());
        }
        if self.on_path.contains(&identity) {
            return Err(Refusal::ContainsItself.into());
        }
        if empty {
            if object {
                return Ok(Value::Object(Map::new()));
            }
            self.empties.push(Vec::new());
            return Ok(Value::Array(Vec::new()));
        }
        self.on_path.push(identity);
        let result = self.members::<H>(entries, depth, object);
        self.on_path.pop();
        result
    }

    fn members<'a, H: Held<'a>>(&mut self, entries: H::Entries, depth: usize, object: bool) -> Result<Value, Failed> {
        // Start as a list; the first key that is not the next index turns it into an object.
        let mut list: Option<Vec<Value>> = if object { None } else { Some(Vec::with_capacity(entries.size_hint().0)) };
        let mut map = Map::new();
        for (key, item) in entries {
            let key_text = match key {
                Key::Index(i) => {
                    if let Some(items) = list.as_mut() {
                        if i >= 0 && i as usize == items.len() {
                            let before = self.empties.len();
                            let v = self.value(&item, depth + 1).map_err(|mut e| {
                                e.segments.push(i.to_string());
                                e
                            })?;
                            self.mark(before, || i.to_string());
                            items.push(v);
                            continue;
                        }
                    }
                    i.to_string()
                }
                Key::Name(bytes) => {
                    self.text(bytes.len())?;
                    match std::str::from_utf8(bytes) {
                        Ok(s) => s.to_owned(),
                        Err(e) => return Err(Refusal::KeyNotUtf8 { offset: e.valid_up_to() }.into()),
                    }
                }
            };
            if let Some(items) = list.take() {
                for (i, v) in items.into_iter().enumerate() {
                    map.insert(i.to_string(), v);
                }
            }
            let before = self.empties.len();
            let v = self.value(&item, depth + 1).map_err(|mut e| {
                e.segments.push(key_text.clone());
                e
            })?;
            self.mark(before, || key_text.clone());
            map.insert(key_text, v);
        }
        Ok(match list {
            Some(items) => Value::Array(items),
            None => Value::Object(map),
        })
    }

    /// Prefixes the empties found below a member with that member's key.
    fn mark(&mut self, before: usize, key: impl Fn() -> String) {
        for e in &mut self.empties[before..] {
            e.push(key());
        }
    }
}

/// JSON text read within `limits`: at most `max_bytes` long, nested at most `max_depth`
/// deep. The refusal names the line and column where the text stopped being JSON.
pub fn parse_json(bytes: &[u8], limits: &Limits) -> Result<Value, Refusal> {
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::JsonTooLarge { bytes: bytes.len(), max_bytes: limits.max_bytes });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let reason = e.to_string();
        if reason.starts_with("recursion limit exceeded") {
            Refusal::JsonTooDeep { max_depth: limits.max_depth, at: Some((e.line(), e.column())) }
        } else {
            let hint = if reason.contains("unicode") { " (invalid UTF-8 or escape)" } else { "" };
            let reason = reason.split(" at line ").next().unwrap_or(&reason);
            Refusal::NotJson { line: e.line(), column: e.column(), reason: format!("{reason}{hint}") }
        }
    })?;
    if limits.max_depth < PARSER_DEPTH && too_deep(&value, 0, limits) {
        return Err(Refusal::JsonTooDeep { max_depth: limits.max_depth, at: None });
    }
    Ok(value)
}

/// Whether a container at `depth` or below it is nested deeper than the limits admit (the
/// rule the walk and the tape apply: containers count, scalars do not).
fn too_deep(value: &Value, depth: usize, limits: &Limits) -> bool {
    match value {
        Value::Array(items) => !limits.admits_depth(depth) || items.iter().any(|i| too_deep(i, depth + 1, limits)),
        Value::Object(map) => !limits.admits_depth(depth) || map.values().any(|i| too_deep(i, depth + 1, limits)),
        _ => false,
    }
}

/// What the contract says of an envelope given as JSON text.
#[derive(Debug)]
pub enum Judged<T> {
    /// Valid (outside strict mode), decided on a borrowed tape: what `valid` read from its rule
    /// fields (its queue headers, say).
    Valid(T),
    /// Decide with the full rules on this value: it failed the tape's check (the value is
    /// built from that same tape, not parsed again), or strict mode reads the whole envelope
    /// as a value.
    Value(Value),
}

/// Judges an envelope given as JSON text from one parse. Outside strict mode the text is
/// parsed into a tape and checked there; a valid envelope is settled (`Valid`), an invalid
/// one becomes a `Value` from the same tape for the caller to report on. Strict mode, and text
/// the tape refuses, are read by serde_json within the limits: a refusal then says why the
/// text is not JSON (line and column), which is an error, not a verdict.
pub fn judge_json<T>(
    schema: &Schema,
    bytes: &[u8],
    check: &Check,
    limits: &Limits,
    valid: impl FnOnce(&RuleFields) -> T,
) -> Result<Judged<T>, Refused> {
    if !check.strict && bytes.len() <= limits.max_bytes {
        if let Some(doc) = std::str::from_utf8(bytes).ok().and_then(|text| Document::parse(text, limits.max_depth).ok()) {
            return Ok(match schema.valid_doc(&doc, check) {
                Some(fields) => Judged::Valid(valid(&fields)),
                None => Judged::Value(doc.to_value()),
            });
        }
    }
    Ok(Judged::Value(parse_json(bytes, limits)?))
}

#[cfg(test)]
mod tests;
