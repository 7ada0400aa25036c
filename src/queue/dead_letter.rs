//! The dead-letter list: moving a reserved job there (with the error contract's `error`, or
//! as it is), reading it, and moving a dead letter back to its queue. When a job is
//! dead-lettered is decided by `ack` (attempts) and `pop` (unreadable or rejected jobs).
#![forbid(unsafe_code)]

use super::error::QueueError;
use super::job::Reserved;
use super::keys::QueueKeys;
use super::payload::{self, ErrorAnnotation};
use super::redis_queue::{lock, unexpected, Queue};
use super::resp::Reply;
use super::scripts;
use super::ack::Outcome;

/// Dead letters read per round trip when looking one up by id.
const DLQ_SCAN_CHUNK: i64 = 100;

/// One entry of the dead-letter list. `id` and `queue` are absent when the entry is not a
/// readable job payload (it is kept as it was found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub raw: Vec<u8>,
    pub id: Option<String>,
    pub queue: Option<String>,
}

impl Queue {
    /// The reserved payload with the envelope's `error` annotated.
    pub(super) fn annotated(
        &self,
        job: &Reserved,
        annotation: &ErrorAnnotation,
    ) -> Result<Vec<u8>, QueueError> {
        let decoded = payload::decode(&job.reserved)?;
        payload::with_envelope_error(&job.reserved, &decoded, annotation)
    }

    /// Moves the job to the dead-letter list with `error` annotated (`code`, `message`, this
    /// attempt). The binding calls this with `VALIDATION_FAILED` for a header/body mismatch.
    pub fn dead_letter(
        &mut self,
        job: &Reserved,
        code: &str,
        message: &str,
    ) -> Result<Outcome, QueueError> {
        let annotation = ErrorAnnotation::now(
            code,
            message,
            job.attempts(),
            u64::from(self.options.max_attempts),
        );
        let annotated = self.annotated(job, &annotation)?;
        self.dead_letter_payload(job, &annotated)
    }

    /// Moves the job to the dead-letter list with its envelope as it is.
    pub(super) fn dead_letter_as_is(&mut self, job: &Reserved) -> Result<Outcome, QueueError> {
        self.dead_letter_payload(job, &job.reserved.clone())
    }

    fn dead_letter_payload(
        &mut self,
        job: &Reserved,
        payload_bytes: &[u8],
    ) -> Result<Outcome, QueueError> {
        let decoded = payload::decode(payload_bytes)?;
        let entry = payload::dead_letter_entry(payload_bytes, &decoded.members, &job.queue);
        let keys = self.keys(&job.queue);
        Ok(
            if self.move_to_dead_letters(&keys, &job.reserved, &entry)? {
                Outcome::DeadLettered
            } else {
                Outcome::NotReserved
            },
        )
    }

    pub(super) fn move_to_dead_letters(
        &mut self,
        keys: &QueueKeys,
        reserved: &[u8],
        entry: &[u8],
    ) -> Result<bool, QueueError> {
        let dlq = self.dlq_key();
        // With pending acks or counts in the same write.
        let reply = self.eval_after_acks(
            &scripts::DEAD_LETTER,
            &[keys.reserved.as_bytes(), dlq.as_bytes()],
            &[reserved, entry],
        )?;
        let moved = reply.as_integer() == Some(1);
        if moved {
            self.stats.dead_lettered += 1;
        }
        Ok(moved)
    }

    /// The oldest `limit` dead letters.
    pub fn dead_letters(&mut self, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let last = i64::try_from(limit).unwrap_or(i64::MAX).saturating_sub(1);
        self.dead_letter_range(0, last)
    }

    fn dead_letter_range(&mut self, first: i64, last: i64) -> Result<Vec<DeadLetter>, QueueError> {
        let dlq = self.dlq_key();
        let (first, last) = (first.to_string(), last.to_string());
        let reply = lock(&self.conn).command(&[
            b"LRANGE",
            dlq.as_bytes(),
            first.as_bytes(),
            last.as_bytes(),
        ])?;
        let Reply::Array(items) = reply else {
            return Err(unexpected("LRANGE", &reply));
        };
        Ok(items
            .into_iter()
            .filter_map(|item| match item {
                Reply::Bulk(raw) => {
                    let decoded = payload::decode(&raw).ok();
                    Some(DeadLetter {
                        id: decoded.as_ref().map(|d| d.id.clone()),
                        queue: decoded.and_then(|d| d.queue),
                        raw,
                    })
                }
                _ => None,
            })
            .collect())
    }

    /// Moves the dead letter with job id `id` back to the queue it came from (else the default
    /// queue), attempts reset to 0, `error` kept for the next worker to see. `false` when no
    /// such dead letter exists (or another client moved it first).
    pub fn retry_dead_letter(&mut self, id: &str) -> Result<bool, QueueError> {
        let mut first = 0;
        loop {
            let batch = self.dead_letter_range(first, first + DLQ_SCAN_CHUNK - 1)?;
            if batch.is_empty() {
                return Ok(false);
            }
            if let Some(found) = batch.into_iter().find(|d| d.id.as_deref() == Some(id)) {
                let decoded = payload::decode(&found.raw)?;
                let fresh = payload::retried_entry(&found.raw, &decoded);
                let queue = found
                    .queue
                    .as_deref()
                    .filter(|q| !q.is_empty())
                    .unwrap_or(&self.options.queue);
                let keys = self.keys(queue);
                let dlq = self.dlq_key();
                let reply = scripts::RETRY_DEAD_LETTER.run(
                    &mut lock(&self.conn),
                    &[
                        dlq.as_bytes(),
                        keys.ready.as_bytes(),
                        keys.notify.as_bytes(),
                    ],
                    &[&found.raw, &fresh],
                )?;
                return Ok(reply.as_integer() == Some(1));
            }
            first += DLQ_SCAN_CHUNK;
        }
    }
}
