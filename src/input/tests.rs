use super::*;

/// A tree of PHP values for the walk: arrays with any keys, stdClass objects, a resource. A
/// container names its identity, so that a test can give one its ancestor's (what a
/// reference back up the tree is to the binding).
enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(Vec<u8>),
    Array(usize, Vec<(Entry, Tree)>),
    Object(usize, Vec<(Vec<u8>, Tree)>),
    Resource,
}

enum Entry {
    I(i64),
    N(&'static str),
}

impl<'a> Held<'a> for &'a Tree {
    type Entries = std::vec::IntoIter<(Key<'a>, &'a Tree)>;

    fn data(&self) -> Data<'a, Self::Entries> {
        match self {
            Tree::Null => Data::Null,
            Tree::Bool(b) => Data::Bool(*b),
            Tree::Int(i) => Data::Int(*i),
            Tree::Float(f) => Data::Float(*f),
            Tree::Text(t) => Data::Text(t),
            Tree::Array(id, entries) => Data::Container {
                entries: entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Entry::I(i) => Key::Index(*i),
                            Entry::N(n) => Key::Name(n.as_bytes()),
                        };
                        (key, v)
                    })
                    .collect::<Vec<_>>()
                    .into_iter(),
                empty: entries.is_empty(),
                object: false,
                identity: *id,
            },
            Tree::Object(id, members) => Data::Container {
                entries: members.iter().map(|(k, v)| (Key::Name(k.as_slice()), v)).collect::<Vec<_>>().into_iter(),
                empty: members.is_empty(),
                object: true,
                identity: *id,
            },
            Tree::Resource => Data::NotData("a resource is not JSON data".into()),
        }
    }
}

fn text(s: &str) -> Tree {
    Tree::Text(s.as_bytes().to_vec())
}

