//! Pushing: one job (`push`), a batch (`push_batch`, `batch`) and a delayed job (`later`),
//! then, with `wait_replicas`, waiting for replicas to confirm them. Not the job payload's
//! format (`payload`).
//!
//! A batch: every job lands, or none does.
//!
//! Jobs are encoded as they are added, straight into the request: one buffer for the whole
//! batch, no allocation or copy per job. `finish` sends two commands in one write:
//! `RPUSH ready job…` (atomic on its own: the batch lands together) and `RPUSH notify 1…`,
//! one wake-up token per job as Laravel's push script writes them. Plain commands, not a
//! script: Lua copies each 1.5 KB argument twice more, which cost ~3 µs per job on the server.
//! The tokens only wake blocked workers (a pop looks at the ready list first; a token without
//! a job wakes one to find nothing), so the pair needs no MULTI, and both go to the queue's
//! slot in a cluster.
#![forbid(unsafe_code)]

use std::ops::Range;

use super::error::{self, ErrorKind, QueueError};
use super::job::NewJob;
use super::keys::QueueKeys;
use super::options;
use super::payload;
use super::raw_json;
use super::redis_queue::{lock, now_seconds, unexpected, Queue};
use super::resp::{self, Reply};

impl Queue {
    /// Enqueues one job; returns its id.
    pub fn push(
        &mut self,
        queue: Option<&str>,
        envelope_json: &[u8],
        headers: &[(String, String)],
    ) -> Result<String, QueueError> {
        let mut ids = self.push_batch(
            queue,
            &[NewJob {
                envelope_json,
                headers,
            }],
        )?;
        ids.pop()
            .ok_or_else(|| QueueError::protocol("push returned no id"))
    }

    /// Enqueues jobs in one round trip; returns their ids in input order. Every envelope is
    /// checked before anything is sent, and the jobs land together or not at all.
    pub fn push_batch(&mut self, queue: Option<&str>, jobs: &[NewJob]) -> Result<Vec<String>, QueueError> {
        for (index, job) in jobs.iter().enumerate() {
            raw_json::object_members(job.envelope_json)
                .map_err(|e| QueueError::payload(format!("job {index}: the envelope is not a JSON object: {e}")))?;
        }
        let mut batch = self.batch(queue, jobs.len())?;
        for job in jobs {
            batch.add(job.envelope_json, job.headers)?;
        }
        batch.finish()
    }

    /// Opens a batch push (see `batch`): jobs are encoded as they are added and stored
    /// together by `finish`; a batch dropped unfinished sends nothing. `expected`: how many
    /// jobs will be added (their ids are drawn at once).
    pub fn batch(&mut self, queue: Option<&str>, expected: usize) -> Result<Batch<'_>, QueueError> {
        let keys = self.keys(self.queue_name(queue));
        Batch::new(self, keys, expected)
    }

    /// With `wait_replicas`: waits until that many replicas have this connection's writes
    /// (WAIT on the queue's master). Only pushes wait: they are the writes whose loss in a
    /// failover would lose a job; a lost pop, ack, release or dead-letter leaves the job
    /// reserved on the replica, so it comes back (a duplicate, not a loss).
    fn confirm_replicas(&mut self, ready_key: &str, jobs: usize) -> Result<(), QueueError> {
        let wanted = self.options.wait_replicas;
        if wanted == 0 {
            return Ok(());
        }
        let timeout = self.options.wait_timeout;
        let confirmed = lock(&self.conn).wait_for_replicas(ready_key.as_bytes(), wanted, timeout)?;
        if confirmed >= wanted {
            return Ok(());
        }
        Err(QueueError::new(
            ErrorKind::Replication,
            format!(
                "{jobs} job(s) are queued on the master, but {confirmed} of {wanted} replica(s) confirmed them \
                 within {} ms (wait_replicas): a failover before the replicas catch up would lose them",
                timeout.as_millis()
            ),
        ))
    }

    /// Enqueues one job to become ready after `delay_seconds` (ZADD to `:delayed`, as
    /// Laravel's `later`; no notify token until it is moved to the ready list).
    pub fn later<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        queue: Option<&str>,
        delay_seconds: u64,
        envelope_json: &[u8],
        headers: &[(K, V)],
    ) -> Result<String, QueueError> {
        let id = payload::new_job_id()?;
        let bytes = payload::encode(&self.template_members, &id, envelope_json, headers)?;
        let keys = self.keys(self.queue_name(queue));
        let due = now_seconds()
            .saturating_add(delay_seconds.min(options::MAX_DELAY_SECONDS))
            .to_string();
        lock(&self.conn).command(&[b"ZADD", keys.delayed.as_bytes(), due.as_bytes(), &bytes])?;
        self.stats.pushed += 1;
        self.confirm_replicas(&keys.delayed, 1)?;
        Ok(id)
    }
}

/// Ids drawn at a time once a batch outgrows the size it was opened with.
const MORE_IDS: usize = 64;

/// The payload length guessed for a batch's first job: a ~1 KB envelope's.
const GUESSED_PAYLOAD: usize = 1500;

