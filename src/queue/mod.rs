//! A Redis queue client that speaks Laravel's RedisQueue wire format, with batch push,
//! retries with exponential backoff, a dead-letter list and replay dedupe. Pure Rust: the PHP
//! binding converts values and maps errors, nothing more. This file only names the parts.
//!
//! From the wire up:
//! - `resp`: RESP2, the protocol (encoding, a bounded decoder);
//! - `transport`: a stream to one server (TCP, unix socket, TLS), busy polling, the RESP
//!   exchange over it;
//! - `session`: one server's session (AUTH, SELECT, reconnection, fork); `cluster`: Redis
//!   Cluster routing over sessions; `connection`: either one, plus the per-process pool;
//! - `config`: the settings, from a Redis URL or a Laravel connection array;
//! - Laravel's format: `keys`, `payload` + `raw_json` (job JSON, envelope bytes kept
//!   exact), `options`, `scripts` (every multi-step operation as one atomic Lua script);
//! - the operations on a `Queue` (`redis_queue`): `push`, `pop`, `ack`, `dead_letter`,
//!   `sizes`, `replay`, with `job` the jobs they take and give; `error` is everyone's.
#![forbid(unsafe_code)]

pub mod cluster;
pub mod config;
pub mod connection;
pub mod error;
pub mod keys;
pub mod options;
pub mod payload;
pub mod raw_json;
pub mod resp;
pub mod scripts;
mod ack;
mod dead_letter;
mod job;
mod pop;
mod push;
mod redis_queue;
mod replay;
mod session;
mod sizes;
mod transport;

pub use ack::{Acked, Outcome};
pub use config::{parse_busy_poll, ConnectionConfig, LaravelConnection};
pub use connection::Connection;
pub use dead_letter::DeadLetter;
pub use error::{ErrorKind, QueueError};
pub use job::{NewJob, Reserved};
pub use options::{AckMode, Options};
pub use payload::ErrorAnnotation;
pub use pop::{Block, Rejection, VALIDATION_FAILED};
pub use push::Batch;
pub use redis_queue::{Queue, Stats};
pub use replay::ReplayKey;
pub use session::Wait;
pub use sizes::Sizes;
pub use transport::poll::DEFAULT_BUSY_POLL;
pub use transport::tls::Tls;
pub use transport::Address;
