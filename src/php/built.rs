//! `Run::envelope()` in place: the envelope as a PHP array made around the caller's own arrays
//! (shared by refcount, copied only on the way to an empty array that must become `{}`), its
//! `[]` → `{}` resolution, checksum and strict verdict taken on those PHP values. No JSON tree
//! is built.
//!
//! Only plain data is built here (arrays, scalars, UTF-8 strings; no references or objects),
//! and only an envelope that passes: for anything else this returns `None` and the caller takes
//! the converting path (`envelope::Run::envelope` over serde values), which refuses it with its
//! messages, or builds what this would have built (a differential phpt holds them equal).

use std::mem::ManuallyDrop;
use std::sync::OnceLock;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::flags::ZvalTypeFlags;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendObject, ZendStr, Zval};

use super::convert::{self, entries};
use super::ini;
use super::zval_json::{self, PhpJson};
use crate::contract::strict::ChecksumRule;
use crate::contract::{Kind, Schema};
use crate::envelope::Run;
use crate::input::Key;
use crate::{canonical, timestamp, ulid};

/// The options of `Run::envelope()`, read without converting: strings borrowed, arrays as
/// the caller's zvals.
#[derive(Default)]
struct Given<'a> {
    priority: Option<&'a str>,
    emitted_at: Option<&'a str>,
    received_at: Option<&'a str>,
    id: Option<&'a str>,
    meta: Option<&'a Zval>,
    attachments: Option<&'a Zval>,
}

impl<'a> Given<'a> {
    /// `None` for anything the converting path refuses (unknown keys, wrong types).
    fn read(options: Option<&'a ZendHashTable>) -> Option<Given<'a>> {
        let mut given = Given::default();
        let Some(options) = options else { return Some(given) };
        for (key, value) in entries(options) {
            let Key::Name(name) = key else { return None };
            let value = value.dereference();
            let slot = match name {
                b"priority" => &mut given.priority,
                b"emittedAt" => &mut given.emitted_at,
                b"receivedAt" => &mut given.received_at,
                b"id" => &mut given.id,
                b"meta" | b"attachments" if value.is_null() => continue,
                b"meta" => {
                    given.meta = Some(value.is_array().then_some(value)?);
                    continue;
                }
                b"attachments" => {
                    given.attachments = Some(value.is_array().then_some(value)?);
                    continue;
                }
                _ => return None,
            };
            if !value.is_null() {
                *slot = Some(value.str()?);
            }
        }
        Some(given)
    }
}

/// `provenance.schemaRef` of each kind, formatted once per process.
fn schema_ref(kind: Kind) -> &'static str {
    static REFS: OnceLock<[String; 7]> = OnceLock::new();
    &REFS.get_or_init(|| Kind::ALL.map(|k| Schema::embedded().schema_ref(k)))[kind.index()]
}

/// The member names a builder writes, in the contract's order.
const NAMES: [&str; 19] = [
    "id", "busVersion", "connectorKey", "connectorVersion", "tenantId", "runId", "kind", "event", "emittedAt",
    "receivedAt", "priority", "payload", "provenance", "attachments", "meta", "error",
    // provenance
    "ingestedAt", "schemaRef", "checksum",
];

/// Where each member name is in [`NAMES`].
#[derive(Clone, Copy)]
enum Name {
    Id,
    BusVersion,
    ConnectorKey,
    ConnectorVersion,
    TenantId,
    RunId,
    Kind,
    Event,
    EmittedAt,
    ReceivedAt,
    Priority,
    Payload,
    Provenance,
    Attachments,
    Meta,
    Error,
    IngestedAt,
    SchemaRef,
    Checksum,
}

/// A run's PHP strings, made once per `Run`: the member names, the run's identity and each
/// kind's `kind` and `schemaRef` values. Every envelope of the run holds these strings, shared
/// by refcount, instead of allocating, copying and hashing them again.
pub struct Stamp {
    names: Vec<ZBox<ZendStr>>,
    /// busVersion, connectorKey, connectorVersion, tenantId, runId.
    identity: [Zval; 5],
    kinds: Vec<Zval>,
    schema_refs: Vec<Zval>,
    normal: Zval,
}

fn text(s: &str) -> Zval {
    let mut zv = Zval::new();
    // Only fails on an interior NUL in a C string, which ZendStr does not use.
    let _ = zv.set_string(s, false);
    zv
}

