//! `--format github`: GitHub Actions workflow commands, so findings appear as annotations on the
//! changed files of a pull request.

use std::fmt::Write;

use super::{CheckRun, artifact_path};
use crate::base::visible;
use crate::syntax::ast::Severity;

/// Escapes the message part of a workflow command as the runner reads it back: `%`, CR and LF
/// percent-encoded (so the command stays one line; the annotation shows the line breaks), and
/// every other control character made visible (`\u{1b}`), as the runner would pass it to the
/// log raw.
fn data(s: &str) -> String {
    escape(s, false)
}

/// Escapes a property value of a workflow command: as [`data`], and `:` and `,` too, which end
/// a property.
fn prop(s: &str) -> String {
    escape(s, true)
}

/// The one escaping of this format, for [`data`] and [`prop`].
fn escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c if visible::is_active(c) => visible::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Renders one `::error`/`::warning`/`::notice` line per finding (waived findings are skipped).
pub fn render(r: &CheckRun) -> String {
    let mut s = String::new();
    for f in r.outcome.findings.iter().filter(|f| f.waiver.is_none()) {
        let cmd = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(l) = &f.location {
            props.push(format!("file={}", prop(&artifact_path(r, &l.file))));
            props.push(format!("line={}", l.line));
            props.push(format!("col={}", l.column));
        }
        props.push(format!("title={}", prop(&format!("{} {}", f.rule, f.title))));
        let subject = f.subject.as_deref().map(|x| format!("{x}: ")).unwrap_or_default();
        let _ =
            writeln!(s, "::{cmd} {}::{}", props.join(","), data(&format!("{subject}{}（{}）", f.message, f.source)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_stays_one_line_without_control_characters() {
        assert_eq!(data("标题\x1b[2J\x07 50%\r\n::error::x"), "标题\\u{1b}[2J\\u{7} 50%25%0D%0A::error::x");
        assert_eq!(prop("a:b,c%\n\u{202e}"), "a%3Ab%2Cc%25%0A\\u{202e}");
        assert_eq!(data("变更 CHG-1：首页文案"), "变更 CHG-1：首页文案");
    }
}
