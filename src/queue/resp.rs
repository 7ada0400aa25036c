//! RESP2, the Redis wire protocol: command encoding and an incremental reply decoder.
//!
//! Protocol only, no I/O. The decoder is bounded so a hostile or broken peer cannot make it
//! allocate without limit or recurse: bulk strings up to 512 MB (Redis' own limit), arrays
//! nested at most 16 deep, status/error/integer lines at most 64 KB.
#![forbid(unsafe_code)]

use std::ops::Range;

use std::fmt;

/// Largest bulk string accepted (Redis' `proto-max-bulk-len` default).
pub const MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Deepest array nesting accepted; our scripts never return more than 2 levels.
pub const MAX_DEPTH: usize = 16;
/// Most elements in one array.
pub const MAX_ARRAY_LEN: usize = 1 << 24;
/// Longest status, error or integer line.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// One reply from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`
    Status(String),
    /// `-ERR ...`: the server refused the command.
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$3\r\nabc`
    Bulk(Vec<u8>),
    /// `$-1` or `*-1` (also what a Lua `false` becomes).
    Nil,
    /// `*2\r\n...`
    Array(Vec<Reply>),
}

impl Reply {
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(b) => Some(b),
            Reply::Status(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Reply::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

/// The peer sent something that is not RESP2, or exceeds the bounds above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redis protocol error: {}", self.0)
    }
}

impl std::error::Error for ProtocolError {}

fn protocol(message: impl Into<String>) -> ProtocolError {
    ProtocolError(message.into())
}

/// Appends one command (an array of bulk strings) to `out`.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    encode_command_header(out, args.len());
    for arg in args {
        encode_arg(out, arg);
    }
}

/// The start of a command of `args` arguments; each follows as `encode_arg`.
pub fn encode_command_header(out: &mut Vec<u8>, args: usize) {
    out.push(b'*');
    push_decimal(out, args);
    out.extend_from_slice(b"\r\n");
}

/// One argument of a command (a bulk string).
pub fn encode_arg(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'$');
    push_decimal(out, arg.len());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(arg);
    out.extend_from_slice(b"\r\n");
}

/// An argument written in place, straight into the request, when its length is known only
/// once it is written: `open_arg` leaves room for the digits of a guessed length,
/// `close_arg` fills in the real one (moving the bytes in the rare case its digits differ).
pub struct OpenArg {
    at: usize,
    digits: usize,
}

pub fn open_arg(out: &mut Vec<u8>, guessed_len: usize) -> OpenArg {
    let at = out.len();
    let digits = decimal(guessed_len).len();
    out.push(b'$');
    out.resize(at + 1 + digits, b'0');
    out.extend_from_slice(b"\r\n");
    OpenArg { at, digits }
}

/// Ends the argument opened as `arg` with what was appended since; returns where its bytes
/// now sit.
pub fn close_arg(out: &mut Vec<u8>, arg: OpenArg) -> Range<usize> {
    let start = arg.at + 1 + arg.digits + 2;
    let len = out.len() - start;
    let digits = decimal(len);
    let moved = arg.at + 1 + digits.len() + 2;
    if moved != start {
        if moved > start {
            out.resize(moved + len, 0);
        }
        out.copy_within(start..start + len, moved);
        out.truncate(moved + len);
    }
    out[arg.at + 1..moved - 2].copy_from_slice(digits.as_slice());
    out[moved - 2..moved].copy_from_slice(b"\r\n");
    out.extend_from_slice(b"\r\n");
    moved..moved + len
}

fn push_decimal(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(decimal(n).as_slice());
}

/// The decimal digits of `n`, on the stack.
struct Decimal {
    digits: [u8; 20],
    first: usize,
}

impl Decimal {
    fn as_slice(&self) -> &[u8] {
        &self.digits[self.first..]
    }

    fn len(&self) -> usize {
        self.digits.len() - self.first
    }
}

fn decimal(mut n: usize) -> Decimal {
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    loop {
        first -= 1;
        digits[first] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return Decimal { digits, first };
        }
    }
}

/// An array still waiting for elements.
#[derive(Debug)]
struct Pending {
    items: Vec<Reply>,
    remaining: usize,
}

/// Decodes replies from bytes that arrive in pieces. Whole scalars are consumed only once all
/// their bytes are there; arrays are assembled element by element, so a long array costs
/// linear time however the bytes are split.
#[derive(Debug, Default)]
pub struct Decoder {
    stack: Vec<Pending>,
}

impl Decoder {
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Forgets a partly decoded reply (after the connection it came from was dropped).
    pub fn reset(&mut self) {
        self.stack.clear();
    }

    /// Decodes from `buf`. Returns how many bytes were consumed (drop them before the next
    /// call) and the reply when one is complete; `None` means more bytes are needed.
    pub fn decode(&mut self, buf: &[u8]) -> Result<(usize, Option<Reply>), ProtocolError> {
        let mut pos = 0;
        loop {
            let Some((value, used)) = self.element(&buf[pos..])? else {
                return Ok((pos, None));
            };
            pos += used;
            let Some(mut value) = value else {
                // An array header: its elements follow.
                continue;
            };
            // Attach the value to the innermost pending array, closing arrays that are full.
            loop {
                let Some(top) = self.stack.last_mut() else {
                    return Ok((pos, Some(value)));
                };
                top.items.push(value);
                top.remaining -= 1;
                if top.remaining > 0 {
                    break;
                }
                let done = self.stack.pop().map(|p| p.items).unwrap_or_default();
                value = Reply::Array(done);
            }
        }
    }

    /// One element header (and its body for scalars). `Ok(None)`: incomplete.
    /// `Some((None, n))`: a non-empty array header was pushed on the stack.
    #[allow(clippy::type_complexity)]
    fn element(&mut self, buf: &[u8]) -> Result<Option<(Option<Reply>, usize)>, ProtocolError> {
        let Some(&marker) = buf.first() else {
            return Ok(None);
        };
        let Some((line, after)) = line(&buf[1..])? else {
            return Ok(None);
        };
        let after = after + 1;
        match marker {
            b'+' => Ok(Some((Some(Reply::Status(lossy(line))), after))),
            b'-' => Ok(Some((Some(Reply::Error(lossy(line))), after))),
            b':' => Ok(Some((Some(Reply::Integer(integer(line)?)), after))),
            b'$' => {
                let len = integer(line)?;
                if len == -1 {
                    return Ok(Some((Some(Reply::Nil), after)));
                }
                let len = usize::try_from(len).map_err(|_| protocol("negative bulk length"))?;
                if len > MAX_BULK_LEN {
                    return Err(protocol(format!(
                        "bulk string of {len} bytes exceeds the 512 MB limit"
                    )));
                }
                let end = after + len;
                if buf.len() < end + 2 {
                    return Ok(None);
                }
                if &buf[end..end + 2] != b"\r\n" {
                    return Err(protocol("bulk string not terminated by CRLF"));
                }
                Ok(Some((Some(Reply::Bulk(buf[after..end].to_vec())), end + 2)))
            }
            b'*' => {
                let len = integer(line)?;
                if len == -1 {
                    return Ok(Some((Some(Reply::Nil), after)));
                }
                let len = usize::try_from(len).map_err(|_| protocol("negative array length"))?;
                if len > MAX_ARRAY_LEN {
                    return Err(protocol(format!(
                        "array of {len} elements exceeds the limit"
                    )));
                }
                if len == 0 {
                    return Ok(Some((Some(Reply::Array(Vec::new())), after)));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(protocol(format!("arrays nested deeper than {MAX_DEPTH}")));
                }
                self.stack.push(Pending {
                    items: Vec::with_capacity(len.min(1024)),
                    remaining: len,
                });
                Ok(Some((None, after)))
            }
            other => Err(protocol(format!("unexpected type byte 0x{other:02x}"))),
        }
    }
}

/// The bytes before the first CRLF and the offset just after it; `None` when no CRLF yet.
fn line(buf: &[u8]) -> Result<Option<(&[u8], usize)>, ProtocolError> {
    let window = &buf[..buf.len().min(MAX_LINE_LEN + 2)];
    match window.windows(2).position(|w| w == b"\r\n") {
        Some(i) => Ok(Some((&buf[..i], i + 2))),
        None if buf.len() > MAX_LINE_LEN + 1 => Err(protocol("reply line longer than 64 KB")),
        None => Ok(None),
    }
}

fn integer(line: &[u8]) -> Result<i64, ProtocolError> {
    std::str::from_utf8(line)
        .ok()
        .filter(|s| !s.is_empty() && !s.starts_with('+'))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| protocol("invalid integer"))
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_argument_written_in_place_gets_its_length_whatever_was_guessed() {
        for guess in [0, 9, 10, 999, 1000, 123_456] {
            for len in [0, 1, 9, 10, 99, 100, 1500, 10_000] {
                let body = vec![b'x'; len];
                let mut out = b"*1\r\n".to_vec();
                let arg = open_arg(&mut out, guess);
                out.extend_from_slice(&body);
                let at = close_arg(&mut out, arg);
                let mut expected = b"*1\r\n".to_vec();
                encode_arg(&mut expected, &body);
                assert_eq!(out, expected, "guess {guess}, length {len}");
                assert_eq!(&out[at], body.as_slice());
            }
        }
    }

    fn decode_all(bytes: &[u8]) -> Result<Option<Reply>, ProtocolError> {
        let mut d = Decoder::new();
        let (used, reply) = d.decode(bytes)?;
        if reply.is_some() {
            assert_eq!(used, bytes.len());
        }
        Ok(reply)
    }

    /// Feeds `bytes` one byte at a time, as a slow network would.
    fn decode_bytewise(bytes: &[u8]) -> Result<Option<Reply>, ProtocolError> {
        let mut d = Decoder::new();
        let mut buf = Vec::new();
        for &b in bytes {
            buf.push(b);
            let (used, reply) = d.decode(&buf)?;
            buf.drain(..used);
            if reply.is_some() {
                return Ok(reply);
            }
        }
        Ok(None)
    }

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        encode(&mut out, &[b"SET", b"k", b""]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        out.clear();
        encode(&mut out, &[&[0u8; 12][..]]);
        assert!(out.starts_with(b"*1\r\n$12\r\n"));
    }

    #[test]
    fn every_reply_type_decodes() {
        assert_eq!(
            decode_all(b"+OK\r\n").unwrap(),
            Some(Reply::Status("OK".into()))
        );
        assert_eq!(
            decode_all(b"-ERR no\r\n").unwrap(),
            Some(Reply::Error("ERR no".into()))
        );
        assert_eq!(decode_all(b":-42\r\n").unwrap(), Some(Reply::Integer(-42)));
        assert_eq!(
            decode_all(b"$3\r\na\r\n\r\n").unwrap(),
            Some(Reply::Bulk(b"a\r\n".to_vec()))
        );
        assert_eq!(
            decode_all(b"$0\r\n\r\n").unwrap(),
            Some(Reply::Bulk(Vec::new()))
        );
        assert_eq!(decode_all(b"$-1\r\n").unwrap(), Some(Reply::Nil));
        assert_eq!(decode_all(b"*-1\r\n").unwrap(), Some(Reply::Nil));
        assert_eq!(decode_all(b"*0\r\n").unwrap(), Some(Reply::Array(vec![])));
    }

    #[test]
    fn nested_arrays_decode_whole_and_bytewise() {
        let wire = b"*3\r\n*2\r\n$1\r\na\r\n$-1\r\n:7\r\n*1\r\n*0\r\n";
        let expected = Reply::Array(vec![
            Reply::Array(vec![Reply::Bulk(b"a".to_vec()), Reply::Nil]),
            Reply::Integer(7),
            Reply::Array(vec![Reply::Array(vec![])]),
        ]);
        assert_eq!(decode_all(wire).unwrap(), Some(expected.clone()));
        assert_eq!(decode_bytewise(wire).unwrap(), Some(expected));
    }

    #[test]
    fn truncated_input_asks_for_more_and_never_fails() {
        let wire = b"*2\r\n$5\r\nhello\r\n:1\r\n";
        for cut in 0..wire.len() {
            assert_eq!(decode_all(&wire[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn two_replies_in_one_buffer_decode_one_at_a_time() {
        let mut d = Decoder::new();
        let wire = b":1\r\n:2\r\n";
        let (used, r) = d.decode(wire).unwrap();
        assert_eq!((used, r), (4, Some(Reply::Integer(1))));
        let (used, r) = d.decode(&wire[4..]).unwrap();
        assert_eq!((used, r), (4, Some(Reply::Integer(2))));
    }

    #[test]
    fn garbage_is_a_protocol_error() {
        for wire in [
            &b"?what\r\n"[..],
            b":12x\r\n",
            b":\r\n",
            b":+1\r\n",
            b"$-2\r\n",
            b"*-5\r\n",
            b"$3\r\nabcde\r\n",
            b"$99999999999999999999\r\n",
            b"\x00\r\n",
        ] {
            assert!(
                decode_all(wire).is_err(),
                "{:?}",
                String::from_utf8_lossy(wire)
            );
        }
    }

    #[test]
    fn bulk_strings_over_512_mb_are_refused() {
        let wire = format!("${}\r\n", MAX_BULK_LEN + 1);
        assert!(decode_all(wire.as_bytes()).is_err());
        let wire = format!("${}\r\n", MAX_BULK_LEN);
        assert_eq!(decode_all(wire.as_bytes()).unwrap(), None);
    }

    #[test]
    fn nesting_deeper_than_16_is_refused() {
        let ok = "*1\r\n".repeat(MAX_DEPTH) + ":1\r\n";
        assert!(decode_all(ok.as_bytes()).unwrap().is_some());
        let deep = "*1\r\n".repeat(MAX_DEPTH + 1) + ":1\r\n";
        assert!(decode_all(deep.as_bytes()).is_err());
    }

    #[test]
    fn a_huge_array_header_does_not_allocate_its_length() {
        let wire = format!("*{}\r\n", MAX_ARRAY_LEN);
        assert_eq!(decode_all(wire.as_bytes()).unwrap(), None);
        let wire = format!("*{}\r\n", MAX_ARRAY_LEN + 1);
        assert!(decode_all(wire.as_bytes()).is_err());
    }

    #[test]
    fn an_endless_line_is_refused() {
        let wire = vec![b'+'; MAX_LINE_LEN + 10];
        assert!(decode_all(&wire).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        // A small deterministic generator: no dependency, same bytes every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet = b"*$+-:\r\n0123456789-abc";
        for _ in 0..20_000 {
            let len = (state % 40) as usize;
            let mut bytes = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = decode_all(&bytes);
            let _ = decode_bytewise(&bytes);
        }
    }
}
