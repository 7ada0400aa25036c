//! `phpgrc-bus-validate`: `php artisan integration-bus:validate` without PHP, for connector
//! repositories that are not PHP. Same arguments, same standard output byte for byte, same exit
//! codes (laravel/README.md, "`integration-bus:validate`: output and exit codes"; the PHP
//! implementation is laravel/src/Console/ValidateCommand.php). See docs/validate-cli.md.
//!
//! ```text
//! phpgrc-bus-validate <envelope.json|dir|-> ... [--headers=FILE] [--strict] [--format=text|json] [--schema=FILE]
//! ```
#![forbid(unsafe_code)]

#[path = "validate/console.rs"]
mod console;
#[path = "validate/php_json.rs"]
mod php_json;

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use console::{Output, Progress};
use php_json::PhpValue;
use phpgrc_bus::contract::{Check, HeaderValue, Headers, Schema, Violation};

const STDIN: &[u8] = b"-";
const STDIN_LABEL: &[u8] = b"(stdin)";
/// More inputs than this draw a progress bar (text format, on stderr).
const PROGRESS_THRESHOLD: usize = 5;
const NAME: &str = "phpgrc-bus-validate";
const SYNOPSIS: &str = "phpgrc-bus-validate [--headers [HEADERS]] [--strict] [--format [FORMAT]] [--schema [SCHEMA]] [--] <envelope>...";

