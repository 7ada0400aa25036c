//! A violation of the contract, as data.
#![forbid(unsafe_code)]

/// One broken rule: where (RFC 6901 pointer into the envelope, `""` for the root), which
/// keyword or contract rule, and a sentence naming the offending property, value or header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub keyword: String,
    pub message: String,
}

impl Violation {
    pub fn new(path: impl Into<String>, keyword: impl Into<String>, message: impl Into<String>) -> Self {
        Violation { path: path.into(), keyword: keyword.into(), message: message.into() }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() { "(root)" } else { &self.path };
        write!(f, "{} [{}] {}", path, self.keyword, self.message)
    }
}

/// Appends one RFC 6901 reference token (`~` → `~0`, `/` → `~1`) to a pointer.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A value quoted for a message, cut so that a huge string never makes a huge message.
pub fn quote(value: &str) -> String {
    const MAX: usize = 80;
    if value.chars().count() <= MAX {
        format!("\"{value}\"")
    } else {
        let cut: String = value.chars().take(MAX).collect();
        format!("\"{cut}…\" ({} characters)", value.chars().count())
    }
}
