//! Reading and clearing a queue as a whole: its counts in one snapshot (Laravel's `size()`),
//! the age of its oldest ready job, `queue:clear`.
#![forbid(unsafe_code)]

use super::error::QueueError;
use super::raw_json;
use super::redis_queue::{lock, unexpected, Queue};
use super::resp::Reply;
use super::scripts;

/// Counts of one queue, read atomically.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sizes {
    pub ready: u64,
    pub delayed: u64,
    pub reserved: u64,
    pub dead_letters: u64,
}

impl Sizes {
    /// What Laravel's `size()` counts: ready + delayed + reserved.
    pub fn total(&self) -> u64 {
        self.ready + self.delayed + self.reserved
    }
}

impl Queue {
    /// Ready + delayed + reserved jobs (Laravel's `size()`).
    pub fn size(&mut self, queue: Option<&str>) -> Result<u64, QueueError> {
        Ok(self.sizes(queue)?.total())
    }

    /// Each count of the queue, plus the dead-letter list's length, in one snapshot.
    pub fn sizes(&mut self, queue: Option<&str>) -> Result<Sizes, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        let dlq = self.dlq_key();
        let reply = self.eval_after_acks(
            &scripts::SIZES,
            &[
                keys.ready.as_bytes(),
                keys.delayed.as_bytes(),
                keys.reserved.as_bytes(),
                dlq.as_bytes(),
            ],
            &[],
        )?;
        let counts: Option<Vec<u64>> = match &reply {
            Reply::Array(items) if items.len() == 4 => items
                .iter()
                .map(|r| r.as_integer().and_then(|i| u64::try_from(i).ok()))
                .collect(),
            _ => None,
        };
        if let Some(e) = self.ack_error.take() {
            return Err(e);
        }
        match counts.as_deref() {
            Some(&[ready, delayed, reserved, dead_letters]) => Ok(Sizes {
                ready,
                delayed,
                reserved,
                dead_letters,
            }),
            _ => Err(unexpected("the sizes script", &reply)),
        }
    }

    /// Laravel 13's `creationTimeOfOldestPendingJob()`: the `createdAt` (Unix seconds) of the
    /// job at the head of the ready list; `None` when the list is empty or that job has no
    /// integer `createdAt` (pushed by Laravel 11 or older, or not a job payload).
    pub fn oldest_pending_created_at(&mut self, queue: Option<&str>) -> Result<Option<i64>, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        let reply = lock(&self.conn).command(&[b"LINDEX", keys.ready.as_bytes(), b"0"])?;
        let Some(head) = reply.as_bytes() else { return Ok(None) };
        let Ok(members) = raw_json::object_members(head) else { return Ok(None) };
        Ok(members
            .iter()
            .rev()
            .find(|m| m.key == "createdAt")
            .and_then(|m| std::str::from_utf8(&head[m.value.clone()]).ok())
            .and_then(|text| text.parse::<i64>().ok()))
    }

    /// Deletes the queue's ready, delayed and reserved jobs (Laravel's `queue:clear`); returns
    /// how many. Jobs this object prefetched from that queue are dropped with them; the
    /// dead-letter list is kept.
    pub fn clear(&mut self, queue: Option<&str>) -> Result<u64, QueueError> {
        self.adopt_process();
        let name = self.queue_name(queue).to_owned();
        let keys = self.keys(&name);
        let reply = self.eval_after_acks(
            &scripts::CLEAR,
            &[
                keys.ready.as_bytes(),
                keys.delayed.as_bytes(),
                keys.reserved.as_bytes(),
                keys.notify.as_bytes(),
            ],
            &[],
        )?;
        self.prefetched.retain(|p| p.queue != name);
        if let Some(e) = self.ack_error.take() {
            return Err(e);
        }
        reply
            .as_integer()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| unexpected("the clear script", &reply))
    }
}
