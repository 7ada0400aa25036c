//! One test per contract rule, named after the rule.
use super::*;
use serde_json::json;

const ID: &str = "https://phpgrc.internal/docs/integrations/integration-bus-envelope.schema.json";

fn envelope() -> Value {
    json!({
        "id": "01JABCDEFGHJKMNPQRSTVWXYZ0",
        "busVersion": "1.0.0",
        "connectorKey": "aws-config",
        "connectorVersion": "2025.10.0",
        "tenantId": "core.default",
        "runId": "01JABCDEFGHJKMNPQRSTVWXYZ1",
        "kind": "asset.discovery",
        "event": "asset.upserted",
        "emittedAt": "2026-01-31T12:00:00.123Z",
        "priority": "high",
        "payload": {
            "assetId": "i-0abc",
            "name": "web-1",
            "type": "ec2.instance",
            "environment": "production",
            "tags": ["web", "pci"],
            "attributes": {"cpu": 4, "zones": ["a", "b"], "public": false}
        },
        "provenance": {
            "source": "aws-config",
            "externalId": "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc",
            "ingestedAt": "2026-01-31T12:00:01Z",
            "schemaRef": format!("{ID}#/$defs/payloadAssetDiscovery"),
            "correlationId": "0123456789abcdef"
        },
        "error": null
    })
}

fn schema() -> &'static Schema {
    Schema::embedded()
}

fn violations(v: &Value) -> Vec<Violation> {
    schema().violations(v, &Check::default())
}

fn strict(v: &Value) -> Vec<Violation> {
    schema().violations(v, &Check { headers: None, strict: true })
}

fn keywords(vs: &[Violation]) -> Vec<(String, String)> {
    vs.iter().map(|v| (v.path.clone(), v.keyword.clone())).collect()
}

fn has(vs: &[Violation], path: &str, keyword: &str) -> bool {
    vs.iter().any(|v| v.path == path && v.keyword == keyword)
}

fn headers_for(v: &Value) -> Headers {
    Headers::from_pairs([
        ("x-phpgrc-bus-version", v["busVersion"].as_str().unwrap()),
        ("x-phpgrc-connector", v["connectorKey"].as_str().unwrap()),
        ("x-phpgrc-kind", v["kind"].as_str().unwrap()),
        ("x-phpgrc-run-id", v["runId"].as_str().unwrap()),
    ])
}

#[test]
fn embedded_schema_is_byte_identical_to_the_shared_contract() {
    // sha256 of ../shared/contract/integration-bus-envelope.schema.json as shipped.
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(EMBEDDED_SCHEMA.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, include_str!("../../schemas/integration-bus-envelope.schema.json.sha256").trim());
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/contract/integration-bus-envelope.schema.json");
    if let Ok(bytes) = std::fs::read(shared) {
        assert_eq!(bytes, EMBEDDED_SCHEMA.as_bytes(), "schemas/ drifted from ../shared/contract/");
    }
}

#[test]
fn valid_envelope_has_no_violations() {
    let v = envelope();
    assert_eq!(violations(&v), vec![]);
    assert!(schema().is_valid(&v, &Check::default()));
    assert_eq!(strict(&v), vec![]);
}

#[test]
fn schema_id_and_schema_ref_come_from_the_loaded_schema() {
    assert_eq!(schema().id(), ID);
    assert_eq!(schema().schema_ref(Kind::CyberMetric), format!("{ID}#/$defs/payloadCyberMetric"));
    for kind in Kind::ALL {
        assert!(schema().has_definition(kind.definition()), "{kind}");
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
    }
}

#[test]
fn required_top_level_members() {
    let mut v = envelope();
    v.as_object_mut().unwrap().remove("runId");
    let vs = violations(&v);
    assert!(has(&vs, "", "required"), "{vs:?}");
    assert!(vs[0].message.contains("runId"), "{}", vs[0].message);
}

#[test]
fn no_additional_top_level_members() {
    let mut v = envelope();
    v["extra"] = json!(1);
    let vs = violations(&v);
    assert_eq!(keywords(&vs), vec![("".into(), "additionalProperties".into())]);
    assert!(vs[0].message.contains("\"extra\""));
}

