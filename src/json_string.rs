//! JSON string tokens: the bytes a token cannot hold as they are (`"`, `\\` and control
//! characters), found eight bytes at a time for both directions (whether and where a string
//! needs escaping, where a token's plain run ends); writing text as a token exactly as
//! serde_json writes it; reading a token back. Not whole documents (`document`,
//! `queue::raw_json`, `canonical`).
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

/// `text` as a JSON string token.
pub fn json_string(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 2);
    push_json_string(&mut out, text.as_bytes());
    // Escapes are ASCII and the rest is copied from `text`: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `text` as a JSON string token, escaped exactly as serde_json writes it: `"` and
/// `\`, `\b \f \n \r \t`, other control characters as `\u00xx`; nothing else (not `/`,
/// not non-ASCII).
#[inline]
pub fn push_json_string(out: &mut Vec<u8>, text: &[u8]) {
    // Nearly every key and value of an envelope needs no escape: one scan, one copy.
    if needs_escape(text) {
        push_escaped(out, text, next_escape(text).unwrap_or(text.len()));
    } else {
        push_unescaped(out, text);
    }
}

#[inline(always)]
fn push_unescaped(out: &mut Vec<u8>, text: &[u8]) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text);
    out.push(b'"');
}

/// `push_json_string` for text with an escape at `first`, kept out of line so the common path
/// stays small.
#[cold]
#[inline(never)]
fn push_escaped(out: &mut Vec<u8>, text: &[u8], first: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 8);
    out.push(b'"');
    let mut start = 0;
    let mut next = Some(first);
    // Copy the runs between escapes in one go.
    while let Some(at) = next {
        out.extend_from_slice(&text[start..at]);
        let b = text[at];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]),
        }
        start = at + 1;
        next = next_escape(&text[start..]).map(|offset| start + offset);
    }
    out.extend_from_slice(&text[start..]);
    out.push(b'"');
}

/// The string a JSON string token (quotes included) stands for.
pub fn decode_string(token: &[u8]) -> Option<String> {
    let inner = token.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if !inner.contains(&b'\\') {
        return std::str::from_utf8(inner).ok().map(str::to_owned);
    }
    match serde_json::from_slice::<serde_json::Value>(token).ok()? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
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

    #[test]
    fn json_strings_are_escaped_exactly_as_serde_json_does() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("a{}z", b as char)).collect();
        samples.extend(["", "plain", "é ü 漢 🎉", "a/b\\c\"d", "PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle"].map(String::from));
        for text in samples {
            assert_eq!(json_string(&text), serde_json::Value::from(text.as_str()).to_string(), "{text:?}");
        }
    }

    #[test]
    fn random_text_is_written_as_serde_json_writes_it_and_plain_ascii_is_told_apart() {
        // Deterministic random text of every length up to 70: mostly ASCII, with the bytes
        // that need an escape and bytes above 0x7F (valid sequences or not) mixed in.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet: &[&[u8]] = &[b"a", b"Z", b"7", b" ", b"/", b"\"", b"\\", b"\n", b"\x00", b"\x1f", b"\x7f", "é".as_bytes(), "漢".as_bytes(), "🎉".as_bytes(), b"\xff", b"\xc3"];
        for round in 0..20_000 {
            let len = (next() % 71) as usize;
            let mut bytes = Vec::with_capacity(len);
            while bytes.len() < len {
                let r = next();
                // Three in four rounds stay plain ASCII, the common case.
                let pick = if round % 4 != 0 { (r % 5) as usize } else { (r % alphabet.len() as u64) as usize };
                bytes.extend_from_slice(alphabet[pick]);
            }
            // The zval writer's split: plain ASCII copied as it is, the rest escaped.
            let plain = bytes.iter().all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\');
            assert_eq!(is_plain_ascii(&bytes), plain, "{bytes:?}");
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let mut out = b"[".to_vec();
                push_json_string(&mut out, &bytes);
                assert_eq!(&out[1..], serde_json::Value::from(text).to_string().as_bytes(), "{text:?}");
            }
        }
    }
}
