//! Text from data on its way to a terminal, a log or a CI annotation, with its control
//! characters made visible. A record field may hold anything: `\x1b[2J` clears the terminal
//! that prints it, `\x07` rings it, and `\r` or a line break starts what reads as another line
//! of output — a forged finding, a forged log entry, a forged workflow command. Each text
//! format escapes what it writes through one function of its own, built on [`push_escape`]:
//! the human format ([`line`]), diagnostics (their words through [`lines`], the source lines
//! they quote through [`Source`]), GitHub workflow commands, JUnit XML, the rendered documents
//! ([`text`]) and JSON ([`json`]: serde escapes the C0 controls, this the rest).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` acts on a terminal or a log viewer instead of printing as itself: the C0 and C1
/// control characters and DEL (`char::is_control`: escape sequences, bells, line breaks, tabs),
/// the Unicode line and paragraph separators (line breaks to some viewers), and the
/// bidirectional embeddings, overrides and isolates (they reorder the text after them on
/// screen, so a line reads otherwise than it is).
pub fn is_active(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes the visible form of an active character: `\n`, `\r`, `\t`, else Rust's `\u{1b}`.
pub fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` as one line: every active character escaped, line breaks and tabs included, so one
/// finding stays one line of output.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// `s` with its line breaks kept and every other active character escaped: the words of a
/// diagnostic, which zhidu may break over lines itself.
pub fn lines(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n')
}

/// `s` with its layout kept (line breaks, a CR before one, tabs) and every other active
/// character escaped: text of a document (a handbook, a report), printed where it was written.
pub fn text(s: &str) -> Cow<'_, str> {
    Source::of(s).map_or(Cow::Borrowed(s), |shown| Cow::Owned(shown.text))
}

/// `s` with the active characters `keep` does not keep escaped; `s` itself when there are none.
fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s.find(|c| is_active(c) && !keep(c)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(s.get(..first).unwrap_or_default());
    for c in s.get(first..).unwrap_or_default().chars() {
        if is_active(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as pretty-printed JSON (as `serde_json::to_string_pretty`) with every active
/// character escaped as `\uXXXX`: serde escapes the C0 controls itself, but JSON allows DEL,
/// the C1 controls (`\u{9b}` is a CSI to some terminals), the line and paragraph separators
/// and the bidi controls raw, and a terminal or log viewer showing the file would act on them.
/// The value read back is the same.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(4096);
    json_to(&mut out, value, true)?;
    // The serializer writes only what `str` fragments and ASCII give it.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// [`json`] written into `w` as it is made, pretty-printed or (`pretty` false) compact, with no
/// document held in memory: outputs of hundreds of megabytes stream into their file.
pub fn json_to<W: std::io::Write, T: serde::Serialize + ?Sized>(
    w: W,
    value: &T,
    pretty: bool,
) -> Result<(), serde_json::Error> {
    if pretty {
        value.serialize(&mut serde_json::Serializer::with_formatter(w, Json(serde_json::ser::PrettyFormatter::new())))
    } else {
        value.serialize(&mut serde_json::Serializer::with_formatter(w, Json(serde_json::ser::CompactFormatter)))
    }
}

/// A serde_json formatter (pretty or compact), writing the active characters of strings escaped.
struct Json<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Json<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        // Every active character that reaches here (serde escapes the C0 controls) is DEL or
        // starts with one of the bytes 0xC2 (C1 controls) and 0xE2 (separators, bidi controls):
        // a fragment without them — nearly all — is written as it is.
        if memchr::memchr3(0x7f, 0xc2, 0xe2, fragment.as_bytes()).is_none() {
            return w.write_all(fragment.as_bytes());
        }
        let mut done = 0;
        for (at, c) in fragment.char_indices().filter(|&(_, c)| is_active(c)) {
            w.write_all(fragment.get(done..at).unwrap_or_default().as_bytes())?;
            // Every active character is in the Basic Multilingual Plane: one `\u` escape.
            write!(w, "\\u{:04x}", u32::from(c))?;
            done = at + c.len_utf8();
        }
        w.write_all(fragment.get(done..).unwrap_or_default().as_bytes())
    }

    // The layout is the pretty printer's.
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// A source file's text as a diagnostic quotes it: every active character escaped but those
/// that lay the file out (a line break, a CR before it, a tab), and the way from an offset in
/// the file to the same place in this text, so labels still point at what they point at.
#[derive(Debug)]
pub struct Source {
    /// The text to quote.
    pub text: String,
    /// For each escaped character: its end in the file, and the bytes added up to there.
    shifts: Vec<(usize, usize)>,
}

impl Source {
    /// The text to quote, or `None` when the file has nothing to escape (the common case: it
    /// is quoted as it is, at no cost).
    pub fn of(text: &str) -> Option<Source> {
        let mut chars = text.char_indices().peekable();
        let mut out: Option<Source> = None;
        let mut done = 0;
        while let Some((at, c)) = chars.next() {
            let layout = matches!(c, '\n' | '\t') || (c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n'));
            if !is_active(c) || layout {
                continue;
            }
            let s =
                out.get_or_insert_with(|| Source { text: String::with_capacity(text.len() + 16), shifts: Vec::new() });
            s.text.push_str(text.get(done..at).unwrap_or_default());
            push_escape(&mut s.text, c);
            done = at + c.len_utf8();
            s.shifts.push((done, s.text.len() - done));
        }
        if let Some(s) = &mut out {
            s.text.push_str(text.get(done..).unwrap_or_default());
        }
        out
    }

    /// Where byte `at` of the file is in [`Source::text`].
    pub fn offset(&self, at: usize) -> usize {
        let before = self.shifts.partition_point(|&(end, _)| end <= at);
        at + before.checked_sub(1).and_then(|i| self.shifts.get(i)).map_or(0, |&(_, added)| added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_escapes_every_control_character() {
        assert_eq!(line("首页\x1b[2J文案\x07微调\r\n::error::x\t"), "首页\\u{1b}[2J文案\\u{7}微调\\r\\n::error::x\\t");
        assert_eq!(line("\u{9b}31m \u{7f} \u{2028} \u{202e}cba"), "\\u{9b}31m \\u{7f} \\u{2028} \\u{202e}cba");
        assert!(matches!(line("普通文本 “引号” ‘a’ — ok"), Cow::Borrowed(_)), "nothing to escape: no copy");
        assert_eq!(lines("a\nb\x1b[0m\r"), "a\nb\\u{1b}[0m\\r");
        assert_eq!(text("a\r\n\tb\x07\r"), "a\r\n\tb\\u{7}\\r");
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_reads_back_the_same() {
        let value =
            serde_json::json!({ "t": "首\x1b[2J\x07\r\n\u{7f}\u{9b}31m\u{2028}\u{202e}页 \"q\" \\", "n": [1, 2] });
        let text = json(&value).expect("json");
        assert!(!text.chars().any(|c| is_active(c) && c != '\n'), "{text}");
        assert!(text.contains(r#""首\u001b[2J\u0007\r\n\u007f\u009b31m\u2028\u202e页 \"q\" \\""#), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).expect("parses"), value);
        let plain = serde_json::json!({ "a": ["x", { "b": null }], "c": {} });
        assert_eq!(json(&plain).expect("json"), serde_json::to_string_pretty(&plain).expect("json"), "same layout");
    }

    #[test]
    fn a_quoted_source_keeps_its_layout_and_its_offsets() {
        assert!(Source::of("a = 1\r\nb =\t\"二\"\n").is_none());
        let text = "id = \"x\"\r\ntitle = \"首\x1b[2J页\x07\"\rx\nnext";
        let s = Source::of(text).expect("something to escape");
        assert_eq!(s.text, "id = \"x\"\r\ntitle = \"首\\u{1b}[2J页\\u{7}\"\\rx\nnext");
        // Every character that was not escaped is found where it now is.
        for (at, c) in text.char_indices().filter(|&(_, c)| !is_active(c) || c == '\n') {
            assert_eq!(s.text[s.offset(at)..].chars().next(), Some(c), "offset {at}");
        }
        // An escaped character maps to the start of its escape.
        let esc = text.find('\x1b').expect("esc");
        assert!(s.text[s.offset(esc)..].starts_with("\\u{1b}"));
        assert_eq!(s.offset(text.len()), s.text.len());
    }
}
