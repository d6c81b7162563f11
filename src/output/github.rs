//! `--format github`: GitHub Actions workflow commands, so findings appear as annotations on the
//! changed files of a pull request.

use std::fmt::Write;

use super::{CheckRun, artifact_path};
use crate::syntax::ast::Severity;

/// Escapes the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
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
