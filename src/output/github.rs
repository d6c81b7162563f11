//! `--format github`: GitHub Actions workflow commands, so findings appear as annotations on the
//! changed files of a pull request — as many as GitHub shows for a step, most severe first — then
//! a line of counts per rule; and a Markdown job summary with a table per chapter.

use std::fmt::Write;

use super::{CheckRun, artifact_path};
use crate::base::lang::Lang;
use crate::base::visible;
use crate::findings::finding::Finding;
use crate::output::human::grouped;
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

/// Annotations of each kind (error, warning, notice) GitHub shows for one step; it drops the
/// others (documented limits: 10 of each kind per step, 50 per job).
pub const PER_KIND: usize = 10;

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// The findings that become annotations: not waived, at most [`PER_KIND`] of each severity,
/// most severe first; within a severity the first finding of every rule, then the second of
/// every rule, and so on, so that one rule's many findings do not hide the others.
fn annotated<'a>(r: &'a CheckRun) -> Vec<&'a Finding> {
    let mut keyed: Vec<(std::cmp::Reverse<Severity>, usize, usize, &Finding)> = Vec::new();
    let mut rank = 0;
    let mut prev: Option<&str> = None;
    for (i, f) in r.outcome.findings.iter().enumerate().filter(|(_, f)| f.waiver.is_none()) {
        rank = if prev == Some(f.rule.as_str()) { rank + 1 } else { 0 };
        prev = Some(&f.rule);
        keyed.push((std::cmp::Reverse(f.severity), rank, i, f));
    }
    keyed.sort_unstable_by_key(|k| (k.0, k.1, k.2));
    let mut taken = [0usize; 3];
    let mut chosen: Vec<_> = keyed
        .into_iter()
        .filter(|(s, ..)| {
            let n = match s.0 {
                Severity::Error => &mut taken[0],
                Severity::Warning => &mut taken[1],
                Severity::Info => &mut taken[2],
            };
            *n += 1;
            *n <= PER_KIND
        })
        .collect();
    // Shown most severe first, each severity in the run's order.
    chosen.sort_unstable_by_key(|k| (k.0, k.2));
    chosen.into_iter().map(|k| k.3).collect()
}

/// Renders at most [`PER_KIND`] `::error`, `::warning` and `::notice` annotations (waived
/// findings are skipped), most severe first, then one log line per rule with its counts.
pub fn render(r: &CheckRun, lang: Lang) -> String {
    let mut s = String::new();
    for f in annotated(r) {
        let mut props = Vec::new();
        if let Some(l) = &f.location {
            props.push(format!("file={}", prop(&artifact_path(r, &l.file))));
            props.push(format!("line={}", l.line));
            props.push(format!("col={}", l.column));
        }
        props.push(format!("title={}", prop(&format!("{} {}", f.rule, f.title))));
        let subject = f.subject.as_deref().map(|x| format!("{x}: ")).unwrap_or_default();
        let _ = writeln!(
            s,
            "::{} {}::{}",
            command(f.severity),
            props.join(","),
            data(&format!("{subject}{}（{}）", f.message, f.source))
        );
    }
    // Plain log lines, not commands: only made one line with control characters visible.
    for row in rows(r) {
        let _ = writeln!(
            s,
            "{}",
            visible::line(&lang.pick(
                format!(
                    "zhidu {} {}：{} 个问题（{}），其中 {} 个已标注",
                    row.rule,
                    row.title,
                    grouped(row.count),
                    row.severity.as_str(),
                    row.annotated
                ),
                format!(
                    "zhidu {} {}: {} finding(s) ({}), {} annotated",
                    row.rule,
                    row.title,
                    grouped(row.count),
                    row.severity.as_str(),
                    row.annotated
                ),
            ))
        );
    }
    s
}

/// A rule's line of the counts: findings (waived ones apart), the most severe, how many were
/// annotated.
struct Row<'a> {
    rule: &'a str,
    title: &'a str,
    severity: Severity,
    count: usize,
    waived: usize,
    annotated: usize,
}

