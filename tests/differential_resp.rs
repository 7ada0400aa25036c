//! Our RESP2 decoder (`queue::resp`) against redis-rs's parser, and our cluster key slot against
//! redis-rs's and the server's own `CLUSTER KEYSLOT`.
//!
//! Same bytes in, same value out, or both refusing. "Refusing" is an error or, for bytes that
//! end early, our decoder asking for more where redis-rs reports the early end. Where the two
//! part ways on purpose, the case is in `INTENDED` with the reason; any other disagreement
//! fails with the seed and the bytes.

mod support;
#[path = "support/seeded.rs"]
mod seeded;

use std::io::Read;

use phpgrc_bus::queue::cluster::key_slot;
use phpgrc_bus::queue::resp::{self, Decoder, Reply, MAX_DEPTH};
use redis::cluster_routing::Slot;
use redis::Value;
use seeded::Seeded;

/// What a parser made of some bytes.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Value(Reply),
    Refused,
}

/// Ours on the first reply in `bytes` (redis-rs too reads one reply and leaves the rest).
fn ours(bytes: &[u8]) -> Outcome {
    match Decoder::new().decode(bytes) {
        Ok((_, Some(reply))) => Outcome::Value(reply),
        Ok((_, None)) | Err(_) => Outcome::Refused,
    }
}

/// Ours, with the bytes arriving in pieces cut where `cuts` says.
fn ours_in_pieces(bytes: &[u8], rng: &mut Seeded) -> Outcome {
    let mut decoder = Decoder::new();
    let mut buf = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 1 + rng.below(8)).min(bytes.len());
        buf.extend_from_slice(&bytes[at..end]);
        at = end;
        match decoder.decode(&buf) {
            Ok((used, Some(reply))) => {
                assert_eq!(used, buf.len(), "trailing bytes in {}", show(bytes));
                assert_eq!(at, bytes.len(), "a reply before its end in {}", show(bytes));
                return Outcome::Value(reply);
            }
            Ok((used, None)) => {
                buf.drain(..used);
            }
            Err(_) => return Outcome::Refused,
        }
    }
    Outcome::Refused
}

fn theirs(bytes: &[u8]) -> Outcome {
    theirs_from(bytes)
}

/// redis-rs reading from a socket-like reader that hands out a few bytes at a time.
fn theirs_in_pieces(bytes: &[u8], rng: &mut Seeded) -> Outcome {
    let pieces = Pieces { bytes, at: 0, sizes: (0..bytes.len()).map(|_| 1 + rng.below(8)).collect() };
    theirs_from(pieces)
}

fn theirs_from(reader: impl Read) -> Outcome {
    match redis::Parser::new().parse_value(reader) {
        Ok(value) => match to_reply(&value) {
            Some(reply) => Outcome::Value(reply),
            // A RESP3 type: outside our protocol, so a disagreement for `INTENDED` to explain.
            None => Outcome::Value(Reply::Error(format!("(RESP3 {value:?})"))),
        },
        Err(_) => Outcome::Refused,
    }
}

struct Pieces<'a> {
    bytes: &'a [u8],
    at: usize,
    sizes: Vec<usize>,
}

impl Read for Pieces<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let size = self.sizes.get(self.at).copied().unwrap_or(1);
        let n = size.min(out.len()).min(self.bytes.len() - self.at);
        out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// redis-rs's value in our terms; `None` for the RESP3 types.
fn to_reply(value: &Value) -> Option<Reply> {
    Some(match value {
        Value::Nil => Reply::Nil,
        Value::Int(i) => Reply::Integer(*i),
        Value::BulkString(b) => Reply::Bulk(b.clone()),
        Value::Array(items) => Reply::Array(items.iter().map(to_reply).collect::<Option<_>>()?),
        Value::SimpleString(s) => Reply::Status(s.clone()),
        Value::Okay => Reply::Status("OK".into()),
        Value::ServerError(e) => Reply::Error(match e.details() {
            Some(details) => format!("{} {details}", e.code()),
            None => e.code().to_string(),
        }),
        _ => return None,
    })
}

fn show(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

fn encode(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        Reply::Status(s) => out.extend_from_slice(format!("+{s}\r\n").as_bytes()),
        Reply::Error(s) => out.extend_from_slice(format!("-{s}\r\n").as_bytes()),
        Reply::Integer(i) => out.extend_from_slice(format!(":{i}\r\n").as_bytes()),
        Reply::Bulk(b) => resp::encode_arg(out, b),
        // Both spellings of null, chosen by where it falls so the encoding needs no generator.
        Reply::Nil => out.extend_from_slice(if out.len() % 2 == 0 { b"$-1\r\n" } else { b"*-1\r\n" }),
        Reply::Array(items) => {
            out.extend_from_slice(format!("*{}\r\n", items.len()).as_bytes());
            for item in items {
                encode(item, out);
            }
        }
    }
}

