//! Symfony Console output as the artisan command produces it (symfony/console 5.4, the version
//! Laravel 8 runs on): Laravel's `line($text, $style)` wraps the text in `<style>…</style>`,
//! `OutputFormatter::escape()` protects `<` and `>`, and `OutputFormatter::format()` turns style
//! tags into ANSI codes (decorated) or drops them (not decorated). Ported with its quirks, so a
//! message holding `\<`, `<<` or a trailing backslash prints the same bytes as the PHP command.

use std::io::{IsTerminal, Write};

/// An `OutputFormatterStyle`: ANSI codes to set and unset, and an optional hyperlink.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Style {
    fg: String,
    bg: String,
    /// Option name, set code, unset code; in insertion order, no duplicates.
    options: Vec<(String, u8, u8)>,
    href: Option<Vec<u8>>,
}

impl Style {
    fn named(fg: &str, bg: &str) -> Style {
        let mut s = Style { fg: String::new(), bg: String::new(), options: Vec::new(), href: None };
        // Named styles use valid colours.
        s.fg = parse_color(fg, false).unwrap_or_default();
        s.bg = parse_color(bg, true).unwrap_or_default();
        s
    }

    fn apply(&self, text: &[u8], href_ok: bool) -> Vec<u8> {
        let mut body = Vec::new();
        match &self.href {
            Some(href) if href_ok => {
                body.extend_from_slice(b"\x1b]8;;");
                body.extend_from_slice(href);
                body.extend_from_slice(b"\x1b\\");
                body.extend_from_slice(text);
                body.extend_from_slice(b"\x1b]8;;\x1b\\");
            }
            _ => body.extend_from_slice(text),
        }
        let mut set: Vec<String> = Vec::new();
        let mut unset: Vec<String> = Vec::new();
        if !self.fg.is_empty() {
            set.push(self.fg.clone());
            unset.push("39".into());
        }
        if !self.bg.is_empty() {
            set.push(self.bg.clone());
            unset.push("49".into());
        }
        for (_, s, u) in &self.options {
            set.push(s.to_string());
            unset.push(u.to_string());
        }
        let mut out = Vec::new();
        if !set.is_empty() {
            out.extend_from_slice(format!("\x1b[{}m", set.join(";")).as_bytes());
        }
        out.extend_from_slice(&body);
        if !unset.is_empty() {
            out.extend_from_slice(format!("\x1b[{}m", unset.join(";")).as_bytes());
        }
        out
    }
}

const COLORS: [(&str, u8); 9] =
    [("black", 0), ("red", 1), ("green", 2), ("yellow", 3), ("blue", 4), ("magenta", 5), ("cyan", 6), ("white", 7), ("default", 9)];
const BRIGHT_COLORS: [(&str, u8); 8] = [
    ("gray", 0),
    ("bright-red", 1),
    ("bright-green", 2),
    ("bright-yellow", 3),
    ("bright-blue", 4),
    ("bright-magenta", 5),
    ("bright-cyan", 6),
    ("bright-white", 7),
];
const OPTIONS: [(&str, u8, u8); 5] =
    [("bold", 1, 22), ("underscore", 4, 24), ("blink", 5, 25), ("reverse", 7, 27), ("conceal", 8, 28)];

/// `Color::parseColor()`.
fn parse_color(color: &str, background: bool) -> Result<String, String> {
    if color.is_empty() {
        return Ok(String::new());
    }
    if let Some(hex) = color.strip_prefix('#') {
        let b = hex.as_bytes();
        let hex: Vec<u8> = if b.len() == 3 { vec![b[0], b[0], b[1], b[1], b[2], b[2]] } else { b.to_vec() };
        if hex.len() != 6 {
            return Err(format!("Invalid \"{}\" color.", String::from_utf8_lossy(&hex)));
        }
        // hexdec() skips characters that are not hex digits.
        let value = hex.iter().filter_map(|c| (*c as char).to_digit(16)).fold(0u32, |v, d| v * 16 + d);
        let (r, g, b) = ((value >> 16) & 255, (value >> 8) & 255, value & 255);
        let code = if std::env::var_os("COLORTERM").is_some_and(|v| v == "truecolor") {
            format!("8;2;{r};{g};{b}")
        } else {
            degrade(r, g, b).to_string()
        };
        return Ok(format!("{}{code}", if background { '4' } else { '3' }));
    }
    if let Some((_, n)) = COLORS.iter().find(|(name, _)| *name == color) {
        return Ok(format!("{}{n}", if background { "4" } else { "3" }));
    }
    if let Some((_, n)) = BRIGHT_COLORS.iter().find(|(name, _)| *name == color) {
        return Ok(format!("{}{n}", if background { "10" } else { "9" }));
    }
    let names: Vec<&str> = COLORS.iter().map(|c| c.0).chain(BRIGHT_COLORS.iter().map(|c| c.0)).collect();
    Err(format!("Invalid \"{color}\" color; expected one of ({}).", names.join(", ")))
}

