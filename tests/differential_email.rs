//! Our `email` format check (`contract::email::is_mailbox`, an RFC 5321 mailbox) against the
//! `email_address` crate (display text off, domain literals on: the mailbox form). Every
//! disagreement on generated addresses must be one listed in `INTENDED`, with its RFC reason.

#[path = "support/seeded.rs"]
mod seeded;

use email_address::{EmailAddress, Options};
use phpgrc_bus::contract::email::is_mailbox;
use seeded::Seeded;

fn theirs(s: &str) -> bool {
    EmailAddress::parse_with_options(s, Options::default().without_display_text().with_domain_literal()).is_ok()
}

/// A deliberate difference: which side accepts, when it applies, and why.
struct Intended {
    what: &'static str,
    we_accept: bool,
    applies: fn(&str) -> bool,
}

fn domain(s: &str) -> &str {
    s.rsplit_once('@').map_or("", |(_, d)| d)
}

fn local(s: &str) -> &str {
    s.rsplit_once('@').map_or(s, |(l, _)| l)
}

/// In the order they are tried: local-part reasons before domain ones, so an address with two
/// differences is explained by the first.
const INTENDED: &[Intended] = &[
    Intended {
        what: "non-ASCII letters or digits (é, ü, ٣) anywhere: an RFC 5321 mailbox is ASCII \
               (internationalised addresses are RFC 6531, the `idn-email` format); the crate accepts \
               any Unicode alphanumeric in atoms, quoted strings and domain labels",
        we_accept: false,
        applies: |s| !s.is_ascii(),
    },
    Intended {
        what: "a quoted local part holding a tab (\"a\\tb\"@x): RFC 5321 4.1.2 qtextSMTP is %d32-33 / \
               %d35-91 / %d93-126, no HTAB; the crate follows RFC 5322, whose quoted strings may fold \
               white space",
        we_accept: false,
        applies: |s| local(s).starts_with('"') && local(s).contains('\t'),
    },
    Intended {
        what: "an address literal that is not an IPv4 or an IPv6 address ([], [foo], [1.2.3], \
               [300.1.1.1], [IPv6::1], [tag:x]): RFC 5321 4.1.3 allows IPv4, IPv6 or a \
               General-address-literal whose Standardized-tag is IANA-registered (only IPv6 is); the \
               crate accepts any dtext between the brackets",
        we_accept: false,
        applies: |s| domain(s).starts_with('['),
    },
    Intended {
        what: "a domain label holding characters other than letters, digits and '-' (a@b_c.d, \
               a@b+c.d): RFC 5321 4.1.2 Domain is sub-domains of Let-dig [Ldh-str] (RFC 1035 host \
               names); the crate allows any atext inside a label",
        we_accept: false,
        applies: |s| domain(s).bytes().any(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.')),
    },
    Intended {
        what: "longer than 254 octets in all: RFC 5321 4.5.3.1.3 bounds a path, '<' mailbox '>', to \
               256 octets; the crate bounds only the local part (64) and the domain (254) apart",
        we_accept: false,
        applies: |s| s.len() > 254,
    },
    Intended {
        what: "an empty quoted local part (\"\"@x) or one with a quoted pair (\"\\ \"@x): RFC 5321 4.1.2 \
               Quoted-string is DQUOTE *QcontentSMTP DQUOTE, QcontentSMTP including quoted-pairSMTP \
               (%d92 %d32-126); the crate refuses an empty one and some pairs",
        we_accept: true,
        applies: |s| local(s) == "\"\"" || (local(s).starts_with('"') && local(s).contains('\\')),
    },
];

fn classify(s: &str, ours: bool) -> Option<usize> {
    INTENDED.iter().position(|i| i.we_accept == ours && (i.applies)(s))
}

/// One to three parts of up to four `chars` joined by dots (a leading dot one time in
/// `lead_dot`), each followed one time in `odd_one_in` by one of `odd`.
fn dotted(rng: &mut Seeded, s: &mut String, chars: &[u8], lead_dot: usize, odd: &[char], odd_one_in: usize) {
    for i in 0..1 + rng.below(3) {
        if i > 0 || rng.chance(lead_dot) {
            s.push('.');
        }
        for _ in 0..rng.below(5) {
            s.push(char::from(*rng.pick(chars)));
        }
        if rng.chance(odd_one_in) {
            s.push(*rng.pick(odd));
        }
    }
}

/// Addresses built from parts where the two are likely to part: atoms, dots, quotes, escapes,
/// address literals, labels with odd characters, and a little Unicode.
fn random_address(rng: &mut Seeded) -> String {
    let atom_chars = b"abcXYZ019!#$%&'*+-/=?^_`{|}~";
    let label_chars = b"abz09-_+";
    let mut s = String::new();
    match rng.below(6) {
        0 => {
            s.push('"');
            for _ in 0..rng.below(6) {
                s.push(*rng.pick(&['a', ' ', '@', '\\', '"', '(', ',', '.', 'é', '\t']));
            }
            s.push('"');
        }
        _ => dotted(rng, &mut s, atom_chars, 20, &['é', '٣', ' ', '"', '@', '(', '['], 15),
    }
    if !rng.chance(30) {
        s.push('@');
    }
    match rng.below(8) {
        0 => s.push_str(*rng.pick(&["[192.0.2.1]", "[IPv6:2001:db8::1]", "[300.1.1.1]", "[1.2.3]", "[foo]", "[IPv6:zz::1]", "[]", "[ipv6:::1]", "[IPv6::1]", "[tag:x]"])),
        _ => dotted(rng, &mut s, label_chars, 30, &['é', 'Ü', '.', '@'], 25),
    }
    if rng.chance(40) {
        // Long but well-formed: a 64-octet local part and labels up to 63, past 254 in all.
        let label = "d".repeat(1 + rng.below(63));
        s = format!("{}@{}", "a".repeat(1 + rng.below(64)), vec![label; 1 + rng.below(5)].join("."));
    }
    s
}

#[test]
fn every_disagreement_with_email_address_is_intended() {
    let mut rng = Seeded::new(0x5eed_0401);
    let mut counts = vec![0usize; INTENDED.len()];
    let (mut agreed, mut both_accept) = (0, 0);
    for case in 0..200_000 {
        let s = random_address(&mut rng);
        let (ours, theirs) = (is_mailbox(&s), theirs(&s));
        if ours == theirs {
            agreed += 1;
            both_accept += usize::from(ours);
            continue;
        }
        match classify(&s, ours) {
            Some(i) => counts[i] += 1,
            None => panic!("case {case}: unexplained disagreement on {s:?}: ours {ours}, email_address {theirs}"),
        }
    }
    for (intended, count) in INTENDED.iter().zip(&counts) {
        eprintln!("{count:7} × {}", intended.what);
    }
    eprintln!("{agreed:7} agreed ({both_accept} accepted by both)");
    assert!(both_accept > 10_000, "the generator should make plenty of real mailboxes");
}

/// One example of each difference, stated as a fact.
#[test]
fn the_listed_differences_are_real() {
    let long = format!("{}@{}.{}.{}.{}", "a".repeat(64), "b".repeat(63), "c".repeat(63), "d".repeat(63), "e".repeat(50));
    assert_eq!(long.len(), 307);
    for (address, ours, theirs_too) in [
        ("ü@example.com", false, true),
        ("a@exämple.com", false, true),
        ("a@b_c.example", false, true),
        ("a@[foo]", false, true),
        ("a@[1.2.3]", false, true),
        ("a@[ipv6:2001:db8::1]", true, true),
        ("\"a\tb\"@example.com", false, true),
        ("\"\"@example.com", true, false),
        ("\"\\ \"@example.com", true, false),
        ("\"a\\\"b\"@example.com", true, true),
        (long.as_str(), false, true),
        ("plain@example.com", true, true),
        ("first.last@sub.example.org", true, true),
        ("a@[192.0.2.1]", true, true),
    ] {
        assert_eq!((is_mailbox(address), theirs(address)), (ours, theirs_too), "{address}");
    }
}

