//! The contract rules the JSON Schema cannot express (CONTRACT.md, rule 3 and the checksum),
//! checked when a Validator is strict.
#![forbid(unsafe_code)]

use super::violation::{push_token, quote, Violation};
use crate::canonical;
use jsonschema::json::{Array, Json, Node, Object, SerdeJson};
use serde_json::Value;

/// One step of a location pattern: a named member, or any member / item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Member(String),
    Any,
}

/// Where the schema declares `format: date-time`, as patterns over the instance. Derived once
/// per schema, so a schema loaded by path gets its own timestamp fields checked.
pub fn date_time_locations(schema: &Value) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    collect(schema, schema, &mut path, &mut found, 0);
    found.sort_by_key(|p| format!("{p:?}"));
    found.dedup();
    found
}

/// The `date-time` locations of a schema as one tree of steps, so that an envelope is walked
/// once for all of them.
#[derive(Debug, Clone, Default)]
pub struct DateTimes {
    root: StepTree,
}

#[derive(Debug, Clone, Default)]
struct StepTree {
    /// The pattern that ends here, by its place among `date_time_locations`: violations are
    /// reported pattern by pattern, in that order.
    ends: Option<usize>,
    members: Vec<(String, StepTree)>,
    any: Option<Box<StepTree>>,
}

impl DateTimes {
    pub fn new(patterns: &[Vec<Step>]) -> DateTimes {
        let mut root = StepTree::default();
        for (i, pattern) in patterns.iter().enumerate() {
            let mut node = &mut root;
            for step in pattern {
                node = match step {
                    Step::Any => node.any.get_or_insert_with(Default::default),
                    Step::Member(name) => {
                        let at = match node.members.iter().position(|(n, _)| n == name) {
                            Some(at) => at,
                            None => {
                                node.members.push((name.clone(), StepTree::default()));
                                node.members.len() - 1
                            }
                        };
                        &mut node.members[at].1
                    }
                };
            }
            node.ends.get_or_insert(i);
        }
        DateTimes { root }
    }

    /// Where `schema` declares `format: date-time`.
    pub fn of(schema: &Value) -> DateTimes {
        DateTimes::new(&date_time_locations(schema))
    }
}

fn collect(root: &Value, node: &Value, path: &mut Vec<Step>, found: &mut Vec<Vec<Step>>, depth: usize) {
    // Local $refs can recurse; real contract schemas are a few levels deep.
    if depth > 24 {
        return;
    }
    let Some(obj) = node.as_object() else { return };
    if obj.get("format").and_then(Value::as_str) == Some("date-time") {
        found.push(path.clone());
    }
    if let Some(target) = obj.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        if let Some(resolved) = root.pointer(target) {
            collect(root, resolved, path, found, depth + 1);
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            path.push(Step::Member(name.clone()));
            collect(root, sub, path, found, depth + 1);
            path.pop();
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get(key) {
            path.push(Step::Any);
            collect(root, sub, path, found, depth + 1);
            path.pop();
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(subs) = obj.get(key).and_then(Value::as_array) {
            for sub in subs {
                collect(root, sub, path, found, depth + 1);
            }
        }
    }
    for key in ["then", "else"] {
        if let Some(sub) = obj.get(key) {
            collect(root, sub, path, found, depth + 1);
        }
    }
}

/// How the checksum rule is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumRule {
    /// Recompute the payload's checksum and compare it with `provenance.checksum`.
    Verify,
    /// `provenance.checksum` was derived from this very payload by the caller (a builder, with
    /// no PHP code run in between): computing it again could only agree.
    Derived,
}

/// All strict rules, appended to `out`.
pub fn check(envelope: &Value, date_times: &DateTimes, out: &mut Vec<Violation>) {
    check_of::<SerdeJson>(&envelope, date_times, ChecksumRule::Verify, out);
}