/// `Color::degradeHexColorToAnsi()`, with its `(int) $diff * 100 / $v`.
fn degrade(r: u32, g: u32, b: u32) -> u32 {
    let (rf, gf, bf) = (r as f64 / 255.0, g as f64 / 255.0, b as f64 / 255.0);
    let v = rf.max(gf).max(bf);
    let diff = v - rf.min(gf).min(bf);
    let saturation = if diff == 0.0 { 0.0 } else { (diff.trunc() * 100.0 / v).trunc() };
    if (saturation / 50.0).round() == 0.0 {
        return 0;
    }
    ((bf.round() as u32) << 2) | ((gf.round() as u32) << 1) | (rf.round() as u32)
}

/// `OutputFormatter` with its style stack, which lives as long as the output (across lines).
pub struct Formatter {
    decorated: bool,
    href_ok: bool,
    stack: Vec<Style>,
}

impl Formatter {
    pub fn new(decorated: bool) -> Formatter {
        let env = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
        let konsole = env("KONSOLE_VERSION").filter(|v| !v.is_empty() && v != "0");
        let href_ok = env("TERMINAL_EMULATOR").as_deref() != Some("JetBrains-JediTerm")
            && konsole.is_none_or(|v| php_int(&v) > 201100)
            && env("IDEA_INITIAL_DIRECTORY").is_none();
        Formatter { decorated, href_ok, stack: Vec::new() }
    }

    fn named(tag: &[u8]) -> Option<Style> {
        match tag {
            b"error" => Some(Style::named("white", "red")),
            b"info" => Some(Style::named("green", "")),
            b"comment" => Some(Style::named("yellow", "")),
            b"question" => Some(Style::named("black", "cyan")),
            _ => None,
        }
    }

