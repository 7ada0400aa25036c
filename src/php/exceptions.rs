//! The extension's exception classes, and the one error type the bindings return.
//!
//! The classes are registered by hand at module startup: a `#[php_class]` exception cannot be
//! constructed from PHP, and extending an SPL class by name fails while the executor's class
//! table is not set up. The SPL parents come from the symbols PHP exports.

use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::builders::{ClassBuilder, ClassProperty, FunctionBuilder};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::{DataType, MethodFlags, PropertyFlags};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ExecuteData};
use ext_php_rs::convert::IntoZval;

use crate::contract::Violation;

extern "C" {
    static spl_ce_InvalidArgumentException: *mut ClassEntry;
    static spl_ce_RuntimeException: *mut ClassEntry;
    fn zend_update_property(
        scope: *mut ClassEntry,
        object: *mut ZendObject,
        name: *const c_char,
        name_length: usize,
        value: *mut Zval,
    );
}

static VALIDATION: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());
static SCHEMA: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());
static ENVELOPE: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());
static QUEUE: AtomicPtr<ClassEntry> = AtomicPtr::new(std::ptr::null_mut());

fn invalid_argument() -> &'static ClassEntry {
    // SAFETY: PHP sets this symbol when SPL starts, which precedes every extension's MINIT.
    unsafe { &*spl_ce_InvalidArgumentException }
}

fn runtime() -> &'static ClassEntry {
    // SAFETY: as above.
    unsafe { &*spl_ce_RuntimeException }
}

const VALIDATION_CLASS: &str = "PhpGrc\\Bus\\ValidationException";
const SCHEMA_CLASS: &str = "PhpGrc\\Bus\\SchemaException";
const ENVELOPE_CLASS: &str = "PhpGrc\\Bus\\EnvelopeException";
const QUEUE_CLASS: &str = "PhpGrc\\Bus\\QueueException";