fn main() -> ExitCode {
    let args: Vec<Vec<u8>> = std::env::args_os().skip(1).map(OsString::into_vec).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("{NAME}: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The parsed command line.
#[derive(Debug, Default)]
struct Args {
    envelopes: Vec<Vec<u8>>,
    /// `--headers`; `Some(None)` when given without a value.
    headers: Option<Option<Vec<u8>>>,
    strict: bool,
    /// `--format`; `Some(None)` when given without a value (which is no format at all).
    format: Option<Option<Vec<u8>>>,
    schema: Option<Option<Vec<u8>>>,
}

/// Options taking an optional value, as Symfony's `InputOption::VALUE_OPTIONAL`.
const VALUE_OPTIONS: [&str; 4] = ["headers", "format", "schema", "env"];
/// Flags, including Symfony's and Laravel's global options the artisan command also accepts.
const FLAGS: [&str; 7] = ["strict", "help", "quiet", "verbose", "version", "no-interaction", "ansi"];

/// The tokens before `--`.
fn option_tokens(args: &[Vec<u8>]) -> impl Iterator<Item = &[u8]> {
    args.iter().map(Vec::as_slice).take_while(|t| *t != b"--")
}

/// Symfony's `hasParameterOption()`: `--name`, `--name=…`, or a short `-x…`.
fn has_option(args: &[Vec<u8>], long: &str, short: Option<u8>) -> bool {
    let long = format!("--{long}");
    option_tokens(args).any(|t| {
        t == long.as_bytes()
            || t.starts_with(format!("{long}=").as_bytes())
            || short.is_some_and(|s| t.len() >= 2 && t[0] == b'-' && t[1] == s)
    })
}

/// Symfony's `ArgvInput::parse()` for this command's definition.
fn parse(args: &[Vec<u8>]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut queue: std::collections::VecDeque<Vec<u8>> = args.iter().cloned().collect();
    let mut options = true;
    while let Some(token) = queue.pop_front() {
        if options && token.is_empty() {
            out.envelopes.push(token);
        } else if options && token == b"--" {
            options = false;
        } else if options && token.starts_with(b"--") {
            let body = &token[2..];
            let (name, value) = match body.iter().position(|c| *c == b'=') {
                Some(eq) => (&body[..eq], Some(body[eq + 1..].to_vec())),
                None => (body, None),
            };
            if value.as_deref() == Some(b"") {
                // Symfony puts the empty value back as the next token, then takes it.
                queue.push_front(Vec::new());
            }
            long_option(&mut out, &String::from_utf8_lossy(name), value, &mut queue)?;
        } else if options && token[0] == b'-' && token != b"-" {
            short_options(&mut out, &token[1..], &mut queue)?;
        } else {
            out.envelopes.push(token);
        }
    }
    Ok(out)
}

fn short_options(
    out: &mut Args,
    set: &[u8],
    queue: &mut std::collections::VecDeque<Vec<u8>>,
) -> Result<(), String> {
    for &c in set {
        let name = match c {
            b'h' => "help",
            b'q' => "quiet",
            b'v' => "verbose",
            b'V' => "version",
            b'n' => "no-interaction",
            _ => {
                let rest = String::from_utf8_lossy(&set[set.iter().position(|x| *x == c).unwrap_or(0)..]).into_owned();
                let shown = rest.chars().next().map(String::from).unwrap_or_default();
                return Err(format!("The \"-{shown}\" option does not exist."));
            }
        };
        long_option(out, name, None, queue)?;
    }
    Ok(())
}

fn long_option(
    out: &mut Args,
    name: &str,
    mut value: Option<Vec<u8>>,
    queue: &mut std::collections::VecDeque<Vec<u8>>,
) -> Result<(), String> {
    if name == "no-ansi" {
        if value.is_some() {
            return Err(format!("The \"--{name}\" option does not accept a value."));
        }
        return Ok(());
    }
    if FLAGS.contains(&name) {
        if value.is_some() {
            return Err(format!("The \"--{name}\" option does not accept a value."));
        }
        if name == "strict" {
            out.strict = true;
        }
        return Ok(());
    }
    if !VALUE_OPTIONS.contains(&name) {
        return Err(format!("The \"--{name}\" option does not exist."));
    }
    // An option accepting a value takes the next token unless it looks like an option.
    if value.as_deref().is_none_or(<[u8]>::is_empty) {
        if let Some(next) = queue.pop_front() {
            if next.is_empty() || next[0] != b'-' {
                value = Some(next);
            } else {
                queue.push_front(next);
            }
        }
    }
    match name {
        "headers" => out.headers = Some(value),
        "format" => out.format = Some(value),
        "schema" => out.schema = Some(value),
        _ => {} // --env: Laravel's, meaningless here.
    }
    Ok(())
}

fn usage() -> String {
    format!(
        "Description:\n  Validate Integration Bus envelopes against the contract and the queue header rules.\n\n\
         Usage:\n  {SYNOPSIS}\n\n\
         Arguments:\n  envelope              Envelope JSON files, directories (every *.json inside), or - for standard input\n\n\
         Options:\n      --headers[=HEADERS]  A JSON file of queue headers (name => value) to check against every envelope\n\
         \x20     --strict             Also apply the strict contract rules (UTC timestamps, attachment URIs, checksum, no secrets)\n\
         \x20     --format[=FORMAT]    Output format: text or json [default: \"text\"]\n\
         \x20     --schema[=SCHEMA]    A JSON Schema file instead of the embedded contract schema\n\
         \x20 -h, --help               Display this help message\n\
         \x20 -q, --quiet              Do not output any message (the exit code still tells)\n\
         \x20 -V, --version            Display the version\n\
         \x20     --ansi|--no-ansi     Force (or disable) ANSI output\n\n\
         Exit codes: 0 when every envelope is valid, 1 otherwise.\n"
    )
}

/// Laravel's `(bool) env('INTEGRATION_BUS_STRICT', false)`, as `config/integration-bus.php` reads it.
fn strict_from_env() -> bool {
    let Some(raw) = std::env::var_os("INTEGRATION_BUS_STRICT") else { return false };
    let raw = raw.into_vec();
    let lower = raw.to_ascii_lowercase();
    let value: &[u8] = match lower.as_slice() {
        b"true" | b"(true)" => return true,
        b"false" | b"(false)" | b"empty" | b"(empty)" | b"null" | b"(null)" => return false,
        _ => {
            let quoted = raw.len() >= 2 && (raw[0] == b'"' || raw[0] == b'\'') && raw[raw.len() - 1] == raw[0];
            if quoted { &raw[1..raw.len() - 1] } else { &raw }
        }
    };
    !(value.is_empty() || value == b"0")
}

fn run(args: &[Vec<u8>]) -> Result<bool, String> {
    if has_option(args, "version", Some(b'V')) {
        println!("{NAME} {}", env!("CARGO_PKG_VERSION"));
        return Ok(true);
    }
    if has_option(args, "help", Some(b'h')) {
        print!("{}", usage());
        return Ok(true);
    }
    let decorated = if has_option(args, "ansi", None) {
        Some(true)
    } else if has_option(args, "no-ansi", None) {
        Some(false)
    } else {
        None
    };
    let quiet = has_option(args, "quiet", Some(b'q'))
        || std::env::var("SHELL_VERBOSITY").is_ok_and(|v| console_int(&v) == -1);

    let parsed = parse(args).map_err(|e| format!("{e}\n\n  {SYNOPSIS}"))?;
    if parsed.envelopes.is_empty() {
        return Err(format!("Not enough arguments (missing: \"envelope\").\n\n  {SYNOPSIS}"));
    }

    // The artisan command resolves its Validator (and so compiles the schema) before it runs.
    let schema: Arc<Schema> = match parsed.schema.clone().flatten().filter(|p| !p.is_empty()) {
        None => Schema::embedded().clone(),
        Some(path) => Schema::load(Path::new(OsStr::from_bytes(&path))).map_err(|e| e.0)?,
    };

    let mut out = Output::new(decorated, quiet);
    let result = Command { schema, out: &mut out, quiet }.handle(parsed);
    out.flush();
    result
}

/// PHP's `(int)` of a string.
fn console_int(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: i64 = digits.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0);
    if neg { -n } else { n }
}

/// One input's outcome, as in the JSON report.
struct Outcome {
    file: Vec<u8>,
    valid: bool,
    error: Option<Vec<u8>>,
    violations: Vec<Violation>,
}

struct Command<'a> {
    schema: Arc<Schema>,
    out: &'a mut Output,
    /// Quiet also silences the progress bar (Symfony sets both streams' verbosity).
    quiet: bool,
}