#[test]
fn ulid_pattern_on_ids() {
    let mut v = envelope();
    v["id"] = json!("01jabcdefghjkmnpqrstvwxyz0"); // lowercase is not Crockford canonical
    let vs = violations(&v);
    assert!(has(&vs, "/id", "pattern"), "{vs:?}");
    assert!(vs[0].message.contains("01jabcdefghjkmnpqrstvwxyz0"));
}

#[test]
fn semver_bus_version() {
    let mut v = envelope();
    v["busVersion"] = json!("1.0");
    assert!(has(&violations(&v), "/busVersion", "pattern"));
}

#[test]
fn kind_enum() {
    let mut v = envelope();
    v["kind"] = json!("asset.unknown");
    let vs = violations(&v);
    assert!(has(&vs, "/kind", "enum"), "{vs:?}");
}

#[test]
fn per_kind_payload_rules_apply_through_if_then() {
    let mut v = envelope();
    v["payload"].as_object_mut().unwrap().remove("environment");
    let vs = violations(&v);
    assert!(has(&vs, "/payload", "required"), "{vs:?}");
    assert!(vs.iter().any(|x| x.message.contains("environment")));

    // The same payload under another kind is judged by that kind's definition.
    let mut v = envelope();
    v["kind"] = json!("auth.provider");
    v["provenance"]["schemaRef"] = json!(format!("{ID}#/$defs/payloadAuthProvider"));
    let vs = violations(&v);
    assert!(has(&vs, "/payload", "required"), "{vs:?}");
    assert!(has(&vs, "/payload", "additionalProperties"), "{vs:?}");
}

#[test]
fn format_date_time_requires_a_real_calendar_date() {
    let mut v = envelope();
    v["emittedAt"] = json!("2026-02-30T10:00:00Z");
    let vs = violations(&v);
    assert_eq!(keywords(&vs), vec![("/emittedAt".into(), "format".into())]);
    assert!(vs[0].message.contains("2026-02-30"));
    v["emittedAt"] = json!("2024-02-29T10:00:00Z"); // leap day
    assert_eq!(violations(&v), vec![]);
}

#[test]
fn format_uri_must_be_absolute() {
    let mut v = envelope();
    v["provenance"]["schemaRef"] = json!("integration-bus-envelope.schema.json#/$defs/payloadAssetDiscovery");
    assert!(has(&violations(&v), "/provenance/schemaRef", "format"));
}

#[test]
fn format_email_in_vendor_contacts() {
    let v = json!({
        "id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "busVersion": "1.0.0", "connectorKey": "okta",
        "connectorVersion": "1.2.3", "tenantId": "core.default", "runId": "01JABCDEFGHJKMNPQRSTVWXYZ1",
        "kind": "vendor.profile", "event": "vendor.updated", "emittedAt": "2026-01-31T12:00:00Z",
        "payload": {"vendorId": "v1", "name": "Acme", "category": "saas",
            "contacts": [{"name": "A", "email": "not-an-email", "role": "owner"}],
            "services": [{"name": "s", "description": "d"}]},
        "provenance": {"source": "okta", "externalId": "v1", "ingestedAt": "2026-01-31T12:00:00Z",
            "schemaRef": format!("{ID}#/$defs/payloadVendorProfile")}
    });
    let vs = violations(&v);
    assert_eq!(keywords(&vs), vec![("/payload/contacts/0/email".into(), "format".into())]);
}

#[test]
fn any_of_failure_reports_the_causes_inside_the_branches() {
    let mut v = envelope();
    v["error"] = json!({"code": "X", "message": "m", "occurredAt": "2026-01-31T12:00:00Z", "attempt": 0, "maxAttempts": 5});
    let vs = violations(&v);
    assert!(has(&vs, "/error", "anyOf"), "{vs:?}");
    assert!(has(&vs, "/error/attempt", "minimum"), "{vs:?}");
    // The "not null" branch is the shape mismatch already said by anyOf; it is not repeated.
    assert!(!vs.iter().any(|x| x.path == "/error" && x.keyword == "type"), "{vs:?}");

    v["error"] = json!({"code": "X", "message": "m", "occurredAt": "2026-01-31T12:00:00Z", "maxAttempts": 5});
    let vs = violations(&v);
    assert!(vs.iter().any(|x| x.path == "/error" && x.keyword == "required" && x.message.contains("attempt")), "{vs:?}");
}

