//! The envelope members the schemaRef and header rules read (`kind`, `provenance.schemaRef`,
//! the four mirrored by required headers, `priority`, `provenance.correlationId`), borrowed
//! from whatever holds the envelope: a `serde_json::Value`, a JSON tape, PHP values (the binding
//! reads them itself). Owns only the reading; the rules are in `headers` and the schema module.
#![forbid(unsafe_code)]

use serde_json::Value;

use crate::document::DocNode;

/// One envelope member as the schemaRef and header rules see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Field<'a> {
    #[default]
    Missing,
    Null,
    Text(&'a str),
    /// Present, but neither a string nor null.
    Other,
}

impl<'a> Field<'a> {
    pub fn text(self) -> Option<&'a str> {
        match self {
            Field::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The members the schemaRef and header rules read, borrowed from whatever holds the envelope
/// (a `Value`, a JSON tape, PHP values): those rules never need the rest of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleFields<'a> {
    pub bus_version: Field<'a>,
    pub connector_key: Field<'a>,
    pub kind: Field<'a>,
    pub run_id: Field<'a>,
    pub priority: Field<'a>,
    pub schema_ref: Field<'a>,
    pub correlation_id: Field<'a>,
}

impl<'a> RuleFields<'a> {
    /// Where each field is, in field order: `["kind"]`, `["provenance", "schemaRef"]`, …
    pub const PATHS: [&'static [&'static str]; 7] = [
        &["busVersion"],
        &["connectorKey"],
        &["kind"],
        &["runId"],
        &["priority"],
        &["provenance", "schemaRef"],
        &["provenance", "correlationId"],
    ];

    /// Reads the fields through `member(i, path)`, where `path` is `PATHS[i]` (a reader may
    /// prepare its lookups per `i` once).
    pub fn read(member: impl Fn(usize, &[&str]) -> Field<'a>) -> RuleFields<'a> {
        let field = |i: usize| member(i, Self::PATHS[i]);
        RuleFields {
            bus_version: field(0),
            connector_key: field(1),
            kind: field(2),
            run_id: field(3),
            priority: field(4),
            schema_ref: field(5),
            correlation_id: field(6),
        }
    }

    pub fn from_value(envelope: &'a Value) -> RuleFields<'a> {
        RuleFields::read(|_, path| {
            let mut node = Some(envelope);
            for step in path {
                node = node.and_then(|n| n.get(*step));
            }
            match node {
                None => Field::Missing,
                Some(Value::Null) => Field::Null,
                Some(Value::String(s)) => Field::Text(s),
                Some(_) => Field::Other,
            }
        })
    }

    /// The fields of a JSON tape, borrowed from it.
    pub fn from_doc(root: DocNode<'a>) -> RuleFields<'a> {
        RuleFields::read(|_, path| {
            let mut node = Some(root);
            for step in path {
                node = node.and_then(|n| n.member(step));
            }
            match node {
                None => Field::Missing,
                Some(n) if n.is_null_node() => Field::Null,
                Some(n) => n.text().map_or(Field::Other, Field::Text),
            }
        })
    }

    /// The body member a required header mirrors.
    pub(super) fn mirrored(&self, member: &str) -> Option<Field<'a>> {
        match member {
            "busVersion" => Some(self.bus_version),
            "connectorKey" => Some(self.connector_key),
            "kind" => Some(self.kind),
            "runId" => Some(self.run_id),
            _ => None,
        }
    }
}