impl Command<'_> {
    /// `ValidateCommand::handle()`: true when every envelope is valid. `Err` only for what
    /// makes the PHP command crash (a style tag its formatter refuses, a label that is not UTF-8
    /// in JSON).
    fn handle(&mut self, args: Args) -> Result<bool, String> {
        let format = match &args.format {
            None => b"text".to_vec(),
            Some(v) => v.clone().unwrap_or_default(),
        };
        if format != b"text" && format != b"json" {
            // Printed with `$this->error()`, not escaped: the value is markup.
            let mut line = b"Unknown format: ".to_vec();
            line.extend_from_slice(&format);
            line.extend_from_slice(b" (expected text or json).");
            self.out.line(Some("error"), &line)?;
            return Ok(false);
        }
        let json = format == b"json";
        let strict = args.strict || strict_from_env();

        let headers_path = args.headers.clone().flatten().filter(|p| !p.is_empty());
        let headers = match &headers_path {
            None => None,
            Some(path) => match read_headers(path) {
                Ok(h) => Some(h),
                Err(message) => return self.report(json, strict, headers_path.as_deref(), Some(message), &[]),
            },
        };

        let inputs = expand(&args.envelopes);
        let check = Check { headers: headers.as_ref(), strict };
        let mut bar = (!json && inputs.len() > PROGRESS_THRESHOLD && !self.quiet).then(|| Progress::start(inputs.len()));
        let mut results = Vec::with_capacity(inputs.len());
        for input in &inputs {
            results.push(self.validate_one(input, &check));
            if let Some(bar) = bar.as_mut() {
                bar.advance();
            }
        }
        if let Some(bar) = bar {
            bar.finish();
        }
        self.report(json, strict, headers_path.as_deref(), None, &results)
    }

    fn validate_one(&self, input: &Input, check: &Check) -> Outcome {
        let label = if input.path == STDIN { STDIN_LABEL.to_vec() } else { input.path.clone() };
        let failed = |error: Vec<u8>| Outcome { file: label.clone(), valid: false, error: Some(error), violations: Vec::new() };
        if let Some(error) = &input.error {
            return failed(error.clone());
        }
        let envelope = match read_object("envelope", &input.path) {
            Ok(v) => v,
            Err(message) => return failed(message),
        };
        let (mut value, empties) = match php_json::to_envelope(&envelope) {
            Ok(v) => v,
            Err(reason) => {
                let mut m = b"Envelope cannot be validated: ".to_vec();
                m.extend_from_slice(&label);
                m.extend_from_slice(format!(" ({reason})").as_bytes());
                return failed(m);
            }
        };
        let violations = self.schema.violations_resolving_empties(&mut value, &empties, check);
        Outcome { file: label, valid: violations.is_empty(), error: None, violations }
    }

    /// Prints the results; true when every envelope is valid.
    fn report(
        &mut self,
        json: bool,
        strict: bool,
        headers_path: Option<&[u8]>,
        error: Option<Vec<u8>>,
        results: &[Outcome],
    ) -> Result<bool, String> {
        let valid = error.is_none() && !results.is_empty() && results.iter().all(|r| r.valid);

        if json {
            let line = json_report(valid, strict, headers_path, error.as_deref(), results)
                .ok_or("Malformed UTF-8 characters, possibly incorrectly encoded")?;
            self.out.raw(&line);
            return Ok(valid);
        }

        if let Some(error) = error {
            self.out.say(Some("error"), &error)?;
            return Ok(false);
        }
        if headers_path.is_none() {
            self.out.say(Some("comment"), b"No headers file provided; skipping header validation.")?;
        }
        for r in results {
            if let Some(error) = &r.error {
                self.out.say(Some("error"), error)?;
            } else if r.valid {
                self.out.say(Some("info"), &[b"Integration Bus envelope validation passed: ", r.file.as_slice()].concat())?;
            } else {
                self.out.say(Some("error"), &[b"Validation failed: ", r.file.as_slice()].concat())?;
                for v in &r.violations {
                    let path = if v.path.is_empty() { "(root)" } else { &v.path };
                    self.out.say(None, format!(" - {path}: {} ({})", v.message, v.keyword).as_bytes())?;
                }
            }
        }
        if results.len() > 1 {
            let passed = results.iter().filter(|r| r.valid).count();
            let line = format!("{} envelopes checked: {passed} passed, {} failed.", results.len(), results.len() - passed);
            self.out.say(None, line.as_bytes())?;
        }
        Ok(valid)
    }
}

