//! PHP values ↔ JSON values, with the limits that keep hostile input from crashing PHP:
//! a depth cap, a byte budget, cycle detection (`$a['self'] = &$a`), and explicit errors for
//! invalid UTF-8, NaN/INF, resources and objects other than stdClass.

use ext_php_rs::ffi::Bucket;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::ce;
use serde_json::{Map, Number, Value};

use super::ini;

/// Why a PHP value is not JSON data. `Type` maps to `\TypeError`, `Invalid` to
/// `\InvalidArgumentException`.
#[derive(Debug)]
pub enum InputError {
    Type(String),
    Invalid(String),
}

impl InputError {
    pub fn message(&self) -> &str {
        match self {
            InputError::Type(m) | InputError::Invalid(m) => m,
        }
    }
}

/// The limits in force for one call (ini `phpgrc_bus.max_depth`, `phpgrc_bus.max_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_bytes: usize,
}

impl Limits {
    pub fn from_ini() -> Limits {
        Limits { max_depth: ini::max_depth(), max_bytes: ini::max_bytes() }
    }
}

/// A decoded envelope, and where it held empty PHP arrays (which may mean `{}` or `[]`).
pub struct Decoded {
    pub value: Value,
    pub empties: Vec<String>,
}

/// A JSON document from bytes (a JSON string argument), within the limits.
pub fn decode_json(bytes: &[u8], limits: &Limits) -> Result<Value, InputError> {
    if bytes.len() > limits.max_bytes {
        return Err(InputError::Invalid(format!(
            "the envelope is {} bytes, over the limit of {} bytes (ini phpgrc_bus.max_bytes)",
            bytes.len(),
            limits.max_bytes
        )));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        let reason = e.to_string();
        if reason.starts_with("recursion limit exceeded") {
            InputError::Invalid(format!(
                "invalid JSON: nesting deeper than the maximum depth of {} (ini phpgrc_bus.max_depth), at line {} column {}",
                limits.max_depth,
                e.line(),
                e.column()
            ))
        } else {
            let hint = if reason.contains("unicode") { " (invalid UTF-8 or escape)" } else { "" };
            InputError::Invalid(format!(
                "invalid JSON at line {} column {}: {}{hint}",
                e.line(),
                e.column(),
                strip_position(&reason)
            ))
        }
    })?;
    if limits.max_depth < ini::PARSER_DEPTH && depth_exceeds(&value, limits.max_depth) {
        return Err(InputError::Invalid(format!(
            "invalid JSON: nesting deeper than the maximum depth of {} (ini phpgrc_bus.max_depth)",
            limits.max_depth
        )));
    }
    Ok(value)
}

fn strip_position(reason: &str) -> &str {
    reason.split(" at line ").next().unwrap_or(reason)
}

fn depth_exceeds(value: &Value, max: usize) -> bool {
    fn depth(v: &Value, at: usize, max: usize) -> bool {
        if at > max {
            return true;
        }
        match v {
            Value::Array(items) => items.iter().any(|i| depth(i, at + 1, max)),
            Value::Object(map) => map.values().any(|i| depth(i, at + 1, max)),
            _ => false,
        }
    }
    match value {
        Value::Array(_) | Value::Object(_) => depth(value, 1, max),
        _ => false,
    }
}

/// Any accepted envelope form: a JSON string, a PHP array or a stdClass tree. `what` names
/// the argument in errors (`Argument #1 ($envelope)`).
pub fn decode_envelope(zv: &Zval, limits: &Limits, what: &str) -> Result<Decoded, InputError> {
    let zv = zv.dereference();
    if let Some(s) = zv.zend_str() {
        return Ok(Decoded { value: decode_json(s.as_bytes(), limits)?, empties: Vec::new() });
    }
    if zv.is_array() || zv.is_object() {
        return decode_value(zv, limits);
    }
    Err(InputError::Type(format!("{what} must be of type array|string|object, {} given", type_name(zv))))
}

/// A PHP array or stdClass tree as JSON data.
pub fn decode_value(zv: &Zval, limits: &Limits) -> Result<Decoded, InputError> {
    decode_with(limits, |walker| walker.walk(zv, 0))
}