#[test]
fn schema_ref_fragment_must_name_the_kinds_definition() {
    let mut v = envelope();
    v["provenance"]["schemaRef"] = json!(format!("{ID}#/$defs/payloadCyberMetric"));
    let vs = violations(&v);
    assert_eq!(keywords(&vs), vec![("/provenance/schemaRef".into(), "schemaRef".into())]);
    assert!(vs[0].message.contains("asset.discovery") && vs[0].message.contains("payloadAssetDiscovery"));

    v["provenance"]["schemaRef"] = json!(ID);
    let vs = violations(&v);
    assert_eq!(keywords(&vs), vec![("/provenance/schemaRef".into(), "schemaRef".into())]);
    assert!(vs[0].message.contains("no fragment"));

    v["provenance"]["schemaRef"] = json!(format!("{ID}#/%24defs/payloadAssetDiscovery"));
    assert_eq!(violations(&v), vec![]);
}

#[test]
fn schema_ref_definition_must_exist_in_the_loaded_schema() {
    let mut doc: Value = serde_json::from_str(EMBEDDED_SCHEMA).unwrap();
    doc["$defs"].as_object_mut().unwrap().remove("payloadAuthProvider");
    doc["allOf"].as_array_mut().unwrap().pop(); // its if/then refers to the removed definition
    let custom = Schema::compile(doc.to_string().as_bytes(), "test".into()).unwrap();
    let mut v = envelope();
    v["kind"] = json!("auth.provider");
    v["payload"] = json!({"providerKey": "okta", "status": "healthy", "checkedAt": "2026-01-31T12:00:00Z"});
    v["provenance"]["schemaRef"] = json!(format!("{ID}#/$defs/payloadAuthProvider"));
    let vs = custom.violations(&v, &Check::default());
    assert_eq!(keywords(&vs), vec![("/provenance/schemaRef".into(), "schemaRef".into())]);
    assert!(vs[0].message.contains("no $defs/payloadAuthProvider"));
}

#[test]
fn required_headers_mirror_the_body() {
    let v = envelope();
    let ok = headers_for(&v);
    assert_eq!(schema().violations(&v, &Check { headers: Some(&ok), strict: false }), vec![]);

    let wrong = Headers::from_pairs([
        ("x-phpgrc-bus-version", "1.0.0"),
        ("x-phpgrc-connector", "aws-config"),
        ("x-phpgrc-kind", "asset.discovery"),
        ("x-phpgrc-run-id", "01JABCDEFGHJKMNPQRSTVWXYZ9"),
    ]);
    let vs = schema().violations(&v, &Check { headers: Some(&wrong), strict: false });
    assert_eq!(keywords(&vs), vec![("/runId".into(), "header".into())]);
    let m = &vs[0].message;
    assert!(m.contains("x-phpgrc-run-id") && m.contains("01JABCDEFGHJKMNPQRSTVWXYZ9") && m.contains("01JABCDEFGHJKMNPQRSTVWXYZ1"), "{m}");
}

#[test]
fn empty_headers_mean_every_required_header_is_missing() {
    let v = envelope();
    let none = Headers::new();
    let vs = schema().violations(&v, &Check { headers: Some(&none), strict: false });
    assert_eq!(vs.len(), 4, "{vs:?}");
    for (name, member) in headers::REQUIRED {
        assert!(vs.iter().any(|x| x.message.contains(name) && x.path == format!("/{member}")), "{name}");
    }
}

#[test]
fn header_names_compare_case_insensitively_and_values_exactly() {
    let v = envelope();
    let h = Headers::from_pairs([
        ("X-PhpGrc-Bus-Version", "1.0.0"),
        ("X-PHPGRC-CONNECTOR", "aws-config"),
        ("x-phpgrc-kind", "Asset.Discovery"),
        ("x-phpgrc-run-id", "01JABCDEFGHJKMNPQRSTVWXYZ1"),
    ]);
    let vs = schema().violations(&v, &Check { headers: Some(&h), strict: false });
    assert_eq!(keywords(&vs), vec![("/kind".into(), "header".into())]);
}

