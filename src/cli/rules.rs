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
                    serde_json::json!({
                        "id": r.id,
                        "severity": r.severity.as_str(),
                        "title": r.title,
                        "source": r.source,
                        "where": r.place.describe().split(", ").filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                        "level": if r.advisory { "advisory" } else { "mandatory" },
                        "effective": r.effective.map(|d| d.to_string()),
                        "checks": r.checks.len(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into()));
        }
        RulesFormat::Table => {
            let width = |s: &str| unicode_width(s);
            let idw = p.rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            let srcw = p.rules.iter().map(|r| width(&r.source)).max().unwrap_or(6).max(6);
            println!("{:idw$}  {:8}  {:17}  {}  TITLE", "ID", "SEVERITY", "WHERE", pad("SOURCE", srcw));
            for r in &p.rules {
                println!(
                    "{:idw$}  {:8}  {:17}  {}  {}",
                    r.id,
                    r.severity.as_str(),
                    r.place.describe(),
                    pad(&r.source, srcw),
                    r.title
                );
            }
            println!("{} rule(s)", p.rules.len());
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
