//! PHP values as a JSON representation that jsonschema validates in place, so `isValid()` and
//! a valid `validate()` on an array envelope build no intermediate tree.
//!
//! Only values that passed [`check_tree`] may be validated this way: it proves the tree finite
//! (depth cap, no cycles), every string UTF-8 and every value JSON data, so the validator's
//! traversal is bounded and every accessor below has an answer. A push runs the same walk
//! while it writes the value's JSON ([`written`]), then validates.
//!
//! An empty PHP array answers both `as_object()` and `as_array()`: PHP cannot tell `{}` from
//! `[]`, and the contract accepts it wherever either is expected.
//!
//! The limits are the core's (`input::Limits`, `input::Budget`); a value this check refuses
//! takes the converting path (`convert`, the core's `input::to_json`), which says why.

use std::borrow::Cow;
use std::sync::OnceLock;

use ext_php_rs::ffi::zend_ulong;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;
use jsonschema::json::{cmp, Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::{Number, Value};

use crate::contract::{Field, RuleFields};
use crate::json_string::{is_plain_ascii, push_json_string};
use crate::utf8::{half, is_utf8, word};

use super::convert::{self, entries, is_live, Entries, Slots};
use crate::input::{Budget, Key, Limits};

/// The representation marker.
pub struct PhpJson;

/// A node: a PHP value, or a Rust string (property names handed over by the validator).
/// Construct the root with [`checked`] or [`plain`] only.
#[derive(Clone, Copy)]
pub enum PhpNode<'a> {
    /// Never a reference or an indirect slot: [`PhpNode::value`] resolves those once, not
    /// every accessor.
    Zval(&'a Zval, Empties),
    Str(&'a str),
}

/// What an empty PHP array is, for a whole tree.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Empties {
    /// `{}` or `[]`, whichever is asked: the Validator's reading of a caller's array.
    Either,
    /// `[]` only, as the converting path reads it before the schema resolves it; a `{}` is
    /// an empty stdClass. A builder's reading, so that its verdict is that path's verdict.
    Lists,
}

/// The root node of a value that [`check_tree`] accepted.
pub fn checked<'a>(zv: &'a Zval, limits: &Limits) -> Option<PhpNode<'a>> {
    check_tree(zv, limits).ok().map(|()| PhpNode::value(zv, Empties::Either))
}

/// A PHP array that is plain data within `limits` — no references, objects or decimal-string
/// keys, so it is exactly the value the converting path would build back — and how many empty
/// arrays it holds; `None` otherwise. A builder shares such arrays instead of converting them.
pub fn plain_table(ht: &ZendHashTable, limits: &Limits) -> Option<usize> {
    let mut walk = TreeCheck { limits: *limits, budget: Budget::new(limits), out: Plain { empties: 0 } };
    walk.container(ht, 0, None, false, false).then_some(walk.out.empties)
}

/// The root node of a tree made of [`plain_table`]s and stdClass objects (a builder's
/// envelope), its empty arrays read as [`Empties::Lists`].
pub fn plain(zv: &Zval) -> PhpNode<'_> {
    PhpNode::value(zv, Empties::Lists)
}

/// The root node of a value checked as [`checked`] does while it is written to `out` as
/// compact JSON (what serde_json writes for the converted value): one walk for a push, which
/// needs both. `None` also for a value holding an empty PHP array, whose JSON (`{}` or `[]`)
/// only the schema decides; `out` then holds part of the value, for the caller to drop.
pub fn written<'a>(zv: &'a Zval, limits: &Limits, out: &mut Vec<u8>) -> Option<PhpNode<'a>> {
    let mut walk = TreeCheck { limits: *limits, budget: Budget::new(limits), out };
    walk.value(zv, 0, None, false).then(|| PhpNode::value(zv, Empties::Either))
}

/// A container's entries: a PHP array, or a stdClass object's property table.
#[derive(Clone, Copy)]
pub struct Table<'a>(&'a ZendHashTable, Empties);

#[derive(Clone, Copy)]
pub enum PhpNumber {
    Int(i64),
    Float(f64),
}

/// A property name of the schema, with what a PHP array lookup needs worked out once: PHP
/// stores `"12"` as the integer key 12, and a string key under its precomputed hash.
pub enum MemberKey {
    Index(i64),
    Name { name: Box<str>, hash: zend_ulong },
}

