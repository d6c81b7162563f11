//! `--compare PREVIOUS.json`: what is new, fixed and unchanged since a previous report, by
//! finding fingerprint (`docs/baseline.md`), and every rule's status before and now.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Change, Comparison, Evidence, Previous, Report, Status, Trend};

/// Every finding of a report (pack rules and built-in checks), by fingerprint.
fn findings(r: &Report) -> BTreeMap<(String, String), Change> {
    let rules = r.rules.iter().map(|x| (&x.id, &x.evidence));
    let data = r.data_checks.iter().map(|x| (&x.id, &x.evidence));
    let mut out = BTreeMap::new();
    for (rule, evidence) in rules.chain(data) {
        for e in evidence {
            out.insert((e.fingerprint.clone(), rule.clone()), change(rule, e));
        }
    }
    out
}

fn change(rule: &str, e: &Evidence) -> Change {
    Change {
        rule: rule.to_string(),
        subject: e.subject.clone(),
        message: e.message.clone(),
        fingerprint: e.fingerprint.clone(),
    }
}

/// Compares the current report with a previous one.
pub fn compare(previous: &Report, now: &Report) -> Comparison {
    let before = findings(previous);
    let after = findings(now);
    let sorted = |mut v: Vec<Change>| {
        v.sort();
        v
    };
    let new = sorted(after.iter().filter(|(k, _)| !before.contains_key(*k)).map(|(_, c)| c.clone()).collect());
    let fixed = sorted(before.iter().filter(|(k, _)| !after.contains_key(*k)).map(|(_, c)| c.clone()).collect());
    let unchanged = sorted(after.iter().filter(|(k, _)| before.contains_key(*k)).map(|(_, c)| c.clone()).collect());
    // Rules in the current pack order, then rules only the previous report had.
    let was: BTreeMap<&str, Status> = previous.rules.iter().map(|r| (r.id.as_str(), r.status)).collect();
    let current: BTreeSet<&str> = now.rules.iter().map(|r| r.id.as_str()).collect();
    let mut trend: Vec<Trend> = now
        .rules
        .iter()
        .map(|r| {
            let before = was.get(r.id.as_str()).copied();
            Trend { id: r.id.clone(), before, now: Some(r.status), changed: before != Some(r.status) }
        })
        .collect();
    trend.extend(previous.rules.iter().filter(|r| !current.contains(r.id.as_str())).map(|r| Trend {
        id: r.id.clone(),
        before: Some(r.status),
        now: None,
        changed: true,
    }));
    Comparison {
        previous: Previous {
            as_of: previous.as_of.clone(),
            period: previous.period.clone(),
            digest: previous.inputs.digest.clone(),
        },
        new,
        fixed,
        unchanged,
        trend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report with these rules: (id, status, fingerprints of its evidence).
    fn report(rules: &[(&str, &str, &[&str])]) -> Report {
        let rules: Vec<serde_json::Value> = rules
            .iter()
            .map(|(id, status, fps)| {
                let evidence: Vec<serde_json::Value> = fps
                    .iter()
                    .map(|f| serde_json::json!({ "severity": "error", "message": format!("m {f}"), "fingerprint": f }))
                    .collect();
                serde_json::json!({
                    "id": id, "chapter": "T", "title": "t", "source": "s", "where": ["org"], "severity": "error",
                    "advisory": false, "status": status, "checks": [], "findings": fps.len(), "waived": 0,
                    "evidence": evidence,
                })
            })
            .collect();
        let counts = serde_json::json!({ "rules": 0, "pass": 0, "fail": 0, "advisory": 0, "waived": 0,
            "not_applicable": 0, "not_checked": 0, "pending": 0 });
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "tool": { "name": "zhidu", "version": "0" }, "org": { "name": "o" },
            "policy": { "name": "p", "version": "1", "effective": "2026-01-01", "builtin": true },
            "as_of": "2026-06-30", "period": { "from": "2026-01-01", "to": "2026-06-30" },
            "inputs": { "algorithm": "sha256", "digest": "d", "files": [] },
            "summary": { "total": counts, "chapters": [], "findings": 0, "waived_findings": 0, "records": 0 },
            "rules": rules, "waivers": [], "lint": { "status": "pass", "rules": [] }, "data_checks": [],
        }))
        .expect("a report")
    }

    #[test]
    fn new_fixed_unchanged_and_trend() {
        let before = report(&[("A-1", "fail", &["a", "b"]), ("A-2", "pass", &[]), ("A-3", "pass", &[])]);
        let now = report(&[("A-1", "fail", &["b", "c"]), ("A-2", "not_applicable", &[]), ("A-4", "pass", &[])]);
        let c = compare(&before, &now);
        let fps = |v: &[Change]| v.iter().map(|x| x.fingerprint.clone()).collect::<Vec<_>>();
        assert_eq!(
            (fps(&c.new), fps(&c.fixed), fps(&c.unchanged)),
            (vec!["c".into()], vec!["a".into()], vec!["b".into()])
        );
        let trend: Vec<(&str, Option<Status>, Option<Status>, bool)> =
            c.trend.iter().map(|t| (t.id.as_str(), t.before, t.now, t.changed)).collect();
        assert_eq!(
            trend,
            vec![
                ("A-1", Some(Status::Fail), Some(Status::Fail), false),
                ("A-2", Some(Status::Pass), Some(Status::NotApplicable), true),
                ("A-4", None, Some(Status::Pass), true),
                ("A-3", Some(Status::Pass), None, true),
            ]
        );
    }
}
