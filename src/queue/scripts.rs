//! The queue's multi-step Redis operations, each one Lua script that Redis runs atomically,
//! and how a script runs on a connection (by its SHA-1; the source is sent only after
//! `NOSCRIPT`). Each script says which KEYS and ARGV it takes and what it guarantees. Keys
//! and payloads are Laravel's RedisQueue's, so a stock `queue:work` and this client can take
//! turns on a queue. Operations that are one command, or commands whose order alone is enough
//! (push = RPUSH of the jobs, then of their wake-up tokens; later = ZADD; ack = ZREM), need no
//! script; when each script runs is the operations' business (`pop`, `ack`, ...).
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use super::connection::Connection;
use super::error::{redact, ErrorKind, QueueError};
use super::resp::Reply;

/// One script call's KEYS and ARGV.
pub type ScriptCall<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

/// A Lua script, known to the server by the SHA-1 of its source.
pub struct Script {
    pub name: &'static str,
    pub source: &'static str,
    sha: OnceLock<String>,
}

impl Script {
    const fn new(name: &'static str, source: &'static str) -> Script {
        Script {
            name,
            source,
            sha: OnceLock::new(),
        }
    }

    /// Lowercase hex SHA-1 of the source, as EVALSHA wants it.
    pub fn sha1(&self) -> &str {
        self.sha.get_or_init(|| sha1_hex(self.source.as_bytes()))
    }

    /// Runs the script by its SHA-1, sending its source only when the server does not know it
    /// (`NOSCRIPT`: nothing ran, so resending is safe). An error reply becomes `ErrorKind::Server`.
    pub fn run(&self, conn: &mut Connection, keys: &[&[u8]], args: &[&[u8]]) -> Result<Reply, QueueError> {
        let mut replies = self.run_many(conn, &[(keys.to_vec(), args.to_vec())])?;
        replies
            .pop()
            .ok_or_else(|| QueueError::protocol("missing script reply"))
    }

    /// Runs the script several times in one round trip (plus one more only for calls the
    /// server answered with `NOSCRIPT`). Fails on the first error reply.
    pub fn run_many(&self, conn: &mut Connection, calls: &[ScriptCall]) -> Result<Vec<Reply>, QueueError> {
        let sha = self.sha1().as_bytes();
        let counts: Vec<Vec<u8>> = calls.iter().map(|(k, _)| k.len().to_string().into_bytes()).collect();
        fn script_command<'a>(head: &'a [u8], body: &'a [u8], count: &'a [u8], call: &ScriptCall<'a>) -> Vec<&'a [u8]> {
            let (keys, args) = call;
            let mut cmd: Vec<&[u8]> = Vec::with_capacity(3 + keys.len() + args.len());
            cmd.extend_from_slice(&[head, body, count]);
            cmd.extend_from_slice(keys);
            cmd.extend_from_slice(args);
            cmd
        }
        let commands: Vec<Vec<&[u8]>> = calls
            .iter()
            .zip(&counts)
            .map(|(call, count)| script_command(b"EVALSHA", sha, count, call))
            .collect();
        let mut replies = conn.pipeline(&commands)?;
        let missing: Vec<usize> = replies
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Reply::Error(e) if e.starts_with("NOSCRIPT")))
            .map(|(i, _)| i)
            .collect();
        if !missing.is_empty() {
            let commands: Vec<Vec<&[u8]>> = missing
                .iter()
                .map(|&i| script_command(b"EVAL", self.source.as_bytes(), &counts[i], &calls[i]))
                .collect();
            let again = conn.pipeline(&commands)?;
            for (i, reply) in missing.into_iter().zip(again) {
                replies[i] = reply;
            }
        }
        replies
            .into_iter()
            .map(|r| match r {
                Reply::Error(e) => Err(self.refused(&e, conn)),
                r => Ok(r),
            })
            .collect()
    }

    /// The server's error reply to this script as an error (`ErrorKind::Server`), the
    /// password redacted.
    pub fn refused(&self, error: &str, conn: &Connection) -> QueueError {
        QueueError::new(
            ErrorKind::Server,
            format!("Redis refused script {}: {}", self.name, redact(error, conn.config().password.as_deref())),
        )
    }
}

