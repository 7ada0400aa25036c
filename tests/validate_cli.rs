//! `phpgrc-bus-validate` as a process: every message and exit code of laravel/README.md
//! ("`integration-bus:validate`: output and exit codes"), over the envelope fixtures and temp
//! files. Byte parity with the artisan command is checked by `scripts/validate-parity`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const NO_HEADERS: &str = "No headers file provided; skipping header validation.\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("php-tests/fixtures/envelopes")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phpgrc-bus-validate"));
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env_remove("INTEGRATION_BUS_STRICT").env_remove("SHELL_VERBOSITY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            pipe.write_all(bytes).expect("stdin written");
        }
    }
    let out = child.wait_with_output().expect("the binary ends");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

/// A temporary directory, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new() -> Temp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "phpgrc-validate-cli-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Temp(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        std::fs::write(self.0.join(name), contents).expect("temp file");
        self.path(name)
    }

    fn copy(&self, fixture_name: &str, name: &str) -> String {
        self.write(name, std::fs::read(fixtures().join(fixture_name)).expect("fixture"))
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn envelope(fixture_name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures().join(fixture_name)).expect("fixture")).expect("fixture JSON")
}

fn json_line(r: &Run) -> Value {
    assert!(r.stdout.ends_with("}\n"), "{}", r.stdout);
    assert_eq!(r.stdout.matches('\n').count(), 1, "one line: {}", r.stdout);
    serde_json::from_str(&r.stdout).expect("JSON output")
}

// ---------------------------------------------------------------- valid and invalid

#[test]
fn a_valid_envelope_passes_with_exit_code_0() {
    let file = fixture("asset.discovery/valid.json");
    let r = run(&[&file]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Integration Bus envelope validation passed: {file}\n"));
}

#[test]
fn every_valid_fixture_passes_with_its_headers() {
    for kind in ["asset.discovery", "asset.lifecycle", "auth.provider", "cyber.metric", "incident.event", "indicator.metric", "vendor.profile"] {
        let file = fixture(&format!("{kind}/valid.json"));
        let headers = fixture(&format!("{kind}/headers.json"));
        let r = run(&[&file, &format!("--headers={headers}")]);
        assert_eq!(r.code, 0, "{kind}: {}", r.stdout);
        assert_eq!(r.stdout, format!("Integration Bus envelope validation passed: {file}\n"));
    }
}

#[test]
fn an_invalid_envelope_lists_its_violations_with_exit_code_1() {
    let file = fixture("asset.discovery/invalid-environment-enum.json");
    let r = run(&[&file]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        format!(
            "{NO_HEADERS}Validation failed: {file}\n - /payload/environment: \"environment\" (/payload/environment) is \"prod\", \
             which is not one of [\"production\", \"staging\", \"development\", \"test\", \"sandbox\", \"unknown\"] (enum)\n"
        )
    );
}

#[test]
fn violations_of_the_document_itself_are_shown_at_root() {
    let t = Temp::new();
    let file = t.write("empty.json", "{}");
    let r = run(&[&file]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[1], format!("Validation failed: {file}"));
    assert_eq!(lines[2], " - (root): the envelope is missing required property \"id\" (required)");
    assert!(lines[2..].iter().all(|l| l.starts_with(" - (root): ")));
}

#[test]
fn every_invalid_fixture_fails() {
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("invalid-") {
                continue;
            }
            let path = file.to_string_lossy().into_owned();
            let r = run(&[&path]);
            assert_eq!(r.code, 1, "{path}");
            assert!(r.stdout.contains(&format!("Validation failed: {path}\n - ")), "{path}: {}", r.stdout);
        }
    }
}

