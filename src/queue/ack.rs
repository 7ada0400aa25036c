//! After a job ran: `ack` (now, or deferred to ride on the next round trip), `release` and
//! `fail` (back to `:delayed` with backoff, or to the dead-letter list once attempts run
//! out). Every change acts only while the exact reserved bytes are still reserved.
#![forbid(unsafe_code)]

use std::time::Duration;

use serde_json::Value;

use super::error::{self, ErrorKind, QueueError};
use super::job::Reserved;
use super::options::{self, AckMode};
use super::payload::{self, ErrorAnnotation};
use super::redis_queue::{lock, now_seconds, PendingAck, Queue};
use super::replay::ReplayKey;
use super::resp::Reply;
use super::scripts::{self, Script};

/// What release, fail and dead-letter did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Back in `:delayed`, due after this many seconds.
    Released {
        delay: u64,
    },
    DeadLettered,
    /// The job was no longer reserved (its reservation expired, so it is back in the ready
    /// list or with another worker): nothing was changed, so it never exists twice.
    NotReserved,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Released { .. } => "released",
            Outcome::DeadLettered => "dead-lettered",
            Outcome::NotReserved => "not-reserved",
        }
    }
}

/// What `ack` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acked {
    /// Removed from `:reserved` (and remembered for replay dedupe).
    Removed,
    /// The job was no longer reserved (its reservation expired): nothing was removed.
    NotReserved,
    /// `AckMode::Deferred`: queued, written with the next round trip; whether the job was
    /// still reserved is not known yet.
    Deferred,
}

/// What one write of acknowledgements (and maybe a script call after them) got back.
struct AcksWritten {
    /// How many acknowledgements removed a job that was still reserved.
    removed: usize,
    /// The first error reply to an acknowledgement.
    error: Option<QueueError>,
    /// The script's reply, when a script was called.
    script: Option<Result<Reply, QueueError>>,
}

impl Queue {
    /// Processing succeeded: removes exactly the reserved bytes, and remembers the envelope
    /// for replay dedupe (same round trip). With `AckMode::Deferred` both are queued and
    /// written with the next pop or sizes round trip, by `flush`, or when the queue is dropped
    /// (`Acked::Deferred`); an error reply to them is reported by that call, or by the next
    /// `ack` when it came with another call.
    pub fn ack(&mut self, job: &Reserved) -> Result<Acked, QueueError> {
        self.ack_timed(job, None)
    }

    /// `ack`, counting the job as processed in the `counters` hash (when that option is set)
    /// with `ran` seconds, else the time since pop handed it out; the count rides in the same
    /// write as the ack.
    pub fn ack_timed(&mut self, job: &Reserved, ran: Option<Duration>) -> Result<Acked, QueueError> {
        self.adopt_process();
        self.count(job, ran, true);
        let replay = if self.options.dedupe_ttl > 0 {
            // Read at pop, unless another queue (dedupe off) popped it.
            let key = match &job.replay {
                Some(read) => read.clone(),
                None => ReplayKey::of_json(job.envelope_json()).0,
            };
            key.map(|key| (self.replay_key(&key), key.checksum))
        } else {
            None
        };
        let ack = PendingAck {
            reserved_key: self.keys(&job.queue).reserved,
            member: job.reserved.clone(),
            replay,
        };
        self.stats.acked += 1;
        if self.options.ack == AckMode::Deferred {
            self.pending_acks.push(ack);
            return match self.ack_error.take() {
                Some(e) => Err(e),
                None => Ok(Acked::Deferred),
            };
        }
        let written = self.write_acks(&[ack], None)?;
        if let Some(e) = written.error {
            return Err(e);
        }
        Ok(if written.removed == 1 { Acked::Removed } else { Acked::NotReserved })
    }

    /// Writes the deferred acknowledgements now; returns how many were written. Does nothing
    /// (0) when none are pending.
    pub fn flush(&mut self) -> Result<usize, QueueError> {
        self.adopt_process();
        let acks = std::mem::take(&mut self.pending_acks);
        if !acks.is_empty() || !self.pending_counts.is_empty() {
            match self.write_acks(&acks, None) {
                Ok(written) => {
                    if let Some(e) = written.error {
                        self.ack_error.get_or_insert(e);
                    }
                }
                Err(e) => {
                    // The acks may not have run; resending them is harmless (ZREM of bytes no
                    // longer reserved removes nothing, the SET is the same). Counts may have
                    // run: they are not sent again (a lost count, never a doubled one).
                    self.pending_acks = acks;
                    return Err(e);
                }
            }
        }
        match self.ack_error.take() {
            Some(e) => Err(e),
            None => Ok(acks.len()),
        }
    }

