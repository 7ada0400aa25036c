//! The contract rules the JSON Schema cannot express (CONTRACT.md, rule 3 and the checksum),
//! checked when a Validator is strict.
#![forbid(unsafe_code)]

use super::violation::{push_token, quote, Violation};
use crate::canonical;
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

/// All strict rules, appended to `out`.
pub fn check(envelope: &Value, date_times: &[Vec<Step>], out: &mut Vec<Violation>) {
    for pattern in date_times {
        let mut pointer = String::new();
        utc_timestamps(envelope, pattern, &mut pointer, out);
    }
    attachment_uris(envelope, out);
    payload_checksum(envelope, out);
    for member in ["payload", "provenance"] {
        if let Some(v) = envelope.get(member) {
            let mut pointer = String::new();
            push_token(&mut pointer, member);
            secret_keys(v, &mut pointer, out, 0);
        }
    }
}

/// Rule: all timestamps are UTC, written with `Z`.
fn utc_timestamps(value: &Value, pattern: &[Step], pointer: &mut String, out: &mut Vec<Violation>) {
    let Some((step, rest)) = pattern.split_first() else {
        if let Value::String(s) = value {
            if !s.ends_with('Z') {
                out.push(Violation::new(
                    pointer.clone(),
                    "utc",
                    format!("timestamp {} must be in UTC, written with a 'Z' offset", quote(s)),
                ));
            }
        }
        return;
    };
    let len = pointer.len();
    match (step, value) {
        (Step::Member(name), Value::Object(map)) => {
            if let Some(v) = map.get(name) {
                push_token(pointer, name);
                utc_timestamps(v, rest, pointer, out);
            }
        }
        (Step::Any, Value::Object(map)) => {
            for (name, v) in map {
                push_token(pointer, name);
                utc_timestamps(v, rest, pointer, out);
                pointer.truncate(len);
            }
        }
        (Step::Any, Value::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                push_token(pointer, &i.to_string());
                utc_timestamps(v, rest, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    pointer.truncate(len);
}

/// Rule: attachment URIs are `https://` or `s3://` and carry no credentials.
fn attachment_uris(envelope: &Value, out: &mut Vec<Violation>) {
    let Some(items) = envelope.get("attachments").and_then(Value::as_array) else { return };
    for (i, item) in items.iter().enumerate() {
        let Some(uri) = item.get("uri").and_then(Value::as_str) else { continue };
        let path = format!("/attachments/{i}/uri");
        let lower = uri.to_ascii_lowercase();
        let rest = if let Some(r) = lower.strip_prefix("https://") {
            r
        } else if let Some(r) = lower.strip_prefix("s3://") {
            r
        } else {
            out.push(Violation::new(
                path,
                "attachmentUri",
                format!("attachment URI {} must use https:// or s3://", quote(uri)),
            ));
            continue;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            // Never echo the credentials themselves into a message or log.
            out.push(Violation::new(
                path,
                "attachmentUri",
                "attachment URI must not carry credentials (user-info before '@' in the authority)",
            ));
        } else if authority.is_empty() {
            out.push(Violation::new(path, "attachmentUri", format!("attachment URI {} has no host", quote(uri))));
        }
    }
}

/// Rule: `provenance.checksum`, when given, is the SHA-256 (or SHA-512) of the payload's
/// canonical JSON; a payload with an integer beyond ±(2^53−1) has none, so no checksum fits it.
fn payload_checksum(envelope: &Value, out: &mut Vec<Violation>) {
    let Some(given) = envelope.get("provenance").and_then(|p| p.get("checksum")).and_then(Value::as_str) else {
        return;
    };
    let Some(payload) = envelope.get("payload") else { return };
    let expected = if given.len() == 128 { canonical::checksum_sha512(payload) } else { canonical::checksum(payload) };
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
                quote(given),
                if given.len() == 128 { "SHA-512" } else { "SHA-256" },
                quote(&expected)
            ),
        ));
    }
}

/// Rule: no secrets in payload or provenance, judged by the member names.
fn secret_keys(value: &Value, pointer: &mut String, out: &mut Vec<Violation>, depth: usize) {
    if depth > 256 {
        return;
    }
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (name, v) in map {
                push_token(pointer, name);
                if is_secret_name(name) {
                    out.push(Violation::new(
                        pointer.clone(),
                        "secret",
                        format!("member {} looks like a secret; secrets must not travel on the bus", quote(name)),
                    ));
                }
                secret_keys(v, pointer, out, depth + 1);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                push_token(pointer, &i.to_string());
                secret_keys(v, pointer, out, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Words that alone name a secret, and word pairs that do together.
const SECRET_WORDS: [&str; 11] = [
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "privatekey",
    "credential", "credentials", "authorization",
];
const SECRET_PAIRS: [(&str, &str); 5] =
    [("api", "key"), ("private", "key"), ("access", "key"), ("signing", "key"), ("client", "secret")];

/// Splits `clientSecret`, `client_secret`, `CLIENT-SECRET`, `APIKey` into lowercase words and
/// matches them against the secret vocabulary.
pub fn is_secret_name(name: &str) -> bool {
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
}