/// Makes due jobs ready, then reserves up to ARGV[4] ready jobs.
///
/// KEYS[1] ready list, KEYS[2] `:reserved` zset, KEYS[3] `:notify` list, KEYS[4] `:delayed`
/// zset, KEYS[5] dead-letter list. ARGV[1] now (unix seconds), ARGV[2] reserved-until score,
/// ARGV[3] most jobs moved per source per call, ARGV[4] most jobs to reserve (the `prefetch`),
/// ARGV[5] `1` to make due jobs ready first (the client asks once per second per queue).
///
/// Guarantees, in one atomic step: delayed jobs due by now, then reservations expired by now,
/// are appended to the ready list with a notify token each (oldest first), first when ARGV[5]
/// is `1`, else as soon as the ready list runs dry (so a due job never waits while the list is
/// empty, and at most until the next second while it is not); then up to ARGV[4]
/// jobs are taken from the head of the ready list (a notify token each), each one's top-level
/// `attempts` raised by one and that copy added to `:reserved` scored ARGV[2]. Returns
/// `{popped1, reserved1, popped2, reserved2, ...}` in list order, or nil when nothing is ready.
/// The reserved copy differs from the popped bytes only in `attempts` when the payload ends
/// with `,"attempts":N}` (every payload we or Laravel's json_encode write); other payloads are
/// re-encoded by cjson as Laravel does. A payload whose `attempts` cannot be raised (not JSON,
/// no numeric `attempts`) is moved to the dead-letter list as it is, never lost (at most 100
/// such per call).
pub static POP: Script = Script::new(
    "pop",
    concat!(
        "-- pop: move due delayed and expired reserved jobs back, then reserve the next jobs.",
        // append_ready(ready, notify, jobs, first, last): RPUSHes jobs[first..last] with one
        // notify token each, 100 per command (`unpack` stays far below Lua's stack limit).
        r#"
local tokens = {}
local function append_ready(ready, notify, jobs, first, last)
  local length = 0
  for from = first, last, 100 do
    local to = math.min(from + 99, last)
    length = redis.call('RPUSH', ready, unpack(jobs, from, to))
    for i = #tokens + 1, to - from + 1 do tokens[i] = '1' end
    redis.call('RPUSH', notify, unpack(tokens, 1, to - from + 1))
  end
  return length
end
"#,
        r#"
local function make_ready(source)
  local due = redis.call('ZRANGEBYSCORE', source, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
  if #due == 0 then return end
  -- The lowest-scored members are exactly the ones just read.
  redis.call('ZREMRANGEBYRANK', source, 0, #due - 1)
  append_ready(KEYS[1], KEYS[3], due, 1, #due)
end

-- The attempts-raised copy of a payload, or nil when it has no numeric attempts.
local function raise_attempts(job)
  -- Fast path: rewrite a trailing `,"attempts":N}` in place; every other byte stays as pushed.
  -- Only the last 23 bytes can hold it (N < 10 digits): a plain find there, because an
  -- unanchored pattern would be tried at every byte of the payload (~15 us for 1.5 KB).
  local at
  local from = math.max(1, #job - 23)
  while true do
    local found = string.find(job, ',"attempts":', from, true)
    if not found then break end
    at, from = found, found + 1
  end
  local count = at and string.match(job, '^(%d+)}$', at + 12)
  if count and #count < 10 then
    return string.sub(job, 1, at + 11) .. tostring(tonumber(count) + 1) .. '}'
  end
  local ok, decoded = pcall(cjson.decode, job)
  if not ok or type(decoded) ~= 'table' or type(decoded['attempts']) ~= 'number' then
    return nil
  end
  decoded['attempts'] = decoded['attempts'] + 1
  local encoded_ok, encoded = pcall(cjson.encode, decoded)
  if encoded_ok then return encoded end
  return nil
end

-- Each migration costs two calls (~3 us): made once per second, or when nothing is ready.
local migrated = false
local function migrate()
  make_ready(KEYS[4])
  make_ready(KEYS[2])
  migrated = true
end
if ARGV[5] == '1' then migrate() end

local want = tonumber(ARGV[4])
local out, scored = {}, {}
local got, unreadable = 0, 0
-- One LPOP at a time (LPOP with a count needs Redis 6.2).
while got < want and unreadable < 100 do
  local job = redis.call('LPOP', KEYS[1])
  if not job and not migrated then
    migrate()
    job = redis.call('LPOP', KEYS[1])
  end
  if not job then break end
  redis.call('LPOP', KEYS[3])
  local reserved = raise_attempts(job)
  if reserved then
    got = got + 1
    out[#out + 1] = job
    out[#out + 1] = reserved
    scored[#scored + 1] = ARGV[2]
    scored[#scored + 1] = reserved
  else
    redis.call('RPUSH', KEYS[5], job)
    unreadable = unreadable + 1
  end
end
if got == 0 then return nil end
redis.call('ZADD', KEYS[2], unpack(scored))
return out
"#
    ),
);

/// Puts a reserved job back as delayed.
///
/// KEYS[1] `:reserved` zset, KEYS[2] `:delayed` zset. ARGV[1] the reserved payload exactly as
/// pop returned it, ARGV[2] the payload to delay (the same bytes, or with `error` annotated),
/// ARGV[3] the unix second it becomes due.
/// Guarantees: the job moves only if it is still reserved. Returns 1 when moved, 0 when its
/// reservation had expired (it is back in the ready list), so it never exists twice.
pub static RELEASE: Script = Script::new(
    "release",
    r#"-- release: swap a reserved job for its delayed copy, only while it is still reserved.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
"#,
);

/// Moves a reserved job to the dead-letter list.
///
/// KEYS[1] `:reserved` zset, KEYS[2] dead-letter list. ARGV[1] the reserved payload exactly,
/// ARGV[2] the dead-letter entry (the payload with `error` kept or annotated, plus `queue`).
/// Guarantees: as for release, the entry is added only if the job was still reserved; returns
/// 1 or 0.
pub static DEAD_LETTER: Script = Script::new(
    "dead_letter",
    r#"-- dead_letter: swap a reserved job for a dead-letter entry, only while it is still reserved.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
return 1
"#,
);

/// Gives back jobs that were reserved but never handed to a handler (a `prefetch` buffer the
/// Queue drops).
///
/// KEYS[1] `:reserved` zset, KEYS[2] ready list, KEYS[3] its `:notify` list. ARGV pairs: the
/// reserved payload exactly, then the payload as it was popped (attempts not raised).
/// Guarantees: each job still reserved goes back to the head of the ready list in the given
/// order, with its attempts as before it was reserved and a notify token; one whose
/// reservation expired is left alone (it is already back). Returns how many went back.
pub static UNRESERVE: Script = Script::new(
    "unreserve",
    r#"-- unreserve: put still-reserved, never-handled jobs back at the head of the ready list.
local back = {}
for i = 1, #ARGV - 1, 2 do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then back[#back + 1] = ARGV[i + 1] end
end
for i = #back, 1, -1 do
  redis.call('LPUSH', KEYS[2], back[i])
  redis.call('RPUSH', KEYS[3], '1')
end
return #back
"#,
);

/// Moves one dead letter back to a ready list.
///
/// KEYS[1] dead-letter list, KEYS[2] ready list, KEYS[3] its `:notify` list. ARGV[1] the
/// dead-letter entry exactly, ARGV[2] the payload to push (attempts reset).
/// Guarantees: pushed only if this exact entry was still in the dead-letter list (two
/// concurrent retries push once). Returns 1 or 0.
pub static RETRY_DEAD_LETTER: Script = Script::new(
    "retry_dead_letter",
    r#"-- retry_dead_letter: take one exact entry off the dead-letter list and make it ready again.
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('RPUSH', KEYS[3], '1')
return 1
"#,
);

/// Counts a queue's jobs.
///
/// KEYS[1] ready list, KEYS[2] `:delayed`, KEYS[3] `:reserved`, KEYS[4] dead-letter list.
/// Guarantees: one consistent snapshot. Returns `{ready, delayed, reserved, dead_letters}`.
pub static SIZES: Script = Script::new(
    "sizes",
    r#"-- sizes: the four counts of one queue, read atomically.
return {
  redis.call('LLEN', KEYS[1]),
  redis.call('ZCARD', KEYS[2]),
  redis.call('ZCARD', KEYS[3]),
  redis.call('LLEN', KEYS[4]),
}
"#,
);

/// The runbook's worker counters (CONTRACT.md, "Queue and operations"), for the `counters`
/// option: rides in the same write as the acks and fails it counts.
///
/// KEYS[1] the counters hash. ARGV[1] jobs processed, ARGV[2] jobs failed, ARGV[3] seconds
/// they took. Guarantees: the counts and their time change together (a reader never sees a job
/// counted without its time). Returns 1.
pub static COUNT: Script = Script::new(
    "count",
    r#"-- count: add processed and failed jobs, and the time they took, to the counters hash.
if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'phpgrc_integration_bus_jobs_processed_total', ARGV[1]) end
if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[1], 'phpgrc_integration_bus_jobs_failed_total', ARGV[2]) end
redis.call('HINCRBYFLOAT', KEYS[1], 'phpgrc_integration_bus_jobs_duration_seconds', ARGV[3])
return 1
"#,
);

/// Deletes a queue's jobs: what Laravel's `ClearableQueue::clear()` (`queue:clear`) does.
///
/// KEYS[1] ready list, KEYS[2] `:delayed`, KEYS[3] `:reserved`, KEYS[4] `:notify`.
/// Guarantees: the counts and the deletion are one atomic step (a job pushed meanwhile is
/// either counted and deleted or kept). The dead-letter list and replay marks are kept.
/// Returns how many jobs were deleted (ready + delayed + reserved).
pub static CLEAR: Script = Script::new(
    "clear",
    r#"-- clear: delete every ready, delayed and reserved job of one queue, and its wake-up tokens.
local size = redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return size
"#,
);

/// SHA-1 (FIPS 180-4), only to name scripts for EVALSHA; not used for anything secret.
fn sha1_hex(message: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let bit_len = (message.len() as u64).wrapping_mul(8);
    let mut padded = message.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&bit_len.to_be_bytes());
    for block in padded.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (acc, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *acc = acc.wrapping_add(v);
        }
    }
    h.iter().map(|v| format!("{v:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_the_standard_test_vectors() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha1_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            sha1_hex(&vec![b'a'; 1_000_000]),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    #[test]
    fn every_script_documents_itself_and_has_a_distinct_digest() {
        let all = [
            &POP,
            &RELEASE,
            &DEAD_LETTER,
            &UNRESERVE,
            &RETRY_DEAD_LETTER,
            &SIZES,
            &CLEAR,
            &COUNT,
        ];
        let mut digests: Vec<&str> = all.iter().map(|s| s.sha1()).collect();
        for s in all {
            assert!(
                s.source.starts_with(&format!("-- {}:", s.name)),
                "{}",
                s.name
            );
            assert_eq!(s.sha1().len(), 40);
        }
        digests.sort();
        digests.dedup();
        assert_eq!(digests.len(), all.len());
    }
}
