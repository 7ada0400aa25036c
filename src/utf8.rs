//! UTF-8 validation for the many short, mostly ASCII strings of an envelope.

/// Whether `bytes` are UTF-8. ASCII is settled eight bytes at a time; only text with a byte
/// above 0x7F pays for a full decode. Up to 16 bytes (most names and values of an envelope)
/// take a few loads inline; longer text is checked out of line, so that a caller's loop stays
/// small.
#[inline]
pub fn is_utf8(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let all = match n {
        0 => return true,
        // Bytes 0, n/2 and n-1 cover every byte of a text of one to three bytes.
        1..=3 => u64::from(bytes[0] | bytes[n / 2] | bytes[n - 1]),
        4..=7 => u64::from(half(&bytes[..4]) | half(&bytes[n - 4..])),
        8..=16 => word(&bytes[..8]) | word(&bytes[n - 8..]),
        _ => return is_long_utf8(bytes),
    };
    all & 0x8080_8080_8080_8080 == 0 || std::str::from_utf8(bytes).is_ok()
}

#[inline(never)]
fn is_long_utf8(bytes: &[u8]) -> bool {
    high_bits(bytes) == 0 || std::str::from_utf8(bytes).is_ok()
}

/// The top bits of all bytes OR-ed together: zero exactly when `bytes` is ASCII. Reads whole
/// words, the last one overlapping the one before, so that at most three bytes are read singly.
#[inline]
fn high_bits(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let all = match n {
        0..=3 => bytes.iter().fold(0, |acc, &b| acc | u64::from(b)),
        4..=7 => u64::from(half(&bytes[..4]) | half(&bytes[n - 4..])),
        _ => bytes.chunks_exact(8).fold(word(&bytes[n - 8..]), |acc, chunk| acc | word(chunk)),
    };
    all & 0x8080_8080_8080_8080
}

/// The first eight bytes of `bytes` (at least eight) as a word: one load, whatever the
/// inliner decides around it.
#[inline(always)]
pub(crate) fn word(bytes: &[u8]) -> u64 {
    bytes.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w))
}

/// The first four bytes of `bytes` (at least four).
#[inline(always)]
pub(crate) fn half(bytes: &[u8]) -> u32 {
    bytes.first_chunk::<4>().map_or(0, |w| u32::from_le_bytes(*w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_recognised_at_every_length_and_position() {
        for len in 0..40 {
            let ascii = vec![b'a'; len];
            assert_eq!(high_bits(&ascii), 0, "len {len}");
            for at in 0..len {
                let mut text = ascii.clone();
                text[at] = 0x80;
                assert_ne!(high_bits(&text), 0, "len {len}, high byte at {at}");
                assert!(!is_utf8(&text), "a lone continuation byte is not UTF-8");
            }
        }
    }

    #[test]
    fn agrees_with_the_standard_library() {
        let cases: [&[u8]; 8] = [b"", b"plain", "caf\u{e9}".as_bytes(), "\u{1F600} emoji in a longer string".as_bytes(), b"\xff", b"abc\xc3", b"12345678\xe2\x82", "\u{20AC}".as_bytes()];
        for bytes in cases {
            assert_eq!(is_utf8(bytes), std::str::from_utf8(bytes).is_ok(), "{bytes:?}");
        }
    }
}