impl MemberKey {
    pub fn new(name: &str) -> MemberKey {
        match convert::integer_key(name) {
            Some(i) => MemberKey::Index(i),
            None => MemberKey::Name { name: name.into(), hash: zend_hash(name.as_bytes()) },
        }
    }

    /// The value under this key, looked up the way `zend_hash_str_find`/`zend_hash_index_find` do.
    fn find<'a>(&self, ht: &'a ZendHashTable) -> Option<&'a Zval> {
        match self {
            MemberKey::Index(i) => ht.get_index(*i),
            MemberKey::Name { name, hash } => find_name(ht, name.as_bytes(), *hash),
        }
    }
}

/// The engine's string hash (`zend_inline_hash_func`): DJBX33A with the top bit set, so that no
/// string hashes to 0.
fn zend_hash(bytes: &[u8]) -> zend_ulong {
    let hash = bytes.iter().fold(5381 as zend_ulong, |h, &b| h.wrapping_mul(33).wrapping_add(zend_ulong::from(b)));
    hash | (1 << (zend_ulong::BITS - 1))
}

const HT_INVALID_IDX: u32 = u32::MAX;

/// A string key's value in a PHP array, found by walking the hash's collision chain as
/// `zend_hash_str_find` does, with the hash computed beforehand. A packed array has no string keys.
fn find_name<'a>(ht: &'a ZendHashTable, name: &[u8], hash: zend_ulong) -> Option<&'a Zval> {
    let Slots::Hash(buckets) = convert::slots(ht) else { return None };
    if buckets.is_empty() {
        return None;
    }
    // SAFETY: a hash's slot table sits just below `arData`: `-nTableMask` u32 slots, indexed by
    // the hash OR-ed with the (negative) mask; each holds a bucket index below `nNumUsed` or
    // HT_INVALID_IDX, and each bucket's `u2.next` continues the chain.
    let mut idx = unsafe {
        let slot = (hash as u32 | ht.nTableMask) as i32;
        *ht.__bindgen_anon_1.arHash.cast_const().offset(slot as isize)
    };
    while idx != HT_INVALID_IDX {
        let bucket = buckets.get(idx as usize)?;
        if bucket.h == hash {
            if let Key::Name(key) = convert::bucket_key(bucket) {
                if same_name(key, name) {
                    return Some(&bucket.val);
                }
            }
        }
        // SAFETY: `next` is the member a hash bucket's value uses.
        idx = unsafe { bucket.val.u2.next };
    }
    None
}

/// Whether two member names are the same bytes. Names are short: up to 16 bytes they are
/// compared as two overlapping words, not by a call to `memcmp` (which every lookup would pay).
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => half(a) == half(b) && half(&a[n - 4..]) == half(&b[n - 4..]),
        8..=16 => word(a) == word(b) && word(&a[n - 8..]) == word(&b[n - 8..]),
        _ => same_long_name(a, b),
    }
}

/// Out of line, so that the lookup loop does not keep registers for a `memcmp` call.
#[cold]
#[inline(never)]
fn same_long_name(a: &[u8], b: &[u8]) -> bool {
    a == b
}

impl Json for PhpJson {
    type Node<'a> = PhpNode<'a>;
    type PreparedKey = MemberKey;
    type StringBuffer = ();