/// One of our classes, looked up on first use (at request time the class table is ready) and
/// remembered; internal classes live as long as the process.
fn registered(slot: &AtomicPtr<ClassEntry>, name: &str, fallback: fn() -> &'static ClassEntry) -> &'static ClassEntry {
    let ptr = slot.load(Ordering::Acquire);
    // SAFETY: only ever set to a class entry found in the engine's class table.
    if let Some(ce) = unsafe { ptr.as_ref() } {
        return ce;
    }
    match ClassEntry::try_find(name) {
        Some(ce) => {
            slot.store(std::ptr::from_ref(ce).cast_mut(), Ordering::Release);
            ce
        }
        None => fallback(),
    }
}

/// Registers the exception classes; called from the module startup function.
pub fn register() -> ext_php_rs::error::Result<()> {
    let violations = FunctionBuilder::new("violations", violations_method).returns(DataType::Array, false, false);
    ClassBuilder::new(VALIDATION_CLASS)
        .extends((invalid_argument, "\\InvalidArgumentException"))
        .property(ClassProperty {
            name: "violations".into(),
            flags: PropertyFlags::Protected,
            // Internal classes cannot hold a refcounted default (an array): null until thrown.
            default: Some(Box::new(|| Ok(Zval::null()))),
            docs: &[],
            ty: None,
            nullable: true,
            readonly: false,
            default_stub: Some("null".into()),
        })
        .method(violations, MethodFlags::Public)
        .registration(|ce, tables| {
            // The engine keeps pointing into the argument tables: they must live forever.
            std::mem::forget(tables);
            VALIDATION.store(ce, Ordering::Release);
        })
        .register()?;
    ClassBuilder::new(SCHEMA_CLASS)
        .extends((runtime, "\\RuntimeException"))
        .registration(|ce, tables| {
            // The engine keeps pointing into the argument tables: they must live forever.
            std::mem::forget(tables);
            SCHEMA.store(ce, Ordering::Release);
        })
        .register()?;
    ClassBuilder::new(ENVELOPE_CLASS)
        .extends((invalid_argument, "\\InvalidArgumentException"))
        .registration(|ce, tables| {
            // The engine keeps pointing into the argument tables: they must live forever.
            std::mem::forget(tables);
            ENVELOPE.store(ce, Ordering::Release);
        })
        .register()?;
    ClassBuilder::new(QUEUE_CLASS)
        .extends((runtime, "\\RuntimeException"))
        .registration(|ce, tables| {
            // The engine keeps pointing into the argument tables: they must live forever.
            std::mem::forget(tables);
            QUEUE.store(ce, Ordering::Release);
        })
        .register()?;
    Ok(())
}

/// `ValidationException::violations()`: the private `violations` property.
extern "C" fn violations_method(ex: &mut ExecuteData, retval: &mut Zval) {
    ext_php_rs::zend::run_handler(std::panic::AssertUnwindSafe(|| {
        let class = registered(&VALIDATION, VALIDATION_CLASS, invalid_argument) as *const ClassEntry as *mut ClassEntry;
        let Some(this) = ex.get_self() else {
            retval.set_hashtable(ext_php_rs::types::ZendHashTable::new());
            return;
        };
        let mut rv = Zval::new();
        let name = "violations";
        // SAFETY: `this` is a live object of (a subclass of) the class; silent read, own scope.
        let prop = unsafe {
            ext_php_rs::ffi::zend_read_property(class, std::ptr::from_mut(this), name.as_ptr().cast(), name.len(), true, &raw mut rv)
                .as_ref()
        };
        match prop.map(Zval::dereference) {
            Some(p) if p.is_array() => *retval = p.shallow_clone(),
            _ => retval.set_hashtable(ext_php_rs::types::ZendHashTable::new()),
        }
    }));
}

/// Every failure a binding can report to PHP.
#[derive(Debug)]
pub enum BusError {
    /// An envelope broke the contract → `PhpGrc\Bus\ValidationException`.
    Validation { message: String, violations: Vec<Violation> },
    /// → `PhpGrc\Bus\SchemaException`.
    Schema(String),
    /// → `PhpGrc\Bus\EnvelopeException`.
    Envelope(String),
    /// → `PhpGrc\Bus\QueueException`.
    Queue(String),
    /// Input that is not JSON data → `\InvalidArgumentException`.
    InvalidArgument(String),
    /// → `\TypeError`.
    Type(String),
}

impl From<super::convert::InputError> for BusError {
    fn from(e: super::convert::InputError) -> Self {
        match e {
            super::convert::InputError::Type(m) => BusError::Type(m),
            super::convert::InputError::Invalid(m) => BusError::InvalidArgument(m),
        }
    }
}

impl BusError {
    /// The message, as the exception would carry it.
    pub fn message(&self) -> &str {
        match self {
            BusError::Validation { message, .. } => message,
            BusError::Schema(m)
            | BusError::Envelope(m)
            | BusError::Queue(m)
            | BusError::InvalidArgument(m)
            | BusError::Type(m) => m,
        }
    }

    /// A ValidationException whose message summarises the violations.
    pub fn validation(violations: Vec<Violation>) -> Self {
        let mut message = format!(
            "the envelope breaks the Integration Bus contract ({} violation{})",
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        );
        for v in violations.iter().take(5) {
            message.push_str("\n- ");
            message.push_str(&v.to_string());
        }
        if violations.len() > 5 {
            message.push_str(&format!("\n- … and {} more", violations.len() - 5));
        }
        BusError::Validation { message, violations }
    }
}

/// PHP cannot throw a message holding a NUL byte (anonymous class names carry one): show it.
fn printable(message: String) -> String {
    if message.contains('\0') {
        message.replace('\0', "\\0")
    } else {
        message
    }
}

impl From<BusError> for PhpException {
    fn from(e: BusError) -> Self {
        let e = match e {
            BusError::Validation { message, violations } => BusError::Validation { message: printable(message), violations },
            BusError::Schema(m) => BusError::Schema(printable(m)),
            BusError::Envelope(m) => BusError::Envelope(printable(m)),
            BusError::Queue(m) => BusError::Queue(printable(m)),
            BusError::InvalidArgument(m) => BusError::InvalidArgument(printable(m)),
            BusError::Type(m) => BusError::Type(printable(m)),
        };
        match e {
            BusError::Validation { message, violations } => validation_exception(message, &violations),
            BusError::Schema(m) => PhpException::new(m, 0, registered(&SCHEMA, SCHEMA_CLASS, runtime)),
            BusError::Envelope(m) => PhpException::new(m, 0, registered(&ENVELOPE, ENVELOPE_CLASS, invalid_argument)),
            BusError::Queue(m) => PhpException::new(m, 0, registered(&QUEUE, QUEUE_CLASS, runtime)),
            BusError::InvalidArgument(m) => PhpException::new(m, 0, invalid_argument()),
            BusError::Type(m) => PhpException::new(m, 0, ce::type_error()),
        }
    }
}

fn validation_exception(message: String, violations: &[Violation]) -> PhpException {
    let class = registered(&VALIDATION, VALIDATION_CLASS, invalid_argument);
    let fallback = || PhpException::new(message.clone(), 0, class);
    let mut object = ZendObject::new(class);
    if object.try_call_method("__construct", vec![&message]).is_err() {
        return fallback();
    }
    let mut list = Zval::new();
    list.set_hashtable(violations_table(violations));
    let name = CString::new("violations").unwrap_or_default();
    // SAFETY: the object is a fresh instance of `class`, which declares `violations`; the
    // engine copies the value (adds a reference) into the property slot.
    unsafe {
        zend_update_property(
            class as *const ClassEntry as *mut ClassEntry,
            std::ptr::from_mut(&mut *object),
            name.as_ptr(),
            "violations".len(),
            &raw mut list,
        );
    }
    match object.into_zval(false) {
        Ok(zv) => PhpException::new(message, 0, class).with_object(zv),
        Err(_) => fallback(),
    }
}

/// Violations as `list<array{path, keyword, message}>`.
pub fn violations_table(violations: &[Violation]) -> ZBox<ZendHashTable> {
    let mut list = ZendHashTable::with_capacity(violations.len() as u32);
    for v in violations {
        let mut entry = ZendHashTable::with_capacity(3);
        let _ = entry.insert("path", v.path.as_str());
        let _ = entry.insert("keyword", v.keyword.as_str());
        let _ = entry.insert("message", v.message.as_str());
        let _ = list.push(entry);
    }
    list
}
