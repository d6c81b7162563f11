//! `--format human`: findings grouped by rule, the offending lines shown as snippets, a summary.

use std::fmt::Write;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource};

use super::CheckRun;
use crate::base::visible;
use crate::findings::finding::Finding;
use crate::syntax::ast::Severity;

/// Snippets shown per rule; further findings are listed by location only.
const SNIPPETS_PER_RULE: usize = 3;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn sev(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.paint("1;31", "error"),
            Severity::Warning => self.paint("1;33", "warning"),
            Severity::Info => self.paint("1;36", "info"),
        }
    }
}

/// A finding as a miette diagnostic, to draw its snippet.
#[derive(Debug)]
struct Snippet {
    src: NamedSource<Arc<str>>,
    label: LabeledSpan,
    text: String,
}

impl std::fmt::Display for Snippet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
impl std::error::Error for Snippet {}
impl Diagnostic for Snippet {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// Options of the human format.
pub struct Options {
    /// ANSI colours.
    pub color: bool,
    /// One line per finding, no snippets, no summary.
    pub quiet: bool,
    /// Language of zhidu's own words.
    pub lang: crate::base::lang::Lang,
    /// Findings listed per rule (`0`: all); the others are counted (`… 还有 N 条`).
    pub max_per_rule: usize,
    /// A table of findings per rule instead of the findings themselves (like `ruff --statistics`).
    pub statistics: bool,
}

/// Findings listed per rule by default: a first run with a finding for every person prints a
/// screenful per rule, not a hundred thousand lines.
pub const MAX_PER_RULE: usize = 20;

/// `n` with its digits grouped by three with spaces (`99 930`), as the counts of the summary
/// lines are easiest read.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The line that stands for the findings of a rule not listed.
fn more(n: usize, en: bool) -> String {
    if en { format!("… {} more", grouped(n)) } else { format!("… 还有 {} 条", grouped(n)) }
}

/// The statistics table: one line per rule with its count of findings (waived ones apart),
/// severity, ID and title, most findings first.
fn statistics(findings: &[&Finding], st: &Style, en: bool, out: &mut String) {
    let mut rows: Vec<(usize, &Finding)> = Vec::new();
    for f in findings {
        match rows.last_mut() {
            Some((n, first)) if first.rule == f.rule => *n += 1,
            _ => rows.push((1, f)),
        }
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.rule.cmp(&b.1.rule)));
    let width = rows.iter().map(|(n, _)| grouped(*n).len()).max().unwrap_or(1);
    let id_width = rows.iter().map(|(_, f)| shown(&f.rule).chars().count()).max().unwrap_or(1);
    let (count, rule, level, title) =
        if en { ("count", "rule", "level", "title") } else { ("数量", "规则", "级别", "标题") };
    let _ = writeln!(out, "{}", st.paint("1", &format!("{count:>width$} {rule:<id_width$} {level:<7} {title}")));
    for (n, f) in &rows {
        let sev = st.sev(f.severity);
        // Colour codes do not take room on screen: pad the plain word.
        let pad = " ".repeat(7usize.saturating_sub(f.severity.as_str().len()));
        let _ = writeln!(out, "{:>width$} {:<id_width$} {sev}{pad} {}", grouped(*n), shown(&f.rule), shown(&f.title));
    }
    out.push('\n');
}

/// Text of the pack or the org (a message, a subject, a title, a file name) as the human format
/// prints it: one line, control characters escaped (`\u{1b}`, `\n`), so data can neither
/// drive the terminal nor start a line that looks like another finding.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    visible::line(s)
}