/// The strict rules on any JSON representation jsonschema reads (serde values, a binding's
/// values in place), in the same order with the same messages. Nothing is allocated for an
/// envelope that passes: pointers are written only for a violation.
pub fn check_of<'a, F: Json>(envelope: &F::Node<'a>, date_times: &DateTimes, checksum: ChecksumRule, out: &mut Vec<Violation>) {
    utc_timestamps::<F>(envelope, date_times, out);
    // The other rules read members of the envelope, found in one pass.
    let Some(root) = envelope.as_object() else { return };
    let (mut payload, mut provenance, mut attachments) = (None, None, None);
    for (name, v) in root.members() {
        match name.as_ref() {
            "payload" => payload = Some(v),
            "provenance" => provenance = Some(v),
            "attachments" => attachments = Some(v),
            _ => {}
        }
    }
    if let Some(items) = attachments.as_ref().and_then(|a| a.as_array()) {
        attachment_uris::<F>(&items, out);
    }
    if checksum == ChecksumRule::Verify {
        if let (Some(payload), Some(provenance)) = (&payload, &provenance) {
            payload_checksum::<F>(payload, provenance, out);
        }
    }
    for (name, v) in [("payload", &payload), ("provenance", &provenance)] {
        if let Some(v) = v {
            secret_keys::<F>(v, &Path { token: Token::Name(name), up: None }, out, 0);
        }
    }
}

/// A member of an object by name: objects are small, a scan compares lengths first.
fn member<'a, F: Json>(object: &<F::Node<'a> as Node<'a, F>>::Object, name: &str) -> Option<F::Node<'a>> {
    object.members().find(|(n, _)| n.as_ref() == name).map(|(_, v)| v)
}

/// One reference token of a pointer, borrowed while the walk is below it.
#[derive(Clone, Copy)]
enum Token<'p> {
    Name(&'p str),
    Index(usize),
}

/// The tokens from the value being checked up to the envelope, kept on the stack; written out
/// as an RFC 6901 pointer only when a violation needs it.
struct Path<'p> {
    token: Token<'p>,
    up: Option<&'p Path<'p>>,
}

fn pointer(path: Option<&Path<'_>>) -> String {
    let mut tokens = Vec::new();
    let mut at = path;
    while let Some(p) = at {
        tokens.push(p.token);
        at = p.up;
    }
    let mut out = String::new();
    for token in tokens.iter().rev() {
        match *token {
            Token::Name(name) => push_token(&mut out, name),
            Token::Index(i) => push_token(&mut out, &i.to_string()),
        }
    }
    out
}

/// Rule: all timestamps are UTC, written with `Z`. One walk for every location; the
/// violations are reported location by location, each in the envelope's order.
fn utc_timestamps<'a, F: Json>(envelope: &F::Node<'a>, date_times: &DateTimes, out: &mut Vec<Violation>) {
    let mut found = Vec::new();
    utc_walk::<F>(envelope, &date_times.root, None, &mut found);
    // Stable: within one location the envelope's order stays.
    found.sort_by_key(|(pattern, _)| *pattern);
    out.extend(found.into_iter().map(|(_, v)| v));
}

fn utc_walk<'a, F: Json>(value: &F::Node<'a>, steps: &StepTree, path: Option<&Path<'_>>, found: &mut Vec<(usize, Violation)>) {
    if let (Some(pattern), Some(s)) = (steps.ends, value.as_string()) {
        if !s.ends_with('Z') {
            found.push((
                pattern,
                Violation::new(pointer(path), "utc", format!("timestamp {} must be in UTC, written with a 'Z' offset", quote(&s))),
            ));
        }
    }
    if steps.members.is_empty() && steps.any.is_none() {
        return;
    }
    if let Some(object) = value.as_object() {
        for (name, v) in object.members() {
            let name = name.as_ref();
            let here = Path { token: Token::Name(name), up: path };
            // A member may be named by one pattern and matched by another's `any`.
            for (_, below) in steps.members.iter().filter(|(n, _)| n == name) {
                utc_walk::<F>(&v, below, Some(&here), found);
            }
            if let Some(below) = &steps.any {
                utc_walk::<F>(&v, below, Some(&here), found);
            }
        }
    } else if let (Some(below), Some(items)) = (&steps.any, value.as_array()) {
        for (i, v) in items.elements().enumerate() {
            utc_walk::<F>(&v, below, Some(&Path { token: Token::Index(i), up: path }), found);
        }
    }
}

