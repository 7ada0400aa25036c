//! phpgrc_bus: the phpGRC Integration Bus contract, envelopes, log summary and queue protocol.
//!
//! Everything outside `php` is the pure core: no PHP types, no `unsafe`, tested by `cargo test`
//! without PHP. The `php` module (feature `extension`) only converts values and maps errors.
#![deny(unsafe_code)]

pub mod canonical;
pub mod contract;
pub mod document;
pub mod envelope;
pub mod input;
pub mod json_string;
pub mod percent;
pub mod queue;
pub mod summary;
pub mod timestamp;
pub mod ulid;
pub mod utf8;

#[cfg(feature = "extension")]
#[allow(unsafe_code)]
mod php;
