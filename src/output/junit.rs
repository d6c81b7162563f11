//! `--format junit`: JUnit XML for GitLab and Jenkins test reports. One `testsuite` per rule
//! chapter (`APV`, `KPI` …), one `testcase` per rule run; a rule with findings at or above the
//! failure level fails, listing its subjects; lower findings and waived ones go to `system-out`.

use std::collections::BTreeMap;
use std::io::Write;

use super::CheckRun;
use crate::base::visible;
use crate::findings::finding::Finding;
use crate::syntax::ast::Severity;

/// Escapes text for XML attributes and content: markup characters as entities; control
/// characters (most of them are not allowed in XML 1.0 at all) and the non-characters U+FFFE
/// and U+FFFF made visible (`\u{1b}`, `\n`), so the document parses, a line break in a message
/// does not split its finding over two lines, and a report printed to a terminal cannot drive
/// it.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if visible::is_active(c) || matches!(c, '\u{fffe}' | '\u{ffff}') => visible::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn line(f: &Finding) -> String {
    let at = f.location.as_ref().map(|l| format!(" ({})", l.at())).unwrap_or_default();
    format!("{} {}{at}", f.subject.as_deref().unwrap_or("-"), f.message)
}

/// Renders the report as JUnit XML. `fail_at` is the lowest failing severity (`None`: never).
pub fn render(r: &CheckRun, fail_at: Option<Severity>) -> String {
    let mut out = Vec::new();
    // Writing into memory does not fail.
    let _ = write(r, fail_at, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`render`]'s document into `w` as it is made.
pub fn write(r: &CheckRun, fail_at: Option<Severity>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // chapter → rule id → (title, findings)
    let mut chapters: BTreeMap<String, BTreeMap<String, (String, Vec<&Finding>)>> = BTreeMap::new();
    for rule in r.policy.rules.iter().filter(|x| r.outcome.rules_run.contains(&x.id)) {
        chapters
            .entry(rule.chapter().to_string())
            .or_default()
            .entry(rule.id.clone())
            .or_insert((rule.title.clone(), Vec::new()));
    }
    for f in &r.outcome.findings {
        let chapter = f.rule.split('-').next().unwrap_or(&f.rule).to_string();
        chapters
            .entry(chapter)
            .or_default()
            .entry(f.rule.to_string())
            .or_insert_with(|| (f.title.to_string(), Vec::new()))
            .1
            .push(f);
    }
    let fails = |f: &Finding| f.counts() && fail_at.is_some_and(|t| f.severity >= t);
    let total: usize = chapters.values().map(BTreeMap::len).sum();
    let failed: usize =
        chapters.values().flat_map(|c| c.values()).filter(|(_, fs)| fs.iter().any(|f| fails(f))).count();
    let mut s = std::io::BufWriter::with_capacity(1 << 16, w);
    s.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    writeln!(
        s,
        "<testsuites name=\"zhidu {}\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\">",
        esc(&r.org.config.name)
    )?;
    for (chapter, rules) in &chapters {
        let f_count = rules.values().filter(|(_, fs)| fs.iter().any(|f| fails(f))).count();
        writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f_count}\" errors=\"0\" skipped=\"0\">",
            esc(chapter),
            rules.len()
        )?;
        for (id, (title, fs)) in rules {
            write!(s, "    <testcase classname=\"zhidu.{}\" name=\"{} {}\"", esc(chapter), esc(id), esc(title))?;
            let failing: Vec<&Finding> = fs.iter().copied().filter(|f| fails(f)).collect();
            let other: Vec<&Finding> = fs.iter().copied().filter(|f| !fails(f)).collect();
            if failing.is_empty() && other.is_empty() {
                s.write_all("/>\n".as_bytes())?;
                continue;
            }
            s.write_all(">\n".as_bytes())?;
            if !failing.is_empty() {
                let sev = failing.iter().map(|f| f.severity).max().unwrap_or(Severity::Error).as_str();
                writeln!(s, "      <failure type=\"{sev}\" message=\"{} finding(s)\">", failing.len())?;
                for f in &failing {
                    writeln!(s, "{}", esc(&line(f)))?;
                }
                s.write_all("      </failure>\n".as_bytes())?;
            }
            if !other.is_empty() {
                s.write_all("      <system-out>".as_bytes())?;
                for f in &other {
                    let tag = if f.waiver.is_some() { "waived" } else { f.severity.as_str() };
                    writeln!(s, "[{tag}] {}", esc(&line(f)))?;
                }
                s.write_all("</system-out>\n".as_bytes())?;
            }
            s.write_all("    </testcase>\n".as_bytes())?;
        }
        s.write_all("  </testsuite>\n".as_bytes())?;
    }
    s.write_all("</testsuites>\n".as_bytes())?;
    s.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_xml_without_control_characters() {
        assert_eq!(
            esc("<a & \"b\">\x1b[2J\x07\r\n\t\u{fffe}"),
            "&lt;a &amp; &quot;b&quot;&gt;\\u{1b}[2J\\u{7}\\r\\n\\t\\u{fffe}"
        );
        let doc = format!("<r a=\"{}\">{}</r>", esc("\x00\x1b\u{8}'"), esc("\x0b\x0c\u{7f}\u{9b}"));
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed XML 1.0");
        assert_eq!(parsed.root_element().attribute("a"), Some("\\u{0}\\u{1b}\\u{8}'"));
    }
}
