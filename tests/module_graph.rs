//! The import graph of `src/`: no two files import each other, directly or around a longer
//! circle, so every file can be read after the files it uses and before the files that use it.
//!
//! An edge is any path a file names into another file of the crate: `use crate::…`,
//! `use super::…`, `pub use child::…` (a re-export is an import too), and paths written in
//! code (`super::Field::Missing`, `headers::check(…)`, `crate::percent::decode(…)`). A path
//! ends at the deepest module it names, so `crate::contract::Kind` is an edge to
//! `contract/mod.rs` and `crate::contract::kind::Kind` one to `contract/kind.rs`. Declaring a
//! child (`mod kind;`) is not an edge. Each binary under `src/bin/` is its own crate, whose
//! `phpgrc_bus::…` paths lead into the library.
//!
//! `cargo test --test module_graph -- --nocapture` prints every edge.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

const LIBRARY: &str = "phpgrc_bus";

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// A plain string literal's text (only `#[path = "…"]` reads it).
    Str(String),
    PathSep,
    Punct(char),
}

/// The tokens of a Rust source that matter for paths, with their line numbers: comments,
/// character, byte and raw string literals and lifetimes are dropped.
fn tokenize(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            let start = i + 1;
            i = string_end(&chars, start, &mut line);
            tokens.push((Token::Str(chars[start..i.min(chars.len())].iter().collect()), line));
            i += 1;
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{1F600}', '"') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            if raw_prefix && (at(i) == '"' || (at(i) == '#' && matches!(at(i + 1), '"' | '#'))) {
                // A raw string: r"…", r#"…"#, br##"…"##.
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                loop {
                    if i >= chars.len() {
                        break;
                    }
                    if chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                // A byte or C string: skipped like a plain one, not kept.
                i = string_end(&chars, i + 1, &mut line) + 1;
            } else if word == "b" && at(i) == '\'' {
                // A byte literal: b'x', b'\n'.
                i += 1;
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    i += 3;
                }
            } else if word == "r" && at(i) == '#' {
                // A raw identifier (r#type): the `#` is dropped, the name read next.
                i += 1;
            } else {
                tokens.push((Token::Ident(word), line));
            }
        } else if c == ':' && at(i + 1) == ':' {
            tokens.push((Token::PathSep, line));
            i += 2;
        } else {
            tokens.push((Token::Punct(c), line));
            i += 1;
        }
    }
    tokens
}

/// Where the string literal whose text starts at `i` ends (its closing quote), counting the
/// lines it spans.
fn string_end(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() && chars[i] != '"' {
        if chars[i] == '\\' {
            i += 1;
        }
        *line += usize::from(chars.get(i) == Some(&'\n'));
        i += 1;
    }
    i
}

/// A module: the crate it belongs to and its path from the crate root.
type ModPath = (usize, Vec<String>);

struct Crates {
    /// Each crate's root file; crate 0 is the library.
    roots: Vec<PathBuf>,
    /// Every module with a file of its own.
    files: BTreeMap<ModPath, PathBuf>,
}

/// Follows `mod name;` declarations from each crate root (honouring `#[path = "…"]`).
fn discover(src: &Path) -> Crates {
    let mut roots = vec![src.join("lib.rs")];
    let mut bins: Vec<PathBuf> = fs::read_dir(src.join("bin"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "rs")).collect())
        .unwrap_or_default();
    bins.sort();
    roots.extend(bins);
    let mut files = BTreeMap::new();
    for (krate, root) in roots.iter().enumerate() {
        let mut pending = vec![(Vec::new(), root.clone())];
        while let Some((path, file)) = pending.pop() {
            let source = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let tokens = tokenize(&source);
            // Children of a `mod.rs`, `lib.rs` or crate root live in its directory; those of
            // `a.rs` in `a/`.
            let is_dir_owner = file == *root || file.file_name().is_some_and(|n| n == "mod.rs");
            let dir = if is_dir_owner {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            let mut attr_path: Option<String> = None;
            let mut depth = 0usize;
            for (k, (token, _)) in tokens.iter().enumerate() {
                match token {
                    Token::Punct('{') => depth += 1,
                    Token::Punct('}') => depth = depth.saturating_sub(1),
                    Token::Ident(w) if w == "path" => {
                        if let (Some((Token::Punct('='), _)), Some((Token::Str(p), _))) = (tokens.get(k + 1), tokens.get(k + 2)) {
                            attr_path = Some(p.clone());
                        }
                    }
                    Token::Ident(w) if w == "mod" && depth == 0 => {
                        let (Some((Token::Ident(name), _)), Some((Token::Punct(';'), _))) = (tokens.get(k + 1), tokens.get(k + 2)) else {
                            continue;
                        };
                        let child_file = match attr_path.take() {
                            Some(p) => file.parent().unwrap().join(p),
                            None if dir.join(format!("{name}.rs")).exists() => dir.join(format!("{name}.rs")),
                            None => dir.join(name).join("mod.rs"),
                        };
                        let mut child = path.clone();
                        child.push(name.clone());
                        pending.push((child, child_file));
                    }
                    Token::Punct(';') => attr_path = None,
                    _ => {}
                }
            }
            files.insert((krate, path), file);
        }
    }
    Crates { roots, files }
}

