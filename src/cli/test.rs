//! `zhidu test [DIR]`: run policy test cases, report failures with a diff and rule coverage.

use std::path::Path;

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, load_or_report};
use crate::engine::cases::{coverage, find_cases, run_case};

/// Runs the command; returns the exit code.
pub fn run(dir: &Path, policy: Option<&Path>, threshold: f64, color: bool) -> u8 {
    let p = match load_or_report(policy, color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let cases = find_cases(dir);
    if cases.is_empty() {
        errln!("error: no test cases (directories with expected.toml) under `{}`", dir.display());
        return EXIT_ERROR;
    }
    let results: Vec<_> = cases.iter().map(|c| run_case(&p, c)).collect();
    let mut failed = 0;
    for r in &results {
        let name = r.dir.strip_prefix(dir).unwrap_or(&r.dir).display().to_string();
        if r.passed() {
            outln!("PASS {name}");
            continue;
        }
        failed += 1;
        outln!("FAIL {name}");
        if let Some(e) = &r.error {
            for l in e.lines() {
                outln!("     {l}");
            }
        }
        for (rule, subj) in &r.missing {
            outln!("     - missing    {rule} {}", subj.as_deref().unwrap_or("-"));
        }
        for (rule, subj) in &r.unexpected {
            outln!("     + unexpected {rule} {}", subj.as_deref().unwrap_or("-"));
        }
        for (rule, subj, want, got) in &r.wrong_message {
            outln!("     ~ message    {rule} {}", subj.as_deref().unwrap_or("-"));
            outln!("         expected {want}");
            outln!("         got      {got}");
        }
    }
    let cov = coverage(&p, &results);
    outln!();
    outln!("{} case(s): {} passed, {failed} failed", results.len(), results.len() - failed);
    outln!(
        "rule coverage: {:.1}% of org rules have a passing and a failing case ({} of {})",
        cov.percent,
        cov.covered.len(),
        cov.covered.len() + cov.no_pass.len().max(cov.no_fail.len())
    );
    if !cov.no_fail.is_empty() {
        outln!("  no failing case: {}", cov.no_fail.join(", "));
    }
    if !cov.no_pass.is_empty() {
        outln!("  no passing case: {}", cov.no_pass.join(", "));
    }
    if failed > 0 {
        EXIT_FINDINGS
    } else if cov.percent + 1e-9 < threshold {
        outln!("coverage {:.1}% is below the threshold {threshold}%", cov.percent);
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
