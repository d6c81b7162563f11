//! `zhidu rules`: the rules of a pack as a table or JSON, with the count `check` and `report` show.

use std::path::Path;

use jiff::civil::Date;

use super::{EXIT_OK, RulesFormat, load_or_report};
use crate::base::lang::Lang;
use crate::policy::Selection;
use crate::policy::counts::{self, RuleState};

/// Runs the command; returns the exit code.
/// `as_of` decides which rules are pending (`check` and `report` take theirs from zhidu.toml).
pub fn run(policy: Option<&Path>, format: RulesFormat, as_of: Date, color: bool) -> u8 {
    let p = match load_or_report(policy, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let all = Selection::default();
    let state = |r: &crate::policy::Rule| match counts::state(r, as_of, &all) {
        RuleState::Checked => "checked",
        RuleState::Documented => "documented",
        RuleState::Pending(_) => "pending",
        RuleState::Skipped => "skipped",
        RuleState::Disabled => "disabled",
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
                        "state": state(r),
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
            // The count `check` and `report` show (policy::counts), then the checks of zhidu's own.
            outln!(
                "{}（截至 {as_of}）；另有 {} 项内置的数据与豁免检查",
                counts::count(&p, as_of, &all).describe(Lang::Zh),
                builtin().count()
            );
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
