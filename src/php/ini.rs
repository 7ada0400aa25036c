//! The extension's ini settings, read as PHP reads integer settings. The defaults and what
//! the limits mean are the core's (`input::Limits`).

use std::ffi::{c_char, c_int, c_longlong, CStr};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::ffi::{zend_hash_str_find, zend_ini_entry};
use ext_php_rs::zend::{ExecutorGlobals, IniEntryDef, IniEntryDefs};

use crate::input::{Limits, PARSER_DEPTH};

static ENTRIES: IniEntryDefs<4> = IniEntryDefs::new([
    // A JSON Schema file used instead of the embedded contract; empty: the embedded one.
    IniEntryDef::new(c"phpgrc_bus.schema_path", c"", IniEntryPermission::All),
    // Deepest nesting accepted in an envelope (1..=128).
    IniEntryDef::new(c"phpgrc_bus.max_depth", c"128", IniEntryPermission::All),
    // Largest envelope accepted: JSON bytes, or text bytes held by an array envelope.
    IniEntryDef::new(c"phpgrc_bus.max_bytes", c"16777216", IniEntryPermission::All),
    IniEntryDef::end(),
]);

extern "C" {
    fn zend_ini_string(name: *const c_char, name_length: usize, orig: c_int) -> *mut c_char;
    fn strtoll(text: *const c_char, end: *mut *mut c_char, base: c_int) -> c_longlong;
}

/// The integer entries, found once at startup: every validation reads both, and
/// `zend_ini_long` would look each up by name. The engine keeps a registered entry at one
/// address until module shutdown; `ini_set` and the restores only swap its value.
static MAX_DEPTH: AtomicPtr<zend_ini_entry> = AtomicPtr::new(null_mut());
static MAX_BYTES: AtomicPtr<zend_ini_entry> = AtomicPtr::new(null_mut());

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
    MAX_DEPTH.store(entry("phpgrc_bus.max_depth"), Ordering::Relaxed);
    MAX_BYTES.store(entry("phpgrc_bus.max_bytes"), Ordering::Relaxed);
}

fn entry(name: &str) -> *mut zend_ini_entry {
    let directives = ExecutorGlobals::get().ini_directives;
    // SAFETY: the engine's table of ini entries, whose values point at the entries.
    let found = unsafe { zend_hash_str_find(directives, name.as_ptr().cast(), name.len()).as_ref() };
    found.map_or(null_mut(), |zv| unsafe { zv.value.ptr.cast() })
}

/// What `zend_ini_long(name, len, 0)` returns: `ZEND_STRTOL(value, NULL, 0)`, 0 without a value.
fn long(entry: &AtomicPtr<zend_ini_entry>) -> i64 {
    // SAFETY: a registered entry lives until module shutdown; its value is null or a
    // NUL-terminated zend_string.
    let Some(value) = (unsafe { entry.load(Ordering::Relaxed).as_ref() }).and_then(|e| unsafe { e.value.as_ref() }) else {
        return 0;
    };
    let digits = value.as_bytes();
    // Plain decimal digits (no sign, space, `0x` or octal `0`), too few to overflow: exactly
    // what strtoll would read, without the call. Read and checked in one pass: every
    // validation reads both settings.
    if (1..=18).contains(&digits.len()) && digits[0] != b'0' {
        let decimal = digits.iter().try_fold(0i64, |n, &d| {
            let digit = d.wrapping_sub(b'0');
            (digit <= 9).then(|| n * 10 + i64::from(digit))
        });
        if let Some(n) = decimal {
            return n;
        }
    }
    // SAFETY: as above.
    unsafe { strtoll(value.val.as_ptr(), null_mut(), 0) }
}

fn string(name: &str) -> String {
    // SAFETY: as above; the engine returns a NUL-terminated string it owns, or NULL.
    let ptr = unsafe { zend_ini_string(name.as_ptr().cast(), name.len(), 0) };
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: non-null, NUL-terminated, alive for this request.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

pub fn schema_path() -> Option<String> {
    let path = string("phpgrc_bus.schema_path");
    (!path.trim().is_empty()).then_some(path)
}

/// Clamped to 1..=128: deeper JSON cannot be parsed without risking the stack.
pub fn max_depth() -> usize {
    (long(&MAX_DEPTH).clamp(1, PARSER_DEPTH as i64)) as usize
}

pub fn max_bytes() -> usize {
    let v = long(&MAX_BYTES);
    if v <= 0 {
        Limits::DEFAULT.max_bytes
    } else {
        v as usize
    }
}

/// The limits in force for one call.
pub fn limits() -> Limits {
    Limits { max_depth: max_depth(), max_bytes: max_bytes() }
}