    fn prepare_key(key: &str) -> MemberKey {
        MemberKey::new(key)
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(PhpNode<'_>) -> T) -> T {
        f(PhpNode::Str(string))
    }
}

// The zval type byte (Zend/zend_types.h). Read directly on the hot path: the typed accessors
// of ext-php-rs decode the whole type word on every call.
const IS_NULL: u8 = 1;
const IS_FALSE: u8 = 2;
const IS_TRUE: u8 = 3;
const IS_LONG: u8 = 4;
const IS_DOUBLE: u8 = 5;
const IS_STRING: u8 = 6;
const IS_ARRAY: u8 = 7;
const IS_OBJECT: u8 = 8;
const IS_REFERENCE: u8 = 10;
const IS_INDIRECT: u8 = 12;

#[inline]
fn type_of(zv: &Zval) -> u8 {
    // SAFETY: reading the type byte of a live zval.
    unsafe { zv.u1.v.type_ }
}

/// The value behind references and indirect property slots.
#[inline]
fn target(mut zv: &Zval) -> &Zval {
    // Bounded: a reference never points at a reference, an indirect slot at most at one.
    for _ in 0..3 {
        // SAFETY: the union member read is the one the type byte names; both point at zvals
        // that live at least as long as the one holding them.
        zv = match type_of(zv) {
            IS_REFERENCE => unsafe { &(*zv.value.ref_).val },
            IS_INDIRECT => unsafe { &*zv.value.zv },
            _ => return zv,
        };
    }
    zv
}

/// A PHP array's table, read by the type byte (the typed accessors decode the whole type word).
#[inline]
fn array_of(zv: &Zval) -> Option<&ZendHashTable> {
    // SAFETY: the union member read is the one the type byte names.
    (type_of(zv) == IS_ARRAY).then(|| unsafe { &*zv.value.arr })
}

#[inline]
fn table(zv: &Zval) -> Option<&ZendHashTable> {
    match array_of(zv) {
        Some(ht) => Some(ht),
        None => object_table(zv),
    }
}

/// A stdClass object's property table; out of line, as arrays are the common case.
#[inline(never)]
fn object_table(zv: &Zval) -> Option<&ZendHashTable> {
    let obj = zv.object()?;
    if std::ptr::eq(obj.get_class_entry(), ce::stdclass()) {
        obj.get_properties().ok()
    } else {
        None
    }
}

/// Whether a PHP array is a JSON list: keys 0..n-1 in order.
pub fn is_list(ht: &ZendHashTable) -> bool {
    match convert::slots(ht) {
        // A packed array without holes is a list by construction: no scan needed.
        Slots::Packed(_) if ht.nNumUsed == ht.nNumOfElements => true,
        Slots::Packed(_) => entries(ht).enumerate().all(|(i, (key, _))| matches!(key, Key::Index(k) if k == i as i64)),
        // An object's table starts with a string key, so this usually stops at the first bucket.
        Slots::Hash(buckets) => {
            let mut next: zend_ulong = 0;
            for bucket in buckets.iter().filter(|b| is_live(&b.val)) {
                if !bucket.key.is_null() || bucket.h != next {
                    return false;
                }
                next += 1;
            }
            true
        }
    }
}

/// The number of members of a table below a checked value. `nNumOfElements` counts live
/// slots; `zend_array_count` differs from it only for indirect slots to unset variables,
/// which `check_tree` refuses — so the engine call is not needed.
#[inline]
fn member_count(ht: &ZendHashTable) -> usize {
    ht.nNumOfElements as usize
}

#[inline]
fn utf8(bytes: &[u8]) -> &str {
    // SAFETY: nodes exist only below a value `checked()` proved to hold UTF-8 text only, and no
    // PHP code runs while a validation borrows it.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// A PHP string's bytes, by the type byte.
#[inline]
fn string_bytes(zv: &Zval) -> Option<&[u8]> {
    // SAFETY: the union member read is the one the type byte names.
    (type_of(zv) == IS_STRING).then(|| unsafe { (*zv.value.str_).as_bytes() })
}

impl<'a> PhpNode<'a> {
    #[inline]
    fn value(zv: &'a Zval, empties: Empties) -> PhpNode<'a> {
        PhpNode::Zval(target(zv), empties)
    }

    #[inline]
    fn zval(self) -> Option<&'a Zval> {
        match self {
            PhpNode::Zval(zv, _) => Some(zv),
            PhpNode::Str(_) => None,
        }
    }
}

impl<'a> Node<'a, PhpJson> for PhpNode<'a> {
    type Object = Table<'a>;
    type Array = Table<'a>;
    type Number = PhpNumber;

    fn as_object(&self) -> Option<Table<'a>> {
        let PhpNode::Zval(zv, empties) = *self else { return None };
        match array_of(zv) {
            // Every empty array is a list: count only those.
            Some(ht) if member_count(ht) == 0 => (empties == Empties::Either).then_some(Table(ht, empties)),
            Some(ht) => (!is_list(ht)).then_some(Table(ht, empties)),
            None => table(zv).map(|ht| Table(ht, empties)),
        }
    }