/// Rule: attachment URIs are `https://` or `s3://` and carry no credentials.
fn attachment_uris<'a, F: Json>(items: &<F::Node<'a> as Node<'a, F>>::Array, out: &mut Vec<Violation>) {
    for (i, item) in items.elements().enumerate() {
        let Some(uri) = item.as_object().and_then(|o| member::<F>(&o, "uri")).and_then(|u| u.as_string()) else { continue };
        let path = || format!("/attachments/{i}/uri");
        // The scheme is case-insensitive; what follows it is read as given.
        let scheme_len = ["https://", "s3://"]
            .iter()
            .find(|scheme| uri.len() >= scheme.len() && uri.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes()))
            .map(|scheme| scheme.len());
        let Some(scheme_len) = scheme_len else {
            out.push(Violation::new(
                path(),
                "attachmentUri",
                format!("attachment URI {} must use https:// or s3://", quote(&uri)),
            ));
            continue;
        };
        let authority = uri[scheme_len..].split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            // Never echo the credentials themselves into a message or log.
            out.push(Violation::new(
                path(),
                "attachmentUri",
                "attachment URI must not carry credentials (user-info before '@' in the authority)",
            ));
        } else if authority.is_empty() {
            out.push(Violation::new(path(), "attachmentUri", format!("attachment URI {} has no host", quote(&uri))));
        }
    }
}

/// Rule: `provenance.checksum`, when given, is the SHA-256 (or SHA-512) of the payload's
/// canonical JSON; a payload with an integer beyond ±(2^53−1) has none, so no checksum fits it.
fn payload_checksum<'a, F: Json>(payload: &F::Node<'a>, provenance: &F::Node<'a>, out: &mut Vec<Violation>) {
    let given = provenance.as_object().and_then(|p| member::<F>(&p, "checksum")).and_then(|c| c.as_string());
    let Some(given) = given else { return };
    let payload = payload.clone();
    let expected =
        if given.len() == 128 { canonical::checksum_sha512_of::<F>(payload) } else { canonical::checksum_of::<F>(payload) };
    let expected = match expected {
        Ok(expected) => expected,
        Err(e) => {
            let e = e.under("/payload");
            out.push(Violation::new("/provenance/checksum", "checksum", format!("provenance.checksum cannot be checked: {e}")));
            return;
        }
    };
    if !given.eq_ignore_ascii_case(&expected) {
        out.push(Violation::new(
            "/provenance/checksum",
            "checksum",
            format!(
                "provenance.checksum {} is not the {} of the payload's canonical JSON ({})",
                quote(&given),
                if given.len() == 128 { "SHA-512" } else { "SHA-256" },
                quote(&expected)
            ),
        ));
    }
}

/// Rule: no secrets in payload or provenance, judged by the member names.
fn secret_keys<'a, F: Json>(value: &F::Node<'a>, path: &Path<'_>, out: &mut Vec<Violation>, depth: usize) {
    if depth > 256 {
        return;
    }
    if let Some(object) = value.as_object() {
        for (name, v) in object.members() {
            let name = name.as_ref();
            let here = Path { token: Token::Name(name), up: Some(path) };
            if is_secret_name(name) {
                out.push(Violation::new(
                    pointer(Some(&here)),
                    "secret",
                    format!("member {} looks like a secret; secrets must not travel on the bus", quote(name)),
                ));
            }
            secret_keys::<F>(&v, &here, out, depth + 1);
        }
    } else if let Some(items) = value.as_array() {
        for (i, v) in items.elements().enumerate() {
            secret_keys::<F>(&v, &Path { token: Token::Index(i), up: Some(path) }, out, depth + 1);
        }
    }
}

