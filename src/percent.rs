//! Percent-decoding (RFC 3986 §2.1), strict: every `%` starts two hex digits and the result
//! is UTF-8. Used for schemaRef fragments and for the parts of a redis URL.
#![forbid(unsafe_code)]

/// The decoded text, or `None` when an escape is malformed or the bytes are not UTF-8.
pub fn decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits exactly (`from_str_radix` alone would take a sign, as in `%+1`).
            let digit = |at: usize| bytes.get(at).and_then(|&b| (b as char).to_digit(16));
            let (hi, lo) = (digit(i + 1)?, digit(i + 2)?);
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn escapes_decode_and_plain_text_passes() {
        assert_eq!(decode("/%24defs/x").as_deref(), Some("/$defs/x"));
        assert_eq!(decode("p%40ss%2Fw").as_deref(), Some("p@ss/w"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn malformed_escapes_and_invalid_utf8_are_refused() {
        for bad in ["%", "%2", "%zz", "a%+1", "%FF", "%C3"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