/// A PHP array as JSON data; `prefix` is its pointer in the envelope (for `empties`).
pub fn decode_table(ht: &ZendHashTable, limits: &Limits, prefix: &str) -> Result<Decoded, InputError> {
    let mut decoded = decode_with(limits, |walker| walker.container(ht, 0, false))?;
    for e in &mut decoded.empties {
        e.insert_str(0, prefix);
    }
    Ok(decoded)
}

fn decode_with(limits: &Limits, walk: impl FnOnce(&mut Walker) -> Result<Value, WalkError>) -> Result<Decoded, InputError> {
    let mut walker = Walker { limits: *limits, bytes: 0, on_path: Vec::new(), empties: Vec::new() };
    match walk(&mut walker) {
        Ok(value) => {
            let empties = walker
                .empties
                .into_iter()
                .map(|mut segments| {
                    segments.reverse();
                    pointer(&segments)
                })
                .collect();
            Ok(Decoded { value, empties })
        }
        Err(mut e) => {
            e.segments.reverse();
            let at = if e.segments.is_empty() { String::new() } else { format!(" at {}", shorten(&pointer(&e.segments))) };
            Err(match e.kind {
                ErrKind::Invalid => InputError::Invalid(format!("{}{at}", e.message)),
            })
        }
    }
}

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

fn pointer(segments: &[String]) -> String {
    let mut p = String::new();
    for s in segments {
        crate::contract::violation::push_token(&mut p, s);
    }
    p
}

enum ErrKind {
    Invalid,
}

struct WalkError {
    kind: ErrKind,
    message: String,
    /// Keys from the failing node up to the root, pushed while unwinding (cheap on success).
    segments: Vec<String>,
}

impl WalkError {
    fn invalid(message: String) -> Self {
        WalkError { kind: ErrKind::Invalid, message, segments: Vec::new() }
    }
}

struct Walker {
    limits: Limits,
    bytes: usize,
    /// The arrays and objects being converted on the current path, to refuse cycles.
    on_path: Vec<usize>,
    /// Empty PHP arrays, each as its keys from the leaf up.
    empties: Vec<Vec<String>>,
}

