//! `zhidu explain RULE`: what a rule says, where it comes from and what it reads.

use std::path::Path;

use super::{EXIT_ERROR, EXIT_OK, load_or_report};
use crate::diag::suggest;

/// Runs the command; returns the exit code.
pub fn run(id: &str, policy: Option<&Path>, color: bool) -> u8 {
    let p = match load_or_report(policy, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let versions: Vec<_> = p.rules.iter().filter(|r| r.id.eq_ignore_ascii_case(id)).collect();
    if versions.is_empty() {
        let hint = suggest(id, p.rules.iter().map(|r| r.id.as_str()))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        eprintln!("error: no rule `{id}` in the pack{hint}; `zhidu rules` lists them");
        return EXIT_ERROR;
    }
    for r in versions {
        println!("{} {} [{}]", r.id, r.title, r.severity.as_str());
        println!();
        println!("  来源 source:    {}", r.source);
        println!("  检查 where:     {}", r.place.describe());
        println!("  级别 level:     {}", if r.advisory { "advisory (never fails a run)" } else { "mandatory" });
        if let Some(d) = r.effective {
            println!("  生效 effective: {d}");
        }
        println!("  定义 defined:   {}", p.sources.describe(r.loc));
        if let Some(t) = &r.text {
            println!("\n  规则 rule:\n{}", indent(t));
        }
        if let Some(q) = &r.quote {
            println!("\n  原文 regulation ({}):\n{}", r.source, indent(&format!("「{q}」")));
        }
        println!("\n  提示 message:\n{}", indent(&r.message));
        for (i, c) in r.checks.iter().enumerate() {
            let reads: Vec<&str> = c.reads.iter().map(|k| p.schema.kind(*k).name.as_str()).collect();
            println!(
                "\n  check {} ({}):",
                i + 1,
                if reads.is_empty() { "policy".to_string() } else { format!("reads {}", reads.join(", ")) }
            );
            println!("{}", indent(&c.text));
        }
        if !r.documents.is_empty() {
            let docs: Vec<String> = r
                .documents
                .iter()
                .map(|(k, n)| match n {
                    Some(n) => format!("{k} {n}"),
                    None => format!("every {k}"),
                })
                .collect();
            println!("\n  documents: {}", docs.join(", "));
        }
        println!();
    }
    EXIT_OK
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}