    /// Runs a script; pending deferred acks go first in the same write. An error reply to an
    /// ack is kept for the caller to report after it has used the script's reply.
    pub(super) fn eval_after_acks(&mut self, script: &Script, keys: &[&[u8]], args: &[&[u8]]) -> Result<Reply, QueueError> {
        if !self.has_pending_writes() {
            return script.run(&mut lock(&self.conn), keys, args);
        }
        let acks = std::mem::take(&mut self.pending_acks);
        match self.write_acks(&acks, Some((script, keys, args))) {
            Ok(written) => {
                if let Some(e) = written.error {
                    self.ack_error.get_or_insert(e);
                }
                written
                    .script
                    .unwrap_or_else(|| Err(QueueError::protocol("missing script reply")))
            }
            Err(e) => {
                // Nothing is known to have run: keep the acks for the next write.
                self.pending_acks = acks;
                Err(e)
            }
        }
    }

    /// One write: every ack's ZREM (and replay SET), the pending counts (taken: a count is
    /// sent once, so a failed write may lose it but never doubles it), then the script call if
    /// any. `Err` only when no reply came (the connection failed).
    fn write_acks(
        &mut self,
        acks: &[PendingAck],
        script: Option<(&Script, &[&[u8]], &[&[u8]])>,
    ) -> Result<AcksWritten, QueueError> {
        let ttl = self.options.dedupe_ttl.max(1).to_string();
        let mut commands: Vec<Vec<&[u8]>> = Vec::with_capacity(acks.len() * 2 + 2);
        for ack in acks {
            commands.push(vec![b"ZREM", ack.reserved_key.as_bytes(), &ack.member]);
            if let Some((key, checksum)) = &ack.replay {
                commands.push(vec![b"SET", key.as_bytes(), checksum.as_bytes(), b"EX", ttl.as_bytes()]);
            }
        }
        let counts = std::mem::take(&mut self.pending_counts);
        let count_args: Option<[String; 3]> = match &self.counters_key {
            Some(_) if !counts.is_empty() => {
                Some([counts.processed.to_string(), counts.failed.to_string(), format!("{:.6}", counts.seconds)])
            }
            _ => None,
        };
        let counters_key = self.counters_key.as_deref().unwrap_or_default();
        if let Some([processed, failed, seconds]) = &count_args {
            commands.push(vec![
                b"EVALSHA",
                scripts::COUNT.sha1().as_bytes(),
                b"1",
                counters_key.as_bytes(),
                processed.as_bytes(),
                failed.as_bytes(),
                seconds.as_bytes(),
            ]);
        }
        let numkeys = script.map(|(_, keys, _)| keys.len().to_string()).unwrap_or_default();
        if let Some((script, keys, args)) = script {
            let mut call: Vec<&[u8]> = vec![b"EVALSHA", script.sha1().as_bytes(), numkeys.as_bytes()];
            call.extend_from_slice(keys);
            call.extend_from_slice(args);
            commands.push(call);
        }
        let mut conn = lock(&self.conn);
        let mut replies = conn.pipeline(&commands)?;
        let script_reply = match script {
            None => None,
            Some((script, keys, args)) => Some(match replies.pop() {
                // The server does not know the script (nothing ran): the plain path loads it.
                Some(Reply::Error(e)) if e.starts_with("NOSCRIPT") => script.run(&mut conn, keys, args),
                Some(Reply::Error(e)) => Err(script.refused(&e, &conn)),
                Some(reply) => Ok(reply),
                None => Err(QueueError::protocol("missing script reply")),
            }),
        };
        let mut written = AcksWritten { removed: 0, error: None, script: script_reply };
        if let Some([processed, failed, seconds]) = &count_args {
            let reply = replies.pop();
            let counted = match reply {
                // Not run (the server lost its scripts): run it by its source now.
                Some(Reply::Error(e)) if e.starts_with("NOSCRIPT") => scripts::COUNT
                    .run(&mut conn, &[counters_key.as_bytes()], &[processed.as_bytes(), failed.as_bytes(), seconds.as_bytes()])
                    .map(drop),
                Some(Reply::Error(e)) => Err(scripts::COUNT.refused(&e, &conn)),
                Some(_) => Ok(()),
                None => Err(QueueError::protocol("missing reply to the counters")),
            };
            if let Err(e) = counted {
                written.error.get_or_insert(e);
            }
        }
        for reply in replies {
            match reply {
                Reply::Integer(1) => written.removed += 1,
                Reply::Error(e) if written.error.is_none() => {
                    written.error = Some(QueueError::new(
                        ErrorKind::Server,
                        format!("Redis refused ack: {}", error::redact(&e, conn.config().password.as_deref())),
                    ));
                }
                _ => {}
            }
        }
        Ok(written)
    }

