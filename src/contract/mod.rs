//! The Integration Bus contract: the JSON Schema (draft 2020-12, formats asserted), the
//! kind ↔ schemaRef rule, header/body alignment and the strict rules, reported as
//! [`Violation`]s. The base of the core: it imports nothing of the builders (`envelope`), the
//! summary or the queue, and does not know how PHP values become JSON (`input`).
#![forbid(unsafe_code)]

pub mod email;
pub mod fields;
pub mod headers;
pub mod kind;
pub mod strict;
pub mod violation;

pub use fields::{Field, RuleFields};
pub use headers::{HeaderValue, Headers};
pub use kind::Kind;
pub use violation::Violation;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, ValidationError};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use violation::quote;

use crate::document;

/// The contract schema, byte for byte as published (`schemas/`), embedded in the binary.
pub const EMBEDDED_SCHEMA: &str = include_str!("../../schemas/integration-bus-envelope.schema.json");

/// The contract version builders stamp by default.
pub const BUS_VERSION: &str = "1.0.0";

/// A schema that could not be read, parsed or compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

/// What to check besides the schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct Check<'a> {
    /// `None`: no header rules. `Some` (even empty): the header rules apply.
    pub headers: Option<&'a Headers>,
    /// The rules the schema cannot express (UTC, attachment URIs, checksum, secrets).
    pub strict: bool,
}

/// A compiled contract schema. Compile once, validate many times from any thread.
pub struct Schema {
    validator: jsonschema::Validator,
    document: Value,
    /// A validator of this schema compiled for another JSON representation (a binding's own
    /// values), built on first use by [`Schema::for_representation`].
    representation: OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// The schema compiled for [`document::Document`], for validating JSON bytes fast.
    documents: OnceLock<Option<jsonschema::Validator<document::DocJson>>>,
    id: String,
    source: String,
    definitions: HashSet<String>,
    /// Whether `$defs` has each kind's payload definition, by `Kind::ALL` index (hot path).
    kind_defined: [bool; 7],
    date_times: strict::DateTimes,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schema").field("id", &self.id).field("source", &self.source).finish_non_exhaustive()
    }
}

