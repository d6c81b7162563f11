//! `zhidu verify`: recompute the digests of a report's inputs and name every file that changed,
//! disappeared or was added since the report was made.

use std::collections::BTreeMap;
use std::path::Path;

use super::ReportError;
use super::digest::{self, POLICY_PREFIX};
use super::model::{FileDigest, Report};
use crate::compile::load::{self, BUILTIN, PackSource};

/// How one input differs from the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// Its bytes changed.
    Changed,
    /// The report lists it; it is gone.
    Missing,
    /// It is an input now; the report does not list it.
    Added,
}

impl Difference {
    /// `changed`, `missing` or `added`.
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Changed => "changed",
            Difference::Missing => "missing",
            Difference::Added => "added",
        }
    }
}

/// The result of a verification.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Input files now.
    pub files: usize,
    /// Each file that differs, by path.
    pub differences: Vec<(String, Difference)>,
    /// Whether the report's own digest matches its list of files (else the report was edited).
    pub listing_intact: bool,
    /// The digest over the inputs now.
    pub digest: String,
}

impl Verification {
    /// Whether the inputs are exactly the report's.
    pub fn matches(&self) -> bool {
        self.differences.is_empty() && self.listing_intact
    }
}

/// Recomputes the digests of the pack (`policy_dir`, `None`: built-in) and the org dir.
pub fn verify(report: &Report, org_dir: &Path, policy_dir: Option<&Path>) -> Result<Verification, ReportError> {
    let mut now = policy_now(report, policy_dir);
    let rels = digest::org_inputs(org_dir);
    let org = digest::org_files(org_dir, &rels).map_err(|(p, e)| ReportError::Unreadable {
        path: org_dir.join(p).display().to_string(),
        reason: e.to_string(),
    })?;
    now.extend(org);
    now.sort();
    let then: BTreeMap<&str, &str> = report.inputs.files.iter().map(|f| (f.path.as_str(), f.sha256.as_str())).collect();
    let current: BTreeMap<&str, &str> = now.iter().map(|f| (f.path.as_str(), f.sha256.as_str())).collect();
    let mut differences: Vec<(String, Difference)> = Vec::new();
    for (path, sha) in &then {
        match current.get(path) {
            Some(s) if s == sha => {}
            Some(_) => differences.push((path.to_string(), Difference::Changed)),
            None => differences.push((path.to_string(), Difference::Missing)),
        }
    }
    differences.extend(current.keys().filter(|p| !then.contains_key(*p)).map(|p| (p.to_string(), Difference::Added)));
    differences.sort();
    Ok(Verification {
        files: now.len(),
        differences,
        listing_intact: digest::overall(&report.inputs.files) == report.inputs.digest,
        digest: digest::overall(&now),
    })
}

/// The pack's files now: those the pack includes (even if it no longer parses), and any file the
/// report lists that is still there.
fn policy_now(report: &Report, policy_dir: Option<&Path>) -> Vec<FileDigest> {
    let src = match policy_dir {
        Some(d) => PackSource::Dir(d.to_path_buf()),
        None => PackSource::Embedded(&BUILTIN),
    };
    let sources = match load::load(&src) {
        Ok(loaded) => loaded.sources,
        Err((sources, _)) => sources,
    };
    let mut files = digest::policy_files(&sources, policy_dir);
    for listed in report.inputs.files.iter().filter(|f| f.path.starts_with(POLICY_PREFIX)) {
        if files.iter().any(|f| f.path == listed.path) {
            continue;
        }
        let rel = &listed.path[POLICY_PREFIX.len()..];
        let bytes: Option<Vec<u8>> = match policy_dir {
            Some(d) => crate::base::files::read(&d.join(rel)).ok(),
            None => BUILTIN.get_file(rel).map(|f| f.contents().to_vec()),
        };
        if let Some(b) = bytes {
            files.push(FileDigest { path: listed.path.clone(), sha256: digest::sha256(&b), bytes: b.len() as u64 });
        }
    }
    files.sort();
    files
}
