//! ULIDs: 48-bit Unix milliseconds + 80 random bits, written as 26 Crockford base32 characters.
//!
//! Ids of one process are strictly increasing: within one millisecond (or while the clock stands
//! still or goes back) the random part counts up from the last id instead of being redrawn, so
//! sorting ids sorts by creation order.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

const LEN: usize = ::ulid::ULID_LEN;
const RANDOM_MAX: u128 = (1 << 80) - 1;
const TIME_MAX: u64 = (1 << 48) - 1;

/// The last id handed out in this process, and by which process: after `fork()` the child
/// inherits it, and must draw new randomness instead of continuing the parent's sequence.
static LAST: Mutex<Option<Last>> = Mutex::new(None);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Last {
    pid: u32,
    ms: u64,
    random: u128,
}

/// A new ULID, greater than every ULID this process generated before.
pub fn generate() -> String {
    let now = now_ms();
    let pid = std::process::id();
    // A panic while holding the lock cannot leave `Last` half-written, so a poisoned lock is
    // still usable.
    let mut last = LAST.lock().unwrap_or_else(PoisonError::into_inner);
    let next = next(*last, now, pid, fresh_random);
    *last = Some(next);
    drop(last);
    encode(u128::from(next.ms) << 80 | next.random)
}

/// Whether `text` is a ULID in canonical form: 26 upper-case Crockford base32 characters whose
/// value fits 128 bits (so the first character is `0`–`7`).
pub fn is_ulid(text: &str) -> bool {
    decode(text).is_some()
}

/// The millisecond timestamp of a ULID.
pub fn timestamp_ms(ulid: &str) -> Option<u64> {
    decode(ulid).map(|value| (value >> 80) as u64)
}

/// The state after one more id, given the state before, the clock and the process id.
fn next(last: Option<Last>, now_ms: u64, pid: u32, mut fresh: impl FnMut() -> u128) -> Last {
    let now_ms = now_ms.min(TIME_MAX);
    match last {
        // Same millisecond, or the clock went back: keep the last timestamp and count up.
        Some(last) if last.pid == pid && now_ms <= last.ms => {
            if last.random < RANDOM_MAX {
                Last { random: last.random + 1, ..last }
            } else {
                // 2^80 ids in one millisecond: borrow the next millisecond rather than wait.
                Last { ms: (last.ms + 1).min(TIME_MAX), random: fresh(), pid }
            }
        }
        // A forked child: stay at or after the inherited time, with randomness of its own.
        Some(last) if last.pid != pid => Last { ms: now_ms.max(last.ms), random: fresh(), pid },
        _ => Last { ms: now_ms, random: fresh(), pid },
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(TIME_MAX))
}

/// 80 random bits from the operating system.
fn fresh_random() -> u128 {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes[6..]).is_err() {
        // The OS refused randomness (e.g. a sandbox without getrandom and /dev/urandom). Ids
        // must still be unique, not secret: hash the time, the pid and a counter.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let digest = Sha256::new()
            .chain_update(nanos.to_le_bytes())
            .chain_update(std::process::id().to_le_bytes())
            .chain_update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes())
            .finalize();
        bytes[6..].copy_from_slice(&digest[..10]);
    }
    u128::from_be_bytes(bytes)
}

/// The text form, by the `ulid` crate: its table-driven codec is what everyone else's ids go
/// through, and measured no slower than ours (README "Dependencies").
fn encode(value: u128) -> String {
    let mut buffer = [0u8; LEN];
    ::ulid::Ulid(value).array_to_str(&mut buffer).to_owned()
}