impl Schema {
    /// The embedded contract schema, compiled on first use and shared by the whole process.
    pub fn embedded() -> &'static Arc<Schema> {
        static EMBEDDED: OnceLock<Arc<Schema>> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // The embedded schema is tested to compile; failing here would be a build defect.
            Arc::new(Schema::compile(EMBEDDED_SCHEMA.as_bytes(), "embedded".into()).expect("embedded schema compiles"))
        })
    }

    /// A schema file, compiled once per path and process (the file is read again only when its
    /// size or modification time changed).
    pub fn load(path: &Path) -> Result<Arc<Schema>, SchemaError> {
        type Cache = Mutex<HashMap<std::path::PathBuf, (Option<std::time::SystemTime>, u64, Arc<Schema>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path)
            .map_err(|e| SchemaError(format!("schema file {shown} cannot be read: {}", io_reason(&e))))?;
        if meta.is_dir() {
            return Err(SchemaError(format!("schema path {shown} is a directory, not a JSON Schema file")));
        }
        let stamp = (meta.modified().ok(), meta.len());
        let cache = CACHE.get_or_init(Default::default);
        if let Some((modified, len, schema)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            if (*modified, *len) == stamp {
                return Ok(schema.clone());
            }
        }
        let bytes = std::fs::read(path)
            .map_err(|e| SchemaError(format!("schema file {shown} cannot be read: {}", io_reason(&e))))?;
        let schema = Arc::new(Schema::compile(&bytes, shown)?);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), (stamp.0, stamp.1, schema.clone()));
        Ok(schema)
    }

    /// Compiles a schema from its JSON text under draft 2020-12 with format assertion on.
    pub fn compile(json: &[u8], source: String) -> Result<Schema, SchemaError> {
        let document: Value = serde_json::from_slice(json)
            .map_err(|e| SchemaError(format!("schema {source} is not valid JSON: {e}")))?;
        if !document.is_object() {
            return Err(SchemaError(format!("schema {source} must be a JSON object")));
        }
        let validator = Self::build::<jsonschema::json::SerdeJson>(&document, &source)?;
        let id = document.get("$id").and_then(Value::as_str).unwrap_or("").to_string();
        let definitions: HashSet<String> = document
            .get("$defs")
            .and_then(Value::as_object)
            .map(|defs| defs.keys().cloned().collect())
            .unwrap_or_default();
        let date_times = strict::DateTimes::of(&document);
        let kind_defined = Kind::ALL.map(|k| definitions.contains(k.definition()));
        Ok(Schema { validator, document, representation: OnceLock::new(), documents: OnceLock::new(), id, source, definitions, kind_defined, date_times })
    }

    /// Draft 2020-12, formats asserted (`email` by our RFC 5321 check), no remote references: the
    /// same for every representation.
    fn build<F: jsonschema::json::Json>(document: &Value, source: &str) -> Result<jsonschema::Validator<F>, SchemaError> {
        jsonschema::options_for::<F>()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_format("email", email::is_mailbox)
            .build(document)
            .map_err(|e| SchemaError(format!("schema {source} does not compile: {e}")))
    }

    /// This schema compiled for the JSON representation `F`, compiled once and kept with the
    /// schema. `None` if it does not compile for `F` (it compiled for serde_json, so that would
    /// be a defect of `F`) or if another representation took the slot first.
    pub fn for_representation<F: jsonschema::json::Json>(&self) -> Option<&jsonschema::Validator<F>> {
        self.representation
            .get_or_init(|| match Self::build::<F>(&self.document, &self.source) {
                Ok(v) => Box::new(v),
                Err(e) => Box::new(e),
            })
            .downcast_ref::<jsonschema::Validator<F>>()
    }

    /// The schema's `$id` (empty when it has none).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where the schema came from: `embedded` or its path.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn has_definition(&self, name: &str) -> bool {
        self.definitions.contains(name)
    }

    /// `provenance.schemaRef` for a kind: the `$id` plus `#/$defs/<definition>`.
    pub fn schema_ref(&self, kind: Kind) -> String {
        format!("{}#/$defs/{}", self.id, kind.definition())
    }

    /// `Some(true)` when JSON text is a valid envelope, decided on a borrowed tape without
    /// building a `Value`; `None` when the caller must decide with [`Schema::violations`]
    /// (invalid, not JSON, too deep, or strict mode, whose rules read the whole envelope).
    /// `input::judge_json` does this and keeps the tape for an invalid envelope.
    pub fn valid_json_fast(&self, text: &str, check: &Check, max_depth: usize) -> Option<bool> {
        let doc = document::Document::parse(text, max_depth).ok()?;
        self.valid_doc(&doc, check).map(|_| true)
    }

    /// The rule fields of a parsed envelope when it passes every rule of `check` outside strict
    /// mode, decided on the tape; `None` when it does not, or in strict mode (whose rules read
    /// the whole envelope as a `Value`).
    pub fn valid_doc<'d>(&self, doc: &'d document::Document<'d>, check: &Check) -> Option<RuleFields<'d>> {
        if check.strict {
            return None;
        }
        let validator = self
            .documents
            .get_or_init(|| Self::build::<document::DocJson>(&self.document, &self.source).ok())
            .as_ref()?;
        let root = doc.root();
        let fields = RuleFields::from_doc(root);
        (validator.is_valid(root) && self.field_violations(&fields, check).is_empty()).then_some(fields)
    }

    /// The schemaRef and header rules on a parsed envelope, its members read on the tape (no
    /// `Value` is built).
    pub fn field_violations_doc(&self, envelope: document::DocNode<'_>, check: &Check) -> Vec<Violation> {
        self.field_violations(&RuleFields::from_doc(envelope), check)
    }

    /// Whether the envelope passes every rule of `check`.
    pub fn is_valid(&self, envelope: &Value, check: &Check) -> bool {
        self.validator.is_valid(envelope) && self.contract_violations(envelope, check).is_empty()
    }

    /// Every violation, schema first, then schemaRef, headers and the strict rules.
    pub fn violations(&self, envelope: &Value, check: &Check) -> Vec<Violation> {
        let mut out = Vec::new();
        if !self.validator.is_valid(envelope) {
            for error in self.validator.iter_errors(envelope) {
                report(&error, &mut out);
            }
        }
        out.extend(self.contract_violations(envelope, check));
        out
    }

    /// Like [`Schema::violations`] for an instance decoded from a representation that cannot
    /// tell `{}` from `[]` (PHP arrays): `empties` are the pointers of such empty containers,
    /// decoded as `[]`. Each one the schema wants as an object becomes `{}` before reporting.
    pub fn violations_resolving_empties(&self, envelope: &mut Value, empties: &[String], check: &Check) -> Vec<Violation> {
        self.resolve_empties(envelope, empties);
        self.violations(envelope, check)
    }

    /// Like [`Schema::is_valid`] with the same empty-container resolution.
    pub fn is_valid_resolving_empties(&self, envelope: &mut Value, empties: &[String], check: &Check) -> bool {
        self.resolve_empties(envelope, empties);
        self.is_valid(envelope, check)
    }

    fn resolve_empties(&self, envelope: &mut Value, empties: &[String]) {
        if empties.is_empty() {
            return;
        }
        // Each round turns at least one `[]` into `{}`, so this ends after `empties.len()` rounds.
        for _ in 0..=empties.len() {
            let flips = objects_wanted_by(&self.validator, &*envelope, |path| empties.iter().any(|e| e == path));
            if flips.is_empty() {
                return;
            }
            for pointer in flips {
                if let Some(slot) = envelope.pointer_mut(&pointer) {
                    if slot.as_array().is_some_and(Vec::is_empty) {
                        *slot = Value::Object(Default::default());
                    }
                }
            }
        }
    }

    /// One round of [`Schema::violations_resolving_empties`] on an envelope held in another
    /// representation (a binding's values in place, empty containers read as `[]`): the
    /// pointers of the empty containers (`is_empty(pointer)`) the schema wants as objects.
    /// Empty when the envelope is valid or wants none; `None` if the schema does not compile
    /// for `F`.
    pub fn objects_wanted<'a, F: jsonschema::json::Json>(
        &'a self,
        envelope: F::Node<'a>,
        is_empty: impl Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        Some(objects_wanted_by(self.for_representation::<F>()?, envelope, is_empty))
    }

    /// Whether an envelope held in another representation passes every rule of strict mode
    /// without headers: the schema, schemaRef (on `fields`, read from the same envelope) and
    /// the strict rules. `None` if the schema does not compile for `F`.
    pub fn is_strictly_valid_as<'a, F: jsonschema::json::Json>(
        &self,
        envelope: F::Node<'a>,
        fields: &RuleFields,
        checksum: strict::ChecksumRule,
    ) -> Option<bool> {
        let validator = self.for_representation::<F>()?;
        if !validator.is_valid(envelope.clone()) || !self.field_violations(fields, &Check::default()).is_empty() {
            return Some(false);
        }
        let mut out = Vec::new();
        strict::check_of::<F>(&envelope, &self.date_times, checksum, &mut out);
        Some(out.is_empty())
    }

    /// The rules beside the schema: schemaRef, headers and (strict) the rules that read the whole
    /// envelope.
    pub fn contract_violations(&self, envelope: &Value, check: &Check) -> Vec<Violation> {
        let mut out = self.field_violations(&RuleFields::from_value(envelope), check);
        if check.strict {
            strict::check(envelope, &self.date_times, &mut out);
        }
        out
    }

    /// The schemaRef and header rules alone, on the few members they read. Outside strict mode
    /// this is every rule beside the schema.
    pub fn field_violations(&self, fields: &RuleFields, check: &Check) -> Vec<Violation> {
        let mut out = Vec::new();
        self.schema_ref_rule(fields, &mut out);
        if let Some(headers) = check.headers {
            headers::check(fields, headers, &mut out);
        }
        out
    }

    /// Rule 1: the fragment of `provenance.schemaRef` is `/$defs/<definition>` for the kind, and
    /// the loaded schema has that definition.
    fn schema_ref_rule(&self, fields: &RuleFields, out: &mut Vec<Violation>) {
        let Some(kind) = fields.kind.text().and_then(Kind::parse) else { return };
        let Some(schema_ref) = fields.schema_ref.text() else { return };
        const PATH: &str = "/provenance/schemaRef";
        let names_definition = |fragment: &str| {
            let check = |f: &str| f.strip_prefix("/$defs/") == Some(kind.definition());
            // Only a percent-encoded fragment (`/%24defs/...`) pays for decoding.
            check(fragment) || (fragment.contains('%') && crate::percent::decode(fragment).is_some_and(|f| check(&f)))
        };
        match schema_ref.split_once('#') {
            None => out.push(Violation::new(
                PATH,
                "schemaRef",
                format!("schemaRef {} has no fragment; kind {kind} needs #/$defs/{}", quote(schema_ref), kind.definition()),
            )),
            Some((_, fragment)) if !names_definition(fragment) => out.push(Violation::new(
                PATH,
                "schemaRef",
                format!(
                    "schemaRef fragment {} does not match kind {kind}, which needs #/$defs/{}",
                    quote(fragment),
                    kind.definition()
                ),
            )),
            Some(_) if !self.kind_defined[kind.index()] => out.push(Violation::new(
                PATH,
                "schemaRef",
                format!("the loaded schema has no $defs/{} for kind {kind}", kind.definition()),
            )),
            Some(_) => {}
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}


/// The empty containers (`is_empty(pointer)`) at which `validator` reports a `type` error
/// wanting an object; none when the envelope is valid.
fn objects_wanted_by<'a, F: jsonschema::json::Json>(
    validator: &'a jsonschema::Validator<F>,
    envelope: F::Node<'a>,
    is_empty: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut flips = Vec::new();
    if !validator.is_valid(envelope.clone()) {
        for error in validator.iter_errors(envelope) {
            wants_object(&error, &is_empty, &mut flips);
        }
    }
    flips
}