/// The one-line JSON report; `None` when a string in it is not UTF-8.
fn json_report(
    valid: bool,
    strict: bool,
    headers: Option<&[u8]>,
    error: Option<&[u8]>,
    results: &[Outcome],
) -> Option<Vec<u8>> {
    fn opt(out: &mut Vec<u8>, s: Option<&[u8]>) -> Option<()> {
        match s {
            None => {
                out.extend_from_slice(b"null");
                Some(())
            }
            Some(s) => php_json::encode_string(s, out),
        }
    }
    let b = |v: bool| if v { "true" } else { "false" };
    let mut out = Vec::new();
    out.extend_from_slice(format!("{{\"valid\":{},\"strict\":{},\"headers\":", b(valid), b(strict)).as_bytes());
    opt(&mut out, headers)?;
    out.extend_from_slice(b",\"error\":");
    opt(&mut out, error)?;
    out.extend_from_slice(b",\"results\":[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"file\":");
        php_json::encode_string(&r.file, &mut out)?;
        out.extend_from_slice(format!(",\"valid\":{},\"error\":", b(r.valid)).as_bytes());
        opt(&mut out, r.error.as_deref())?;
        out.extend_from_slice(b",\"violations\":[");
        for (j, v) in r.violations.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"path\":");
            php_json::encode_string(v.path.as_bytes(), &mut out)?;
            out.extend_from_slice(b",\"keyword\":");
            php_json::encode_string(v.keyword.as_bytes(), &mut out)?;
            out.extend_from_slice(b",\"message\":");
            php_json::encode_string(v.message.as_bytes(), &mut out)?;
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}");
    Some(out)
}

