//! Popping: reserving jobs (one, or `prefetch` at a time), moving due and expired jobs back
//! first, the caller's check and replay dedupe before a job is handed out, waiting on
//! `:notify`, and giving back kept jobs when the queue closes. Not what happens to a job after
//! it is handed out (`ack`, `dead_letter`).
#![forbid(unsafe_code)]

use crate::document::{DocNode, Document};

use super::error::QueueError;
use super::job::Reserved;
use super::keys::QueueKeys;
use super::payload;
use super::redis_queue::{lock, now_seconds, unexpected, Prefetched, Queue};
use super::replay::{ReplayKey, ENVELOPE_DEPTH};
use super::resp::Reply;
use super::scripts::{self, ScriptCall};
use super::session::Wait;

/// The error code of a job dead-lettered because its headers do not match its body.
pub const VALIDATION_FAILED: &str = "VALIDATION_FAILED";

/// Most jobs one pop moves back from `:delayed` and from `:reserved` (the rest move next time),
/// so one pop never blocks Redis for long.
const MIGRATE_LIMIT: u32 = 1000;

/// Most jobs one `pop` call dead-letters or skips before answering "nothing for now".
const POP_SKIP_LIMIT: usize = 1000;

/// Why the caller's check refused a popped job: it goes to the dead-letter list with this code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: String,
    pub message: String,
}

impl Rejection {
    /// A header/body mismatch (`VALIDATION_FAILED`).
    pub fn validation_failed(message: impl Into<String>) -> Rejection {
        Rejection {
            code: VALIDATION_FAILED.to_owned(),
            message: message.into(),
        }
    }
}

/// How long `pop` waits on `:notify` when no job is ready.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Block {
    /// The `block_for` option.
    #[default]
    Option,
    /// Not at all this time (Laravel 13's Worker asks this of every queue after the first).
    Never,
    /// Up to this many seconds; 0: until a job comes.
    Seconds(u64),
}

impl From<Option<u64>> for Block {
    /// `None`: the option; `Some(n)`: n seconds (0: until a job comes).
    fn from(seconds: Option<u64>) -> Block {
        seconds.map_or(Block::Option, Block::Seconds)
    }
}