/// Renders the report for people. Waived findings are counted, not listed.
pub fn render(r: &CheckRun, o: &Options) -> String {
    let color = o.color;
    let en = o.lang == crate::base::lang::Lang::En;
    let t = |zh: &'static str, english: &'static str| if en { english } else { zh };
    let st = Style { color };
    let mut out = String::new();
    let findings: Vec<&Finding> = r.outcome.findings.iter().filter(|f| f.waiver.is_none()).collect();
    let limit = if o.max_per_rule == 0 { usize::MAX } else { o.max_per_rule };
    if o.quiet {
        let mut listed = 0;
        for (i, f) in findings.iter().enumerate() {
            listed = if i > 0 && findings.get(i - 1).is_some_and(|p| p.rule == f.rule) { listed + 1 } else { 1 };
            if listed > limit {
                // Counted at the rule's last finding.
                if findings.get(i + 1).is_none_or(|n| n.rule != f.rule) {
                    let _ = writeln!(out, "{}", more(listed - limit, en));
                }
                continue;
            }
            let at = f.location.as_ref().map(|l| format!("{}: ", shown(&l.at()))).unwrap_or_default();
            let _ = writeln!(
                out,
                "{at}{} {} [{}] {}",
                f.severity.as_str(),
                shown(&f.rule),
                shown(f.subject.as_deref().unwrap_or("-")),
                shown(&f.message)
            );
        }
        return out;
    }
    let mut i = 0;
    if o.statistics {
        statistics(&findings, &st, en, &mut out);
        i = findings.len();
    }
    while i < findings.len() {
        let rule = &findings[i].rule;
        let group: Vec<&Finding> = findings[i..].iter().copied().take_while(|f| &f.rule == rule).collect();
        i += group.len();
        let first = group[0];
        let _ = writeln!(
            out,
            "{} {} {} {}",
            st.sev(first.severity),
            st.paint("1", &shown(rule)),
            shown(&first.title),
            st.paint("2", &format!("· {} · {} {}", shown(&first.source), group.len(), t("条", "finding(s)")))
        );
        for (n, f) in group.iter().take(limit).enumerate() {
            let subject = shown(f.subject.as_deref().unwrap_or("-"));
            let mut tags = String::new();
            if f.advisory {
                tags.push_str(" [advisory]");
            }
            if let Some(d) = &f.pending {
                let _ = write!(tags, " [effective {d}]");
            }
            let at = f.location.as_ref().map(|l| shown(&l.at()).into_owned()).unwrap_or_default();
            let _ = writeln!(out, "  {} {}{}", st.paint("1", &subject), shown(&f.message), st.paint("33", &tags));
            if !at.is_empty() {
                let _ = writeln!(out, "    {} {at}", st.paint("2", "-->"));
            }
            for line in &f.explanation {
                let _ = writeln!(out, "    {} {}", st.paint("36", "why:"), shown(line));
            }
            if n < SNIPPETS_PER_RULE
                && let Some(s) = snippet(r, f, color)
            {
                out.push_str(&s);
            }
        }
        if group.len() > limit {
            let _ = writeln!(out, "  {}", st.paint("2", &more(group.len() - limit, en)));
        }
        out.push('\n');
    }
    let c = r.counts();
    if let Some(b) = r.baseline {
        let _ = writeln!(
            out,
            "{}: {} {}",
            t("基线", "baseline"),
            b.unchanged,
            t("个已知问题未列出", "known finding(s) not shown")
        );
        if !b.fixed.is_empty() {
            let _ = writeln!(out, "{} ({}):", t("已修复的基线问题", "fixed since the baseline"), b.fixed.len());
            for e in &b.fixed {
                let _ = writeln!(out, "  {} {}", shown(&e.rule), shown(e.subject.as_deref().unwrap_or("-")));
            }
        }
    }
    if r.outcome.not_evaluated > 0 {
        let _ = writeln!(
            out,
            "{}: {} {}",
            t("未评估", "not evaluated"),
            r.outcome.not_evaluated,
            t(
                "项（记录的字段取值不在制度声明的词表中，见 DATA-VOCAB）",
                "check(s) of records whose fields hold words the policy does not declare (see DATA-VOCAB)"
            )
        );
        // With `--explain`: which records, for which rule, and the fields that hold the words.
        for u in &r.outcome.unjudged {
            let _ = writeln!(
                out,
                "  {} {} {}: {} `{}` {}",
                shown(&u.rule),
                t("检查", "check"),
                u.check + 1,
                shown(&u.subject),
                shown(&u.fields.join("`, `")),
                t(
                    "的取值不在词表中，未评估（不判为不合规；见 DATA-VOCAB）",
                    "holds a word no vocabulary declares: not evaluated (not failed; see DATA-VOCAB)"
                )
            );
        }
    }
    let waived =
        if c.waived > 0 { format!(", {} {}", c.waived, t("waived（已豁免）", "waived")) } else { String::new() };
    let _ = writeln!(
        out,
        "{}: {} error(s), {} warning(s), {} info{waived} — {} {} {} {} {} ({} {}, as of {})",
        if c.errors > 0 { st.paint("1;31", "FAIL") } else { st.paint("1;32", "PASS") },
        c.errors,
        c.warnings,
        c.infos,
        r.outcome.rules.checked,
        t("条规则，检查", "rule(s) checked on"),
        r.outcome.records,
        t("条记录，组织", "record(s) of"),
        shown(&r.org.config.name),
        shown(&r.policy.meta.name),
        shown(&r.policy.meta.version),
        r.org.config.as_of
    );
    // The same breakdown `zhidu rules` and the report show (policy::counts).
    let _ = writeln!(out, "{}", r.outcome.rules.describe(o.lang));
    out
}

fn snippet(r: &CheckRun, f: &Finding, color: bool) -> Option<String> {
    let location = f.location.as_ref()?;
    // CSV rows and sheet rows are data, possibly personal: name the row and column, never show it.
    if location.file.ends_with(".csv") || location.field.is_some() || location.sheet.is_some() {
        return None;
    }
    let loc = location.loc?;
    let file = r.org.sources.get(loc.file);
    let text = file.text();
    // At most six lines of the record.
    let start = loc.start as usize;
    let mut end = (loc.end as usize).min(text.len());
    let mut lines = 0;
    for (i, ch) in text[start..end].char_indices() {
        if ch == '\n' {
            lines += 1;
            if lines == 6 {
                end = start + i;
                break;
            }
        }
    }
    let end = text[..end].trim_end().len().max(start);
    let d = Snippet {
        src: file.named(),
        label: LabeledSpan::new_primary_with_span(
            Some(shown(f.subject.as_deref().unwrap_or(&f.title)).into_owned()),
            file.span(start, end),
        ),
        text: String::new(),
    };
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(100).with_context_lines(0);
    let mut s = String::new();
    handler.render_report(&mut s, &d).ok()?;
    // Drop the empty message line miette prints first.
    let s: String = s.lines().filter(|l| !l.trim().is_empty() && l.trim() != "×").map(|l| format!("  {l}\n")).collect();
    Some(s)
}