/// A batch being built; nothing is sent before `finish`.
pub struct Batch<'q> {
    queue: &'q mut Queue,
    keys: QueueKeys,
    /// Drawn ids; the first `added` belong to jobs.
    ids: Vec<String>,
    added: usize,
    /// `headroom` bytes kept free for the `RPUSH ready` header, then the jobs as RESP
    /// arguments.
    request: Vec<u8>,
    headroom: usize,
    /// Where each job's payload sits in `request` (a cluster sends them as pipeline arguments).
    jobs: Vec<Range<usize>>,
    /// Every job's `createdAt`: the second the batch was opened.
    created_at: String,
}

impl<'q> Batch<'q> {
    pub(super) fn new(queue: &'q mut Queue, keys: QueueKeys, expected: usize) -> Result<Batch<'q>, QueueError> {
        // `*<count>`, `$5 RPUSH`, `$<length> <key>`.
        let headroom = 64 + keys.ready.len();
        let mut request = Vec::with_capacity(headroom + expected.min(1024) * 2048);
        request.resize(headroom, 0);
        Ok(Batch {
            queue,
            ids: payload::new_job_ids(expected)?,
            keys,
            added: 0,
            request,
            headroom,
            jobs: Vec::with_capacity(expected.min(1024)),
            created_at: payload::unix_seconds().to_string(),
        })
    }

    /// Adds a job: `envelope_json` must be one JSON object (the caller has validated it).
    pub fn add<K: AsRef<str>, V: AsRef<str>>(&mut self, envelope_json: &[u8], headers: &[(K, V)]) -> Result<(), QueueError> {
        self.add_with(|out| {
            out.extend_from_slice(envelope_json);
            Some(headers.iter().map(|(name, value)| (name, value)))
        })
        .map(drop)
    }

    /// Adds a job whose envelope `envelope` writes straight into the request, as one validated
    /// JSON object, returning the job's headers. When it returns `None` nothing is added
    /// (`Ok(false)`): the caller can then take a slower path for the same envelope.
    pub fn add_with<H, K, V>(&mut self, envelope: impl FnOnce(&mut Vec<u8>) -> Option<H>) -> Result<bool, QueueError>
    where
        H: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        if self.added == self.ids.len() {
            self.ids.extend(payload::new_job_ids(MORE_IDS)?);
        }
        let mark = self.request.len();
        // Jobs of a batch are mostly alike: the last one's length is the guess.
        let guess = self.jobs.last().map_or(GUESSED_PAYLOAD, ExactSizeIterator::len);
        let arg = resp::open_arg(&mut self.request, guess);
        if !payload::write_with(
            &mut self.request,
            &self.queue.template_members,
            &self.ids[self.added],
            &self.created_at,
            envelope,
        ) {
            self.request.truncate(mark);
            return Ok(false);
        }
        self.jobs.push(resp::close_arg(&mut self.request, arg));
        self.added += 1;
        Ok(true)
    }

    /// Stores every job added, with their wake-up tokens, in one round trip; returns their ids
    /// in the order they were added.
    pub fn finish(mut self) -> Result<Vec<String>, QueueError> {
        let count = self.added;
        if count == 0 {
            return Ok(Vec::new());
        }
        let mut conn = lock(&self.queue.conn);
        let replies = if conn.is_cluster() {
            let mut jobs: Vec<&[u8]> = Vec::with_capacity(count + 2);
            jobs.extend([b"RPUSH".as_slice(), self.keys.ready.as_bytes()]);
            jobs.extend(self.jobs.iter().map(|r| &self.request[r.clone()]));
            let mut tokens: Vec<&[u8]> = Vec::with_capacity(count + 2);
            tokens.extend([b"RPUSH".as_slice(), self.keys.notify.as_bytes()]);
            tokens.extend(std::iter::repeat_n(b"1".as_slice(), count));
            conn.pipeline(&[jobs, tokens])?
        } else {
            // The header goes in the headroom, right before the jobs.
            let mut head = Vec::with_capacity(self.headroom);
            resp::encode_command_header(&mut head, count + 2);
            resp::encode_arg(&mut head, b"RPUSH");
            resp::encode_arg(&mut head, self.keys.ready.as_bytes());
            let start = self.headroom - head.len();
            self.request[start..self.headroom].copy_from_slice(&head);
            resp::encode_command_header(&mut self.request, count + 2);
            resp::encode_arg(&mut self.request, b"RPUSH");
            resp::encode_arg(&mut self.request, self.keys.notify.as_bytes());
            for _ in 0..count {
                self.request.extend_from_slice(b"$1\r\n1\r\n");
            }
            conn.request(&self.request[start..], 2)?
        };
        let refused = |what: &str, e: &str| {
            QueueError::new(
                ErrorKind::Server,
                format!("Redis refused {what}: {}", error::redact(e, conn.config().password.as_deref())),
            )
        };
        match replies.as_slice() {
            [Reply::Integer(_), Reply::Integer(_)] => {}
            [Reply::Error(e), _] => return Err(refused("the push (nothing was queued)", e)),
            [Reply::Integer(_), Reply::Error(e)] => {
                return Err(refused("the wake-up tokens of jobs that were queued (do not push them again)", e))
            }
            [other, _] | [other] => return Err(unexpected("RPUSH", other)),
            [] | [_, _, _, ..] => return Err(QueueError::protocol("push: expected two replies")),
        }
        drop(conn);
        self.queue.stats.pushed += count as u64;
        self.queue.confirm_replicas(&self.keys.ready, count)?;
        self.ids.truncate(count);
        Ok(self.ids)
    }
}
