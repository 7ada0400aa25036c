//! Our ULIDs (`phpgrc_bus::ulid`) against the `ulid` crate: the text form, the timestamp and
//! the order agree both ways; the two part only where the crate is lenient on purpose.

#[path = "support/seeded.rs"]
mod seeded;

use phpgrc_bus::ulid as bus;
use seeded::Seeded;
use ::ulid::Ulid;

#[test]
fn our_ulids_parse_in_the_crate_with_the_same_timestamp_and_text() {
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    for _ in 0..20_000 {
        let ours = bus::generate();
        let theirs = Ulid::from_string(&ours).unwrap_or_else(|e| panic!("{ours}: {e}"));
        assert_eq!(theirs.to_string(), ours, "the crate writes our text back unchanged");
        assert_eq!(Some(theirs.timestamp_ms()), bus::timestamp_ms(&ours), "{ours}");
        assert!(theirs.timestamp_ms() >= before, "{ours}");
    }
}

#[test]
fn our_order_is_the_crates_order() {
    // Generated in one thread: strictly increasing as text (ours) and as 128-bit values (the
    // crate's `Ord`), so sorting either way sorts by creation.
    let ids: Vec<String> = (0..20_000).map(|_| bus::generate()).collect();
    let parsed: Vec<Ulid> = ids.iter().map(|id| Ulid::from_string(id).expect("a ULID")).collect();
    for (i, pair) in parsed.windows(2).enumerate() {
        assert!(pair[0] < pair[1], "{} then {}", ids[i], ids[i + 1]);
        assert!(ids[i] < ids[i + 1]);
    }
}

#[test]
fn random_ulids_from_the_crate_read_the_same_in_ours() {
    let mut rng = Seeded::new(0x5eed_0101);
    let mut texts = Vec::new();
    for case in 0..50_000 {
        let ms = match case % 4 {
            0 => 0,
            1 => (1 << 48) - 1,
            _ => rng.next_u64() >> 16,
        };
        let random = (u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())) & ((1 << 80) - 1);
        let theirs = Ulid::from_parts(ms, random);
        let text = theirs.to_string();
        assert!(bus::is_ulid(&text), "case {case}: {text}");
        assert_eq!(bus::timestamp_ms(&text), Some(ms), "case {case}: {text}");
        texts.push((theirs, text));
    }
    // Text order and value order agree (the first character carries only 3 bits, so no text
    // outside 0..=7 at the front can disorder them).
    texts.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(texts.windows(2).all(|w| w[0].0 <= w[1].0));
}

/// Where the crate accepts and we refuse. `is_ulid` guards ids in the contract (envelope
/// `id`, `runId`, a ULID `tenantId`), whose schema pattern is the canonical form.
#[test]
fn the_crate_accepts_non_canonical_text_that_we_refuse_on_purpose() {
    let canonical = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    // Lower case: Crockford's base32 decodes either case, but the contract's pattern and our
    // sort order are upper case; a lower-case id would sort after every upper-case one.
    let lower = canonical.to_lowercase();
    assert_eq!(Ulid::from_string(&lower).map(|u| u.to_string()), Ok(canonical.to_string()));
    assert!(!bus::is_ulid(&lower));
    // A first character above 7 needs 131 bits: the crate drops the top bits, so "8…" reads
    // as "0…" (a different timestamp); the ULID spec says such text must be refused.
    let overflow = "81ARZ3NDEKTSV4RRFFQ69G5FAV";
    assert_eq!(Ulid::from_string(overflow).map(|u| u.to_string()), Ok(canonical.to_string()));
    assert!(!bus::is_ulid(overflow));
    assert_eq!(bus::timestamp_ms(overflow), None);
    // Both refuse the letters Crockford excludes (I, L, O, U) and wrong lengths.
    for bad in ["01ARZ3NDEKTSV4RRFFQ69G5FAI", "01ARZ3NDEKTSV4RRFFQ69G5FAL", "01ARZ3NDEKTSV4RRFFQ69G5FAO",
        "01ARZ3NDEKTSV4RRFFQ69G5FAU", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FAVV", ""] {
        assert!(Ulid::from_string(bad).is_err(), "{bad}");
        assert!(!bus::is_ulid(bad), "{bad}");
    }
}

#[test]
fn random_text_is_refused_by_ours_only_where_the_crate_is_lenient() {
    let mut rng = Seeded::new(0x5eed_0102);
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyzILOU8-";
    for case in 0..100_000 {
        let len = if rng.chance(10) { rng.below(30) } else { 26 };
        let text = String::from_utf8(rng.bytes_from(alphabet, len)).unwrap_or_default();
        let theirs = Ulid::from_string(&text);
        let canonical = text.len() == 26 && text.as_bytes()[0] <= b'7' && !text.bytes().any(|b| b.is_ascii_lowercase());
        match theirs {
            Ok(u) if canonical => {
                assert!(bus::is_ulid(&text), "case {case}: {text}");
                assert_eq!(bus::timestamp_ms(&text), Some(u.timestamp_ms()), "case {case}: {text}");
            }
            // Lower case or a first character above 7: accepted by the crate only.
            Ok(_) => assert!(!bus::is_ulid(&text), "case {case}: {text}"),
            Err(_) => assert!(!bus::is_ulid(&text), "case {case}: {text}"),
        }
    }
}