    fn as_array(&self) -> Option<Table<'a>> {
        let PhpNode::Zval(zv, empties) = *self else { return None };
        let ht = array_of(zv)?;
        is_list(ht).then_some(Table(ht, empties))
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            PhpNode::Str(s) => Some(Cow::Borrowed(s)),
            PhpNode::Zval(zv, _) => string_bytes(zv).map(|bytes| Cow::Borrowed(utf8(bytes))),
        }
    }

    fn as_number(&self) -> Option<PhpNumber> {
        let zv = self.zval()?;
        // SAFETY: the union member read is the one the type byte names.
        match type_of(zv) {
            IS_LONG => Some(PhpNumber::Int(unsafe { zv.value.lval })),
            IS_DOUBLE => Some(PhpNumber::Float(unsafe { zv.value.dval })),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match type_of(self.zval()?) {
            IS_TRUE => Some(true),
            IS_FALSE => Some(false),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        self.zval().is_some_and(|zv| type_of(zv) == IS_NULL)
    }

    fn string_length_within(&self, min: u64, max: u64) -> Option<bool> {
        let text = self.as_string()?;
        // A code point takes one to four bytes in UTF-8: the byte length often settles the range
        // without counting.
        let bytes = text.len() as u64;
        let fewest = bytes.div_ceil(4);
        if bytes < min || fewest > max {
            return Some(false);
        }
        if bytes <= max && fewest >= min {
            return Some(true);
        }
        Some((min..=max).contains(&(text.chars().count() as u64)))
    }

    fn json_type(&self) -> JsonType {
        let Some(zv) = self.zval() else { return JsonType::String };
        match type_of(zv) {
            IS_NULL => JsonType::Null,
            IS_FALSE | IS_TRUE => JsonType::Boolean,
            IS_LONG | IS_DOUBLE => JsonType::Number,
            IS_STRING => JsonType::String,
            // SAFETY: the union member read is the one the type byte names.
            IS_ARRAY if is_list(unsafe { &*zv.value.arr }) => JsonType::Array,
            _ => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // enum/const on strings is the hot case: compare in place, no allocation.
        match (self.as_string(), expected) {
            (Some(s), Value::String(e)) => s == e.as_str(),
            (Some(_), _) => false,
            (None, _) => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        match self {
            PhpNode::Str(s) => Cow::Owned(Value::String((*s).to_owned())),
            PhpNode::Zval(zv, _) => Cow::Owned(
                convert::decode_value(zv, &Limits { max_depth: 128, max_bytes: usize::MAX })
                    .map(|d| d.value)
                    .unwrap_or(Value::Null),
            ),
        }
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(match self {
            PhpNode::Str(s) => s.as_ptr() as usize,
            PhpNode::Zval(zv, _) => table(zv).map_or(*zv as *const Zval as usize, |ht| ht as *const ZendHashTable as usize),
        }))
    }
}

impl<'a> Object<'a, PhpJson> for Table<'a> {
    type Node = PhpNode<'a>;
    type MemberName = Cow<'a, str>;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        member_count(self.0)
    }

    fn get(&self, key: &MemberKey) -> Option<PhpNode<'a>> {
        key.find(self.0).map(|zv| PhpNode::value(zv, self.1))
    }

    fn members(&self) -> Members<'a> {
        Members(entries(self.0), self.1)
    }
}

/// An object's members as nodes. Its own type rather than a `Map` over a function pointer, so
/// that each step inlines into the validator's loop instead of being an indirect call.
pub struct Members<'a>(Entries<'a>, Empties);

impl<'a> Iterator for Members<'a> {
    type Item = (Cow<'a, str>, PhpNode<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (key, zv) = self.0.next()?;
        let name = match key {
            Key::Name(bytes) => Cow::Borrowed(utf8(bytes)),
            Key::Index(i) => index_name(i),
        };
        Some((name, PhpNode::value(zv, self.1)))
    }
}

/// An integer key as a member name: rare in an object, and out of line so that
/// [`Members::next`] stays small enough to inline.
#[cold]
#[inline(never)]
fn index_name(i: i64) -> Cow<'static, str> {
    Cow::Owned(i.to_string())
}

/// A list's elements as nodes (see [`Members`]).
pub struct Elements<'a>(Entries<'a>, Empties);

impl<'a> Iterator for Elements<'a> {
    type Item = PhpNode<'a>;

    #[inline]
    fn next(&mut self) -> Option<PhpNode<'a>> {
        self.0.next().map(|(_, zv)| PhpNode::value(zv, self.1))
    }
}