/// The value of canonical text. The crate also reads lower case and lets a first character
/// above `7` drop the top bits of a 131-bit value; the contract's ids are the canonical form
/// only, so those are refused here first.
fn decode(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != LEN || bytes[0] > b'7' || bytes.iter().any(u8::is_ascii_lowercase) {
        return None;
    }
    ::ulid::Ulid::from_string(text).ok().map(|ulid| ulid.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Crockford's base32 alphabet: digits and upper-case letters without I, L, O, U.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    #[test]
    fn ulid_is_26_crockford_base32_characters() {
        for _ in 0..1000 {
            let id = generate();
            assert_eq!(id.len(), 26, "{id}");
            assert!(id.bytes().all(|b| ALPHABET.contains(&b)), "{id}");
            assert!(is_ulid(&id), "{id}");
        }
    }

    #[test]
    fn ulid_timestamp_is_now_in_milliseconds() {
        let before = now_ms();
        let id = generate();
        let after = now_ms();
        let ms = timestamp_ms(&id).unwrap_or(0);
        // At or after `before`; after `after` only if an earlier test left a later timestamp.
        assert!(ms >= before && ms <= after + 1000, "{before} <= {ms} <= {after}");
    }

    #[test]
    fn ulids_of_one_process_strictly_increase_in_a_tight_loop() {
        let mut previous = generate();
        for _ in 0..10_000 {
            let id = generate();
            assert!(id > previous, "{id} <= {previous}");
            previous = id;
        }
    }

    #[test]
    fn ulids_strictly_increase_across_threads() {
        let threads: Vec<_> =
            (0..4).map(|_| std::thread::spawn(|| (0..2000).map(|_| generate()).collect::<Vec<_>>())).collect();
        for thread in threads {
            let ids = thread.join().unwrap_or_default();
            assert_eq!(ids.len(), 2000);
            assert!(ids.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn same_millisecond_counts_up_the_random_part() {
        let first = next(None, 1000, 7, || 42);
        let second = next(Some(first), 1000, 7, || unreachable!());
        assert_eq!(second, Last { pid: 7, ms: 1000, random: 43 });
    }

    #[test]
    fn new_millisecond_draws_fresh_randomness() {
        let first = next(None, 1000, 7, || 42);
        let second = next(Some(first), 1001, 7, || 5);
        assert_eq!(second, Last { pid: 7, ms: 1001, random: 5 });
    }

    #[test]
    fn clock_going_back_keeps_the_last_timestamp() {
        let first = next(None, 5000, 7, || 42);
        let second = next(Some(first), 4000, 7, || unreachable!());
        assert_eq!(second, Last { pid: 7, ms: 5000, random: 43 });
    }

    #[test]
    fn exhausted_random_part_moves_to_the_next_millisecond() {
        let full = Last { pid: 7, ms: 5000, random: RANDOM_MAX };
        let next = next(Some(full), 5000, 7, || 9);
        assert_eq!(next, Last { pid: 7, ms: 5001, random: 9 });
        let a = encode(u128::from(full.ms) << 80 | full.random);
        let b = encode(u128::from(next.ms) << 80 | next.random);
        assert!(b > a);
    }

    #[test]
    fn forked_child_does_not_continue_the_parent_sequence() {
        let parent = next(None, 1000, 7, || 42);
        let child = next(Some(parent), 1000, 8, || 9_000);
        assert_eq!(child, Last { pid: 8, ms: 1000, random: 9_000 });
        let child_with_late_clock = next(Some(parent), 900, 8, || 9_000);
        assert_eq!(child_with_late_clock.ms, 1000);
    }

    #[test]
    fn encode_and_decode_are_inverse() {
        for value in [0, 1, u128::MAX, u128::MAX >> 1, 0x0123_4567_89ab_cdef_0123_4567_89ab_cdef] {
            let text = encode(value);
            assert_eq!(decode(&text), Some(value), "{text}");
        }
        assert_eq!(encode(0), "00000000000000000000000000");
        assert_eq!(encode(u128::MAX), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    }

    #[test]
    fn is_ulid_rejects_non_canonical_text() {
        assert!(is_ulid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        for invalid in [
            "",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",
            "01ARZ3NDEKTSV4RRFFQ69G5FAVV",
            "01arz3ndektsv4rrffq69g5fav",
            "01ARZ3NDEKTSV4RRFFQ69G5FAI",
            "01ARZ3NDEKTSV4RRFFQ69G5FAL",
            "01ARZ3NDEKTSV4RRFFQ69G5FAO",
            "01ARZ3NDEKTSV4RRFFQ69G5FAU",
            "81ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEKTSV4RRFFQ69G5FÀ",
            "core.default",
        ] {
            assert!(!is_ulid(invalid), "{invalid:?}");
        }
    }
}