/// One import: the file that names the path, the line, the file it leads to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: PathBuf,
    line: usize,
    to: PathBuf,
}

struct Scope {
    /// The brace depth its body is at (0 for the file itself).
    depth: usize,
    module: Vec<String>,
    /// Names in scope that stand for a path: child modules and `use` imports.
    names: HashMap<String, ModPath>,
}

impl Crates {
    /// The file of the deepest module on `path`.
    fn file_of(&self, krate: usize, path: &[String]) -> Option<&PathBuf> {
        (0..=path.len()).rev().find_map(|n| self.files.get(&(krate, path[..n].to_vec())))
    }

    fn children(&self, krate: usize, module: &[String]) -> HashMap<String, ModPath> {
        self.files
            .keys()
            .filter(|(k, p)| *k == krate && p.len() == module.len() + 1 && p.starts_with(module))
            .map(|(k, p)| (p.last().unwrap().clone(), (*k, p.clone())))
            .collect()
    }

    /// Where the path `segments` leads from `scope`; `None` for other crates (std, serde…).
    fn resolve(&self, krate: usize, scope: &Scope, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        let (base, rest): (ModPath, &[String]) = match first.as_str() {
            "crate" => ((krate, Vec::new()), rest),
            "self" => ((krate, scope.module.clone()), rest),
            "super" => {
                let mut module = scope.module.clone();
                module.pop();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    module.pop();
                    rest = &rest[1..];
                }
                ((krate, module), rest)
            }
            LIBRARY if krate != 0 => ((0, Vec::new()), rest),
            name => (scope.names.get(name)?.clone(), rest),
        };
        let mut path = base.1;
        path.extend(rest.iter().cloned());
        Some((base.0, path))
    }

    /// Every edge of one file.
    fn edges(&self, krate: usize, module: &[String], file: &Path) -> Vec<Edge> {
        let source = fs::read_to_string(file).unwrap();
        let tokens = tokenize(&source);
        let mut edges = Vec::new();
        let mut scopes = vec![Scope { depth: 0, module: module.to_vec(), names: self.children(krate, module) }];
        let mut depth = 0usize;
        let mut k = 0;
        let push_edge = |edges: &mut Vec<Edge>, target: Option<ModPath>, line: usize| {
            if let Some((kr, path)) = target {
                if let Some(to) = self.file_of(kr, &path) {
                    if to != file {
                        edges.push(Edge { from: file.to_path_buf(), line, to: to.clone() });
                    }
                }
            }
        };
        while k < tokens.len() {
            let (token, line) = &tokens[k];
            match token {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth = depth.saturating_sub(1);
                    if scopes.len() > 1 && scopes.last().unwrap().depth > depth {
                        scopes.pop();
                    }
                }
                Token::Ident(w) if w == "mod" => {
                    // An inline module opens a scope of its own.
                    if let (Some((Token::Ident(name), _)), Some((Token::Punct('{'), _))) = (tokens.get(k + 1), tokens.get(k + 2)) {
                        let mut inner = scopes.last().unwrap().module.clone();
                        inner.push(name.clone());
                        let names = self.children(krate, &inner);
                        depth += 1;
                        scopes.push(Scope { depth, module: inner, names });
                        k += 3;
                        continue;
                    }
                }
                Token::Ident(w) if w == "use" => {
                    let end = (k..tokens.len()).find(|&j| tokens[j].0 == Token::Punct(';')).unwrap_or(tokens.len());
                    let mut imports = Vec::new();
                    use_tree(&tokens[k + 1..end], &[], &mut imports);
                    for (path, alias) in imports {
                        let scope = scopes.last().unwrap();
                        let target = self.resolve(krate, scope, &path);
                        push_edge(&mut edges, target.clone(), *line);
                        if let (Some(target), Some(alias)) = (target, alias) {
                            scopes.last_mut().unwrap().names.insert(alias, target);
                        }
                    }
                    k = end + 1;
                    continue;
                }
                Token::Ident(first) => {
                    let after_sep = k > 0 && tokens[k - 1].0 == Token::PathSep;
                    let after_dot = k > 0 && tokens[k - 1].0 == Token::Punct('.');
                    if !after_sep && !after_dot && tokens.get(k + 1).map(|t| &t.0) == Some(&Token::PathSep) {
                        let mut segments = vec![first.clone()];
                        let mut j = k + 1;
                        while let (Some((Token::PathSep, _)), Some((Token::Ident(next), _))) = (tokens.get(j), tokens.get(j + 1)) {
                            segments.push(next.clone());
                            j += 2;
                        }
                        let target = self.resolve(krate, scopes.last().unwrap(), &segments);
                        push_edge(&mut edges, target, *line);
                        k = j;
                        continue;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        edges
    }
}

/// Expands a `use` tree into paths, each with the name it brings into scope (`None` for `*`).
fn use_tree(tokens: &[(Token, usize)], prefix: &[String], out: &mut Vec<(Vec<String>, Option<String>)>) {
    let mut k = 0;
    let mut path = prefix.to_vec();
    // A leading `::` names an external crate.
    if tokens.first().map(|t| &t.0) == Some(&Token::PathSep) {
        return;
    }
    while k < tokens.len() {
        match &tokens[k].0 {
            Token::Ident(w) if w == "as" => {
                if let Some((Token::Ident(alias), _)) = tokens.get(k + 1) {
                    let alias = (alias != "_").then(|| alias.clone());
                    out.push((path.clone(), alias));
                }
                return;
            }
            Token::Ident(w) => path.push(w.clone()),
            Token::PathSep => {}
            Token::Punct('*') => {
                out.push((path.clone(), None));
                return;
            }
            Token::Punct('{') => {
                // Split the group at top-level commas.
                let mut level = 0;
                let mut start = k + 1;
                for j in k + 1..tokens.len() {
                    match tokens[j].0 {
                        Token::Punct('{') => level += 1,
                        Token::Punct('}') if level == 0 => {
                            use_group_item(&tokens[start..j], &path, out);
                            return;
                        }
                        Token::Punct('}') => level -= 1,
                        Token::Punct(',') if level == 0 => {
                            use_group_item(&tokens[start..j], &path, out);
                            start = j + 1;
                        }
                        _ => {}
                    }
                }
                return;
            }
            _ => {}
        }
        k += 1;
    }
    if !path.is_empty() {
        let name = path.last().cloned();
        out.push((path, name));
    }
}

fn use_group_item(tokens: &[(Token, usize)], prefix: &[String], out: &mut Vec<(Vec<String>, Option<String>)>) {
    if tokens.is_empty() {
        return;
    }
    if tokens.len() == 1 && tokens[0].0 == Token::Ident("self".into()) {
        out.push((prefix.to_vec(), prefix.last().cloned()));
        return;
    }
    use_tree(tokens, prefix, out);
}

/// Strongly connected components with more than one file (Tarjan).
fn circles(nodes: &[PathBuf], edges: &BTreeSet<(PathBuf, PathBuf)>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        next: &'a HashMap<&'a PathBuf, Vec<&'a PathBuf>>,
        index: HashMap<&'a PathBuf, usize>,
        low: HashMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        counter: usize,
        found: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a PathBuf) {
        s.index.insert(v, s.counter);
        s.low.insert(v, s.counter);
        s.counter += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in s.next.get(v).map(Vec::as_slice).unwrap_or(&[]) {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut next: HashMap<&PathBuf, Vec<&PathBuf>> = HashMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let mut s = State { next: &next, index: HashMap::new(), low: HashMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), counter: 0, found: Vec::new() };
    for v in nodes {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn relative(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(p).display().to_string()
}

fn graph() -> (Vec<PathBuf>, Vec<Edge>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let crates = discover(&src);
    let mut edges = Vec::new();
    for ((krate, module), file) in &crates.files {
        edges.extend(crates.edges(*krate, module, file));
    }
    edges.sort();
    assert!(crates.roots.len() >= 2, "the library and the validator binary");
    (crates.files.values().cloned().collect(), edges)
}

#[test]
fn no_two_files_of_src_import_each_other() {
    let (files, edges) = graph();
    let pairs: BTreeSet<(PathBuf, PathBuf)> = edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    for (a, b) in &pairs {
        println!("{} -> {}", relative(a), relative(b));
    }
    let mut report = String::new();
    for circle in circles(&files, &pairs) {
        report.push_str(&format!("import circle: {}\n", circle.iter().map(|p| relative(p)).collect::<Vec<_>>().join(", ")));
        for e in edges.iter().filter(|e| circle.contains(&e.from) && circle.contains(&e.to)) {
            report.push_str(&format!("  {}:{} -> {}\n", relative(&e.from), e.line, relative(&e.to)));
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

/// The top-level module a file belongs to: `src/contract/kind.rs` → `src/contract/`,
/// `src/canonical.rs` → `src/canonical.rs`, a binary's files → `src/bin/`.
fn top_level(file: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rest = file.strip_prefix(&src).unwrap_or(file);
    let mut parts = rest.components();
    match (parts.next(), parts.next()) {
        (Some(first), Some(_)) => src.join(first).join(""),
        _ => file.to_path_buf(),
    }
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    // A circle through directories is a circle a reader meets too: e.g. canonical JSON reading
    // the contract's JSON tape while the contract's strict rules compute canonical JSON.
    let (files, edges) = graph();
    let modules: Vec<PathBuf> = files.iter().map(|f| top_level(f)).collect::<BTreeSet<_>>().into_iter().collect();
    let pairs: BTreeSet<(PathBuf, PathBuf)> = edges
        .iter()
        .map(|e| (top_level(&e.from), top_level(&e.to)))
        .filter(|(a, b)| a != b)
        .collect();
    let mut report = String::new();
    for circle in circles(&modules, &pairs) {
        report.push_str(&format!("module circle: {}\n", circle.iter().map(|p| relative(p)).collect::<Vec<_>>().join(", ")));
        for e in edges.iter().filter(|e| {
            let (a, b) = (top_level(&e.from), top_level(&e.to));
            a != b && circle.contains(&a) && circle.contains(&b)
        }) {
            report.push_str(&format!("  {}:{} -> {}\n", relative(&e.from), e.line, relative(&e.to)));
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

#[test]
fn layers_import_downward_only() {
    // (files, files they must not import): the lower layer never reaches up.
    const RULES: [(&str, &[&str]); 6] = [
        // The pure core never sees the binding.
        ("src/", &["src/php/"]),
        // The contract is the base the builders, the summary and the queue stand on.
        ("src/contract/", &["src/envelope.rs", "src/summary.rs", "src/queue/"]),
        // The Redis client, from the wire up: transport, session, cluster, connection.
        ("src/queue/transport/", &["src/queue/session.rs", "src/queue/cluster.rs", "src/queue/connection.rs", "src/queue/config.rs"]),
        ("src/queue/session.rs", &["src/queue/cluster.rs", "src/queue/connection.rs"]),
        ("src/queue/cluster.rs", &["src/queue/connection.rs"]),
        // The client knows no queue operation.
        ("src/queue/connection.rs", &["src/queue/scripts.rs", "src/queue/redis_queue.rs"]),
    ];
    let (_, edges) = graph();
    let mut report = String::new();
    for e in &edges {
        let (from, to) = (relative(&e.from), relative(&e.to));
        for (layer, above) in RULES {
            let exempt = layer == "src/" && from.starts_with("src/php/");
            if from.starts_with(layer) && !exempt && above.iter().any(|a| to.starts_with(a)) {
                report.push_str(&format!("{from}:{} imports {to}\n", e.line));
            }
        }
    }
    assert!(report.is_empty(), "\n{report}");
}

#[test]
fn the_graph_sees_the_imports_it_must() {
    // The reader itself: a known edge of each kind is found, so an empty report means
    // something.
    let (files, edges) = graph();
    assert!(files.len() > 30, "{} files", files.len());
    let has = |from: &str, to: &str| edges.iter().any(|e| relative(&e.from).ends_with(from) && relative(&e.to).ends_with(to));
    assert!(has("src/php/validator.rs", "src/php/convert.rs"), "use super::convert");
    assert!(has("src/bin/phpgrc-bus-validate.rs", "src/contract/mod.rs"), "use phpgrc_bus::contract::{{…}}");
    assert!(has("src/contract/strict.rs", "src/contract/violation.rs"), "use super::violation::…");
}
