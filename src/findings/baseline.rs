//! Baselines: record the current findings by fingerprint (`--write-baseline FILE`), then report
//! only findings that are not in the baseline (`--baseline FILE`) and list the baseline entries
//! that are fixed. The fingerprint is documented in `docs/baseline.md`.

use serde::{Deserialize, Serialize};

use crate::findings::finding::Finding;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

/// One recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// Fingerprint.
    pub fingerprint: String,
    /// Rule ID (for people reading the file).
    pub rule: String,
    /// Subject (for people reading the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// A baseline file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Recorded findings, sorted by fingerprint.
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// A baseline of the findings that count (waived findings are already accepted).
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .filter(|f| f.waiver.is_none())
            .map(|f| Entry {
                fingerprint: f.fingerprint.to_string(),
                rule: f.rule.to_string(),
                subject: f.subject.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline { version: VERSION, findings: entries }
    }

    /// Serialised form (pretty JSON, trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = crate::base::visible::json(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// Parses a baseline file.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if b.version != VERSION {
            return Err(format!("unsupported baseline version {} (this zhidu writes {VERSION})", b.version));
        }
        Ok(b)
    }
}

/// The result of comparing findings with a baseline.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Comparison {
    /// Findings in the baseline, still present (not reported).
    pub unchanged: usize,
    /// Baseline entries no longer found.
    pub fixed: Vec<Entry>,
}

/// Removes findings recorded in the baseline; returns what was unchanged and what was fixed.
pub fn apply(baseline: &Baseline, findings: &mut Vec<Finding>) -> Comparison {
    let known: rustc_hash::FxHashSet<&str> = baseline.findings.iter().map(|e| e.fingerprint.as_str()).collect();
    let fixed = {
        let present: rustc_hash::FxHashSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        baseline.findings.iter().filter(|e| !present.contains(e.fingerprint.as_str())).cloned().collect()
    };
    let before = findings.len();
    findings.retain(|f| f.waiver.is_some() || !known.contains(f.fingerprint.as_str()));
    Comparison { unchanged: before - findings.len(), fixed }
}