/// Words that alone name a secret, and word pairs that do together.
const SECRET_WORDS: [&str; 11] = [
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "privatekey",
    "credential", "credentials", "authorization",
];
const SECRET_PAIRS: [(&str, &str); 5] =
    [("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("client", "secret")];

/// Splits `clientSecret`, `client_secret`, `CLIENT-SECRET`, `APIKey` into words and matches
/// them, case-insensitively, against the secret vocabulary. Every member name of a payload
/// passes here: an ASCII name (nearly all) is split and compared in place, with no copy.
pub fn is_secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    // The letters of the name, either case, as bits (`c & 0x1f`: a and A are 1, z and Z 26;
    // other bytes set some bit too, which only lets more names through to the full check).
    let (mut letters, mut all) = (0u32, 0u8);
    for &c in bytes {
        letters |= 1 << (c & 0x1f);
        all |= c;
    }
    if all >= 0x80 {
        // Unicode case rules (the Kelvin sign lowercases to `k`) need the full splitter.
        return is_secret_by_words(name);
    }
    // A secret name has a vocabulary word (or a pair's second word) among its words, so all
    // of that word's letters: most names have no such set and are settled here.
    if !SECRET_LETTER_SETS.iter().any(|&set| letters & set == set) {
        return false;
    }
    let mut words = SecretWords { previous: None };
    let mut start = None;
    for (i, &c) in bytes.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                if words.is_secret(&bytes[s..i]) {
                    return true;
                }
            }
            continue;
        }
        // The word boundaries of `words`: lower→Upper, and the last capital of an acronym
        // followed by lowercase.
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (bytes[i - 1].is_ascii_lowercase()
                || (bytes[i - 1].is_ascii_uppercase() && bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase)));
        match start {
            Some(s) if boundary => {
                if words.is_secret(&bytes[s..i]) {
                    return true;
                }
                start = Some(i);
            }
            Some(_) => {}
            None => start = Some(i),
        }
    }
    start.is_some_and(|s| words.is_secret(&bytes[s..]))
}

/// The words of one ASCII name as they come, each matched alone and with the one before it.
struct SecretWords<'n> {
    previous: Option<&'n [u8]>,
}

/// The lengths of some words, as bits: most words of a name have none of them and are passed
/// by one test.
const fn lengths<const N: usize>(words: [&str; N]) -> u64 {
    let mut bits = 0;
    let mut i = 0;
    while i < N {
        bits |= 1 << words[i].len();
        i += 1;
    }
    bits
}

/// The letters of each secret word and of each pair's second word, as `is_secret_name`
/// collects a name's letters.
const SECRET_LETTER_SETS: [u32; SECRET_WORDS.len() + SECRET_PAIRS.len()] = {
    let mut sets = [0u32; SECRET_WORDS.len() + SECRET_PAIRS.len()];
    let mut i = 0;
    while i < sets.len() {
        let word = if i < SECRET_WORDS.len() { SECRET_WORDS[i] } else { SECRET_PAIRS[i - SECRET_WORDS.len()].1 };
        let bytes = word.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            sets[i] |= 1 << (bytes[k] & 0x1f);
            k += 1;
        }
        i += 1;
    }
    sets
};

const SECRET_WORD_LENGTHS: u64 = lengths(SECRET_WORDS);
const PAIR_SECOND_LENGTHS: u64 = {
    let mut seconds = [""; SECRET_PAIRS.len()];
    let mut i = 0;
    while i < SECRET_PAIRS.len() {
        seconds[i] = SECRET_PAIRS[i].1;
        i += 1;
    }
    lengths(seconds)
};

impl<'n> SecretWords<'n> {
    fn is_secret(&mut self, word: &'n [u8]) -> bool {
        let is = |w: &[u8], vocabulary: &str| w.eq_ignore_ascii_case(vocabulary.as_bytes());
        let has = |lengths: u64, w: &[u8]| w.len() < 64 && lengths & (1 << w.len()) != 0;
        let secret = (has(SECRET_WORD_LENGTHS, word) && SECRET_WORDS.iter().any(|v| is(word, v)))
            || (has(PAIR_SECOND_LENGTHS, word)
                && self.previous.is_some_and(|p| SECRET_PAIRS.iter().any(|(a, b)| is(p, a) && is(word, b))));
        self.previous = Some(word);
        secret
    }
}

