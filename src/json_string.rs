//! The bytes a JSON string token cannot hold as they are: `"`, `\\` and control characters.
//! Finding the next one eight bytes at a time serves both directions: writing a string (the
//! next byte to escape) and reading a token (where its plain run ends).
#![forbid(unsafe_code)]

/// The first byte JSON must escape (`"`, `\\`, a control character), eight bytes per step.
/// Most strings in an envelope are short keys and values: the last 1 to 7 bytes are checked as
/// one word padded with spaces, not byte by byte.
pub fn next_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = ONES * 0x20;
    // The high bit of each byte of `x` below `n` (n <= 0x80); the lowest flagged byte is exact
    // (a false flag needs a borrow from a true one below it), so padding is never reported.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let hits = |x: u64| below(x, 0x20) | below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1);
    let first = |at: usize, h: u64| at + (h.trailing_zeros() / 8) as usize;
    let mut chunks = bytes.chunks_exact(8);
    for (i, chunk) in chunks.by_ref().enumerate() {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
        let h = hits(u64::from_le_bytes(word));
        if h != 0 {
            return Some(first(i * 8, h));
        }
    }
    let tail = chunks.remainder();
    let mut word = SPACES;
    for (k, &b) in tail.iter().enumerate() {
        word ^= u64::from(b ^ 0x20) << (8 * k);
    }
    let h = hits(word);
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
                }
                // Bytes just around the special ones are plain.
                let bytes: Vec<u8> = (0..len).map(|i| [0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0xc3, 0xff][i % 8]).collect();
                assert_eq!(next_escape(&bytes), None);
            }
        }
    }
}
