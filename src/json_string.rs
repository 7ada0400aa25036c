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
    let n = bytes.len();
    match n {
        0..=3 => bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\'),
        4..=7 => escape_flags(u64::from(half(&bytes[..4])) | u64::from(half(&bytes[n - 4..])) << 32) != 0,
        _ => escape_flags(word(&bytes[n - 8..])) != 0 || bytes.chunks_exact(8).any(|c| escape_flags(word(c)) != 0),
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