/// A `type` error at an ambiguous empty container whose schema wants an object.
fn wants_object(error: &ValidationError, is_empty: &dyn Fn(&str) -> bool, flips: &mut Vec<String>) {
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let names = type_names(kind);
            let path = error.instance_path().as_str();
            if names.contains(&"object") && !names.contains(&"array") && is_empty(path) {
                flips.push(path.to_string());
            }
        }
        ValidationErrorKind::AnyOf { context }
        | ValidationErrorKind::OneOfNotValid { context }
        | ValidationErrorKind::OneOfMultipleValid { context } => {
            for branch in context {
                for e in branch {
                    wants_object(e, is_empty, flips);
                }
            }
        }
        _ => {}
    }
}

fn type_names(kind: &TypeKind) -> Vec<&'static str> {
    let name = |t: jsonschema::JsonType| match t {
        jsonschema::JsonType::Array => "array",
        jsonschema::JsonType::Boolean => "boolean",
        jsonschema::JsonType::Integer => "integer",
        jsonschema::JsonType::Null => "null",
        jsonschema::JsonType::Number => "number",
        jsonschema::JsonType::Object => "object",
        jsonschema::JsonType::String => "string",
    };
    match kind {
        TypeKind::Single(t) => vec![name(*t)],
        TypeKind::Multiple(set) => set.iter().map(name).collect(),
    }
}