#[test]
fn strict_applies_the_rules_the_schema_cannot_express() {
    let t = Temp::new();
    let mut e = envelope("asset.discovery/valid.json");
    e["emittedAt"] = "2025-03-01T12:00:00+02:00".into();
    let file = t.write("offset.json", e.to_string());

    assert_eq!(run(&[&file]).code, 0);
    let strict = run(&[&file, "--strict"]);
    assert_eq!(strict.code, 1);
    assert!(strict.stdout.contains(" - /emittedAt: "), "{}", strict.stdout);

    // As config/integration-bus.php reads INTEGRATION_BUS_STRICT with Laravel's env().
    for (value, code) in [("true", 1), ("(true)", 1), ("1", 1), ("\"yes\"", 1), ("false", 0), ("(false)", 0), ("0", 0), ("", 0), ("null", 0)] {
        let r = run_with(&[&file], None, &[("INTEGRATION_BUS_STRICT", value)]);
        assert_eq!(r.code, code, "INTEGRATION_BUS_STRICT={value}");
    }
    let r = run_with(&[&file, "--format=json"], None, &[("INTEGRATION_BUS_STRICT", "true")]);
    assert_eq!(json_line(&r)["strict"], true);
}

#[test]
fn markup_in_values_is_printed_literally() {
    let t = Temp::new();
    let mut e = envelope("asset.discovery/valid.json");
    e["priority"] = "<info>urgent</info> <fg=red>x</>".into();
    let file = t.write("markup.json", e.to_string());
    let r = run(&[&file]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains(" - /priority: \"priority\" (/priority) is \"<info>urgent</info> <fg=red>x</>\", which is not one of"), "{}", r.stdout);
}

#[test]
fn an_array_where_the_schema_wants_an_empty_object_counts_as_one_as_in_php() {
    let t = Temp::new();
    let mut e = envelope("asset.discovery/valid.json");
    e["payload"]["attributes"] = serde_json::json!([]);
    let file = t.write("attrs.json", e.to_string());
    assert_eq!(run(&[&file]).code, 0);
}

// ---------------------------------------------------------------- input errors