impl<'a> Array<'a, PhpJson> for Table<'a> {
    type Node = PhpNode<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        member_count(self.0)
    }

    fn elements(&self) -> Elements<'a> {
        Elements(entries(self.0), self.1)
    }

    fn is_unique(&self) -> bool {
        // Short lists of strings (tags) are the common case: strings are equal in JSON exactly
        // when their bytes are, so compare those instead of building a `Value` per element.
        const SCANNED: usize = 16;
        let mut seen: [&[u8]; SCANNED] = [&[]; SCANNED];
        if member_count(self.0) <= SCANNED {
            let mut count = 0;
            for (_, item) in entries(self.0) {
                let Some(bytes) = string_bytes(target(item)) else { return self.values_unique() };
                if seen[..count].contains(&bytes) {
                    return false;
                }
                seen[count] = bytes;
                count += 1;
            }
            return true;
        }
        self.values_unique()
    }
}

impl Table<'_> {
    /// `uniqueItems` on the elements as JSON values, for any elements.
    fn values_unique(&self) -> bool {
        let values: Vec<Cow<'_, Value>> = entries(self.0).map(|(_, item)| PhpNode::value(item, self.1).to_value()).collect();
        jsonschema::json::unique::is_unique(&values)
    }
}

impl JsonNumber for PhpNumber {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            PhpNumber::Int(i) => u64::try_from(i).ok(),
            PhpNumber::Float(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match *self {
            PhpNumber::Int(i) => Some(i),
            PhpNumber::Float(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        Some(match *self {
            PhpNumber::Int(i) => i as f64,
            PhpNumber::Float(f) => f,
        })
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(match *self {
            PhpNumber::Int(i) => i.to_string(),
            PhpNumber::Float(f) => f.to_string(),
        })
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(match *self {
            PhpNumber::Int(i) => Number::from(i),
            PhpNumber::Float(f) => Number::from_f64(f).unwrap_or_else(|| Number::from(0)),
        })
    }

    fn is_written_as_integer(&self) -> bool {
        matches!(self, PhpNumber::Int(_))
    }
}

/// Proves a PHP value fit for in-place validation: JSON data only, finite, within the limits.
/// The error is the same one the converting path would give.
fn check_tree(zv: &Zval, limits: &Limits) -> Result<(), ()> {
    let mut check = TreeCheck { limits: *limits, budget: Budget::new(limits), out: () };
    if check.value(zv, 0, None, false) {
        Ok(())
    } else {
        Err(())
    }
}

/// The containers from the root down to the one being checked, innermost first, kept on the
/// stack.
struct Ancestors<'p> {
    address: usize,
    outer: Option<&'p Ancestors<'p>>,
}

impl Ancestors<'_> {
    fn contains(&self, address: usize) -> bool {
        let mut at = Some(self);
        while let Some(a) = at {
            if a.address == address {
                return true;
            }
            at = a.outer;
        }
        false
    }
}

/// What the tree check does with the values it passes: nothing (`()`, a check before
/// validating in place; `Plain`, a builder's check), or write them as compact JSON. The
/// defaults are no-ops the compiler removes, so a check is the walk it would be without writing.
trait Sink {
    const WRITES: bool;
    /// Refuse references, objects and decimal-string keys: what a builder may share as it is.
    const PLAIN: bool = false;
    /// An empty PHP array was passed (counted when `PLAIN`).
    #[inline(always)]
    fn empty_array(&mut self) {}
    /// A string or member name, whose bytes must be UTF-8.
    #[inline(always)]
    fn text(&mut self, bytes: &[u8]) -> bool {
        is_utf8(bytes)
    }
    #[inline(always)]
    fn token(&mut self, _token: &[u8]) {}
    #[inline(always)]
    fn long(&mut self, _n: i64) {}
    /// A finite float.
    #[inline(always)]
    fn double(&mut self, _d: f64) {}
}

impl Sink for () {
    const WRITES: bool = false;
}

/// The plain check of [`plain_table`]: counts empty arrays.
struct Plain {
    empties: usize,
}

impl Sink for Plain {
    const WRITES: bool = false;
    const PLAIN: bool = true;
    #[inline(always)]
    fn empty_array(&mut self) {
        self.empties += 1;
    }
}