/// Turns one schema error into violations; a failed `anyOf`/`oneOf` also reports the causes
/// inside its branches that lie deeper than itself, so `/error/attempt` is findable.
fn report(error: &ValidationError, out: &mut Vec<Violation>) {
    let path = error.instance_path().as_str().to_string();
    out.push(Violation::new(path.clone(), error.kind().keyword(), message(error)));
    if let ValidationErrorKind::AnyOf { context }
    | ValidationErrorKind::OneOfNotValid { context } = error.kind()
    {
        let mut seen = HashSet::new();
        for branch in context {
            for cause in branch {
                let is_shape_only = cause.instance_path().as_str() == path
                    && matches!(cause.kind(), ValidationErrorKind::Type { .. });
                if is_shape_only {
                    continue;
                }
                let mut nested = Vec::new();
                report(cause, &mut nested);
                for v in nested {
                    if seen.insert((v.path.clone(), v.keyword.clone(), v.message.clone())) {
                        out.push(v);
                    }
                }
            }
        }
    }
}

/// A sentence naming the offending member and value.
fn message(error: &ValidationError) -> String {
    let at = match error.instance_path().as_str() {
        "" => "the envelope".to_string(),
        p => p.rsplit('/').next().map(|last| format!("{} ({p})", quote(&unescape_token(last)))).unwrap_or_default(),
    };
    let instance = error.instance();
    let value = show_value(instance);
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            format!("{at} is missing required property {}", show_value(property))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let names: Vec<String> = unexpected.iter().map(|n| quote(n)).collect();
            format!("{at} has unexpected propert{} {}", if names.len() == 1 { "y" } else { "ies" }, names.join(", "))
        }
        ValidationErrorKind::Type { kind } => {
            format!("{at} must be of type {} but is {}", type_names(kind).join(" or "), describe_type(instance))
        }
        ValidationErrorKind::Enum { options } => format!("{at} is {value}, which is not one of {}", show_value(options)),
        ValidationErrorKind::Constant { expected_value } => {
            format!("{at} is {value}, but must be {}", show_value(expected_value))
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{at} is {value}, which does not match the pattern {}", quote(pattern))
        }
        ValidationErrorKind::Format { format } => {
            format!("{at} is {value}, which is not a valid {format}{}", format_hint(format))
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("{at} is {value}, shorter than the minimum length {limit}")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("{at} is {value}, longer than the maximum length {limit}")
        }
        ValidationErrorKind::Minimum { limit } => format!("{at} is {value}, below the minimum {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("{at} is {value}, above the maximum {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("{at} is {value}, not above {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("{at} is {value}, not below {limit}"),
        ValidationErrorKind::MinItems { limit } => {
            format!("{at} has {} item(s), fewer than the minimum {limit}", instance.as_array().map_or(0, Vec::len))
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!("{at} has {} items, more than the maximum {limit}", instance.as_array().map_or(0, Vec::len))
        }
        ValidationErrorKind::UniqueItems => format!("{at} has duplicate items"),
        ValidationErrorKind::AnyOf { .. } => format!("{at} is {value}, which matches none of the allowed shapes"),
        ValidationErrorKind::OneOfNotValid { .. } => format!("{at} is {value}, which matches none of the oneOf shapes"),
        ValidationErrorKind::OneOfMultipleValid { .. } => format!("{at} matches more than one of the oneOf shapes"),
        ValidationErrorKind::FalseSchema => format!("{at} is not allowed here"),
        _ => format!("{at}: {}", error.masked()),
    }
}

fn format_hint(format: &str) -> &'static str {
    match format {
        "date-time" => " (RFC 3339 with a real calendar date, e.g. 2026-01-31T12:00:00Z)",
        "uri" => " (an absolute URI with a scheme)",
        "email" => " address",
        _ => "",
    }
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn describe_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value for a message: scalars written out (strings cut), containers summarised.
fn show_value(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Array(items) if items.len() <= 8 && items.iter().all(|i| !i.is_array() && !i.is_object()) => {
            let shown: Vec<String> = items.iter().map(show_value).collect();
            format!("[{}]", shown.join(", "))
        }
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::Object(map) => format!("an object with {} members", map.len()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
