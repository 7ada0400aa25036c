//! Queue headers and the rule that they mirror the envelope body (CONTRACT.md, rule 2): the
//! check of given headers against the body, and the headers a body implies (what the builders
//! and a push attach). Not the reading of the body's members (`fields`).
#![forbid(unsafe_code)]

use super::fields::{Field, RuleFields};
use super::violation::{quote, Violation};
use serde_json::Value;

/// One header value as the transport gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// A string, or the first element of a list of strings.
    Text(String),
    /// An empty list: the header is present but carries nothing.
    Empty,
    /// Something that is not text (the name of its type), e.g. an integer or a nested map.
    NotText(&'static str),
}

/// Queue headers in the order given. Names keep their spelling; rules compare them
/// case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, HeaderValue)>,
}

/// The headers every job carries, and the body member each one mirrors.
pub const REQUIRED: [(&str, &str); 4] = [
    ("x-phpgrc-bus-version", "busVersion"),
    ("x-phpgrc-connector", "connectorKey"),
    ("x-phpgrc-kind", "kind"),
    ("x-phpgrc-run-id", "runId"),
];
pub const PRIORITY: &str = "x-phpgrc-priority";
pub const CORRELATION: &str = "x-phpgrc-correlation";

impl Headers {
    pub fn new() -> Self {
        Headers::default()
    }

    pub fn push(&mut self, name: impl Into<String>, value: HeaderValue) {
        self.entries.push((name.into(), value));
    }

    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut headers = Headers::new();
        for (k, v) in pairs {
            headers.push(k, HeaderValue::Text(v.into()));
        }
        headers
    }

    /// Headers from a JSON object (`{"x-phpgrc-kind": "…"}`; a list value counts as its first
    /// element).
    pub fn from_json(value: &Value) -> Option<Self> {
        let map = value.as_object()?;
        let mut headers = Headers::new();
        for (name, v) in map {
            let hv = match v {
                Value::String(s) => HeaderValue::Text(s.clone()),
                Value::Array(items) => match items.first() {
                    None => HeaderValue::Empty,
                    Some(Value::String(s)) => HeaderValue::Text(s.clone()),
                    Some(other) => HeaderValue::NotText(type_name(other)),
                },
                other => HeaderValue::NotText(type_name(other)),
            };
            headers.push(name.clone(), hv);
        }
        Some(headers)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &HeaderValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every value given under `name`, compared case-insensitively.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a HeaderValue> + 'a {
        self.entries.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Checks the headers against the body and appends a violation (keyword `header`) per mismatch.
pub fn check(body: &RuleFields, headers: &Headers, out: &mut Vec<Violation>) {
    for (name, member) in REQUIRED {
        let body = body.mirrored(member).and_then(Field::text);
        match header_text(headers, name, out) {
            Lookup::Missing => out.push(Violation::new(
                format!("/{member}"),
                "header",
                format!("required header {name} is missing (the body's {member} is {})", shown(body)),
            )),
            Lookup::Invalid => {}
            Lookup::Found(value) => compare(name, member, &value, body, out),
        }
    }

    if let Lookup::Found(value) = header_text(headers, PRIORITY, out) {
        // An envelope without priority is `normal` (the schema's default).
        let priority = match body.priority {
            Field::Missing => Some("normal"),
            f => f.text(),
        };
        compare(PRIORITY, "priority", &value, priority, out);
    }

    if let Lookup::Found(value) = header_text(headers, CORRELATION, out) {
        match body.correlation_id {
            Field::Missing | Field::Null => out.push(Violation::new(
                "/provenance/correlationId",
                "header",
                format!(
                    "header {CORRELATION} is {} but the body has no provenance.correlationId",
                    quote(&value)
                ),
            )),
            f => compare(CORRELATION, "provenance.correlationId", &value, f.text(), out),
        }
    }
}

enum Lookup {
    Missing,
    /// Present but unusable; a violation was already recorded.
    Invalid,
    Found(String),
}

fn header_text(headers: &Headers, name: &str, out: &mut Vec<Violation>) -> Lookup {
    let mut values = headers.all(name);
    let first = match values.next() {
        None => return Lookup::Missing,
        Some(v) => v,
    };
    let text = match first {
        HeaderValue::Text(s) => s.clone(),
        HeaderValue::Empty => {
            out.push(Violation::new("", "header", format!("header {name} is an empty list")));
            return Lookup::Invalid;
        }
        HeaderValue::NotText(kind) => {
            out.push(Violation::new("", "header", format!("header {name} must be a string, got {kind}")));
            return Lookup::Invalid;
        }
    };
    // The same header given twice under different spellings must agree, or routing is ambiguous.
    for other in values {
        if *other != HeaderValue::Text(text.clone()) {
            out.push(Violation::new(
                "",
                "header",
                format!("header {name} is given more than once with different values"),
            ));
            return Lookup::Invalid;
        }
    }
    Lookup::Found(text)
}

fn compare(name: &str, member: &str, header: &str, body: Option<&str>, out: &mut Vec<Violation>) {
    if body == Some(header) {
        return;
    }
    let path = format!("/{}", member.replace('.', "/"));
    out.push(Violation::new(
        path,
        "header",
        format!("header {name} is {} but the body's {member} is {}", quote(header), shown(body)),
    ));
}

fn shown(body: Option<&str>) -> String {
    match body {
        Some(s) => quote(s),
        None => "missing".to_string(),
    }
}

/// The queue headers that mirror a body: the four required ones, then `x-phpgrc-priority` when
/// the body sets `priority` and `x-phpgrc-correlation` when it sets `provenance.correlationId`.
/// A header whose body value is missing or not a string is left out. Borrowed from the body (a
/// batch push writes them straight into each job).
pub fn mirroring<'a>(body: &RuleFields<'a>) -> impl Iterator<Item = (&'static str, &'a str)> {
    let [bus_version, connector, kind, run_id] = REQUIRED.map(|(name, _)| name);
    [
        (bus_version, body.bus_version),
        (connector, body.connector_key),
        (kind, body.kind),
        (run_id, body.run_id),
        (PRIORITY, body.priority),
        (CORRELATION, body.correlation_id),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value.text()?)))
}

/// The queue headers of an envelope ([`mirroring`] its body), owned.
pub fn of_envelope(envelope: &Value) -> Vec<(String, String)> {
    mirroring(&RuleFields::from_value(envelope)).map(|(name, value)| (name.to_owned(), value.to_owned())).collect()
}