#[test]
fn header_list_value_counts_as_its_first_element() {
    let v = envelope();
    let h = Headers::from_json(&json!({
        "x-phpgrc-bus-version": ["1.0.0", "2.0.0"],
        "x-phpgrc-connector": ["aws-config"],
        "x-phpgrc-kind": "asset.discovery",
        "x-phpgrc-run-id": ["01JABCDEFGHJKMNPQRSTVWXYZ1"]
    }))
    .unwrap();
    assert_eq!(schema().violations(&v, &Check { headers: Some(&h), strict: false }), vec![]);
}

#[test]
fn priority_header_defaults_to_normal() {
    let mut v = envelope();
    let mut h = headers_for(&v);
    h.push("x-phpgrc-priority", HeaderValue::Text("high".into()));
    assert_eq!(schema().violations(&v, &Check { headers: Some(&h), strict: false }), vec![]);

    v.as_object_mut().unwrap().remove("priority");
    let vs = schema().violations(&v, &Check { headers: Some(&h), strict: false });
    assert_eq!(keywords(&vs), vec![("/priority".into(), "header".into())]);
    assert!(vs[0].message.contains("\"normal\""));
    let mut h = headers_for(&v);
    h.push("x-phpgrc-priority", HeaderValue::Text("normal".into()));
    assert_eq!(schema().violations(&v, &Check { headers: Some(&h), strict: false }), vec![]);
}

#[test]
fn correlation_header_needs_a_body_correlation_id() {
    let mut v = envelope();
    let mut h = headers_for(&v);
    h.push("x-phpgrc-correlation", HeaderValue::Text("0123456789abcdef".into()));
    assert_eq!(schema().violations(&v, &Check { headers: Some(&h), strict: false }), vec![]);

    v["provenance"].as_object_mut().unwrap().remove("correlationId");
    let vs = schema().violations(&v, &Check { headers: Some(&h), strict: false });
    assert_eq!(keywords(&vs), vec![("/provenance/correlationId".into(), "header".into())]);
    assert!(vs[0].message.contains("x-phpgrc-correlation"));
}

#[test]
fn non_text_header_values_are_violations() {
    let v = envelope();
    let h = Headers::from_json(&json!({
        "x-phpgrc-bus-version": 1, "x-phpgrc-connector": [], "x-phpgrc-kind": "asset.discovery",
        "x-phpgrc-run-id": "01JABCDEFGHJKMNPQRSTVWXYZ1"
    }))
    .unwrap();
    let vs = schema().violations(&v, &Check { headers: Some(&h), strict: false });
    assert_eq!(vs.len(), 2, "{vs:?}");
    assert!(vs.iter().all(|x| x.keyword == "header"));
}

#[test]
fn strict_timestamps_are_utc() {
    let mut v = envelope();
    v["emittedAt"] = json!("2026-01-31T14:00:00+02:00");
    v["provenance"]["ingestedAt"] = json!("2026-01-31T12:00:00+00:00");
    assert_eq!(violations(&v), vec![], "RFC 3339 offsets are valid date-times");
    let vs = strict(&v);
    assert_eq!(
        keywords(&vs),
        vec![("/emittedAt".into(), "utc".into()), ("/provenance/ingestedAt".into(), "utc".into())]
    );
}

#[test]
fn strict_timestamps_inside_kind_payloads_and_errors_are_utc() {
    let mut v = envelope();
    v["kind"] = json!("cyber.metric");
    v["provenance"]["schemaRef"] = json!(format!("{ID}#/$defs/payloadCyberMetric"));
    v["payload"] = json!({"sourceType": "siem", "assetKey": "a", "observedAt": "2026-01-31T12:00:00-05:00", "metrics": {"x": 1}});
    v["error"] = json!({"code": "X", "message": "m", "occurredAt": "2026-01-31T12:00:00+01:00", "attempt": 1, "maxAttempts": 5});
    let vs = strict(&v);
    assert!(has(&vs, "/payload/observedAt", "utc"), "{vs:?}");
    assert!(has(&vs, "/error/occurredAt", "utc"), "{vs:?}");
}

