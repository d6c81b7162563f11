//! `zhidu rules`: the rules of a pack as a table or JSON.

use std::path::Path;

use super::{EXIT_OK, RulesFormat, load_or_report};

/// Runs the command; returns the exit code.
pub fn run(policy: Option<&Path>, format: RulesFormat, color: bool) -> u8 {
    let p = match load_or_report(policy, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match format {
        RulesFormat::Json => {
            let rows: Vec<serde_json::Value> = p
                .rules
                .iter()
                .map(|r| {
                    let mut row = serde_json::json!({
                        "id": r.id,
                        "severity": r.severity.as_str(),
                        "title": r.title,
                        "source": r.source,
                        "where": r.place.describe().split(", ").filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                        "level": if r.advisory { "advisory" } else { "mandatory" },
                        "effective": r.effective.map(|d| d.to_string()),
                        "checks": r.checks.len(),
                    });
                    // Only a rule an overlay turned off has the member, so other output is unchanged.
                    if let (Some(d), Some(o)) = (&r.disabled, row.as_object_mut()) {
                        o.insert(
                            "disabled".into(),
                            serde_json::json!({ "reason": d.reason, "approved_by": d.approved_by }),
                        );
                    }
                    row
                })
                .chain(builtin().map(|(id, sev, title, about)| {
                    serde_json::json!({
                        "id": id, "severity": sev.as_str(), "title": title, "source": about,
                        "where": ["data"], "level": "mandatory", "effective": null, "checks": 0, "builtin": true,
                    })
                }))
                .collect();
            outln!("{}", crate::base::visible::json(&rows).unwrap_or_else(|_| "[]".into()));
        }
        RulesFormat::Table => {
            let width = |s: &str| unicode_width(s);
            let idw = p.rules.iter().map(|r| r.id.len()).chain(builtin().map(|b| b.0.len())).max().unwrap_or(2);
            let srcw = p.rules.iter().map(|r| width(&r.source)).max().unwrap_or(6).max(6);
            outln!("{:idw$}  {:8}  {:17}  {}  TITLE", "ID", "SEVERITY", "WHERE", pad("SOURCE", srcw));
            for r in &p.rules {
                outln!(
                    "{:idw$}  {:8}  {:17}  {}  {}",
                    r.id,
                    r.severity.as_str(),
                    r.place.describe(),
                    pad(&r.source, srcw),
                    match &r.disabled {
                        Some(d) => format!("{}（disabled: {}）", r.title, d.reason),
                        None => r.title.clone(),
                    }
                );
            }
            for (id, sev, title, _) in builtin() {
                outln!("{id:idw$}  {:8}  {:17}  {}  {title}", sev.as_str(), "data (built-in)", pad("zhidu", srcw));
            }
            outln!("{} rule(s) in the pack, {} built-in data and waiver checks", p.rules.len(), builtin().count());
        }
    }
    EXIT_OK
}

/// Display width, counting CJK characters as two columns.
fn unicode_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && !c.is_ascii() { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    let n = w.saturating_sub(unicode_width(s));
    format!("{s}{}", " ".repeat(n))
}

/// The built-in data and waiver checks: (ID, severity, title, what it checks).
pub(crate) fn builtin() -> impl Iterator<Item = (&'static str, crate::syntax::ast::Severity, &'static str, &'static str)>
{
    crate::findings::catalog::builtin().map(|r| (r.id, r.severity, r.title, r.about))
}
