//! Findings: the one type every output format consumes.

use arcstr::ArcStr;
use serde::Serialize;

pub use crate::base::source::Location;
use crate::syntax::ast::Severity;

/// One finding of `zhidu check`.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Rule ID (catalog ID, or `DATA-…` for data validation). Shared by the rule's findings.
    pub rule: ArcStr,
    /// Severity after effective-date handling.
    pub severity: Severity,
    /// The rule's title (shared by the rule's findings).
    pub title: ArcStr,
    /// `kind:id` of the record, if the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Rendered message.
    pub message: String,
    /// The source clause of the regulation (shared by the rule's findings).
    pub source: ArcStr,
    /// Location in the org data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// `advisory` rules never fail a run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub advisory: bool,
    /// The rule is not in force yet: it takes effect on this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Why the rule failed (with `--explain`): the failing sub-conditions and bound values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<String>,
    /// Stable identity of the finding across runs (see `docs/baseline.md`).
    pub fingerprint: super::fingerprint::Fingerprint,
    /// The waiver that suppresses this finding, if any (boxed: most findings have none, and
    /// hundreds of thousands of findings should not each carry its room inline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<Waived>>,
    /// Which check of the rule produced it (part of the fingerprint; not output).
    #[serde(skip)]
    pub check: usize,
}

/// A waiver applied to a finding.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Waived {
    /// Why the exception was granted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day it applies.
    pub expires: String,
}

impl Finding {
    /// Whether the finding counts towards the exit code (not waived, not advisory).
    pub fn counts(&self) -> bool {
        self.waiver.is_none() && !self.advisory
    }
}

impl Finding {
    /// Sort key: rule, subject, location, message — gives byte-identical output across runs.
    pub fn sort_key(&self) -> (&str, Option<&str>, Option<&Location>, &str) {
        (&self.rule, self.subject.as_deref(), self.location.as_ref(), &self.message)
    }
}

/// Sorts findings deterministically (by [`Finding::sort_key`]) and removes exact duplicates
/// (of two checks of a rule failing alike for a record, the finding of the first check stays).
///
/// Hundreds of thousands of findings are sorted by a precomputed key — the rank of the rule ID
/// among the few distinct IDs and the first 16 bytes of the subject as a number — computed once
/// per finding; only findings whose keys tie are compared in full. The key orders as the full
/// comparison does (a shorter prefix padded with zero bytes never sorts after a longer one),
/// so the order is exactly that of `sort_key`.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    let mut ids: Vec<&str> = Vec::new();
    {
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for f in findings.iter() {
            if seen.insert(f.rule.as_str()) {
                ids.push(f.rule.as_str());
            }
        }
    }
    ids.sort_unstable();
    let rank: rustc_hash::FxHashMap<String, u32> =
        ids.iter().enumerate().map(|(i, id)| (id.to_string(), u32::try_from(i).unwrap_or(u32::MAX))).collect();
    let key = |f: &Finding| -> (u32, Option<u128>) {
        (rank.get(f.rule.as_str()).copied().unwrap_or(u32::MAX), f.subject.as_deref().map(prefix))
    };
    findings.sort_by_cached_key(key);
    // Runs of equal keys, in full.
    let mut i = 0;
    while i < findings.len() {
        let k = findings.get(i).map(key);
        let end = i + findings.get(i..).map_or(0, |rest| rest.iter().take_while(|f| Some(key(f)) == k).count());
        if let Some(run) = findings.get_mut(i..end)
            && run.len() > 1
        {
            // Of findings alike but for the check that made them, the first check's is kept.
            run.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()).then(a.check.cmp(&b.check)));
        }
        i = end.max(i + 1);
    }
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
}

/// The first 16 bytes of `s` as a big-endian number, zero-padded: `a <= b` implies
/// `prefix(a) <= prefix(b)`.
fn prefix(s: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, subject: Option<&str>, message: &str, line: usize) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            title: ArcStr::new(),
            subject: subject.map(str::to_string),
            message: message.into(),
            source: ArcStr::new(),
            location: (line > 0).then(|| Location {
                file: "f.toml".into(),
                line,
                column: 1,
                row: None,
                field: None,
                sheet: None,
                loc: None,
            }),
            advisory: false,
            pending: None,
            explanation: Vec::new(),
            fingerprint: crate::findings::fingerprint::Fingerprint::from_digest(&[]),
            waiver: None,
            check: 0,
        }
    }

    /// The keyed sort gives the order of a plain sort by `sort_key`, ties and long subjects
    /// sharing their first 16 bytes included, and drops exact duplicates.
    #[test]
    fn keyed_sort_is_the_full_sort() {
        let subjects = [
            None,
            Some("person:P0000000000001"),
            Some("person:P0000000000002"),
            Some("person:P000000000000"),
            Some("person:P00000000000\0"),
            Some("person:P1"),
            Some("change:C-1"),
            Some(""),
            Some("变更:一"),
        ];
        let mut all = Vec::new();
        let mut n = 7u64;
        for i in 0..400 {
            n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let rule = ["AB-3", "AB-10", "CD-1", "DATA-REF"][(n >> 33) as usize % 4];
            let subject = subjects[(n >> 40) as usize % subjects.len()];
            let msg = ["b", "a", "c"][(n >> 50) as usize % 3];
            all.push(finding(rule, subject, msg, (n >> 55) as usize % 3));
            if i % 17 == 0 {
                all.push(all[all.len() - 1].clone());
            }
        }
        let mut want = all.clone();
        want.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        want.dedup_by(|a, b| a.sort_key() == b.sort_key());
        sort_findings(&mut all);
        let keys = |v: &[Finding]| v.iter().map(|f| format!("{:?}", f.sort_key())).collect::<Vec<_>>();
        assert_eq!(keys(&all), keys(&want));
    }

    #[test]
    fn findings_stay_small() {
        // Hundreds of thousands of findings are held at once: per-rule strings are shared,
        // the fingerprint is inline and the rare waiver boxed (it was about 370 bytes). 264: 256
        // when measured, plus the shared name of a workbook sheet in the location.
        assert!(std::mem::size_of::<Finding>() <= 264, "{}", std::mem::size_of::<Finding>());
        assert_eq!(std::mem::size_of::<crate::findings::fingerprint::Fingerprint>(), 32);
        // The engine gathers findings through `Option<Finding>` slots, collected in place.
        assert_eq!(std::mem::size_of::<Option<Finding>>(), std::mem::size_of::<Finding>());
    }
}