    /// `createStyleFromString()`: a named style, or `fg=…;bg=…;href=…;options=…`.
    fn style_from(tag: &[u8]) -> Result<Option<Style>, String> {
        if let Some(s) = Self::named(tag) {
            return Ok(Some(s));
        }
        let pairs = key_values(tag);
        if pairs.is_empty() {
            return Ok(None);
        }
        let mut style = Style { fg: String::new(), bg: String::new(), options: Vec::new(), href: None };
        for (key, value) in pairs {
            let key = key.to_ascii_lowercase();
            // `$color ?: ''`: "0" is falsy in PHP.
            let color = |v: &[u8]| {
                let v = String::from_utf8_lossy(&v.to_ascii_lowercase()).into_owned();
                if v == "0" { String::new() } else { v }
            };
            match key.as_slice() {
                b"fg" => style.fg = parse_color(&color(value), false)?,
                b"bg" => style.bg = parse_color(&color(value), true)?,
                b"href" => style.href = Some(unescape_angles(value)),
                b"options" => {
                    let lower = value.to_ascii_lowercase();
                    for option in lower.split(|c| *c == b',' || *c == b';').filter(|o| !o.is_empty()) {
                        let name = String::from_utf8_lossy(option).into_owned();
                        let Some((_, set, unset)) = OPTIONS.iter().find(|o| o.0 == name) else {
                            let names: Vec<&str> = OPTIONS.iter().map(|o| o.0).collect();
                            return Err(format!(
                                "Invalid option specified: \"{name}\". Expected one of ({}).",
                                names.join(", ")
                            ));
                        };
                        if !style.options.iter().any(|o| o.0 == name) {
                            style.options.push((name, *set, *unset));
                        }
                    }
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(style))
    }

    fn current(&self, text: &[u8]) -> Vec<u8> {
        if text.is_empty() {
            return Vec::new();
        }
        match (self.decorated, self.stack.last()) {
            (true, Some(style)) => style.apply(text, self.href_ok),
            _ => text.to_vec(),
        }
    }

    /// `OutputFormatter::format()`; `Err` is the exception Symfony throws (bad style tag).
    pub fn format(&mut self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut offset = 0;
        for tag in find_tags(message) {
            if tag.pos != 0 && message[tag.pos - 1] == b'\\' {
                continue;
            }
            out.extend(self.current(&message[offset..tag.pos]));
            offset = tag.end;
            if !tag.open && tag.name.is_empty() {
                self.stack.pop();
            } else {
                match Self::style_from(tag.name)? {
                    None => out.extend(self.current(&message[tag.pos..tag.end])),
                    Some(style) if tag.open => self.stack.push(style),
                    Some(style) => self.pop(&style)?,
                }
            }
        }
        out.extend(self.current(&message[offset..]));
        Ok(strtr(&out))
    }

    /// `OutputFormatterStyleStack::pop($style)`: styles compare by their codes.
    fn pop(&mut self, style: &Style) -> Result<(), String> {
        if self.stack.is_empty() {
            return Ok(());
        }
        let key = style.apply(b"", self.href_ok);
        match self.stack.iter().rposition(|s| s.apply(b"", self.href_ok) == key) {
            Some(at) => {
                self.stack.truncate(at);
                Ok(())
            }
            None => Err("Incorrectly nested style tag found.".into()),
        }
    }
}

/// PHP's `(int)` of a string: its leading digits.
fn php_int(s: &str) -> i64 {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
    sign * n.parse::<i64>().unwrap_or(0)
}

/// `preg_replace('{\\([<>])}', '$1', $url)`.
fn unescape_angles(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && matches!(s.get(i + 1), Some(b'<' | b'>')) {
            i += 1;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// `preg_match_all('/([^=]+)=([^;]+)(;|$)/', $tag)`: key and value of each match.
fn key_values(s: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < s.len() {
        if s[p] == b'=' {
            p += 1;
            continue;
        }
        let Some(eq) = s[p..].iter().position(|c| *c == b'=').map(|q| p + q) else { break };
        let mut r = eq + 1;
        while r < s.len() && s[r] != b';' {
            r += 1;
        }
        if r == eq + 1 {
            // No value: the match fails here; try from the next byte.
            p += 1;
            continue;
        }
        out.push((&s[p..eq], &s[eq + 1..r]));
        p = if r < s.len() { r + 1 } else { r };
    }
    out
}

struct Tag<'a> {
    pos: usize,
    end: usize,
    open: bool,
    name: &'a [u8],
}

/// Every match of `#<(([a-z](?:[^\\<>]*+|\\.)*)|/([a-z][^<>]*+)?)>#ix`, left to right.
fn find_tags(s: &[u8]) -> Vec<Tag<'_>> {
    let mut tags = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'<' {
            if let Some(tag) = tag_at(s, i) {
                i = tag.end;
                tags.push(tag);
                continue;
            }
        }
        i += 1;
    }
    tags
}

fn tag_at(s: &[u8], pos: usize) -> Option<Tag<'_>> {
    let j = pos + 1;
    let first = *s.get(j)?;
    if first.is_ascii_alphabetic() {
        // Runs of anything but `\ < >`, or `\` with any byte but a newline.
        let mut k = j + 1;
        while k < s.len() {
            match s[k] {
                b'\\' if s.get(k + 1).is_some_and(|c| *c != b'\n') => k += 2,
                b'\\' | b'<' | b'>' => break,
                _ => k += 1,
            }
        }
        return (s.get(k) == Some(&b'>')).then(|| Tag { pos, end: k + 1, open: true, name: &s[j..k] });
    }
    if first != b'/' {
        return None;
    }
    let k = j + 1;
    match s.get(k) {
        Some(c) if c.is_ascii_alphabetic() => {
            let mut m = k + 1;
            while m < s.len() && s[m] != b'<' && s[m] != b'>' {
                m += 1;
            }
            (s.get(m) == Some(&b'>')).then(|| Tag { pos, end: m + 1, open: false, name: &s[k..m] })
        }
        Some(b'>') => Some(Tag { pos, end: k + 1, open: false, name: &s[k..k] }),
        _ => None,
    }
}

