//! The bytes a JSON string token cannot hold as they are: `"`, `\\` and control characters.
//! Finding them eight bytes at a time serves both directions: writing a string (whether and
//! where to escape) and reading a token (where its plain run ends).
#![forbid(unsafe_code)]

use crate::utf8::{half, word};

const ONES: u64 = 0x0101_0101_0101_0101;

/// A flag in the high bit of each byte of `x` that JSON must escape. The lowest flag is exact
/// (a false flag needs a borrow from a true one below it), so a word with no true hit has no
/// flag at all.
#[inline(always)]
fn escape_flags(x: u64) -> u64 {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `x` below `n` (n <= 0x80).
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    below(x, 0x20) | below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1)
}

/// Whether `bytes` hold a byte JSON must escape. Reads whole words, the last one overlapping
/// the one before (as `utf8::is_utf8` does): the many short keys and values of an envelope
/// cost one or two word checks each, with no byte loop.
#[inline]
pub fn needs_escape(bytes: &[u8]) -> bool {
    any_flag(bytes, escape_flags)
}

/// Whether `bytes` are ASCII with nothing JSON must escape: the escape scan that also proves
/// them UTF-8, for the writer that checks text as it writes it.
#[inline]
pub fn is_plain_ascii(bytes: &[u8]) -> bool {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    !any_flag(bytes, |x| escape_flags(x) | x & HIGHS)
}

/// Whether `flags` finds a flag in any word of `bytes`; text under four bytes is padded with
/// spaces (a space is no flag in either scan).
#[inline(always)]
fn any_flag(bytes: &[u8], flags: impl Fn(u64) -> u64) -> bool {
    let n = bytes.len();
    match n {
        0..=3 => {
            let mut padded = ONES * 0x20;
            for (k, &b) in bytes.iter().enumerate() {
                padded ^= u64::from(b ^ 0x20) << (8 * k);
            }
            flags(padded) != 0
        }
        4..=7 => flags(u64::from(half(&bytes[..4])) | u64::from(half(&bytes[n - 4..])) << 32) != 0,
        _ => {
            // One OR per word and one test at the end: strings are short and nearly all plain.
            let mut found = flags(word(&bytes[n - 8..]));
            for chunk in bytes.chunks_exact(8) {
                found |= flags(word(chunk));
            }
            found != 0
        }
    }
}

/// The first byte JSON must escape, eight bytes per step; the last 1 to 7 bytes are checked as
/// one word padded with spaces, not byte by byte.
pub fn next_escape(bytes: &[u8]) -> Option<usize> {
    const SPACES: u64 = ONES * 0x20;
    let first = |at: usize, h: u64| at + (h.trailing_zeros() / 8) as usize;
    let mut chunks = bytes.chunks_exact(8);
    for (i, chunk) in chunks.by_ref().enumerate() {
        let h = escape_flags(word(chunk));
        if h != 0 {
            return Some(first(i * 8, h));
        }
    }
    let tail = chunks.remainder();
    let mut padded = SPACES;
    for (k, &b) in tail.iter().enumerate() {
        padded ^= u64::from(b ^ 0x20) << (8 * k);
    }
    let h = escape_flags(padded);
    (h != 0).then(|| first(bytes.len() - tail.len(), h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_is_ascii_with_nothing_to_escape() {
        for len in 0..40 {
            let plain: Vec<u8> = (0..len).map(|i| b"az AZ09~!#[]{}/\x7f"[i % 16]).collect();
            assert!(is_plain_ascii(&plain), "{len}");
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, 0x80, 0xc3, 0xff] {
                    let mut bytes = plain.clone();
                    bytes[at] = special;
                    assert!(!is_plain_ascii(&bytes), "{len} {at} {special}");
                }
            }
        }
    }

    #[test]
    fn the_escape_scan_finds_the_first_byte_to_escape_at_any_offset() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(next_escape(&bytes), Some(at), "{len} {at} {special}");
                    assert!(needs_escape(&bytes), "{len} {at} {special}");
                    bytes[at + 1..].fill(b'a');
                    assert!(needs_escape(&bytes), "{len} {at} {special} alone");
                }
                // Bytes just around the special ones are plain.
                let bytes: Vec<u8> = (0..len).map(|i| [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0xc3, 0xff][i % 8]).collect();
                assert_eq!(next_escape(&bytes), None);
                assert!(!needs_escape(&bytes), "{len}");
            }
        }
    }
}
