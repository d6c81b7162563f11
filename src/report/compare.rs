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
