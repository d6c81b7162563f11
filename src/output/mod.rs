//! Output formats of `zhidu check`: one module per format, all reading the same findings.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::data::OrgData;
use crate::engine::Outcome;
use crate::policy::Policy;
use crate::syntax::ast::Severity;

/// Everything a renderer needs.
pub struct CheckRun<'a> {
    /// The pack.
    pub policy: &'a Policy,
    /// The org data.
    pub org: &'a OrgData,
    /// The findings.
    pub outcome: &'a Outcome,
    /// The org dir as given on the command line (prefix of artifact paths).
    pub org_dir: &'a std::path::Path,
    /// Comparison with a baseline, if one was given.
    pub baseline: Option<&'a crate::findings::baseline::Comparison>,
}

/// A finding's file as a path relative to the working directory (org dir + file), with `/`.
pub fn artifact_path(r: &CheckRun, file: &str) -> String {
    let p = std::path::Path::new(file);
    if p.is_absolute() || file.starts_with('<') {
        return file.to_string();
    }
    let joined = r.org_dir.join(p);
    let s = joined.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_string()
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
    /// Waived findings (not counted above).
    pub waived: usize,
}

impl CheckRun<'_> {
    /// Counts findings by severity.
    pub fn counts(&self) -> Counts {
        let mut c =
            Counts { waived: self.outcome.findings.iter().filter(|f| f.waiver.is_some()).count(), ..Counts::default() };
        for f in self.outcome.findings.iter().filter(|f| f.waiver.is_none()) {
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
        h.update(f.text().as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