    /// Removes the job from `:reserved` without marking it processed.
    pub(super) fn ack_only(&mut self, job: &Reserved) -> Result<bool, QueueError> {
        let keys = self.keys(&job.queue);
        let reply =
            lock(&self.conn).command(&[b"ZREM", keys.reserved.as_bytes(), &job.reserved])?;
        Ok(reply.as_integer() == Some(1))
    }

    /// Puts the job back after `delay` seconds (`None`: the backoff for its attempt), bytes
    /// unchanged as Laravel does; once attempts reach max_attempts it is dead-lettered instead.
    pub fn release(&mut self, job: &Reserved, delay: Option<u64>) -> Result<Outcome, QueueError> {
        self.retry_or_dead_letter(job, delay, None)
    }

    /// Processing failed: annotates the envelope's `error` (error contract), then re-delays
    /// with backoff while attempts < max_attempts, else dead-letters it with the error kept.
    pub fn fail(
        &mut self,
        job: &Reserved,
        code: &str,
        message: &str,
    ) -> Result<Outcome, QueueError> {
        self.fail_timed(job, code, message, None)
    }

    /// `fail`, counting the job as failed in the `counters` hash (when that option is set), as
    /// `ack_timed` counts a processed one.
    pub fn fail_timed(&mut self, job: &Reserved, code: &str, message: &str, ran: Option<Duration>) -> Result<Outcome, QueueError> {
        self.adopt_process();
        self.count(job, ran, false);
        self.retry_or_dead_letter(job, None, Some((code, message)))
    }

    /// Adds one job to the pending counts, when the queue keeps the counters.
    fn count(&mut self, job: &Reserved, ran: Option<Duration>, processed: bool) {
        if self.counters_key.is_none() {
            return;
        }
        let counts = &mut self.pending_counts;
        if processed {
            counts.processed += 1;
        } else {
            counts.failed += 1;
        }
        counts.seconds += ran.unwrap_or_else(|| job.handed_out.elapsed()).as_secs_f64();
    }

    fn retry_or_dead_letter(
        &mut self,
        job: &Reserved,
        delay: Option<u64>,
        error: Option<(&str, &str)>,
    ) -> Result<Outcome, QueueError> {
        let attempt = job.attempts();
        if attempt >= u64::from(self.options.max_attempts) {
            return match error {
                Some((code, message)) => self.dead_letter(job, code, message),
                // A plain release that used the last attempt: the dead letter must still say why
                // (error contract). An error a handler already recorded is kept as it is.
                None if job.envelope().ok().is_some_and(|e| e.get("error").is_some_and(Value::is_object)) => {
                    self.dead_letter_as_is(job)
                }
                None => self.dead_letter(
                    job,
                    "MAX_ATTEMPTS_EXCEEDED",
                    &format!("released on attempt {attempt} of {}; no attempts left", self.options.max_attempts),
                ),
            };
        }
        let delay = delay
            .unwrap_or_else(|| self.options.backoff_seconds(attempt))
            .min(options::MAX_DELAY_SECONDS);
        let due = now_seconds().saturating_add(delay);
        let released = match error {
            None => job.reserved.clone(),
            Some((code, message)) => {
                let mut annotation = ErrorAnnotation::now(
                    code,
                    message,
                    attempt,
                    u64::from(self.options.max_attempts),
                );
                annotation.retry_at = Some(payload::utc_timestamp(
                    i64::try_from(due.saturating_mul(1000)).unwrap_or(i64::MAX),
                ));
                self.annotated(job, &annotation)?
            }
        };
        let keys = self.keys(&job.queue);
        let due = due.to_string();
        // With pending acks or counts (a fail's own count) in the same write.
        let reply = self.eval_after_acks(
            &scripts::RELEASE,
            &[keys.reserved.as_bytes(), keys.delayed.as_bytes()],
            &[&job.reserved, &released, due.as_bytes()],
        )?;
        if reply.as_integer() == Some(1) {
            self.stats.released += 1;
            Ok(Outcome::Released { delay })
        } else {
            Ok(Outcome::NotReserved)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::sizes::Sizes;

    #[test]
    fn outcomes_read_as_the_stub_says() {
        assert_eq!(Outcome::Released { delay: 1 }.as_str(), "released");
        assert_eq!(Outcome::DeadLettered.as_str(), "dead-lettered");
        assert_eq!(
            Sizes {
                ready: 1,
                delayed: 2,
                reserved: 3,
                dead_letters: 4
            }
            .total(),
            6
        );
    }
}
