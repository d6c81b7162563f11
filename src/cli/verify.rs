//! `zhidu verify`: whether a JSON report is what its inputs give. In order: the report's own
//! content digest (else it was edited), every path it lists (one zhidu never writes is named
//! `tampered` and never opened), the digest of every input file now (`changed`, `missing`,
//! `added`), then the results made again from the inputs with the report's `as_of` and period,
//! compared with the report's (each difference named: `status`, `subjects`, `evidence`, …).
//! Exit 0 only when all of it matches; 1 naming each difference; 2 when the report or the org
//! dir cannot be read, or the results cannot be made again and nothing else differs.

use std::path::Path;

use super::report::{fail, made_from, org_config};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::report;

/// Runs the command; returns the exit code.
pub fn run(report_path: &Path, org: &Path, policy: Option<&Path>, show_personal: bool, color: bool) -> u8 {
    let (made, document) = match report::read(report_path) {
        Ok(r) => r,
        Err(e) => return fail(&e, color),
    };
    // The report says for which day and period it was made (`read` checked both are dates): an
    // org dir without zhidu.toml can still be verified, and the results are made for that day.
    let given = crate::data::config::Given {
        as_of: made.as_of.parse().ok(),
        period: made.period.from.parse().ok().zip(made.period.to.parse().ok()),
    };
    let (config, policy_dir) = match org_config(org, policy, &given, color) {
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
    if !v.listing_intact {
        outln!(
            "{:<8} inputs: the input digest sha256:{} does not match the report's own list of files",
            "edited",
            made.inputs.digest
        );
    }
    for (path, problem) in &v.tampered {
        outln!("{:<8} {path}: {problem}; not opened: the report was tampered with", "tampered");
    }
    for (path, d) in &v.differences {
        outln!("{:<8} {path}", d.as_str());
    }
    // The results again, from the inputs as they are now (nothing here opens a path the report
    // names: the loaders read the org dir and the pack as `report` does).
    let recomputed = super::load_or_report(policy_dir.as_deref(), color).and_then(|policy| {
        let data = super::load_org_or_report(org, config, &policy.schema, color, "the results were not made again")?;
        made_from(&policy, policy_dir.as_deref(), &data, show_personal).map_err(|e| fail(&e, color))
    });
    let discrepancies = match &recomputed {
        Ok(now) => {
            if made.tool.version != now.tool.version {
                outln!(
                    "{:<8} the report was made by zhidu {}, this is zhidu {}: a difference in the results may come from that",
                    "note",
                    made.tool.version,
                    now.tool.version
                );
            }
            let found = report::reconcile::reconcile(&made, &document, now);
            for d in &found {
                outln!("{d}");
            }
            Some(found)
        }
        Err(_) => None,
    };
    let results_match = discrepancies.as_ref().is_some_and(Vec::is_empty);
    if v.matches() && results_match {
        let rules = made.rules.len();
        outln!(
            "verify: all {} input file(s) match the report (sha256:{}), and so do its results ({rules} rules, {} finding(s), {} waiver(s); content sha256:{})",
            v.files,
            v.digest,
            made.summary.findings,
            made.waivers.len(),
            v.content_digest
        );
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
    match &discrepancies {
        Some(found) if !found.is_empty() => {
            why.push(format!("{} difference(s) between its results and what the inputs give", found.len()))
        }
        Some(_) => {}
        None => why.push("its results could not be made again from the inputs (see above)".into()),
    }
    outln!("verify: the report of {} does not match its inputs: {}", made.as_of, why.join("; "));
    // Nothing found to differ, but the results could not be checked: that is no verification.
    if v.matches() && discrepancies.is_none() { EXIT_ERROR } else { EXIT_FINDINGS }
}
