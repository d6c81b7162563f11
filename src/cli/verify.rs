//! `zhidu verify`: whether a JSON report still matches its inputs. Exit 0 when every input file
//! has the digest the report records; 1 naming each changed, missing or added file; 2 when the
//! report or the org dir cannot be read.

use std::path::Path;

use super::report::{fail, org_config};
use super::{EXIT_FINDINGS, EXIT_OK};
use crate::report;

/// Runs the command; returns the exit code.
pub fn run(report_path: &Path, org: &Path, policy: Option<&Path>, color: bool) -> u8 {
    let (made, document) = match report::read(report_path) {
        Ok(r) => r,
        Err(e) => return fail(&e, color),
    };
    // The report says for which day and period it was made: an org dir without zhidu.toml
    // can still be verified.
    let given = crate::data::config::Given {
        as_of: made.as_of.parse().ok(),
        period: made.period.from.parse().ok().zip(made.period.to.parse().ok()),
    };
    let (_, policy_dir) = match org_config(org, policy, &given, color) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let v = match report::verify::verify(&made, &document, org, policy_dir.as_deref()) {
        Ok(v) => v,
        Err(e) => return fail(&e, color),
    };
    if !v.content_intact {
        let says = made.content_digest.as_deref().map_or("none".to_string(), |d| format!("sha256:{d}"));
        outln!(
            "{:<8} report: its content digest is {says}, its content gives sha256:{}: the report was changed after it was written",
            "edited",
            v.content_digest
        );
    }
    for (path, problem) in &v.tampered {
        outln!("{:<8} {path}: {problem}; not opened: the report was tampered with", "tampered");
    }
    for (path, d) in &v.differences {
        outln!("{:<8} {path}", d.as_str());
    }
    if !v.listing_intact {
        outln!(
            "the report's digest sha256:{} does not match its own list of files: the report was edited",
            made.inputs.digest
        );
    }
    if v.matches() {
        outln!("verify: all {} input file(s) match the report (sha256:{})", v.files, v.digest);
        return EXIT_OK;
    }
    let mut why: Vec<String> = Vec::new();
    if !v.content_intact || !v.listing_intact {
        why.push("it was edited after it was written".into());
    }
    if !v.tampered.is_empty() {
        why.push(format!("it lists {} path(s) zhidu never writes", v.tampered.len()));
    }
    if !v.differences.is_empty() {
        why.push(format!(
            "{} input file(s) differ (report sha256:{}, now sha256:{})",
            v.differences.len(),
            made.inputs.digest,
            v.digest
        ));
    }
    outln!("verify: the report of {} does not match its inputs: {}", made.as_of, why.join("; "));
    EXIT_FINDINGS
}