/// `is_secret_name` by lowercased words, for any text.
fn is_secret_by_words(name: &str) -> bool {
    let words = words(name);
    if words.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) {
        return true;
    }
    words.windows(2).any(|pair| SECRET_PAIRS.contains(&(pair[0].as_str(), pair[1].as_str())))
}

fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        // A new word starts at lower→Upper (`apiKey`) and at the last capital of an acronym
        // followed by lowercase (`APIKey` → API, Key).
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| p.is_lowercase() || (p.is_uppercase() && next.is_some_and(char::is_lowercase)));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised_in_every_spelling() {
        for name in [
            "password", "Password", "db_password", "clientSecret", "client_secret", "CLIENT-SECRET", "apiKey",
            "api_key", "APIKey", "apikey", "privateKey", "private-key", "accessToken", "refresh_token",
            "awsSecretAccessKey", "credentials", "Authorization", "passphrase",
        ] {
            assert!(is_secret_name(name), "{name} should look secret");
        }
        for name in ["name", "keyId", "tokenizerName", "monkey", "apiVersion", "hostname", "passing", "assetKey"] {
            assert!(!is_secret_name(name), "{name} should not look secret");
        }
    }

    #[test]
    fn secret_names_split_at_every_boundary_and_separator() {
        for name in [
            "x-API-Key", "my.private.key", "PRIVATE_KEY", "Client__Secret", "tokenValue", "AWSAccessKeyID",
            "APIKEY", "ApiKey", "the pwd", "x_Authorization_y", "Secret", "signingKey",
        ] {
            assert!(is_secret_name(name), "{name} should look secret");
        }
        for name in [
            "", "_", "api", "key", "apikeys", "api-1-key", "client_id", "secretary", "keySecretive", "accessPoint",
            "privateNetwork", "tokens", "APIKeyring", "signing", "k8sTokenizer", "signingKey2", "PassPhrase", "0credentials",
        ] {
            assert!(!is_secret_name(name), "{name} should not look secret");
        }
    }

    #[test]
    fn non_ascii_names_keep_unicode_case_rules() {
        // The Kelvin sign K lowercases to an ASCII k: `api` + `Key` written with it.
        assert!(is_secret_name("api\u{212A}ey"));
        assert!(is_secret_name("Zürich_password"));
        assert!(is_secret_name("clé_apiKey"));
        assert!(!is_secret_name("Zürich"));
        assert!(!is_secret_name("pässword"));
    }

    /// The in-place ASCII splitter against the lowercasing one, on names built from the
    /// vocabulary's pieces in every case and with every separator.
    #[test]
    fn ascii_names_get_the_verdict_of_the_lowercasing_splitter() {
        let pieces = [
            "api", "Api", "API", "key", "Key", "KEY", "private", "Private", "access", "ACCESS", "signing", "client",
            "Client", "secret", "Secret", "SECRET", "token", "pwd", "passwd", "x", "X", "id", "ID", "Id", "_", "-", ".",
            " ", "1", "42", "aB", "Ab", "AB", "credential", "credentials", "authorization", "passphrase", "s",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200_000 {
            let mut name = String::new();
            for _ in 0..=next(4) {
                name.push_str(pieces[next(pieces.len())]);
            }
            assert_eq!(is_secret_name(&name), is_secret_by_words(&name), "{name:?}");
        }
        // And letter soup over the vocabulary's letters, most of it settled by the letter sets.
        let letters = b"aAkKeEyYsScCrRtTpPwWdDoOnNiIlLhHzZuUvV_-. 09";
        for _ in 0..200_000 {
            let name: String = (0..next(16)).map(|_| char::from(letters[next(letters.len())])).collect();
            assert_eq!(is_secret_name(&name), is_secret_by_words(&name), "{name:?}");
        }
    }
}