#[test]
fn a_missing_file() {
    let t = Temp::new();
    let missing = t.path("nope.json");
    let r = run(&[&missing]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Envelope file not found: {missing}\n"));
}

#[test]
fn an_unreadable_file_a_socket() {
    // A unix socket exists and is not a directory, but cannot be read, even by root.
    let t = Temp::new();
    let path = t.path("socket.json");
    let _listener = std::os::unix::net::UnixListener::bind(&path).expect("socket");
    let r = run(&[&path]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Unable to read envelope file: {path}\n"));
}

#[test]
fn invalid_json() {
    let t = Temp::new();
    for (name, contents) in [
        ("broken.json", &b"{\"id\": "[..]),
        ("empty.json", b""),
        ("trailing-comma.json", b"{\"a\": 1,}"),
        ("bad-utf8.json", b"{\"a\": \"\xc3\x28\"}"),
        ("lone-surrogate.json", b"{\"a\": \"\\ud800\"}"),
        ("nul-property.json", b"{\"\\u0000a\": 1}"),
        ("bom.json", b"\xef\xbb\xbf{}"),
    ] {
        let file = t.write(name, contents);
        let r = run(&[&file]);
        assert_eq!(r.code, 1, "{name}");
        assert_eq!(r.stdout, format!("{NO_HEADERS}Invalid JSON in envelope file: {file}\n"), "{name}");
    }
}

#[test]
fn json_that_is_not_an_object() {
    let t = Temp::new();
    for json in ["[1, 2]", "[]", "\"envelope\"", "null", "1"] {
        let file = t.write("list.json", json);
        let r = run(&[&file]);
        assert_eq!(r.code, 1, "{json}");
        assert_eq!(r.stdout, format!("{NO_HEADERS}Envelope JSON must decode to an object: {file}\n"), "{json}");
    }
}

#[test]
fn an_envelope_nested_too_deep_cannot_be_validated() {
    let t = Temp::new();
    let deep = format!("{{\"payload\": {}1{}}}", "[".repeat(128), "]".repeat(128));
    let file = t.write("deep.json", deep);
    let r = run(&[&file]);
    assert_eq!(r.code, 1);
    let line = r.stdout.lines().nth(1).unwrap();
    assert!(
        line.starts_with(&format!(
            "Envelope cannot be validated: {file} (nesting deeper than the maximum depth of 128 (ini phpgrc_bus.max_depth) at /payload/0/0/"
        )),
        "{line}"
    );
    // Up to 128 levels are validated.
    let file = t.write("ok.json", format!("{{\"payload\": {}1{}}}", "[".repeat(127), "]".repeat(127)));
    assert!(run(&[&file]).stdout.contains(&format!("Validation failed: {file}\n")));
    // Beyond json_decode()'s depth of 512 it is not JSON at all.
    let file = t.write("deeper.json", format!("{}{}", "[".repeat(512), "]".repeat(512)));
    assert!(run(&[&file]).stdout.contains(&format!("Invalid JSON in envelope file: {file}\n")));
}

#[test]
fn an_infinite_number_cannot_be_validated() {
    let t = Temp::new();
    let file = t.write("inf.json", "{\"payload\": {\"x\": 1e400}}");
    let r = run(&[&file]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains(&format!(
        "Envelope cannot be validated: {file} (inf is not a finite number and has no JSON form (NaN/INF) at /payload/x)\n"
    )));
}

// ---------------------------------------------------------------- several inputs, directories, stdin

#[test]
fn several_files_report_each_and_a_total() {
    let a = fixture("asset.discovery/valid.json");
    let b = fixture("incident.event/valid.json");
    let r = run(&[&a, &b]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        format!(
            "{NO_HEADERS}Integration Bus envelope validation passed: {a}\nIntegration Bus envelope validation passed: {b}\n\
             2 envelopes checked: 2 passed, 0 failed.\n"
        )
    );
}

#[test]
fn one_bad_file_among_several_fails_the_run_but_all_are_checked() {
    let t = Temp::new();
    let missing = t.path("missing.json");
    let a = fixture("asset.discovery/valid.json");
    let r = run(&[&missing, &a]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        format!(
            "{NO_HEADERS}Envelope file not found: {missing}\nIntegration Bus envelope validation passed: {a}\n\
             2 envelopes checked: 1 passed, 1 failed.\n"
        )
    );
}

#[test]
fn a_directory_validates_every_json_file_inside_in_name_order() {
    let t = Temp::new();
    t.copy("vendor.profile/valid.json", "b.json");
    t.copy("cyber.metric/valid.json", "a.json");
    t.write("c.json", "[]");
    t.write("notes.txt", "not an envelope");
    std::fs::create_dir(t.0.join("nested.json")).unwrap();
    let dir = t.0.to_string_lossy().into_owned();

    let r = run(&[&format!("{dir}//")]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        format!(
            "{NO_HEADERS}Integration Bus envelope validation passed: {dir}/a.json\n\
             Integration Bus envelope validation passed: {dir}/b.json\n\
             Envelope JSON must decode to an object: {dir}/c.json\n\
             3 envelopes checked: 2 passed, 1 failed.\n"
        )
    );
}

#[test]
fn a_fixture_directory() {
    let dir = fixture("asset.lifecycle");
    let r = run(&[&dir, &format!("--headers={dir}/headers.json")]);
    assert_eq!(r.code, 1);
    // headers.json is a *.json file too: it is checked (and fails) like the others.
    assert!(r.stdout.starts_with(&format!("Validation failed: {dir}/headers.json\n")), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("Integration Bus envelope validation passed: {dir}/valid.json\n")));
    assert!(r.stdout.ends_with("8 envelopes checked: 1 passed, 7 failed.\n"), "{}", r.stdout);
}

#[test]
fn a_directory_without_json_files() {
    let t = Temp::new();
    t.write("notes.txt", "x");
    let dir = t.0.to_string_lossy().into_owned();
    let r = run(&[&dir]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{NO_HEADERS}No envelope files (*.json) in directory: {dir}\n"));
}

#[test]
fn standard_input() {
    let valid = std::fs::read(fixtures().join("asset.discovery/valid.json")).unwrap();
    let r = run_with(&["-"], Some(&valid), &[]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Integration Bus envelope validation passed: (stdin)\n"));

    let r = run_with(&["-"], Some(b"not json"), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Invalid JSON in envelope file: (stdin)\n"));

    let r = run_with(&["-"], Some(b"[]"), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, format!("{NO_HEADERS}Envelope JSON must decode to an object: (stdin)\n"));

    // Standard input is read once: a second `-` finds it empty.
    let r = run_with(&["-", "-"], Some(&valid), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.ends_with(
        "Integration Bus envelope validation passed: (stdin)\nInvalid JSON in envelope file: (stdin)\n2 envelopes checked: 1 passed, 1 failed.\n"
    ));
}

#[test]
fn a_progress_bar_is_drawn_on_stderr_above_the_threshold_only() {
    let t = Temp::new();
    let files: Vec<String> = (0..6).map(|i| t.copy("asset.discovery/valid.json", &format!("e{i}.json"))).collect();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();

    let five = run(&args[..5]);
    assert!(!five.stderr.contains("5/5"), "{}", five.stderr);

    let six = run(&args);
    assert_eq!(six.code, 0);
    assert!(six.stderr.contains("6/6"), "{}", six.stderr);
    assert!(!six.stdout.contains("6/6"));
    assert!(six.stdout.ends_with("6 envelopes checked: 6 passed, 0 failed.\n"));

    let json = run(&[&args[..], &["--format=json"]].concat());
    assert!(!json.stderr.contains("6/6"), "no bar in JSON format");
}

// ---------------------------------------------------------------- headers

#[test]
fn matching_headers_pass() {
    let file = fixture("asset.discovery/valid.json");
    let headers = fixture("asset.discovery/headers.json");
    for args in [vec![file.as_str(), "--headers", headers.as_str()], vec!["--headers", headers.as_str(), file.as_str()]] {
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}");
        assert_eq!(r.stdout, format!("Integration Bus envelope validation passed: {file}\n"));
    }
}

#[test]
fn header_names_are_case_insensitive_and_a_list_counts_as_its_first_value() {
    let t = Temp::new();
    let headers: serde_json::Map<String, Value> = envelope("asset.discovery/headers.json")
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_uppercase(), serde_json::json!([v, "ignored"])))
        .collect();
    let headers = t.write("headers.json", Value::Object(headers).to_string());
    let r = run(&[&fixture("asset.discovery/valid.json"), &format!("--headers={headers}")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn headers_that_do_not_mirror_the_body_fail() {
    let file = fixture("asset.lifecycle/valid.json");
    let r = run(&[&file, &format!("--headers={}", fixture("asset.discovery/headers.json"))]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        format!(
            "Validation failed: {file}\n\
             \x20- /connectorKey: header x-phpgrc-connector is \"aws-config\" but the body's connectorKey is \"servicenow-cmdb\" (header)\n\
             \x20- /kind: header x-phpgrc-kind is \"asset.discovery\" but the body's kind is \"asset.lifecycle\" (header)\n\
             \x20- /runId: header x-phpgrc-run-id is \"01JPBK4W0T2M5Q8S1V4X7Z0B3E\" but the body's runId is \"01JPC2R5X1Z3B5D7F9H1K3M5P7\" (header)\n"
        )
    );
}

#[test]
fn an_empty_headers_object_applies_the_header_rules() {
    let t = Temp::new();
    let headers = t.write("headers.json", "{}");
    let r = run(&[&fixture("asset.discovery/valid.json"), &format!("--headers={headers}")]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains(" - /busVersion: required header x-phpgrc-bus-version is missing (the body's busVersion is \"1.0.0\") (header)\n"));
}

#[test]
fn headers_from_standard_input() {
    let headers = std::fs::read(fixtures().join("asset.discovery/headers.json")).unwrap();
    let r = run_with(&[&fixture("asset.discovery/valid.json"), "--headers=-"], Some(&headers), &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run_with(&[&fixture("asset.discovery/valid.json"), "--headers=-"], Some(b"{"), &[]);
    assert_eq!(r.stdout, "Invalid JSON in headers file: (stdin)\n");
}

#[test]
fn a_bad_headers_file_stops_before_any_envelope() {
    let t = Temp::new();
    let valid = fixture("asset.discovery/valid.json");
    let missing = t.path("missing.json");
    let r = run(&[&valid, &format!("--headers={missing}")]);
    assert_eq!((r.code, r.stdout), (1, format!("Headers file not found: {missing}\n")));

    // A directory exists but is not a readable file; so is a socket.
    let dir = t.0.to_string_lossy().into_owned();
    let r = run(&[&valid, &format!("--headers={dir}")]);
    assert_eq!((r.code, r.stdout), (1, format!("Unable to read headers file: {dir}\n")));
    let socket = t.path("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let r = run(&[&valid, &format!("--headers={socket}")]);
    assert_eq!((r.code, r.stdout), (1, format!("Unable to read headers file: {socket}\n")));

    for (contents, message) in [
        ("{\"x-phpgrc-kind\": ", "Invalid JSON in headers file: %s"),
        ("[\"x-phpgrc-kind\"]", "Headers JSON must decode to an object: %s"),
        ("{\"x-phpgrc-kind\": 3}", "Headers JSON values must be strings or lists of strings: %s"),
        ("{\"x-phpgrc-kind\": {\"a\": \"b\"}}", "Headers JSON values must be strings or lists of strings: %s"),
        ("{\"x-phpgrc-kind\": [1]}", "Headers JSON values must be strings or lists of strings: %s"),
        ("{\"x-phpgrc-kind\": null}", "Headers JSON values must be strings or lists of strings: %s"),
    ] {
        let headers = t.write("headers.json", contents);
        let r = run(&[&valid, &format!("--headers={headers}")]);
        assert_eq!(r.code, 1, "{contents}");
        assert_eq!(r.stdout, format!("{}\n", message.replace("%s", &headers)), "{contents}");
    }
}

#[test]
fn an_empty_headers_option_means_no_headers() {
    let valid = fixture("asset.discovery/valid.json");
    for args in [vec![valid.as_str(), "--headers="], vec![valid.as_str(), "--headers"]] {
        let r = run(&args);
        assert_eq!(r.code, 0);
        assert!(r.stdout.starts_with(NO_HEADERS));
    }
}

// ---------------------------------------------------------------- JSON format

#[test]
fn json_format_for_a_valid_an_invalid_and_a_missing_envelope() {
    let t = Temp::new();
    let valid = fixture("asset.discovery/valid.json");
    let invalid = fixture("asset.lifecycle/invalid-priority-enum.json");
    let missing = t.path("missing.json");
    let r = run(&[&valid, &invalid, &missing, "--format=json"]);
    assert_eq!(r.code, 1);
    let report = json_line(&r);
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["valid", "strict", "headers", "error", "results"]);
    assert_eq!((&report["valid"], &report["strict"], &report["headers"], &report["error"]), (&false.into(), &false.into(), &Value::Null, &Value::Null));
    assert_eq!(report["results"][0], serde_json::json!({"file": valid, "valid": true, "error": null, "violations": []}));
    let second = &report["results"][1];
    assert_eq!((&second["file"], &second["valid"], &second["error"]), (&invalid.clone().into(), &false.into(), &Value::Null));
    assert_eq!(second["violations"][0]["path"], "/priority");
    let vkeys: Vec<&String> = second["violations"][0].as_object().unwrap().keys().collect();
    assert_eq!(vkeys, ["path", "keyword", "message"]);
    assert_eq!(
        report["results"][2],
        serde_json::json!({"file": missing, "valid": false, "error": format!("Envelope file not found: {missing}"), "violations": []})
    );
    // Slashes and non-ASCII characters are not escaped.
    assert!(r.stdout.contains(&format!("\"file\":\"{valid}\"")));
}

#[test]
fn json_format_when_all_pass() {
    let file = fixture("asset.discovery/valid.json");
    let headers = fixture("asset.discovery/headers.json");
    let r = run(&[&file, "--format=json", &format!("--headers={headers}"), "--strict"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        format!(
            "{{\"valid\":true,\"strict\":true,\"headers\":\"{headers}\",\"error\":null,\"results\":[{{\"file\":\"{file}\",\"valid\":true,\"error\":null,\"violations\":[]}}]}}\n"
        )
    );
}

#[test]
fn json_format_for_a_bad_headers_file() {
    let t = Temp::new();
    let headers = t.path("h.json");
    let r = run(&[&fixture("asset.discovery/valid.json"), "--format", "json", "--headers", &headers]);
    assert_eq!(r.code, 1);
    assert_eq!(
        json_line(&r),
        serde_json::json!({"valid": false, "strict": false, "headers": headers, "error": format!("Headers file not found: {headers}"), "results": []})
    );
}

#[test]
fn json_format_escapes_like_php() {
    let t = Temp::new();
    let mut e = envelope("asset.discovery/valid.json");
    e["priority"] = "a/é\u{2028}\u{1}\"\\".into();
    let file = t.write("odd.json", e.to_string());
    let r = run(&[&file, "--format=json"]);
    assert!(r.stdout.contains(r#"is \"a/é\u2028\u0001\"\\\", which"#), "{}", r.stdout);
}

#[test]
fn json_format_for_stdin_and_input_errors() {
    let r = run_with(&["-", "--format=json"], Some(b"[]"), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        json_line(&r)["results"][0],
        serde_json::json!({"file": "(stdin)", "valid": false, "error": "Envelope JSON must decode to an object: (stdin)", "violations": []})
    );
}

#[test]
fn an_unknown_format() {
    let valid = fixture("asset.discovery/valid.json");
    let r = run(&[&valid, "--format=yaml"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "Unknown format: yaml (expected text or json).\n"));
    let r = run(&[&valid, "--format="]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "Unknown format:  (expected text or json).\n"));
}

// ---------------------------------------------------------------- command line

#[test]
fn no_envelope_argument_is_an_error_on_stderr() {
    let r = run(&[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("Not enough arguments (missing: \"envelope\")."), "{}", r.stderr);
}

#[test]
fn unknown_options_are_errors_on_stderr() {
    let valid = fixture("asset.discovery/valid.json");
    for (args, message) in [
        (vec![valid.as_str(), "--nope"], "The \"--nope\" option does not exist."),
        (vec![valid.as_str(), "-x"], "The \"-x\" option does not exist."),
        (vec![valid.as_str(), "--strict=yes"], "The \"--strict\" option does not accept a value."),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 1, "{args:?}");
        assert_eq!(r.stdout, "");
        assert!(r.stderr.contains(message), "{}", r.stderr);
    }
}

#[test]
fn a_double_dash_ends_the_options() {
    let t = Temp::new();
    let file = t.copy("asset.discovery/valid.json", "-odd.json");
    let r = run_with(&["--", "-odd.json"], None, &[]);
    // Relative to the test's working directory: not found there, but taken as a path.
    assert_eq!(r.stdout, format!("{NO_HEADERS}Envelope file not found: -odd.json\n"));
    let r = run(&["--", &file]);
    assert_eq!(r.code, 0);
}

#[test]
fn quiet_prints_nothing_but_keeps_the_exit_code() {
    let r = run(&["-q", &fixture("asset.lifecycle")]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));
    let r = run(&["--quiet", &fixture("asset.lifecycle/valid.json")]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn ansi_colours_like_symfony() {
    let file = fixture("asset.discovery/valid.json");
    let r = run(&["--ansi", &file]);
    assert_eq!(
        r.stdout,
        format!("\x1b[33mNo headers file provided; skipping header validation.\x1b[39m\n\x1b[32mIntegration Bus envelope validation passed: {file}\x1b[39m\n")
    );
    let r = run(&["--ansi", &fixture("nope.json")]);
    assert!(r.stdout.ends_with(&format!("\x1b[37;41mEnvelope file not found: {}\x1b[39;49m\n", fixture("nope.json"))));
}

#[test]
fn help_and_version() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("--headers"), "{}", r.stdout);
    let r = run(&["-V"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("phpgrc-bus-validate "));
}

#[test]
fn another_schema_file() {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/integration-bus-envelope.schema.json");
    let schema = schema.to_string_lossy();
    let file = fixture("asset.discovery/valid.json");
    let r = run(&[&file, &format!("--schema={schema}")]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let t = Temp::new();
    let bad = t.write("schema.json", "[]");
    let r = run(&[&file, &format!("--schema={bad}")]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(r.stderr.contains("must be a JSON object"), "{}", r.stderr);
}