impl Sink for &mut Vec<u8> {
    const WRITES: bool = true;
    #[inline(always)]
    fn text(&mut self, bytes: &[u8]) -> bool {
        // One scan settles both questions for plain ASCII, nearly every key and value; the
        // rest is checked for UTF-8, then escaped as needed.
        if is_plain_ascii(bytes) {
            push_plain(self, bytes);
            true
        } else if is_utf8(bytes) {
            push_json_string(self, bytes);
            true
        } else {
            false
        }
    }
    #[inline(always)]
    fn token(&mut self, token: &[u8]) {
        self.extend_from_slice(token);
    }
    // serde_json's number writers, into the buffer (writing to a Vec cannot fail).
    fn long(&mut self, n: i64) {
        let _ = serde_json::to_writer(&mut **self, &n);
    }
    fn double(&mut self, d: f64) {
        if let Some(n) = Number::from_f64(d) {
            let _ = serde_json::to_writer(&mut **self, &n);
        }
    }
}

/// Appends plain ASCII text (nothing to escape) as a JSON string. An envelope's keys and
/// values are mostly under 32 bytes: they are copied as two overlapping loads and stores, not
/// by a `memcpy` call each.
#[inline(always)]
fn push_plain(out: &mut Vec<u8>, text: &[u8]) {
    let n = text.len();
    out.reserve(n + 2);
    let len = out.len();
    // SAFETY: `reserve` made room for `n + 2` bytes past `len`. Every load reads within
    // `text` (each pair overlaps inside it) and every store writes within that room; the new
    // length covers exactly the bytes written.
    unsafe {
        let (src, dst) = (text.as_ptr(), out.as_mut_ptr().add(len));
        *dst = b'"';
        let to = dst.add(1);
        match n {
            0 => {}
            1..=3 => {
                *to = *src;
                *to.add(n / 2) = *src.add(n / 2);
                *to.add(n - 1) = *src.add(n - 1);
            }
            4..=7 => {
                let (a, b) = (src.cast::<u32>().read_unaligned(), src.add(n - 4).cast::<u32>().read_unaligned());
                to.cast::<u32>().write_unaligned(a);
                to.add(n - 4).cast::<u32>().write_unaligned(b);
            }
            8..=16 => {
                let (a, b) = (src.cast::<u64>().read_unaligned(), src.add(n - 8).cast::<u64>().read_unaligned());
                to.cast::<u64>().write_unaligned(a);
                to.add(n - 8).cast::<u64>().write_unaligned(b);
            }
            17..=32 => {
                let (a, b) = (src.cast::<u128>().read_unaligned(), src.add(n - 16).cast::<u128>().read_unaligned());
                to.cast::<u128>().write_unaligned(a);
                to.add(n - 16).cast::<u128>().write_unaligned(b);
            }
            _ => std::ptr::copy_nonoverlapping(src, to, n),
        }
        *to.add(n) = b'"';
        out.set_len(len + n + 2);
    }
}

/// Whether a member name is one PHP stores as an integer key.
#[inline(always)]
fn is_decimal_name(name: &[u8]) -> bool {
    matches!(name.first(), Some(b'0'..=b'9' | b'-')) && convert::integer_key(utf8(name)).is_some()
}

/// The core's limits (`input`), applied as the walk goes: the same depth and byte rules as
/// the converting path, whose messages an envelope this check refuses gets from there.
struct TreeCheck<S> {
    limits: Limits,
    budget: Budget,
    out: S,
}

impl<S: Sink> TreeCheck<S> {
    /// Counts text against the byte budget; it must be UTF-8.
    #[inline(always)]
    fn text(&mut self, bytes: &[u8]) -> bool {
        self.budget.take(bytes.len()) && self.out.text(bytes)
    }

    /// `shared`: a reference or an object lies on the path. PHP arrays are values, copied before
    /// they change, so a container can hold itself only through one of those: below neither,
    /// no container can repeat an ancestor and the path is not searched.
    #[inline(always)]
    fn value(&mut self, zv: &Zval, depth: usize, path: Option<&Ancestors>, shared: bool) -> bool {
        // SAFETY (union reads): each reads the member the type byte names.
        match type_of(zv) {
            IS_NULL => self.out.token(b"null"),
            IS_FALSE => self.out.token(b"false"),
            IS_TRUE => self.out.token(b"true"),
            IS_LONG => self.out.long(unsafe { zv.value.lval }),
            IS_DOUBLE => {
                let d = unsafe { zv.value.dval };
                if !d.is_finite() {
                    return false;
                }
                self.out.double(d);
            }
            IS_STRING => return string_bytes(zv).is_some_and(|bytes| self.text(bytes)),
            IS_ARRAY => return array_of(zv).is_some_and(|ht| self.container(ht, depth, path, shared, false)),
            IS_OBJECT if !S::PLAIN => return table(zv).is_some_and(|ht| self.container(ht, depth, path, true, true)),
            IS_REFERENCE | IS_INDIRECT if !S::PLAIN => return self.referenced(zv, depth, path),
            _ => return false,
        }
        true
    }