impl Stamp {
    pub fn new(run: &Run) -> Stamp {
        Stamp {
            names: NAMES.iter().map(|name| ZendStr::new(name, false)).collect(),
            identity: [run.bus_version(), run.connector_key(), run.connector_version(), run.tenant_id(), run.run_id()].map(text),
            kinds: Kind::ALL.iter().map(|k| text(k.as_str())).collect(),
            schema_refs: Kind::ALL.iter().map(|&k| text(schema_ref(k))).collect(),
            normal: text("normal"),
        }
    }

    fn key(&self, name: Name) -> ArrayKey<'_> {
        ArrayKey::ZendString(&self.names[name as usize])
    }
}

/// A string member of a PHP array, `Some(None)` when absent, `None` when it is not a UTF-8 string.
fn text_member<'a>(ht: &'a ZendHashTable, key: &str) -> Option<Option<&'a str>> {
    match ht.get(key) {
        None => Some(None),
        Some(v) => v.str().map(Some),
    }
}

/// The envelope `run` builds from these arguments, or `None` when the converting path must
/// decide (see the module comment).
pub fn envelope(
    stamp: &Stamp,
    kind: &str,
    event: &str,
    payload: &ZendHashTable,
    provenance: &ZendHashTable,
    options: Option<&ZendHashTable>,
) -> Option<ZBox<ZendHashTable>> {
    let kind = Kind::parse(kind)?;
    let given = Given::read(options)?;
    let limits = ini::limits();
    // Each part within the limits on its own, as the converting path reads them.
    let mut empties = zval_json::plain_table(payload, &limits)?;
    zval_json::plain_table(provenance, &limits)?;
    for part in [given.meta, given.attachments].into_iter().flatten() {
        empties += zval_json::plain_table(part.array()?, &limits)?;
    }
    if payload.is_empty() || zval_json::is_list(payload) {
        return None;
    }
    if !entries(provenance).all(|(key, _)| matches!(key, Key::Name(_))) {
        return None;
    }
    if given.id.is_some_and(|id| !ulid::is_ulid(id))
        || given.emitted_at.is_some_and(|t| !timestamp::is_utc(t))
        || given.received_at.is_some_and(|t| !timestamp::is_utc(t))
    {
        return None;
    }
    let ingested_at = text_member(provenance, "ingestedAt")?;
    if ingested_at.is_some_and(|t| !timestamp::is_utc(t)) {
        return None;
    }
    let schema_ref = schema_ref(kind);
    if text_member(provenance, "schemaRef")?.is_some_and(|given| given != schema_ref) {
        return None;
    }
    let given_checksum = text_member(provenance, "checksum")?;

    let now = (given.emitted_at.is_none() || ingested_at.is_none()).then(timestamp::now_utc_millis);
    let now = now.as_deref().unwrap_or_default();
    let mut provenance = provenance.to_owned();
    if ingested_at.is_none() {
        provenance.insert(stamp.key(Name::IngestedAt), now).ok()?;
    }
    provenance.insert(stamp.key(Name::SchemaRef), stamp.schema_refs[kind.index()].shallow_clone()).ok()?;
    // Keys in the contract's order, as the converting path writes them.
    let mut envelope = ZendHashTable::with_capacity(16);
    let mut set = |name: Name, value: Zval| envelope.insert(stamp.key(name), value).ok();
    set(Name::Id, match given.id {
        Some(id) => text(id),
        None => text(&ulid::generate()),
    })?;
    for (name, value) in [Name::BusVersion, Name::ConnectorKey, Name::ConnectorVersion, Name::TenantId, Name::RunId].into_iter().zip(&stamp.identity) {
        set(name, value.shallow_clone())?;
    }
    set(Name::Kind, stamp.kinds[kind.index()].shallow_clone())?;
    set(Name::Event, text(event))?;
    set(Name::EmittedAt, text(given.emitted_at.unwrap_or(now)))?;
    if let Some(received_at) = given.received_at {
        set(Name::ReceivedAt, text(received_at))?;
    }
    set(Name::Priority, given.priority.map_or_else(|| stamp.normal.shallow_clone(), text))?;
    // A shallow copy: the payload's members stay the caller's, shared.
    set(Name::Payload, payload.to_owned().into_zval(false).ok()?)?;
    set(Name::Provenance, provenance.into_zval(false).ok()?)?;
    if let Some(attachments) = given.attachments {
        set(Name::Attachments, attachments.shallow_clone())?;
    }
    if let Some(meta) = given.meta {
        set(Name::Meta, meta.shallow_clone())?;
    }
    set(Name::Error, Zval::new())?;

    let schema = Schema::embedded();
    if empties > 0 {
        resolve_empties(schema, &mut envelope, empties)?;
    }
    let checksum = canonical::checksum_of::<PhpJson>(zval_json::plain(envelope.get("payload")?)).ok()?;
    if given_checksum.is_some_and(|given| given != checksum) {
        return None;
    }
    envelope.get_mut("provenance")?.array_mut()?.insert(stamp.key(Name::Checksum), checksum).ok()?;

    let root = view(&envelope);
    let root = zval_json::plain(&root);
    let fields = zval_json::rule_fields(root);
    schema.is_strictly_valid_as::<PhpJson>(root, &fields, ChecksumRule::Derived)?.then_some(envelope)
}