/// One row per rule with findings, in the run's order.
fn rows<'a>(r: &'a CheckRun) -> Vec<Row<'a>> {
    let shown: std::collections::HashSet<*const Finding> = annotated(r).into_iter().map(std::ptr::from_ref).collect();
    let mut rows: Vec<Row> = Vec::new();
    for f in &r.outcome.findings {
        if rows.last().is_none_or(|x| x.rule != f.rule) {
            rows.push(Row { rule: &f.rule, title: &f.title, severity: f.severity, count: 0, waived: 0, annotated: 0 });
        }
        let Some(row) = rows.last_mut() else { continue };
        if f.waiver.is_some() {
            row.waived += 1;
            continue;
        }
        row.count += 1;
        row.severity = row.severity.max(f.severity);
        row.annotated += usize::from(shown.contains(&std::ptr::from_ref(f)));
    }
    rows.retain(|x| x.count > 0);
    rows
}

/// Text of the pack or the org in a Markdown table cell: one line, control characters visible,
/// `|` and markup characters escaped.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in visible::line(s).chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The Markdown job summary (`$GITHUB_STEP_SUMMARY`): the outcome, then a table per chapter of
/// the rules run with their findings.
pub fn summary(r: &CheckRun, lang: Lang) -> String {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let c = r.counts();
    let mut s = String::new();
    let _ = writeln!(s, "## zhidu check · {}\n", cell(&r.org.config.name));
    let _ = writeln!(
        s,
        "**{}** — {} error(s), {} warning(s), {} info, {} waived · {} {} · {} {} · as of {}\n",
        if c.errors > 0 { "FAIL" } else { "PASS" },
        grouped(c.errors),
        grouped(c.warnings),
        grouped(c.infos),
        grouped(c.waived),
        r.outcome.rules_run.len(),
        t("条规则", "rule(s)"),
        grouped(r.outcome.records),
        t("条记录", "record(s)"),
        r.org.config.as_of
    );
    // Rules run (pack order), then built-in checks with findings; grouped by chapter.
    let rows = rows(r);
    let mut chapters: Vec<(&str, Vec<Row>)> = Vec::new();
    let mut listed: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut entries: Vec<Row> = Vec::new();
    for rule in r.policy.rules.iter().filter(|x| r.outcome.rules_run.contains(&x.id)) {
        if listed.insert(&rule.id) {
            let row = rows.iter().find(|x| x.rule == rule.id);
            entries.push(Row {
                rule: &rule.id,
                title: &rule.title,
                severity: row.map_or(rule.severity, |x| x.severity),
                count: row.map_or(0, |x| x.count),
                waived: row.map_or(0, |x| x.waived),
                annotated: 0,
            });
        }
    }
    for row in rows {
        if listed.insert(row.rule) {
            entries.push(row);
        }
    }
    for e in entries {
        let chapter = e.rule.split('-').next().unwrap_or(e.rule);
        match chapters.iter_mut().find(|(c, _)| *c == chapter) {
            Some((_, v)) => v.push(e),
            None => chapters.push((chapter, vec![e])),
        }
    }
    for (chapter, entries) in &chapters {
        let _ = writeln!(s, "### {}\n", cell(chapter));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            t("规则", "rule"),
            t("标题", "title"),
            t("级别", "level"),
            t("问题", "findings"),
            t("已豁免", "waived")
        );
        s.push_str("|---|---|---|---:|---:|\n");
        for e in entries {
            let mark = if e.count == 0 { "✅" } else { "❌" };
            let _ = writeln!(
                s,
                "| {mark} {} | {} | {} | {} | {} |",
                cell(e.rule),
                cell(e.title),
                e.severity.as_str(),
                grouped(e.count),
                grouped(e.waived)
            );
        }
        s.push('\n');
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
