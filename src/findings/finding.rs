//! Findings: the one type every output format consumes.

use serde::Serialize;

pub use crate::base::source::Location;
use crate::syntax::ast::Severity;

/// One finding of `zhidu check`.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Rule ID (catalog ID, or `DATA-…` for data validation).
    pub rule: String,
    /// Severity after effective-date handling.
    pub severity: Severity,
    /// The rule's title.
    pub title: String,
    /// `kind:id` of the record, if the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Rendered message.
    pub message: String,
    /// The source clause of the regulation.
    pub source: String,
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
    pub fingerprint: String,
    /// The waiver that suppresses this finding, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waived>,
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

/// Sorts findings deterministically and removes exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
}