#[test]
fn strict_attachment_uris_are_https_or_s3_without_credentials() {
    let mut v = envelope();
    v["attachments"] = json!([
        {"type": "evidence", "uri": "https://bucket.example/report.pdf", "contentType": "application/pdf"},
        {"type": "log", "uri": "s3://bucket/key.log", "contentType": "text/plain"},
        {"type": "log", "uri": "http://bucket.example/x", "contentType": "text/plain"},
        {"type": "report", "uri": "https://user:hunter2@bucket.example/x", "contentType": "text/plain"}
    ]);
    assert_eq!(violations(&v), vec![]);
    let vs = strict(&v);
    assert_eq!(
        keywords(&vs),
        vec![("/attachments/2/uri".into(), "attachmentUri".into()), ("/attachments/3/uri".into(), "attachmentUri".into())]
    );
    assert!(!vs[1].message.contains("hunter2"), "credentials must not be echoed");
}

#[test]
fn strict_checksum_is_sha256_of_the_canonical_payload() {
    let mut v = envelope();
    v["provenance"]["checksum"] = json!(crate::canonical::checksum(&v["payload"]).unwrap_or_default());
    assert_eq!(strict(&v), vec![]);
    v["provenance"]["checksum"] = json!(crate::canonical::checksum_sha512(&v["payload"]).unwrap_or_default());
    assert_eq!(strict(&v), vec![]);
    v["provenance"]["checksum"] = json!("0".repeat(64));
    let vs = strict(&v);
    assert_eq!(keywords(&vs), vec![("/provenance/checksum".into(), "checksum".into())]);
    assert_eq!(violations(&v), vec![], "non-strict mode does not check it");
}

#[test]
fn strict_checksum_is_a_violation_when_the_payload_has_no_canonical_form() {
    let mut v = envelope();
    v["payload"]["attributes"]["bytes"] = json!(-9_007_199_254_740_992i64);
    assert_eq!(strict(&v), vec![], "no checksum given, nothing to check");
    v["provenance"]["checksum"] = json!("0".repeat(64));
    let vs = strict(&v);
    assert_eq!(keywords(&vs), vec![("/provenance/checksum".into(), "checksum".into())]);
    assert!(vs[0].message.contains("-9007199254740992 at /payload/attributes/bytes is beyond"), "{}", vs[0].message);
}

#[test]
fn strict_rejects_secret_looking_keys_in_payload_and_provenance() {
    let mut v = envelope();
    v["payload"]["attributes"]["db_password"] = json!("x");
    v["payload"]["attributes"]["apiKey"] = json!("y");
    let vs = strict(&v);
    assert_eq!(
        keywords(&vs),
        vec![
            ("/payload/attributes/db_password".into(), "secret".into()),
            ("/payload/attributes/apiKey".into(), "secret".into())
        ]
    );
    assert!(!vs.iter().any(|x| x.message.contains("\"x\"")), "secret values must not be echoed");
    assert_eq!(violations(&v), vec![]);
}

#[test]
fn empty_containers_from_php_resolve_to_the_type_the_schema_wants() {
    // PHP cannot tell {} from []: an empty array where an object is wanted is an empty object.
    let mut v = envelope();
    v["payload"]["attributes"] = json!([]);
    v["meta"] = json!([]);
    v["payload"]["tags"] = json!([]);
    let empties = vec!["/payload/attributes".to_string(), "/meta".to_string(), "/payload/tags".to_string()];
    assert_eq!(schema().violations_resolving_empties(&mut v, &empties, &Check::default()), vec![]);
    assert_eq!(v["meta"], json!({}));
    assert_eq!(v["payload"]["tags"], json!([]));

    // An empty payload is an empty object, which then misses its required members.
    let mut v = envelope();
    v["payload"] = json!([]);
    let vs = schema().violations_resolving_empties(&mut v, &["/payload".to_string()], &Check::default());
    assert!(has(&vs, "/payload", "required"), "{vs:?}");
    assert!(!vs.iter().any(|x| x.keyword == "type"), "{vs:?}");

    // error: [] is an empty object, which misses the error contract's members.
    let mut v = envelope();
    v["error"] = json!([]);
    let vs = schema().violations_resolving_empties(&mut v, &["/error".to_string()], &Check::default());
    assert!(has(&vs, "/error", "required"), "{vs:?}");
}