impl Walker {
    fn count(&mut self, n: usize) -> Result<(), WalkError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_bytes {
            return Err(WalkError::invalid(format!(
                "the envelope holds more than {} bytes of text (ini phpgrc_bus.max_bytes)",
                self.limits.max_bytes
            )));
        }
        Ok(())
    }

    fn walk(&mut self, zv: &Zval, depth: usize) -> Result<Value, WalkError> {
        let zv = zv.dereference();
        let zv = zv.indirect().unwrap_or(zv).dereference();
        if zv.is_null() {
            return Ok(Value::Null);
        }
        if let Some(b) = zv.bool() {
            return Ok(Value::Bool(b));
        }
        if let Some(n) = zv.long() {
            return Ok(Value::Number(n.into()));
        }
        if zv.is_double() {
            let f = zv.double().unwrap_or(f64::NAN);
            return Number::from_f64(f).map(Value::Number).ok_or_else(|| {
                WalkError::invalid(format!("{} is not a finite number and has no JSON form (NaN/INF)", f))
            });
        }
        if let Some(s) = zv.zend_str() {
            let bytes = s.as_bytes();
            self.count(bytes.len())?;
            return std::str::from_utf8(bytes)
                .map(|s| Value::String(s.to_owned()))
                .map_err(|e| WalkError::invalid(format!("string is not valid UTF-8 (invalid byte at offset {})", e.valid_up_to())));
        }
        if let Some(ht) = zv.array() {
            return self.container(ht, depth, false);
        }
        if let Some(obj) = zv.object() {
            if !std::ptr::eq(obj.get_class_entry(), ce::stdclass()) {
                let class = class_name(obj);
                return Err(WalkError::invalid(format!(
                    "an object of class {class} is not JSON data (only arrays, scalars and stdClass are)"
                )));
            }
            let props = obj
                .get_properties()
                .map_err(|_| WalkError::invalid("the properties of a stdClass object cannot be read".into()))?;
            return self.container(props, depth, true);
        }
        // Inside an envelope a resource (or anything else) is bad data, not a bad argument type.
        Err(WalkError::invalid(format!("a {} is not JSON data", type_name(zv))))
    }

    fn container(&mut self, ht: &ZendHashTable, depth: usize, is_object: bool) -> Result<Value, WalkError> {
        if depth + 1 > self.limits.max_depth {
            return Err(WalkError::invalid(format!(
                "nesting deeper than the maximum depth of {} (ini phpgrc_bus.max_depth)",
                self.limits.max_depth
            )));
        }
        let address = ht as *const ZendHashTable as usize;
        if self.on_path.contains(&address) {
            return Err(WalkError::invalid(
                "the value contains itself (a recursive reference), which has no JSON form".into(),
            ));
        }
        if ht.is_empty() {
            if is_object {
                return Ok(Value::Object(Map::new()));
            }
            self.empties.push(Vec::new());
            return Ok(Value::Array(Vec::new()));
        }
        self.on_path.push(address);
        let result = self.members(ht, depth, is_object);
        self.on_path.pop();
        result
    }

    fn members(&mut self, ht: &ZendHashTable, depth: usize, is_object: bool) -> Result<Value, WalkError> {
        // Start as a list; the first key that is not the next index turns it into an object.
        let mut list: Option<Vec<Value>> = if is_object { None } else { Some(Vec::with_capacity(ht.len())) };
        let mut map = Map::new();
        for (key, item) in entries(ht) {
            let key_text = match key {
                Key::Index(i) => {
                    if let Some(items) = list.as_mut() {
                        if i >= 0 && i as usize == items.len() {
                            let before = self.empties.len();
                            let v = self.walk(item, depth + 1).map_err(|mut e| {
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
                    self.count(bytes.len())?;
                    match std::str::from_utf8(bytes) {
                        Ok(s) => s.to_owned(),
                        Err(e) => {
                            return Err(WalkError::invalid(format!(
                                "array key is not valid UTF-8 (invalid byte at offset {})",
                                e.valid_up_to()
                            )))
                        }
                    }
                }
            };
            if let Some(items) = list.take() {
                for (i, v) in items.into_iter().enumerate() {
                    map.insert(i.to_string(), v);
                }
            }
            let before = self.empties.len();
            let v = self.walk(item, depth + 1).map_err(|mut e| {
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

/// A key of a PHP array entry.
pub enum Key<'a> {
    Index(i64),
    Name(&'a [u8]),
}

const HASH_FLAG_PACKED: u32 = 1 << 2;
const IS_UNDEF: u8 = 0;

/// The used slots of a PHP array as the engine lays them out, deleted ones (IS_UNDEF) included:
/// a packed array's values (the slot number is the key) or a hash's buckets.
pub enum Slots<'a> {
    Packed(&'a [Zval]),
    Hash(&'a [Bucket]),
}

#[inline]
pub fn slots(ht: &ZendHashTable) -> Slots<'_> {
    let used = ht.nNumUsed as usize;
    // SAFETY: reading the flags word of a live array; its first `nNumUsed` slots of
    // `arPacked`/`arData` are initialised and live as long as the borrow (an empty array's data
    // pointer may be a shared placeholder, hence no slice over it).
    unsafe {
        let packed = ht.u.flags & HASH_FLAG_PACKED != 0;
        match (packed, used) {
            (true, 0) => Slots::Packed(&[]),
            (false, 0) => Slots::Hash(&[]),
            (true, _) => Slots::Packed(std::slice::from_raw_parts(ht.__bindgen_anon_1.arPacked.cast_const().cast(), used)),
            (false, _) => Slots::Hash(std::slice::from_raw_parts(ht.__bindgen_anon_1.arData.cast_const(), used)),
        }
    }
}

/// Whether a slot holds a value (deleted slots are IS_UNDEF).
#[inline]
pub fn is_live(zv: &Zval) -> bool {
    // SAFETY: reading the type byte of an initialised zval.
    unsafe { zv.u1.v.type_ != IS_UNDEF }
}

/// A bucket's key: an integer key has no key string.
#[inline]
pub fn bucket_key(bucket: &Bucket) -> Key<'_> {
    // SAFETY: a bucket's key is null or a zend_string the array owns.
    match unsafe { bucket.key.as_ref() } {
        None => Key::Index(bucket.h as i64),
        Some(name) => Key::Name((name as &ZendStr).as_bytes()),
    }
}

/// Every live entry of a PHP array, in order, read straight from the engine's layout (packed
/// zvals or buckets), skipping deleted slots. Faster than the engine's position iterator and
/// never fails on a key that is not UTF-8.
#[inline]
pub fn entries(ht: &ZendHashTable) -> Entries<'_> {
    match slots(ht) {
        Slots::Packed(values) => Entries::Packed(values.iter().enumerate()),
        Slots::Hash(buckets) => Entries::Hash(buckets.iter()),
    }
}

pub enum Entries<'a> {
    Packed(std::iter::Enumerate<std::slice::Iter<'a, Zval>>),
    Hash(std::slice::Iter<'a, Bucket>),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Key<'a>, &'a Zval);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Packed(values) => values.find(|(_, zv)| is_live(zv)).map(|(i, zv)| (Key::Index(i as i64), zv)),
            Entries::Hash(buckets) => buckets.find(|b| is_live(&b.val)).map(|b| (bucket_key(b), &b.val)),
        }
    }
}

/// A class name for messages: an anonymous class's name is cut at its NUL byte, as PHP prints it.
fn class_name(obj: &ext_php_rs::types::ZendObject) -> String {
    let name = obj.get_class_name().unwrap_or_else(|_| "object".into());
    match name.split_once('\0') {
        Some((shown, _)) => shown.to_string(),
        None => name,
    }
}

/// PHP's name for a value's type, as in its own TypeError messages.
pub fn type_name(zv: &Zval) -> String {
    let zv = zv.dereference();
    if zv.is_null() {
        "null".into()
    } else if zv.is_bool() {
        "bool".into()
    } else if zv.is_long() {
        "int".into()
    } else if zv.is_double() {
        "float".into()
    } else if zv.is_string() {
        "string".into()
    } else if zv.is_array() {
        "array".into()
    } else if let Some(obj) = zv.object() {
        class_name(obj)
    } else if zv.is_resource() {
        "resource".into()
    } else {
        "unknown".into()
    }
}

/// JSON data as a PHP value the way `json_decode($json, true)` builds it, except that an empty
/// object is a `stdClass` so that it encodes back as `{}`.
pub fn to_zval(value: &Value) -> Zval {
    let mut zv = Zval::new();
    match value {
        Value::Null => zv.set_null(),
        Value::Bool(b) => zv.set_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                zv.set_long(i);
            } else {
                zv.set_double(n.as_f64().unwrap_or(0.0));
            }
        }
        Value::String(s) => {
            // Only fails on an interior NUL in a C string, which ZendStr does not use.
            let _ = zv.set_string(s, false);
        }
        Value::Array(items) => {
            let mut ht = ZendHashTable::with_capacity(items.len() as u32);
            for item in items {
                let _ = ht.push(to_zval(item));
            }
            zv.set_hashtable(ht);
        }
        // An empty object must stay `{}` through json_encode(): an empty PHP array would
        // become `[]`, which the schema (and the payload checksum) would see differently.
        Value::Object(map) if map.is_empty() => {
            use ext_php_rs::convert::IntoZval;
            if let Ok(object) = ext_php_rs::types::ZendObject::new_stdclass().into_zval(false) {
                zv = object;
            } else {
                zv.set_hashtable(ZendHashTable::new());
            }
        }
        Value::Object(map) => zv.set_hashtable(object_table(map)),
    }
    zv
}

/// A JSON object as a PHP array; decimal keys become integer keys, as PHP itself does.
pub fn object_table(map: &Map<String, Value>) -> ext_php_rs::boxed::ZBox<ZendHashTable> {
    let mut ht = ZendHashTable::with_capacity(map.len() as u32);
    for (k, v) in map {
        match integer_key(k) {
            Some(i) => {
                let _ = ht.insert_at_index(i, to_zval(v));
            }
            None => {
                let _ = ht.insert(k.as_str(), to_zval(v));
            }
        }
    }
    ht
}

/// PHP stores `"12"` as the integer key 12 (but not `"012"`, `"-0"` or `"+1"`).
pub fn integer_key(k: &str) -> Option<i64> {
    let digits = k.strip_prefix('-').unwrap_or(k);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if (digits.len() > 1 && digits.starts_with('0')) || k == "-0" {
        return None;
    }
    k.parse().ok()
}
