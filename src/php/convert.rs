//! PHP values ↔ JSON values. Zvals are read as JSON data by the core's one walk
//! (`input::to_json`, with its limits and messages: depth, bytes, cycles, UTF-8, NaN/INF,
//! empty arrays); here is only what a zval is (`ZvalNode`), the engine's array layout, PHP's
//! type names, and JSON data back into PHP values.

use ext_php_rs::ffi::Bucket;
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use ext_php_rs::zend::ce;
use serde_json::{Map, Value};

use crate::input::{self, Data, Decoded, Held, Key, Limits, Refusal, Refused};

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

impl From<Refused> for InputError {
    fn from(e: Refused) -> Self {
        InputError::Invalid(e.to_string())
    }
}

impl From<Refusal> for InputError {
    fn from(e: Refusal) -> Self {
        InputError::Invalid(e.to_string())
    }
}

/// Any accepted envelope form: a JSON string, a PHP array or a stdClass tree. `what` names
/// the argument in errors (`Argument #1 ($envelope)`).
pub fn decode_envelope(zv: &Zval, limits: &Limits, what: &str) -> Result<Decoded, InputError> {
    let zv = zv.dereference();
    if let Some(s) = zv.zend_str() {
        return Ok(Decoded { value: input::parse_json(s.as_bytes(), limits)?, empties: Vec::new() });
    }
    if zv.is_array() || zv.is_object() {
        return decode_value(zv, limits);
    }
    Err(InputError::Type(format!("{what} must be of type array|string|object, {} given", type_name(zv))))
}

/// A PHP array or stdClass tree as JSON data.
pub fn decode_value(zv: &Zval, limits: &Limits) -> Result<Decoded, InputError> {
    Ok(input::to_json(ZvalNode::Value(zv), limits)?)
}

/// A PHP array as JSON data; `prefix` is its pointer in the envelope (for `empties`).
pub fn decode_table(ht: &ZendHashTable, limits: &Limits, prefix: &str) -> Result<Decoded, InputError> {
    let mut decoded = input::to_json(ZvalNode::Table(ht), limits)?;
    for e in &mut decoded.empties {
        e.insert_str(0, prefix);
    }
    Ok(decoded)
}

/// A zval as the core's walk reads it: a value (behind references and indirect slots), or a
/// PHP array taken as the root.
#[derive(Clone, Copy)]
pub enum ZvalNode<'a> {
    Value(&'a Zval),
    Table(&'a ZendHashTable),
}

/// A table's entries as walk nodes.
pub struct ZvalEntries<'a>(Entries<'a>);

impl<'a> Iterator for ZvalEntries<'a> {
    type Item = (Key<'a>, ZvalNode<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, zv)| (key, ZvalNode::Value(zv)))
    }
}

fn table_data(ht: &ZendHashTable, object: bool) -> Data<'_, ZvalEntries<'_>> {
    Data::Container { entries: ZvalEntries(entries(ht)), empty: ht.is_empty(), object, identity: ht as *const ZendHashTable as usize }
}

impl<'a> Held<'a> for ZvalNode<'a> {
    type Entries = ZvalEntries<'a>;

    fn data(&self) -> Data<'a, ZvalEntries<'a>> {
        let zv = match *self {
            ZvalNode::Table(ht) => return table_data(ht, false),
            ZvalNode::Value(zv) => zv,
        };
        let zv = zv.dereference();
        let zv = zv.indirect().unwrap_or(zv).dereference();
        if zv.is_null() {
            return Data::Null;
        }
        if let Some(b) = zv.bool() {
            return Data::Bool(b);
        }
        if let Some(n) = zv.long() {
            return Data::Int(n);
        }
        if zv.is_double() {
            return Data::Float(zv.double().unwrap_or(f64::NAN));
        }
        if let Some(s) = zv.zend_str() {
            return Data::Text(s.as_bytes());
        }
        if let Some(ht) = zv.array() {
            return table_data(ht, false);
        }
        if let Some(obj) = zv.object() {
            if !std::ptr::eq(obj.get_class_entry(), ce::stdclass()) {
                let class = class_name(obj);
                return Data::NotData(format!("an object of class {class} is not JSON data (only arrays, scalars and stdClass are)"));
            }
            return match obj.get_properties() {
                Ok(props) => table_data(props, true),
                Err(_) => Data::NotData("the properties of a stdClass object cannot be read".into()),
            };
        }
        // Inside an envelope a resource (or anything else) is bad data, not a bad argument type.
        Data::NotData(format!("a {} is not JSON data", type_name(zv)))
    }
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