/// `strtr($output, ["\0" => '\\', '\\<' => '<', '\\>' => '>'])`.
fn strtr(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            0 => out.push(b'\\'),
            b'\\' if matches!(s.get(i + 1), Some(b'<' | b'>')) => {
                out.push(s[i + 1]);
                i += 1;
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// `OutputFormatter::escape()`: a backslash before each `<`/`>` not already after one (the
/// regex does not overlap, so the second of `<<` stays bare), then a trailing backslash guarded.
pub fn escape(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' && matches!(text.get(i + 1), Some(b'<' | b'>')) {
            // `([^\\])([<>])`, tried first.
            out.extend_from_slice(&[text[i], b'\\', text[i + 1]]);
            i += 2;
        } else if i == 0 && matches!(text[0], b'<' | b'>') {
            // `(^)([<>])`.
            out.extend_from_slice(&[b'\\', text[0]]);
            i = 1;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    escape_trailing_backslash(out)
}

fn escape_trailing_backslash(text: Vec<u8>) -> Vec<u8> {
    if text.last() != Some(&b'\\') {
        return text;
    }
    let len = text.len();
    let kept = text.iter().rposition(|c| *c != b'\\').map_or(0, |p| p + 1);
    let mut out: Vec<u8> = text[..kept].iter().copied().filter(|c| *c != 0).collect();
    out.resize(len, 0);
    out
}

/// Symfony's `StreamOutput::hasColorSupport()` for a stream.
pub fn has_color_support(is_terminal: bool) -> bool {
    let env = |k: &str| std::env::var_os(k);
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    let msys = env("MSYSTEM").is_some_and(|v| {
        let v = v.to_string_lossy().to_uppercase();
        v == "MINGW32" || v == "MINGW64"
    });
    if !is_terminal && !msys {
        return false;
    }
    if env("TERM_PROGRAM").is_some_and(|v| v == "Hyper")
        || env("COLORTERM").is_some()
        || env("ANSICON").is_some()
        || env("ConEmuANSI").is_some_and(|v| v == "ON")
    {
        return true;
    }
    let term = env("TERM").map(|v| v.to_string_lossy().into_owned()).unwrap_or_default();
    if term == "dumb" {
        return false;
    }
    let prefixes = ["screen", "xterm", "vt100", "vt220", "putty", "rxvt", "ansi", "cygwin", "linux"];
    prefixes.iter().any(|p| term.starts_with(p))
        || term.ends_with("-256")
        || term.ends_with("-256color")
        || term.ends_with("-256-bce")
        || term.ends_with("-256color-bce")
}

/// Standard output as the command writes it: `line()` through the formatter, raw lines as they
/// are, nothing when quiet.
pub struct Output {
    out: std::io::BufWriter<std::io::Stdout>,
    formatter: Formatter,
    quiet: bool,
}

impl Output {
    pub fn new(decorated: Option<bool>, quiet: bool) -> Output {
        let decorated = decorated.unwrap_or_else(|| has_color_support(std::io::stdout().is_terminal()));
        Output { out: std::io::BufWriter::new(std::io::stdout()), formatter: Formatter::new(decorated), quiet }
    }

    /// Laravel's `$this->line($text, $style)` (the text used as markup, unescaped).
    pub fn line(&mut self, style: Option<&str>, markup: &[u8]) -> Result<(), String> {
        if self.quiet {
            return Ok(());
        }
        let mut message = Vec::new();
        match style {
            Some(s) => {
                message.extend_from_slice(format!("<{s}>").as_bytes());
                message.extend_from_slice(markup);
                message.extend_from_slice(format!("</{s}>").as_bytes());
            }
            None => message.extend_from_slice(markup),
        }
        let mut formatted = self.formatter.format(&message)?;
        formatted.push(b'\n');
        let _ = self.out.write_all(&formatted);
        Ok(())
    }

    /// The command's `say()`: one line, its text escaped.
    pub fn say(&mut self, style: Option<&str>, text: &[u8]) -> Result<(), String> {
        self.line(style, &escape(text))
    }

    /// `writeln($text, OUTPUT_RAW)`.
    pub fn raw(&mut self, text: &[u8]) {
        if self.quiet {
            return;
        }
        let _ = self.out.write_all(text);
        let _ = self.out.write_all(b"\n");
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// A progress bar on standard error in Symfony's default format
/// (` 3/10 [========>-------------------]  30%`); not part of the stable output.
pub struct Progress {
    max: usize,
    step: usize,
    overwrite: bool,
}

impl Progress {
    pub fn start(max: usize) -> Progress {
        let stderr = std::io::stderr();
        let overwrite = has_color_support(stderr.is_terminal());
        let p = Progress { max, step: 0, overwrite };
        p.draw(false);
        p
    }

    fn line(&self) -> String {
        const WIDTH: usize = 28;
        let percent = if self.max == 0 { 1.0 } else { self.step as f64 / self.max as f64 };
        let full = ((percent * WIDTH as f64).floor() as usize).min(WIDTH);
        let mut bar = "=".repeat(full);
        if full < WIDTH {
            bar.push('>');
            bar.push_str(&"-".repeat(WIDTH - full - 1));
        }
        let width = self.max.to_string().len();
        format!(" {:>width$}/{} [{bar}] {:>3}%", self.step, self.max, (percent * 100.0).floor() as u64)
    }

    fn draw(&self, newline_before: bool) {
        let mut err = std::io::stderr().lock();
        let _ = if self.overwrite {
            write!(err, "\r\x1b[2K{}", self.line())
        } else if newline_before {
            write!(err, "\n{}", self.line())
        } else {
            write!(err, "{}", self.line())
        };
        let _ = err.flush();
    }

    pub fn advance(&mut self) {
        self.step += 1;
        // Without a terminal only the start and the end are drawn.
        if self.overwrite {
            self.draw(true);
        }
    }

    pub fn finish(self) {
        if !self.overwrite {
            self.draw(true);
        }
        let _ = writeln!(std::io::stderr());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values printed by symfony/console 5.4 (`OutputFormatter::escape()`, then
    /// `format("<error>$escaped</error>")` undecorated and decorated).
    #[test]
    fn escape_and_format_match_symfony() {
        let cases: [(&[u8], &[u8], &[u8], &[u8]); 7] = [
            (b"a<b>c", b"a\\<b\\>c", b"a<b>c", b"\x1b[37;41ma<b>c\x1b[39;49m"),
            (b"<<info>>", b"<\\<info\\>>", b"<<info>>", b"\x1b[37;41m<<info>>\x1b[39;49m"),
            (b"x\\<y>", b"x\\<y\\>", b"x<y>", b"\x1b[37;41mx<y>\x1b[39;49m"),
            (b"end\\\\", b"end\0\0", b"end\\\\", b"\x1b[37;41mend\\\\\x1b[39;49m"),
            (b"n\0ul", b"n\0ul", b"n\\ul", b"\x1b[37;41mn\\ul\x1b[39;49m"),
            (b"<<fg=red;>>z", b"<\\<fg=red;\\>>z", b"<<fg=red;>>z", b"\x1b[37;41m<<fg=red;>>z\x1b[39;49m"),
            (b"<info>t</info>", b"\\<info\\>t\\</info\\>", b"<info>t</info>", b"\x1b[37;41m<info>t</info>\x1b[39;49m"),
        ];
        for (text, escaped, plain, decorated) in cases {
            let e = escape(text);
            assert_eq!(e, escaped, "{}", String::from_utf8_lossy(text));
            let message = [b"<error>".as_slice(), &e, b"</error>"].concat();
            assert_eq!(Formatter::new(false).format(&message).unwrap(), plain);
            assert_eq!(Formatter::new(true).format(&message).unwrap(), decorated);
        }
    }

    #[test]
    fn unescaped_style_tags_apply_and_bad_ones_fail() {
        let mut f = Formatter::new(true);
        assert_eq!(f.format(b"<fg=blue;options=bold>x</> y").unwrap(), b"\x1b[34;1mx\x1b[39;22m y");
        assert_eq!(f.format(b"<comment>c</comment><nope>").unwrap(), b"\x1b[33mc\x1b[39m<nope>");
        assert!(f.format(b"<fg=bogus>x").unwrap_err().starts_with("Invalid \"bogus\" color"));
        let mut f = Formatter::new(false);
        f.format(b"<info>open").unwrap();
        assert_eq!(f.format(b"</comment>").unwrap_err(), "Incorrectly nested style tag found.");
    }
}