    #[inline(never)]
    fn referenced(&mut self, zv: &Zval, depth: usize, path: Option<&Ancestors>) -> bool {
        let inner = target(zv);
        !matches!(type_of(inner), IS_REFERENCE | IS_INDIRECT) && self.value(inner, depth, path, true)
    }

    /// Out of line, so that `value` (scalars and strings, the common case) inlines into its loop.
    #[inline(never)]
    fn container(&mut self, ht: &ZendHashTable, depth: usize, path: Option<&Ancestors>, shared: bool, is_object: bool) -> bool {
        let address = ht as *const ZendHashTable as usize;
        if !self.limits.admits_depth(depth) || (shared && path.is_some_and(|p| p.contains(address))) {
            return false;
        }
        if S::PLAIN && ht.is_empty() {
            self.out.empty_array();
            return true;
        }
        let here = Some(Ancestors { address, outer: path });
        let depth = depth + 1;
        let mut list = false;
        if S::WRITES {
            if ht.is_empty() {
                if is_object {
                    self.out.token(b"{}");
                }
                return is_object;
            }
            list = !is_object && is_list(ht);
            self.out.token(if list { b"[" } else { b"{" });
        }
        // Writing: a comma before every entry but the first.
        let mut first = true;
        match convert::slots(ht) {
            Slots::Packed(values) => {
                for (i, zv) in values.iter().enumerate() {
                    if !is_live(zv) {
                        continue;
                    }
                    if S::WRITES {
                        self.comma(&mut first);
                        if !list {
                            self.index_key(i as i64);
                        }
                    }
                    if !self.value(zv, depth, here.as_ref(), shared) {
                        return false;
                    }
                }
            }
            Slots::Hash(buckets) => {
                for bucket in buckets {
                    if !is_live(&bucket.val) {
                        continue;
                    }
                    if S::WRITES {
                        self.comma(&mut first);
                    }
                    match convert::bucket_key(bucket) {
                        Key::Name(name) => {
                            // PHP makes "12" the key 12; a string key "12" would not come back.
                            if !self.text(name) || (S::PLAIN && is_decimal_name(name)) {
                                return false;
                            }
                            self.out.token(b":");
                        }
                        Key::Index(n) if S::WRITES && !list => self.index_key(n),
                        Key::Index(_) => {}
                    }
                    if !self.value(&bucket.val, depth, here.as_ref(), shared) {
                        return false;
                    }
                }
            }
        }
        self.out.token(if list { b"]" } else { b"}" });
        true
    }

    /// A comma before every entry of a container but the first (a fixed-length token: a
    /// token of length 0 or 1 would cost a `memcpy` call per entry).
    #[inline(always)]
    fn comma(&mut self, first: &mut bool) {
        if !std::mem::replace(first, false) {
            self.out.token(b",");
        }
    }

    /// An integer key as a member name: `"12":`.
    fn index_key(&mut self, n: i64) {
        self.out.token(b"\"");
        self.out.long(n);
        self.out.token(b"\":");
    }
}

/// The members the schemaRef and header rules read, borrowed from a checked PHP value.
pub fn rule_fields<'a>(root: PhpNode<'a>) -> RuleFields<'a> {
    // The lookup keys of every field's path, hashed once per process.
    static KEYS: OnceLock<Vec<Vec<MemberKey>>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| RuleFields::PATHS.iter().map(|path| path.iter().map(|step| MemberKey::new(step)).collect()).collect());
    let PhpNode::Zval(zv, _) = root else { return RuleFields::default() };
    RuleFields::read(|i, _| {
        let mut node = Some(zv);
        for key in &keys[i] {
            node = node.and_then(table).and_then(|ht| key.find(ht)).map(target);
        }
        match node {
            None => Field::Missing,
            Some(v) if type_of(v) == IS_NULL => Field::Null,
            Some(v) => string_bytes(v).map_or(Field::Other, |bytes| Field::Text(utf8(bytes))),
        }
    })
}