/// Status and error text from `line_alphabet`, bulk strings from `bulk_alphabet`.
fn random_reply(rng: &mut Seeded, depth: usize, line_alphabet: &[u8], bulk_alphabet: &[u8]) -> Reply {
    let line = |rng: &mut Seeded| {
        let len = rng.below(12);
        String::from_utf8(rng.bytes_from(line_alphabet, len)).unwrap_or_default()
    };
    match rng.below(if depth < 4 { 7 } else { 6 }) {
        0 => Reply::Status(line(rng)),
        1 => {
            // An error's first word is its code (redis-rs splits it off); "OK"-like text too.
            let code = rng.pick(&["ERR", "MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "NOSCRIPT", "WRONGTYPE", "BUSY"]);
            if rng.chance(4) {
                Reply::Error(code.to_string())
            } else {
                Reply::Error(format!("{code} {}", line(rng)))
            }
        }
        2 => Reply::Integer(match rng.below(4) {
            0 => i64::MIN,
            1 => i64::MAX,
            2 => rng.below(100) as i64 - 50,
            _ => rng.next_u64() as i64,
        }),
        3 | 4 => {
            let len = if rng.chance(20) { 3000 + rng.below(70_000) } else { rng.below(40) };
            Reply::Bulk(rng.bytes_from(bulk_alphabet, len))
        }
        5 => Reply::Nil,
        _ => {
            let len = if rng.chance(8) { 0 } else { 1 + rng.below(6) };
            Reply::Array((0..len).map(|_| random_reply(rng, depth + 1, line_alphabet, bulk_alphabet)).collect())
        }
    }
}

/// A random reply and its wire form.
fn random_wire(rng: &mut Seeded, line_alphabet: &[u8], bulk_alphabet: &[u8]) -> (Reply, Vec<u8>) {
    let reply = random_reply(rng, 0, line_alphabet, bulk_alphabet);
    let mut wire = Vec::new();
    encode(&reply, &mut wire);
    (reply, wire)
}

/// Every byte, for bulk strings (binary-safe) — including CR, LF and type bytes.
fn any_byte() -> Vec<u8> {
    (0..=255).collect()
}

/// Printable ASCII without CR/LF: what a status or error line carries.
fn printable() -> Vec<u8> {
    (b' '..=b'~').collect()
}

#[test]
fn random_resp2_replies_decode_to_the_same_value_in_both() {
    let mut rng = Seeded::new(0x5eed_0001);
    let (lines, bulk) = (printable(), any_byte());
    for case in 0..3000 {
        let (reply, wire) = random_wire(&mut rng, &lines, &bulk);
        assert_eq!(Decoder::new().decode(&wire).map(|(used, _)| used), Ok(wire.len()), "case {case}: ours consumed");
        let expected = Outcome::Value(reply);
        assert_eq!(ours(&wire), expected, "case {case}: ours on {}", show(&wire));
        assert_eq!(theirs(&wire), expected, "case {case}: redis-rs on {}", show(&wire));
        assert_eq!(ours_in_pieces(&wire, &mut rng), expected, "case {case}: ours in pieces");
        assert_eq!(theirs_in_pieces(&wire, &mut rng), expected, "case {case}: redis-rs in pieces");
    }
}

#[test]
fn a_reply_cut_short_is_refused_by_both() {
    let mut rng = Seeded::new(0x5eed_0002);
    let (lines, bulk) = (printable(), any_byte());
    for case in 0..1000 {
        let (_, wire) = random_wire(&mut rng, &lines, &bulk);
        let cut = rng.below(wire.len());
        let short = &wire[..cut];
        // Ours asks for more bytes; redis-rs reports the early end: neither yields a value.
        assert_eq!(Decoder::new().decode(short).map(|(_, r)| r), Ok(None), "case {case}: ours on {}", show(short));
        assert_eq!(theirs(short), Outcome::Refused, "case {case}: redis-rs on {}", show(short));
    }
}

/// The deliberate differences: each a predicate on the bytes that explains why one parser
/// yields a value and the other refuses, with the reason it is so.
struct Intended {
    what: &'static str,
    ours_refuses: bool,
    applies: fn(&[u8]) -> bool,
}

const INTENDED: &[Intended] = &[
    Intended {
        what: "a RESP3 type byte (_ , # ! = ( % ~ > |): ours speaks RESP2 only (it never sends HELLO 3, \
               so a RESP3 byte means a broken stream); redis-rs parses RESP3 always",
        ours_refuses: true,
        applies: |b| b.iter().any(|c| b"_,#!=(%~>|".contains(c)),
    },
    Intended {
        what: "a negative length other than -1 ($-2, *-7): RESP2 defines only -1 (null); redis-rs \
               reads any negative length as null",
        ours_refuses: true,
        applies: |b| b.windows(3).any(|w| matches!(w, [b'$' | b'*', b'-', d] if d.is_ascii_digit()) && w != b"$-1" && w != b"*-1")
            || b.windows(4).any(|w| matches!(w, [b'$' | b'*', b'-', b'1', d] if d.is_ascii_digit())),
    },
    Intended {
        what: "an integer or length written with a '+' or with whitespace around it (:+5, : 5, \
               $\\n3): Redis writes bare digits (RESP spec); redis-rs trims whitespace (a lone \
               CR or LF included) and Rust's integer parse accepts '+'",
        ours_refuses: true,
        applies: |b| {
            let lone_cr_or_lf = b.iter().enumerate().any(|(i, &c)| {
                (c == b'\n' && (i == 0 || b[i - 1] != b'\r')) || (c == b'\r' && b.get(i + 1) != Some(&b'\n'))
            });
            lone_cr_or_lf
                || b.contains(&b' ')
                || b.windows(2).any(|w| matches!(w, [b':' | b'$' | b'*', b'+']))
                || b.windows(3).any(|w| matches!(w, [b':' | b'$' | b'*', b'-', b'+']))
        },
    },
    Intended {
        what: "a status or error line that is not UTF-8: ours keeps it (lossily) so a server error \
               still surfaces as an error; redis-rs refuses the whole reply",
        ours_refuses: false,
        applies: |b| b.iter().any(|&c| c >= 0x80),
    },
];

/// One byte of a valid reply replaced, inserted or removed; status lines and bulk strings
/// use letters only, so every type byte, sign, space and high byte was put there by the
/// corruption and `INTENDED`'s byte patterns point at headers.
#[test]
fn corrupted_replies_agree_or_differ_only_as_intended() {
    let mut rng = Seeded::new(0x5eed_0003);
    let letters: Vec<u8> = (b'a'..=b'z').collect();
    let hostile = b"*$+-:\r\n0123456789 _,#!=(%~>|\xff\xc3";
    let mut counts = vec![0usize; INTENDED.len()];
    let mut agreed = 0;
    for case in 0..20_000 {
        let (_, mut wire) = random_wire(&mut rng, &letters, &letters);
        if wire.len() > 2000 {
            continue;
        }
        for _ in 0..1 + rng.below(2) {
            let at = rng.below(wire.len());
            match rng.below(3) {
                0 => wire[at] = *rng.pick(hostile),
                1 => wire.insert(at, *rng.pick(hostile)),
                _ => {
                    wire.remove(at);
                }
            }
            if wire.is_empty() {
                break;
            }
        }
        let (a, b) = (ours(&wire), theirs(&wire));
        if a == b {
            agreed += 1;
            continue;
        }
        let ours_refuses = match (&a, &b) {
            (Outcome::Refused, Outcome::Value(_)) => true,
            (Outcome::Value(_), Outcome::Refused) => false,
            _ => panic!("case {case}: two different values from {}\n ours: {a:?}\n redis-rs: {b:?}", show(&wire)),
        };
        let why = INTENDED.iter().position(|i| i.ours_refuses == ours_refuses && (i.applies)(&wire));
        match why {
            Some(i) => counts[i] += 1,
            None => panic!("case {case}: unexplained disagreement on {}\n ours: {a:?}\n redis-rs: {b:?}", show(&wire)),
        }
    }
    for (intended, count) in INTENDED.iter().zip(&counts) {
        eprintln!("{count:6} × {}", intended.what);
    }
    eprintln!("{agreed:6} agreed");
    assert!(agreed > 10_000, "the corruptions should mostly keep the parsers in agreement");
}

/// Hand-picked hostile replies with what each side does, and why.
#[test]
fn hostile_replies_are_refused_by_both_or_as_intended() {
    let deep = |n: usize| "*1\r\n".repeat(n) + ":1\r\n";
    let cases: Vec<(Vec<u8>, Outcome, Outcome)> = vec![
        // Both refuse.
        (b"?x\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b":12x\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b":\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b":99999999999999999999\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b"$3\r\nabcde\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b"$3\r\nabc\n\n".to_vec(), Outcome::Refused, Outcome::Refused),
        (b"*1\r\n?\r\n".to_vec(), Outcome::Refused, Outcome::Refused),
        // Bounds: ours refuses at the header (a 513 MB bulk string, 2^24 + 1 elements, arrays
        // nested 17 deep, a 64 KB line); redis-rs would wait for the bytes (refused here,
        // where the input ends) — or, within its own depth limit of 100, parse them.
        (format!("${}\r\n", resp::MAX_BULK_LEN + 1).into_bytes(), Outcome::Refused, Outcome::Refused),
        (format!("*{}\r\n", resp::MAX_ARRAY_LEN + 1).into_bytes(), Outcome::Refused, Outcome::Refused),
        (deep(MAX_DEPTH).into_bytes(), Outcome::Value(nested(MAX_DEPTH)), Outcome::Value(nested(MAX_DEPTH))),
        (deep(101).into_bytes(), Outcome::Refused, Outcome::Refused),
        // Deliberate differences (INTENDED): RESP3, negative lengths, signs and spaces,
        // non-UTF-8 lines, depth 17..=100, lines over 64 KB.
        (b"#t\r\n".to_vec(), Outcome::Refused, theirs(b"#t\r\n")),
        (b"_\r\n".to_vec(), Outcome::Refused, Outcome::Value(Reply::Nil)),
        (b"$-2\r\n".to_vec(), Outcome::Refused, Outcome::Value(Reply::Nil)),
        (b"*-7\r\n".to_vec(), Outcome::Refused, Outcome::Value(Reply::Nil)),
        (b":+5\r\n".to_vec(), Outcome::Refused, Outcome::Value(Reply::Integer(5))),
        (b": 5 \r\n".to_vec(), Outcome::Refused, Outcome::Value(Reply::Integer(5))),
        (b"-ERR caf\xe9\r\n".to_vec(), Outcome::Value(Reply::Error("ERR caf\u{fffd}".into())), Outcome::Refused),
        (deep(MAX_DEPTH + 1).into_bytes(), Outcome::Refused, Outcome::Value(nested(MAX_DEPTH + 1))),
        ([b"+".as_slice(), &[b'a'; resp::MAX_LINE_LEN + 1], b"\r\n"].concat(), Outcome::Refused,
            Outcome::Value(Reply::Status("a".repeat(resp::MAX_LINE_LEN + 1)))),
    ];
    for (wire, want_ours, want_theirs) in cases {
        assert_eq!(ours(&wire), want_ours, "ours on {}", show(&wire[..wire.len().min(40)]));
        assert_eq!(theirs(&wire), want_theirs, "redis-rs on {}", show(&wire[..wire.len().min(40)]));
    }
    assert!(matches!(theirs(b"#t\r\n"), Outcome::Value(Reply::Error(e)) if e.starts_with("(RESP3")));
}

/// `:1` inside `depth` one-element arrays.
fn nested(depth: usize) -> Reply {
    (0..depth).fold(Reply::Integer(1), |inner, _| Reply::Array(vec![inner]))
}

/// Keys with hash tags in every position: `{`, `}` and a few letters, so empty, unclosed,
/// nested and repeated tags all come up.
#[test]
fn key_slots_match_redis_rs_on_random_keys_and_hash_tags() {
    let mut rng = Seeded::new(0x5eed_0004);
    let tagged = b"{}{}ab.:-";
    let bytes = any_byte();
    for case in 0..200_000 {
        let len = rng.below(24);
        let key = if case % 2 == 0 { rng.bytes_from(tagged, len) } else { rng.bytes_from(&bytes, len) };
        assert_eq!(Slot::new(key_slot(&key)), Some(Slot::for_key(&key)), "case {case}: key {}", show(&key));
    }
}

/// The server is the final word: `CLUSTER KEYSLOT` on a cluster-enabled redis-server.
#[test]
fn key_slots_match_the_servers_cluster_keyslot() {
    let server = support::RedisServer::start_with(&["--cluster-enabled", "yes"]);
    let client = redis::Client::open(server.url()).expect("redis-rs client");
    let mut connection = client.get_connection().expect("redis-rs connection");
    let mut rng = Seeded::new(0x5eed_0005);
    let tagged = b"{}{}ab.:-";
    let bytes = any_byte();
    for case in 0..500 {
        let len = rng.below(24);
        let key = if case % 2 == 0 { rng.bytes_from(tagged, len) } else { rng.bytes_from(&bytes, len) };
        let slot: u16 = redis::cmd("CLUSTER").arg("KEYSLOT").arg(&key).query(&mut connection).expect("CLUSTER KEYSLOT");
        assert_eq!(key_slot(&key), slot, "case {case}: key {}", show(&key));
    }
}
