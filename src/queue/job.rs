//! A job as the queue client hands it over: what a push takes (`NewJob`), what a pop reserved
//! (`Reserved`, with the exact bytes Redis holds). Reading a reserved job; nothing here talks
//! to Redis.
#![forbid(unsafe_code)]

use std::time::Instant;

use serde_json::Value;

use super::error::QueueError;
use super::payload::JobPayload;
use super::replay::ReplayKey;

/// One job to enqueue: the envelope's JSON text and its `x-phpgrc-*` headers.
#[derive(Debug, Clone, Copy)]
pub struct NewJob<'a> {
    pub envelope_json: &'a [u8],
    pub headers: &'a [(String, String)],
}

/// A job reserved by `pop`. Keeps the exact bytes `:reserved` holds, which ack, release and
/// dead-letter remove.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub(super) queue: String,
    /// The payload as it was in the ready list (what Laravel's RedisJob decodes).
    pub(super) popped: Vec<u8>,
    /// The payload as it is in `:reserved` (attempts raised).
    pub(super) reserved: Vec<u8>,
    pub(super) decoded: JobPayload,
    /// The envelope's replay identity, read at pop when replay dedupe is on (ack stores it);
    /// `None` when not read.
    pub(super) replay: Option<Option<ReplayKey>>,
    /// When pop handed it out: the counters' duration when the caller gives none.
    pub(super) handed_out: Instant,
}

impl Reserved {
    /// The job id (Laravel's `id` and `uuid`).
    pub fn id(&self) -> &str {
        &self.decoded.id
    }

    /// The queue name it was popped from, without prefix.
    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// Attempts including this one (Laravel's `RedisJob::attempts()`).
    pub fn attempts(&self) -> u64 {
        self.decoded.attempts.saturating_add(1)
    }

    /// The envelope JSON, byte for byte as it was pushed.
    pub fn envelope_json(&self) -> &[u8] {
        &self.popped[self.decoded.data.clone()]
    }

    /// The envelope, parsed.
    pub fn envelope(&self) -> Result<Value, QueueError> {
        serde_json::from_slice(self.envelope_json())
            .map_err(|e| QueueError::payload(format!("the job's envelope is not JSON: {e}")))
    }

    /// The `headers` object's JSON text, when the payload has one.
    pub fn headers_json(&self) -> Option<&[u8]> {
        self.decoded.headers.clone().map(|r| &self.popped[r])
    }

    /// The `headers` object, when the payload has one.
    pub fn headers(&self) -> Option<Value> {
        self.headers_json()
            .and_then(|h| serde_json::from_slice(h).ok())
    }

    /// The reserved payload exactly as Redis returned it.
    pub fn raw_payload(&self) -> &[u8] {
        &self.reserved
    }

    /// The payload as it was in the ready list before this attempt.
    pub fn popped_payload(&self) -> &[u8] {
        &self.popped
    }
}
