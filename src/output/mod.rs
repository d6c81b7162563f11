//! Output formats of `zhidu check`: one module per format, all reading the same findings.

pub mod human;
pub mod json;

use crate::check::Outcome;
use crate::data::OrgData;
use crate::policy::Policy;
use crate::syntax::ast::Severity;

/// Everything a renderer needs.
pub struct Report<'a> {
    /// The pack.
    pub policy: &'a Policy,
    /// The org data.
    pub org: &'a OrgData,
    /// The findings.
    pub outcome: &'a Outcome,
}

/// Counts by severity (advisory and pending findings included).
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Counts {
    /// Error-level findings.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
}

impl Report<'_> {
    /// Counts findings by severity.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.outcome.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}

/// SHA-256 over the pack's files (names and contents, in load order), hex.
pub fn policy_digest(policy: &Policy) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (_, f) in policy.sources.files() {
        h.update(f.name.trim_start_matches("<builtin>/").as_bytes());
        h.update([0]);
        h.update(f.text.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