/// An array with named keys; ids count up from `id`.
fn map(id: usize, members: Vec<(&'static str, Tree)>) -> Tree {
    Tree::Array(id, members.into_iter().map(|(k, v)| (Entry::N(k), v)).collect())
}

fn list(id: usize, items: Vec<Tree>) -> Tree {
    Tree::Array(id, items.into_iter().enumerate().map(|(i, v)| (Entry::I(i as i64), v)).collect())
}

fn walk(tree: &Tree, limits: Limits) -> Result<Decoded, String> {
    to_json(tree, &limits).map_err(|e| e.to_string())
}

fn value(tree: &Tree) -> Value {
    walk(tree, Limits::DEFAULT).unwrap().value
}

#[test]
fn an_array_keyed_0_to_n_in_order_is_a_list_and_any_other_an_object() {
    assert_eq!(value(&list(1, vec![Tree::Int(1), Tree::Bool(true), Tree::Null])), serde_json::json!([1, true, null]));
    let reordered = Tree::Array(1, vec![(Entry::I(1), Tree::Int(1)), (Entry::I(0), Tree::Int(0))]);
    assert_eq!(value(&reordered), serde_json::json!({"1": 1, "0": 0}));
    let mixed = Tree::Array(1, vec![(Entry::I(0), Tree::Int(0)), (Entry::N("a"), Tree::Int(1))]);
    assert_eq!(value(&mixed), serde_json::json!({"0": 0, "a": 1}));
    let negative = Tree::Array(1, vec![(Entry::I(-1), Tree::Int(0))]);
    assert_eq!(value(&negative), serde_json::json!({"-1": 0}));
    // A stdClass is an object whatever its keys.
    let object = Tree::Object(1, vec![(b"0".to_vec(), Tree::Int(0))]);
    assert_eq!(value(&object), serde_json::json!({"0": 0}));
    assert_eq!(value(&Tree::Float(1.5)), serde_json::json!(1.5));
}

#[test]
fn empty_arrays_are_read_as_lists_and_their_pointers_kept_for_the_schema() {
    let tree = map(
        1,
        vec![
            ("a", list(2, vec![])),
            ("b", Tree::Object(3, vec![])),
            ("c", list(4, vec![list(5, vec![])])),
            ("x/y~z", list(6, vec![])),
        ],
    );
    let decoded = walk(&tree, Limits::DEFAULT).unwrap();
    assert_eq!(decoded.value, serde_json::json!({"a": [], "b": {}, "c": [[]], "x/y~z": []}));
    assert_eq!(decoded.empties, vec!["/a", "/c/0", "/x~1y~0z"]);
    assert_eq!(walk(&list(1, vec![]), Limits::DEFAULT).unwrap().empties, vec![""], "the envelope itself");
}

#[test]
fn nesting_is_counted_from_the_envelope_itself_up_to_max_depth() {
    let limits = Limits { max_depth: 2, max_bytes: 100 };
    assert!(walk(&list(1, vec![list(2, vec![Tree::Int(1)])]), limits).is_ok());
    let deep = list(1, vec![list(2, vec![list(3, vec![Tree::Int(1)])])]);
    assert_eq!(walk(&deep, limits).unwrap_err(), "nesting deeper than the maximum depth of 2 (ini phpgrc_bus.max_depth) at /0/0");
    assert!(Limits::DEFAULT.admits_depth(127) && !Limits::DEFAULT.admits_depth(128));
}

#[test]
fn strings_and_member_names_count_against_max_bytes() {
    let limits = Limits { max_depth: 8, max_bytes: 5 };
    assert!(walk(&map(1, vec![("ab", text("cde"))]), limits).is_ok());
    let long_value = map(1, vec![("ab", text("cdef"))]);
    assert_eq!(walk(&long_value, limits).unwrap_err(), "the envelope holds more than 5 bytes of text (ini phpgrc_bus.max_bytes) at /ab");
    let long_name = map(1, vec![("abc", text("cde"))]);
    assert!(walk(&long_name, limits).unwrap_err().ends_with(" at /abc"));
    let mut budget = Budget::new(&limits);
    assert!(budget.take(5) && !budget.take(1) && !budget.take(usize::MAX));
}

#[test]
fn values_without_a_json_form_are_refused_where_they_are() {
    let nan = map(1, vec![("a", list(2, vec![Tree::Float(f64::NAN)]))]);
    assert_eq!(walk(&nan, Limits::DEFAULT).unwrap_err(), "NaN is not a finite number and has no JSON form (NaN/INF) at /a/0");
    assert_eq!(walk(&Tree::Float(f64::INFINITY), Limits::DEFAULT).unwrap_err(), "inf is not a finite number and has no JSON form (NaN/INF)");
    let bad_text = map(1, vec![("s", Tree::Text(b"a\xff".to_vec()))]);
    assert_eq!(walk(&bad_text, Limits::DEFAULT).unwrap_err(), "string is not valid UTF-8 (invalid byte at offset 1) at /s");
    let bad_key = map(1, vec![("a", Tree::Object(2, vec![(b"\xc3".to_vec(), Tree::Null)]))]);
    assert_eq!(walk(&bad_key, Limits::DEFAULT).unwrap_err(), "array key is not valid UTF-8 (invalid byte at offset 0) at /a");
    let resource = map(1, vec![("r", Tree::Resource)]);
    assert_eq!(walk(&resource, Limits::DEFAULT).unwrap_err(), "a resource is not JSON data at /r");
}

#[test]
fn a_value_that_holds_itself_is_refused() {
    let looped = list(1, vec![list(2, vec![list(1, vec![Tree::Int(1)])])]);
    assert_eq!(walk(&looped, Limits::DEFAULT).unwrap_err(), "the value contains itself (a recursive reference), which has no JSON form at /0/0");
    // The same container twice side by side is no cycle.
    assert!(walk(&list(1, vec![list(2, vec![Tree::Int(1)]), list(2, vec![Tree::Int(2)])]), Limits::DEFAULT).is_ok());
}

#[test]
fn a_deep_place_is_named_by_its_start_and_end() {
    let mut tree = Tree::Float(f64::NAN);
    for i in 0..100 {
        tree = map(i + 1, vec![("key", tree)]);
    }
    let message = walk(&tree, Limits::DEFAULT).unwrap_err();
    let at = message.split(" at ").nth(1).unwrap();
    assert_eq!(at.chars().count(), 121, "{at}");
    assert!(at.starts_with("/key/key") && at.ends_with("key/key") && at.contains('…'), "{at}");
}

#[test]
fn json_text_is_read_within_the_limits() {
    // Containers count, as in PHP values and on the tape: three levels of them, scalars inside.
    let limits = Limits { max_depth: 3, max_bytes: 20 };
    assert_eq!(parse_json(b"[[[1]]]", &limits).unwrap(), serde_json::json!([[[1]]]));
    assert_eq!(parse_json(br#"{"a":{"b":[1]}}"#, &limits).unwrap(), serde_json::json!({"a": {"b": [1]}}));
    assert_eq!(
        parse_json(b"[[[[1]]]]", &limits).unwrap_err().to_string(),
        "invalid JSON: nesting deeper than the maximum depth of 3 (ini phpgrc_bus.max_depth)"
    );
    assert_eq!(
        parse_json(&[b' '; 21], &limits).unwrap_err().to_string(),
        "the envelope is 21 bytes, over the limit of 20 bytes (ini phpgrc_bus.max_bytes)"
    );
    assert_eq!(parse_json(b"{", &limits).unwrap_err().to_string(), "invalid JSON at line 1 column 1: EOF while parsing an object");
    let utf8 = parse_json(b"\"\xff\"", &limits).unwrap_err().to_string();
    assert!(utf8.starts_with("invalid JSON at line 1 column ") && utf8.ends_with(" (invalid UTF-8 or escape)"), "{utf8}");
    let deep = "[".repeat(200);
    let message = parse_json(deep.as_bytes(), &Limits::DEFAULT).unwrap_err().to_string();
    assert!(message.starts_with("invalid JSON: nesting deeper than the maximum depth of 128 (ini phpgrc_bus.max_depth), at line 1 column "), "{message}");
}

/// Every fixture envelope, as JSON text.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("php-tests/fixtures/envelopes");
    let mut out = Vec::new();
    out.push(("large.json".to_owned(), std::fs::read(root.join("large.json")).unwrap()));
    for kind in std::fs::read_dir(&root).unwrap() {
        let kind = kind.unwrap().path();
        if !kind.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&kind).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("valid") || name.starts_with("invalid") {
                out.push((format!("{}/{name}", kind.display()), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 50, "{} fixtures", out.len());
    out
}

#[test]
fn an_envelope_given_as_json_is_judged_from_one_parse_with_the_verdict_of_the_full_rules() {
    let schema = Schema::embedded();
    for strict in [false, true] {
        let check = Check { headers: None, strict };
        for (name, bytes) in fixtures() {
            let serde: Value = serde_json::from_slice(&bytes).unwrap();
            let expected = schema.violations(&serde, &check);
            match judge_json(schema, &bytes, &check, &Limits::DEFAULT, |fields| fields.kind.text().map(str::to_owned)) {
                Ok(Judged::Valid(kind)) => {
                    assert!(!strict, "{name}: strict reads the whole envelope");
                    assert!(expected.is_empty(), "{name}: {expected:?}");
                    assert_eq!(kind.as_deref(), serde["kind"].as_str(), "{name}");
                }
                Ok(Judged::Value(value)) => {
                    // Built from the tape (or, in strict mode, read by serde_json): the value
                    // serde_json parses, so the violations are the ones the full path reports.
                    assert_eq!(value, serde, "{name}");
                    assert_eq!(schema.violations(&value, &check), expected, "{name}");
                    assert!(strict || !expected.is_empty(), "{name}: the tape refused a valid envelope");
                }
                Err(e) => panic!("{name}: {e}"),
            }
        }
    }
}

#[test]
fn the_value_built_from_the_tape_is_the_one_serde_json_parses() {
    let schema = Schema::embedded();
    let check = Check::default();
    for text in [r#"{"kind":-0,"runId":[-0,0,1.0],"x":{"a":1,"a":2}}"#, r#"[1,2]"#, r#""text""#, "1e2"] {
        let Ok(Judged::Value(value)) = judge_json(schema, text.as_bytes(), &check, &Limits::DEFAULT, |_| ()) else {
            panic!("{text} is not an envelope")
        };
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap(), "{text}");
    }
}

#[test]
fn text_that_is_not_json_is_an_error_worded_by_serde_json() {
    let schema = Schema::embedded();
    let limits = Limits { max_depth: 4, max_bytes: 64 };
    for text in ["{", "{\"a\":1,}", "[[[[[1]]]]]", "\"\\ud800\""] {
        let judged = judge_json(schema, text.as_bytes(), &Check::default(), &limits, |_| ());
        assert_eq!(judged.unwrap_err().refusal, parse_json(text.as_bytes(), &limits).unwrap_err(), "{text}");
    }
    let large = judge_json(schema, &[b' '; 65], &Check::default(), &limits, |_| ()).unwrap_err();
    assert_eq!(large.refusal, Refusal::JsonTooLarge { bytes: 65, max_bytes: 64 });
}
