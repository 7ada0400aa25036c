//! The PHP binding layer: registers the module, its ini settings, classes and functions.
//! Each submodule only converts PHP values and maps core errors to PHP exceptions.
// Parameter names are what PHP shows (named arguments, reflection): camelCase.
#![allow(non_snake_case)]

mod built;
mod convert;
mod envelope;
mod exceptions;
mod ini;
mod queue;
mod validator;
mod zval_json;

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::contract::{Schema, BUS_VERSION};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// MINIT: ini entries first (the classes read them lazily), then the exception classes.
/// A panic must not cross into the engine here, so it becomes a failed startup.
pub fn startup(_ty: i32, module_number: i32) -> i32 {
    let outcome = std::panic::catch_unwind(|| {
        ini::register(module_number);
        exceptions::register()
    });
    match outcome {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}

/// `php --ri phpgrc_bus` and phpinfo().
pub extern "C" fn info(_module: *mut ModuleEntry) {
    let _ = std::panic::catch_unwind(|| {
        let schema = validator::schema_for(None);
        info_table_start!();
        info_table_row!("phpgrc_bus support", "enabled");
        info_table_row!("version", VERSION);
        info_table_row!("bus contract version", BUS_VERSION);
        match &schema {
            Ok(s) => {
                info_table_row!("schema source", s.source());
                info_table_row!("schema $id", s.id());
            }
            Err(e) => info_table_row!("schema error", e.message()),
        }
        info_table_row!("redis client", format!("built-in RESP2 client {VERSION} (TCP, unix sockets, TLS via rustls)"));
        info_table_row!("embedded schema $id", Schema::embedded().id());
        info_table_row!("phpgrc_bus.schema_path", ini::schema_path().unwrap_or_default());
        info_table_row!("phpgrc_bus.max_depth", ini::max_depth().to_string());
        info_table_row!("phpgrc_bus.max_bytes", ini::max_bytes().to_string());
        info_table_end!();
    });
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = envelope::functions().into_iter().fold(module, ModuleBuilder::function);
    module
        .name("phpgrc_bus")
        .version(VERSION)
        .info_function(info)
        .constant(("PhpGrc\\Bus\\VERSION", VERSION, &[]))
        .constant(("PhpGrc\\Bus\\BUS_VERSION", BUS_VERSION, &[]))
        .class::<validator::Validator>()
        .class::<envelope::Run>()
        .class::<envelope::Envelope>()
        .class::<envelope::Summary>()
        .class::<queue::ReservedJob>()
        .class::<queue::Queue>()
}
