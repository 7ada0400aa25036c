//! The extension's ini settings and their safe defaults.

use std::ffi::{c_char, c_int, CStr};

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

/// serde_json's own recursion limit: JSON strings cannot nest deeper than this.
pub const PARSER_DEPTH: usize = 128;
const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

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
    fn zend_ini_long(name: *const c_char, name_length: usize, orig: c_int) -> i64;
    fn zend_ini_string(name: *const c_char, name_length: usize, orig: c_int) -> *mut c_char;
}

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}

fn long(name: &str) -> i64 {
    // SAFETY: reads the current value of a registered entry; the name is not retained.
    unsafe { zend_ini_long(name.as_ptr().cast(), name.len(), 0) }
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
    (long("phpgrc_bus.max_depth").clamp(1, PARSER_DEPTH as i64)) as usize
}

pub fn max_bytes() -> usize {
    let v = long("phpgrc_bus.max_bytes");
    if v <= 0 {
        DEFAULT_MAX_BYTES
    } else {
        v as usize
    }
}