impl Queue {
    /// Reserves the next job: due delayed and expired reserved jobs move back first, then
    /// `prefetch` jobs (default 1) are popped with attempts + 1 and reserved until now +
    /// retry_after (one round trip); the first is returned, the others are kept and handed out
    /// by the next calls without a round trip. A kept job whose reservation ran out is never
    /// handed out (Redis makes it ready again). Deferred acknowledgements go in the same write.
    ///
    /// Before a job is returned: a payload that cannot be read, or one `check` rejects (the
    /// binding checks headers against the body), goes to the dead-letter list; a replayed
    /// envelope already processed is acknowledged and skipped. Then the next job is tried.
    /// When nothing is ready, waits up to `block_for` seconds (else the option) on `:notify`
    /// and tries once more; `Some(0)` waits until a job comes.
    pub fn pop(
        &mut self,
        queue: Option<&str>,
        block_for: impl Into<Block>,
        mut check: impl FnMut(&Reserved, Option<DocNode<'_>>) -> Result<(), Rejection>,
    ) -> Result<Option<Reserved>, QueueError> {
        self.adopt_process();
        let name = self.queue_name(queue).to_owned();
        let keys = self.keys(&name);
        let dlq = self.dlq_key();
        let wait = match block_for.into() {
            Block::Option => self.options.block_for,
            Block::Never => None,
            Block::Seconds(seconds) => Some(seconds),
        };
        let mut waited = false;
        let mut skipped = 0;
        while skipped < POP_SKIP_LIMIT {
            let Some(Prefetched { popped, reserved, .. }) = self.take_prefetched(&name) else {
                if self.reserve(&keys, &dlq, &name)? > 0 {
                    continue;
                }
                if let (Some(secs), false) = (wait, waited) {
                    waited = true;
                    if self.wait_for_notify(&keys, secs)? {
                        continue;
                    }
                }
                return Ok(None);
            };
            self.stats.popped += 1;
            let decoded = match payload::decode(&popped) {
                Ok(d) => d,
                Err(_) => {
                    // Unreadable: keep the bytes as they are in the dead-letter list.
                    self.move_to_dead_letters(&keys, &reserved, &reserved)?;
                    skipped += 1;
                    continue;
                }
            };
            let mut job = Reserved {
                queue: name.clone(),
                popped,
                reserved,
                decoded,
                replay: None,
                handed_out: std::time::Instant::now(),
            };
            // The envelope is parsed once, for the caller's check and for replay dedupe.
            let (replay, is_replay) = {
                let doc = std::str::from_utf8(job.envelope_json())
                    .ok()
                    .and_then(|text| Document::parse(text, ENVELOPE_DEPTH).ok());
                let envelope = doc.as_ref().map(Document::root);
                if let Err(rejection) = check(&job, envelope) {
                    self.dead_letter(&job, &rejection.code, &rejection.message)?;
                    skipped += 1;
                    continue;
                }
                match envelope {
                    Some(envelope) if self.options.dedupe_ttl > 0 => ReplayKey::of_doc(envelope),
                    _ => (None, false),
                }
            };
            if let (Some(key), true) = (&replay, is_replay) {
                if self.was_processed(key)? {
                    self.ack_only(&job)?;
                    self.stats.replays_skipped += 1;
                    skipped += 1;
                    continue;
                }
            }
            if self.options.dedupe_ttl > 0 {
                job.replay = Some(replay);
            }
            return Ok(Some(job));
        }
        Ok(None)
    }

    /// The oldest kept job of `queue` whose reservation still runs. Kept jobs whose
    /// reservation ran out are dropped: Redis makes them ready again, and handing one out
    /// would let two workers run it.
    fn take_prefetched(&mut self, queue: &str) -> Option<Prefetched> {
        let now = now_seconds();
        self.prefetched.retain(|p| p.until > now);
        let at = self.prefetched.iter().position(|p| p.queue == queue)?;
        self.prefetched.remove(at)
    }

    /// One run of the pop script (with any deferred acks in the same write): keeps the jobs
    /// it reserved, returns how many.
    fn reserve(&mut self, keys: &QueueKeys, dlq: &str, queue: &str) -> Result<usize, QueueError> {
        let now = now_seconds();
        let until = now.saturating_add(self.options.retry_after);
        let (now_text, until_text) = (now.to_string(), until.to_string());
        let limit = MIGRATE_LIMIT.to_string();
        let count = self.options.prefetch.to_string();
        // Due and expired jobs are moved at most once a second per queue (scores are whole
        // seconds), and whenever the ready list runs dry.
        let migrate = self.last_migration.as_ref().is_none_or(|(q, second)| q != queue || *second != now);
        let reply = self.eval_after_acks(
            &scripts::POP,
            &[
                keys.ready.as_bytes(),
                keys.reserved.as_bytes(),
                keys.notify.as_bytes(),
                keys.delayed.as_bytes(),
                dlq.as_bytes(),
            ],
            &[now_text.as_bytes(), until_text.as_bytes(), limit.as_bytes(), count.as_bytes(), if migrate { b"1" } else { b"0" }],
        )?;
        if migrate {
            self.last_migration = Some((queue.to_owned(), now));
        }
        let items = match reply {
            Reply::Nil => Vec::new(),
            Reply::Array(items) if items.len() % 2 == 0 => items,
            Reply::Array(_) => return Err(QueueError::protocol("unexpected reply shape from the pop script")),
            other => return Err(unexpected("the pop script", &other)),
        };
        let reserved = items.len() / 2;
        let mut items = items.into_iter();
        while let (Some(popped), Some(reserved)) = (items.next(), items.next()) {
            let (Reply::Bulk(popped), Reply::Bulk(reserved)) = (popped, reserved) else {
                return Err(QueueError::protocol("unexpected reply shape from the pop script"));
            };
            self.prefetched.push_back(Prefetched {
                queue: queue.to_owned(),
                popped,
                reserved,
                until,
            });
        }
        match self.ack_error.take() {
            Some(e) => Err(e),
            None => Ok(reserved),
        }
    }

    /// BLPOP on `:notify`; whether a token came before the timeout.
    fn wait_for_notify(&mut self, keys: &QueueKeys, seconds: u64) -> Result<bool, QueueError> {
        let secs = seconds.to_string();
        let wait = if seconds == 0 {
            Wait::Forever
        } else {
            Wait::Extra(std::time::Duration::from_secs(seconds))
        };
        let reply = lock(&self.conn)
            .command_waiting(&[b"BLPOP", keys.notify.as_bytes(), secs.as_bytes()], wait)?;
        Ok(!matches!(reply, Reply::Nil))
    }

    /// Writes the deferred acknowledgements and gives back the kept (prefetched) jobs never
    /// handed out: each still reserved goes back to the head of its ready list with its
    /// attempts as before (it never ran). Dropping the queue does this; returns how many jobs
    /// went back.
    pub fn close(&mut self) -> Result<usize, QueueError> {
        let flushed = self.flush();
        let kept: Vec<Prefetched> = self.prefetched.drain(..).collect();
        let mut queues: Vec<&str> = kept.iter().map(|p| p.queue.as_str()).collect();
        queues.sort_unstable();
        queues.dedup();
        let keys: Vec<QueueKeys> = queues.iter().map(|q| self.keys(q)).collect();
        let calls: Vec<ScriptCall> = queues
            .iter()
            .zip(&keys)
            .map(|(queue, keys)| {
                let args = kept
                    .iter()
                    .filter(|p| p.queue == *queue)
                    .flat_map(|p| [p.reserved.as_slice(), p.popped.as_slice()])
                    .collect();
                (vec![keys.reserved.as_bytes(), keys.ready.as_bytes(), keys.notify.as_bytes()], args)
            })
            .collect();
        let given_back = if calls.is_empty() {
            0
        } else {
            scripts::UNRESERVE
                .run_many(&mut lock(&self.conn), &calls)?
                .iter()
                .filter_map(Reply::as_integer)
                .sum::<i64>()
        };
        flushed?;
        Ok(usize::try_from(given_back).unwrap_or(0))
    }
}

impl Drop for Queue {
    /// Writes deferred acks and gives back kept jobs (see `close`). A failure has nowhere to
    /// go: unwritten acks mean those jobs come back after retry_after (run twice, never lost),
    /// and kept jobs stay reserved until retry_after.
    fn drop(&mut self) {
        self.adopt_process();
        if self.has_pending_writes() || !self.prefetched.is_empty() {
            let _ = self.close();
        }
    }
}