/// A zval that shows a PHP array without owning it: not refcounted, so never released through it.
fn view(ht: &ZendHashTable) -> ManuallyDrop<Zval> {
    let mut zv = Zval::new();
    zv.u1.type_info = ZvalTypeFlags::Array.bits();
    zv.value.arr = std::ptr::from_ref(ht).cast_mut();
    ManuallyDrop::new(zv)
}

/// The converting path's `[]` → `{}` resolution (`Schema::violations_resolving_empties`) on
/// the PHP array: round by round, each empty array of payload, meta or attachments the schema
/// wants as an object becomes an empty stdClass. The empties in provenance stay `[]` there too.
fn resolve_empties(schema: &'static Schema, envelope: &mut ZBox<ZendHashTable>, empties: usize) -> Option<()> {
    for _ in 0..=empties {
        let flips = {
            let root = view(envelope);
            let resolvable = |pointer: &str| {
                let first = pointer.split('/').nth(1);
                matches!(first, Some("payload" | "meta" | "attachments"))
                    && at(envelope, pointer).and_then(Zval::array).is_some_and(ZendHashTable::is_empty)
            };
            schema.objects_wanted::<PhpJson>(zval_json::plain(&root), resolvable)?
        };
        if flips.is_empty() {
            return Some(());
        }
        for pointer in flips {
            make_object(envelope, &pointer)?;
        }
    }
    Some(())
}

/// The RFC 6901 reference tokens of a pointer, unescaped.
fn tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// The member a token names in a PHP array: PHP keeps `"12"` as the integer key 12.
fn member<'a>(ht: &'a ZendHashTable, token: &str) -> Option<&'a Zval> {
    match convert::integer_key(token) {
        Some(i) => ht.get_index(i),
        None => ht.get(token),
    }
}

fn member_mut<'a>(ht: &'a mut ZendHashTable, token: &str) -> Option<&'a mut Zval> {
    match convert::integer_key(token) {
        Some(i) => ht.get_index_mut(i),
        None => ht.get_mut(token),
    }
}

/// The value at a pointer into nested PHP arrays.
fn at<'a>(envelope: &'a ZendHashTable, pointer: &str) -> Option<&'a Zval> {
    let mut tokens = tokens(pointer);
    let mut value = member(envelope, &tokens.next()?)?;
    for token in tokens {
        value = member(value.array()?, &token)?;
    }
    Some(value)
}

/// Replaces the empty array at a pointer with an empty stdClass, copying each array on the way
/// that is shared (with the caller, or within the envelope), as PHP's copy-on-write does.
fn make_object(envelope: &mut ZendHashTable, pointer: &str) -> Option<()> {
    let tokens: Vec<String> = tokens(pointer).collect();
    let (last, path) = tokens.split_last()?;
    let mut table = envelope;
    for token in path {
        table = separated(member_mut(table, token)?)?;
    }
    let slot = member_mut(table, last)?;
    if !slot.array().is_some_and(ZendHashTable::is_empty) {
        return None;
    }
    ZendObject::new_stdclass().set_zval(slot, false).ok()
}

/// The array a slot holds, made its own first if it is shared or immutable.
fn separated(slot: &mut Zval) -> Option<&mut ZendHashTable> {
    let ht = slot.array()?;
    if ht.is_immutable() || ht.gc.refcount > 1 {
        let copy = ht.to_owned();
        // Releases the slot's reference to the shared array.
        slot.set_hashtable(copy);
    }
    slot.array_mut()
}