#[test]
fn root_that_is_not_an_object_is_a_type_violation() {
    for v in [json!([1, 2]), json!("x"), json!(12), json!(null)] {
        let vs = violations(&v);
        assert_eq!(keywords(&vs), vec![("".into(), "type".into())], "{v}");
    }
}

#[test]
fn schema_that_does_not_compile_is_a_schema_error() {
    let e = Schema::compile(br#"{"type": 12}"#, "bad".into()).unwrap_err();
    assert!(e.0.contains("does not compile"), "{e}");
    let e = Schema::compile(b"{nope", "bad".into()).unwrap_err();
    assert!(e.0.contains("not valid JSON"), "{e}");
    let e = Schema::load(std::path::Path::new("/nonexistent/schema.json")).unwrap_err();
    assert!(e.0.contains("no such file"), "{e}");
    let e = Schema::load(std::path::Path::new("/tmp")).unwrap_err();
    assert!(e.0.contains("directory"), "{e}");
}

#[test]
fn remote_refs_are_not_fetched() {
    let e = Schema::compile(br#"{"$ref": "https://example.com/schema.json"}"#, "remote".into());
    assert!(e.is_err(), "a remote $ref must fail at compile time, not fetch over the network");
}

#[test]
fn huge_values_are_cut_in_messages() {
    let mut v = envelope();
    v["id"] = json!("x".repeat(1_000_000));
    let vs = violations(&v);
    assert!(vs.iter().all(|x| x.message.len() < 400), "{:?}", vs.iter().map(|x| x.message.len()).collect::<Vec<_>>());
}

#[test]
fn fast_json_path_agrees_with_the_full_path() {
    let valid = envelope().to_string();
    let check = Check::default();
    assert_eq!(schema().valid_json_fast(&valid, &check, 128), Some(true));
    let h = headers_for(&envelope());
    assert_eq!(schema().valid_json_fast(&valid, &Check { headers: Some(&h), strict: false }, 128), Some(true));
    assert_eq!(schema().valid_json_fast(&valid, &Check { headers: Some(&Headers::new()), strict: false }, 128), None);
    assert_eq!(schema().valid_json_fast(&valid, &Check { headers: None, strict: true }, 128), None, "strict reads everything");
    let mut wrong_ref = envelope();
    wrong_ref["provenance"]["schemaRef"] = json!(format!("{ID}#/$defs/payloadCyberMetric"));
    let mut bad_date = envelope();
    bad_date["emittedAt"] = json!("2026-02-30T10:00:00Z");
    for invalid in [wrong_ref.to_string(), bad_date.to_string(), "{".to_string(), "[]".to_string()] {
        assert_eq!(schema().valid_json_fast(&invalid, &check, 128), None, "{invalid}");
    }
    // A later duplicate member wins, as in serde_json: an evil second kind is seen.
    let evil = valid.replacen("{", "{\"kind\":\"asset.discovery\",", 1).replacen("\"error\":null}", "\"error\":null,\"kind\":\"evil\"}", 1);
    assert!(!violations(&serde_json::from_str(&evil).unwrap()).is_empty());
    assert_eq!(schema().valid_json_fast(&evil, &check, 128), None);
}

#[test]
fn header_rules_on_json_text_agree_with_the_value_path() {
    let v = envelope();
    let text = v.to_string();
    let wrong = Headers::from_pairs([("x-phpgrc-kind", "cyber.metric")]);
    for headers in [headers_for(&v), Headers::new(), wrong] {
        let check = Check { headers: Some(&headers), strict: false };
        let doc = crate::document::Document::parse(&text, 128).unwrap();
        assert_eq!(schema().field_violations_doc(doc.root(), &check), schema().contract_violations(&v, &check));
    }
}
