//! `PhpGrc\Bus\Validator`: converts the arguments, runs the core contract, maps the result.
//! The rules are the contract's; reading a JSON string once is `input::judge_json`, reading
//! PHP values `convert` (and `zval_json` in place).

use std::path::Path;
use std::sync::Arc;

use ext_php_rs::prelude::*;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::{self, InputError};
use super::exceptions::{violations_table, BusError};
use super::ini;
use super::zval_json::{self, PhpJson};
use crate::contract::{Check, HeaderValue, Headers, Schema, Violation};
use crate::input::{self, Judged, Key, Limits};

#[php_class]
#[php(name = "PhpGrc\\Bus\\Validator")]
#[php(flags = ext_php_rs::flags::ClassFlags::Final)]
pub struct Validator {
    schema: Arc<Schema>,
    strict: bool,
}

/// The schema for a path argument, the ini setting, or the embedded contract.
pub fn schema_for(path: Option<&str>) -> Result<Arc<Schema>, BusError> {
    let path = path.map(str::to_owned).or_else(ini::schema_path);
    match path {
        None => Ok(Schema::embedded().clone()),
        Some(p) => Schema::load(Path::new(&p)).map_err(|e| BusError::Schema(e.0)),
    }
}

/// Queue headers from a PHP array: name => string, or name => list (its first element counts).
pub fn headers_from(ht: &ZendHashTable) -> Result<Headers, BusError> {
    let mut headers = Headers::new();
    for (key, value) in convert::entries(ht) {
        let name = match key {
            Key::Name(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Key::Index(i) => i.to_string(),
        };
        let value = value.dereference();
        let hv = if let Some(s) = value.zend_str() {
            text(s.as_bytes())
        } else if let Some(list) = value.array() {
            match convert::entries(list).next().map(|(_, v)| v) {
                None => HeaderValue::Empty,
                Some(first) => match first.dereference().zend_str() {
                    Some(s) => text(s.as_bytes()),
                    None => HeaderValue::NotText(kind_of(first)),
                },
            }
        } else {
            HeaderValue::NotText(kind_of(value))
        };
        headers.push(name, hv);
    }
    Ok(headers)
}

fn text(bytes: &[u8]) -> HeaderValue {
    match std::str::from_utf8(bytes) {
        Ok(s) => HeaderValue::Text(s.to_owned()),
        Err(_) => HeaderValue::NotText("a string that is not valid UTF-8"),
    }
}

fn kind_of(zv: &Zval) -> &'static str {
    let zv = zv.dereference();
    if zv.is_long() {
        "an integer"
    } else if zv.is_double() {
        "a float"
    } else if zv.is_bool() {
        "a boolean"
    } else if zv.is_null() {
        "null"
    } else if zv.is_array() {
        "a nested array"
    } else {
        "an object or resource"
    }
}

impl Validator {
    /// `Some(true)` when an array or stdClass envelope is valid, decided in place without
    /// converting it; `None` when the full path must decide (strict mode, anything invalid —
    /// so violations and input errors always come from one place).
    fn valid_in_place(&self, zv: &Zval, check: &Check, limits: &Limits) -> Option<bool> {
        if check.strict {
            return None;
        }
        if !(zv.is_array() || zv.is_object()) {
            return None;
        }
        let php = self.schema.for_representation::<PhpJson>()?;
        let root = zval_json::checked(zv, limits)?;
        let valid = php.is_valid(root) && self.schema.field_violations(&zval_json::rule_fields(root), check).is_empty();
        valid.then_some(true)
    }

    /// The violations of an envelope in any accepted form.
    pub fn check(&self, envelope: &Zval, headers: Option<&ZendHashTable>) -> Result<Vec<Violation>, BusError> {
        let headers = headers.map(headers_from).transpose()?;
        let check = Check { headers: headers.as_ref(), strict: self.strict };
        let limits = ini::limits();
        let zv = envelope.dereference();
        if let Some(s) = zv.zend_str() {
            // One parse: an invalid envelope is reported on the value its tape builds.
            return Ok(match input::judge_json(&self.schema, s.as_bytes(), &check, &limits, |_| ()).map_err(InputError::from)? {
                Judged::Valid(()) => Vec::new(),
                Judged::Value(value) => self.schema.violations(&value, &check),
            });
        }
        if self.valid_in_place(zv, &check, &limits).is_some() {
            return Ok(Vec::new());
        }
        let mut decoded =
            convert::decode_envelope(envelope, &limits, "PhpGrc\\Bus\\Validator::validate(): Argument #1 ($envelope)")?;
        Ok(self.schema.violations_resolving_empties(&mut decoded.value, &decoded.empties, &check))
    }

    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    pub fn strict(&self) -> bool {
        self.strict
    }
}

#[php_impl]
impl Validator {
    pub fn __construct(schemaPath: Option<String>, options: Option<&ZendHashTable>) -> PhpResult<Self> {
        let mut strict = false;
        if let Some(options) = options {
            for (key, value) in convert::entries(options) {
                let name = match key {
                    Key::Name(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
                    Key::Index(_) => None,
                };
                match name.as_deref() {
                    Some("strict") => match value.dereference().bool() {
                        Some(b) => strict = b,
                        None => {
                            return Err(BusError::Type("option 'strict' must be of type bool".into()).into())
                        }
                    },
                    other => {
                        return Err(BusError::InvalidArgument(format!(
                            "unknown option {:?}; the Validator accepts: strict",
                            other.unwrap_or("(integer key)")
                        ))
                        .into())
                    }
                }
            }
        }
        let schema = schema_for(schemaPath.as_deref())?;
        Ok(Validator { schema, strict })
    }

    /// Every violation, `[]` when valid.
    pub fn validate(&self, envelope: &Zval, headers: Option<&ZendHashTable>) -> PhpResult<ZBox<ZendHashTable>> {
        Ok(violations_table(&self.check(envelope, headers)?))
    }

    pub fn is_valid(&self, envelope: &Zval, headers: Option<&ZendHashTable>) -> PhpResult<bool> {
        let headers = headers.map(headers_from).transpose()?;
        let check = Check { headers: headers.as_ref(), strict: self.strict };
        let limits = ini::limits();
        let zv = envelope.dereference();
        if let Some(s) = zv.zend_str() {
            let judged = input::judge_json(&self.schema, s.as_bytes(), &check, &limits, |_| ()).map_err(|e| BusError::from(InputError::from(e)))?;
            return Ok(match judged {
                Judged::Valid(()) => true,
                Judged::Value(value) => self.schema.is_valid(&value, &check),
            });
        }
        if let Some(valid) = self.valid_in_place(zv, &check, &limits) {
            return Ok(valid);
        }
        let mut decoded = convert::decode_envelope(envelope, &limits, "PhpGrc\\Bus\\Validator::isValid(): Argument #1 ($envelope)")
            .map_err(BusError::from)?;
        Ok(self.schema.is_valid_resolving_empties(&mut decoded.value, &decoded.empties, &check))
    }

    pub fn assert_valid(&self, envelope: &Zval, headers: Option<&ZendHashTable>) -> PhpResult<()> {
        let violations = self.check(envelope, headers)?;
        if violations.is_empty() {
            Ok(())
        } else {
            Err(BusError::validation(violations).into())
        }
    }

    pub fn schema_id(&self) -> String {
        self.schema.id().to_string()
    }

    pub fn is_strict(&self) -> bool {
        self.strict
    }
}