/// One input to check: a path (or `-`), or the error it already is (an empty directory).
struct Input {
    path: Vec<u8>,
    error: Option<Vec<u8>>,
}

fn os(path: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(path))
}

/// `is_dir()`: follows symbolic links; false for `""`.
fn is_dir(path: &[u8]) -> bool {
    !path.is_empty() && std::fs::metadata(os(path)).is_ok_and(|m| m.is_dir())
}

/// Arguments in order; a directory becomes its `*.json` regular files in byte order of their
/// names, or an error when it has none.
fn expand(arguments: &[Vec<u8>]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for argument in arguments {
        if argument == STDIN || !is_dir(argument) {
            inputs.push(Input { path: argument.clone(), error: None });
            continue;
        }
        let mut prefix = argument.clone();
        while prefix.last() == Some(&b'/') {
            prefix.pop();
        }
        prefix.push(b'/');
        let mut names: Vec<Vec<u8>> = std::fs::read_dir(os(argument))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().into_vec())
                    .filter(|name| {
                        name.ends_with(b".json")
                            && std::fs::metadata(os(&[prefix.as_slice(), name].concat())).is_ok_and(|m| m.is_file())
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        if names.is_empty() {
            let mut m = b"No envelope files (*.json) in directory: ".to_vec();
            m.extend_from_slice(argument);
            inputs.push(Input { path: argument.clone(), error: Some(m) });
        }
        for name in names {
            inputs.push(Input { path: [prefix.as_slice(), &name].concat(), error: None });
        }
    }
    inputs
}

fn ucfirst(label: &str) -> String {
    let mut c = label.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn message(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `readObject()`: a JSON object from a file or standard input, or the stable error line.
fn read_object(label: &str, path: &[u8]) -> Result<PhpValue, Vec<u8>> {
    let shown: &[u8] = if path == STDIN { STDIN_LABEL } else { path };
    let bytes = if path == STDIN {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|_| message(&[b"Unable to read ", label.as_bytes(), b" file: ", shown]))?;
        buf
    } else if path.is_empty() || std::fs::metadata(os(path)).is_err() {
        return Err(message(&[ucfirst(label).as_bytes(), b" file not found: ", shown]));
    } else if is_dir(path) {
        return Err(message(&[b"Unable to read ", label.as_bytes(), b" file: ", shown]));
    } else {
        std::fs::read(os(path)).map_err(|_| message(&[b"Unable to read ", label.as_bytes(), b" file: ", shown]))?
    };
    match php_json::decode(&bytes) {
        Err(_) => Err(message(&[b"Invalid JSON in ", label.as_bytes(), b" file: ", shown])),
        Ok(v @ PhpValue::Object(_)) => Ok(v),
        Ok(_) => Err(message(&[ucfirst(label).as_bytes(), b" JSON must decode to an object: ", shown])),
    }
}

/// `readHeaders()`: name => string, or name => list of strings (its first element counts).
fn read_headers(path: &[u8]) -> Result<Headers, Vec<u8>> {
    let PhpValue::Object(members) = read_object("headers", path)? else { unreachable!("read_object returns objects") };
    let bad = || message(&[b"Headers JSON values must be strings or lists of strings: ", path]);
    let mut headers = Headers::new();
    for (name, value) in members {
        let hv = match value {
            PhpValue::Str(s) => HeaderValue::Text(s),
            PhpValue::Array(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        PhpValue::Str(s) => texts.push(s),
                        _ => return Err(bad()),
                    }
                }
                texts.into_iter().next().map_or(HeaderValue::Empty, HeaderValue::Text)
            }
            _ => return Err(bad()),
        };
        headers.push(name, hv);
    }
    Ok(headers)
}
