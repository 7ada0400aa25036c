//! The payload checksum across the connectors' languages: `canonical::checksum` (what
//! `Envelope::checksum()` returns), npm `canonicalize` (JavaScript), PyPI `rfc8785` (Python) and,
//! when the extension is loaded, `PhpGrc\Bus\Envelope::checksum()` itself, over named and
//! generated payloads. Go is not here: its module proxy cannot be reached from this machine.
//!
//! `make xlang` installs the two libraries into `build/xlang` (`make test` does it first and
//! sets `PHPGRC_BUS_XLANG_REQUIRED=1`, so a missing one fails there); a plain `cargo test`
//! without them says so and checks nothing.

#[path = "support/seeded.rs"]
mod seeded;
#[path = "support/payloads.rs"]
mod payloads;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use phpgrc_bus::canonical::{self, MAX_SAFE_INTEGER};
use seeded::Seeded;
use serde_json::{json, Value};

fn xlang_dir() -> PathBuf {
    std::env::var_os("PHPGRC_BUS_XLANG")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("build/xlang"))
}

fn required() -> bool {
    std::env::var_os("PHPGRC_BUS_XLANG_REQUIRED").is_some_and(|v| v == "1")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xlang").join(name)
}

/// Runs `command` with the payloads on stdin, one JSON text a line; its output lines.
fn run(mut command: Command, lines: &str) -> Vec<String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = lines.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("the script ran");
    writer.join().expect("writer thread").expect("payloads written");
    assert!(output.status.success(), "{command:?} failed: {:?}", output.status);
    String::from_utf8(output.stdout).expect("UTF-8 output").lines().map(str::to_owned).collect()
}

/// The JavaScript and Python checksums of `payloads`, or `None` when the libraries are not
/// installed (and not required).
fn theirs(payloads: &[Value]) -> Option<(Vec<String>, Vec<String>)> {
    let dir = xlang_dir();
    let (node_dir, python) = (dir.join("node"), dir.join("venv/bin/python"));
    if !node_dir.join("node_modules/canonicalize/package.json").exists() || !python.exists() {
        assert!(!required(), "{} lacks canonicalize or rfc8785: run `make xlang`", dir.display());
        eprintln!("skipped: no {} (run `make xlang` to install canonicalize and rfc8785)", dir.display());
        return None;
    }
    let lines = jsonl(payloads);
    let mut node = Command::new("node");
    node.arg(script("checksum.mjs")).arg(&node_dir);
    let mut py = Command::new(python);
    py.arg(script("checksum.py"));
    Some((run(node, &lines), run(py, &lines)))
}

fn jsonl(payloads: &[Value]) -> String {
    payloads.iter().map(|p| serde_json::to_string(p).expect("serialises") + "\n").collect()
}

/// Named payloads, then generated ones (a fixed seed), all inside the domain.
fn payloads() -> Vec<Value> {
    let mut rng = Seeded::new(0x5eed_0301);
    let mut all = payloads::named();
    all.extend((0..3000).map(|_| payloads::random_value(&mut rng, 0)));
    all
}

#[test]
fn javascript_and_python_libraries_compute_our_checksums() {
    let payloads = payloads();
    let Some((javascript, python)) = theirs(&payloads) else { return };
    assert_eq!((javascript.len(), python.len()), (payloads.len(), payloads.len()));
    for (i, payload) in payloads.iter().enumerate() {
        let ours = canonical::checksum(payload).unwrap_or_else(|e| panic!("payload {i}: {e}"));
        assert_eq!(javascript[i], ours, "payload {i} (canonicalize): {payload}");
        assert_eq!(python[i], ours, "payload {i} (rfc8785): {payload}");
    }
    eprintln!("{} payloads: canonicalize, rfc8785 and ours agree on every checksum", payloads.len());
}

/// `Envelope::checksum()` itself, from PHP values (`json_decode`) and from the JSON text.
#[test]
fn envelope_checksum_in_php_is_the_same_function() {
    let loaded = Command::new("php").arg("-m").output().ok().is_some_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l == "phpgrc_bus"));
    if !loaded {
        assert!(!required(), "php -m does not list phpgrc_bus: install the extension (or set PHP_INI_SCAN_DIR)");
        eprintln!("skipped: the phpgrc_bus extension is not loaded in php");
        return;
    }
    let payloads = payloads();
    let mut php = Command::new("php");
    php.arg(script("checksum.php"));
    let lines = run(php, &jsonl(&payloads));
    assert_eq!(lines.len(), payloads.len());
    let mut from_values = 0;
    for (i, (payload, line)) in payloads.iter().zip(&lines).enumerate() {
        let ours = canonical::checksum(payload).unwrap_or_else(|e| panic!("payload {i}: {e}"));
        let (from_value, from_text) = line.split_once('\t').unwrap_or_else(|| panic!("payload {i}: {line}"));
        assert_eq!(from_text, ours, "payload {i} as JSON text: {payload}");
        if from_value != "-" {
            assert_eq!(from_value, ours, "payload {i} as PHP values: {payload}");
            from_values += 1;
        }
    }
    eprintln!("{} payloads through PHP ({from_values} also as PHP values): the same checksums", payloads.len());
}

/// Outside the domain: JavaScript rounds the integer to a double (so two payloads would share a
/// checksum), Python refuses it, and so do we.
#[test]
fn integers_beyond_2_pow_53_are_refused_as_python_does_where_javascript_rounds() {
    let max = MAX_SAFE_INTEGER;
    let beyond = [json!({"n": max + 2}), json!({"n": -(max as i64) - 2}), json!([u64::MAX]), json!({"n": max + 1})];
    // The doubles JavaScript reads them as (2^53 + 1 is a tie, which goes to the even 2^53).
    let two_53 = (max + 1) as f64;
    let rounded = [json!({"n": two_53}), json!({"n": -two_53}), json!([u64::MAX as f64]), json!({"n": two_53})];
    for payload in &beyond {
        assert!(canonical::checksum(payload).is_err(), "{payload}");
    }
    let Some((javascript, python)) = theirs(&beyond) else { return };
    for (i, payload) in beyond.iter().enumerate() {
        assert!(python[i].starts_with("ERROR IntegerDomainError"), "rfc8785 on {payload}: {}", python[i]);
        let as_double = canonical::checksum(&rounded[i]).expect("a double is inside the domain");
        assert_eq!(javascript[i], as_double, "canonicalize writes {payload} as the nearest double");
    }
}
