//! `--compare PREVIOUS.json`: what is new, fixed and unchanged since a previous report, by
//! finding fingerprint (`docs/baseline.md`), and every rule's status before and now.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::{Evidence, Period, Report, Status};

/// What changed since a previous report, by finding fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// The previous report.
    pub previous: Previous,
    /// Findings now that the previous report did not have.
    pub new: Vec<Change>,
    /// Findings of the previous report that are gone.
    pub fixed: Vec<Change>,
    /// Findings in both.
    pub unchanged: Vec<Change>,
    /// Every rule's status before and now.
    pub trend: Vec<Trend>,
}

/// Identification of the previous report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Previous {
    /// Its `as_of`.
    pub as_of: String,
    /// Its period.
    pub period: Period,
    /// Its input digest.
    pub digest: String,
}

/// One finding in a comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Rule ID.
    pub rule: String,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Message.
    pub message: String,
    /// Fingerprint.
    pub fingerprint: String,
}

/// A rule's status before and now.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Trend {
    /// Rule ID.
    pub id: String,
    /// Status in the previous report (none if the rule was not in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Status>,
    /// Status now (none if the rule is no longer in the pack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Status>,
    /// Whether the status changed.
    pub changed: bool,
}

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
