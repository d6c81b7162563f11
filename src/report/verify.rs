//! `zhidu verify`, first half: the report's own content digest, then every path it lists (one
//! zhidu would never write is named and never opened), then the digests of its inputs now —
//! every file that changed, disappeared or was added since the report was made. The second half,
//! the results made again from the inputs, is [`super::reconcile`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::ReportError;
use super::digest::{self, POLICY_PREFIX};
use super::model::{FileDigest, Report};
use super::paths::{self, PathProblem, Root};
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
    /// The report's content digest, recomputed from its JSON document as read.
    pub content_digest: String,
    /// Whether that is the digest the report gives (else it was edited after it was written).
    pub content_intact: bool,
    /// Paths the report lists that zhidu never writes, or that lead outside the org or policy
    /// dir: the report was tampered with. None of them was opened.
    pub tampered: Vec<(String, PathProblem)>,
}

impl Verification {
    /// Whether the inputs are exactly the report's.
    pub fn matches(&self) -> bool {
        self.content_intact && self.differences.is_empty() && self.listing_intact && self.tampered.is_empty()
    }
}

/// Checks a report (`document`: its JSON as read) against its inputs: first its own content
/// digest, then every path it lists ([`paths`]: one that is not a path zhidu writes, or that
/// leads outside its directory, is named in `tampered` and never opened), then the digests of
/// the pack (`policy_dir`, `None`: built-in) and the org dir now.
pub fn verify(
    report: &Report,
    document: &serde_json::Value,
    org_dir: &Path,
    policy_dir: Option<&Path>,
) -> Result<Verification, ReportError> {
    let content_digest = digest::content(document);
    let content_intact = report.content_digest.as_deref() == Some(content_digest.as_str());
    let listing = check_listing(report, org_dir, policy_dir);
    let mut now = policy_now(&listing, policy_dir);
    let rels = digest::org_inputs(org_dir);
    let org = digest::org_files(org_dir, &rels).map_err(|(p, e)| ReportError::Unreadable {
        path: org_dir.join(p).display().to_string(),
        reason: e.to_string(),
    })?;
    now.extend(org);
    now.sort();
    // A tampered path is left out of the comparison: it is named as tampered, not as missing.
    let then: BTreeMap<&str, &str> = report
        .inputs
        .files
        .iter()
        .filter(|f| !listing.refused.contains(f.path.as_str()))
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
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
        listing_intact: report.inputs.algorithm == "sha256"
            && digest::overall(&report.inputs.files) == report.inputs.digest,
        digest: digest::overall(&now),
        content_digest,
        content_intact,
        tampered: listing.tampered,
    })
}

/// The report's file list, checked.
struct Listing {
    /// Each problem, in list order.
    tampered: Vec<(String, PathProblem)>,
    /// Paths never to open (a subset of `tampered`'s: a path listed twice is still a path).
    refused: BTreeSet<String>,
    /// Policy files the report lists, with the file to read for each (`None`: the built-in
    /// pack's file of that name; a path inside the policy dir after following symlinks).
    policies: Vec<(String, Option<PathBuf>)>,
}

/// Checks every path the report lists, on its text and then (where there is a file) its real
/// path, before anything is opened.
fn check_listing(report: &Report, org_dir: &Path, policy_dir: Option<&Path>) -> Listing {
    let mut listing = Listing { tampered: Vec::new(), refused: BTreeSet::new(), policies: Vec::new() };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for f in &report.inputs.files {
        if !seen.insert(f.path.as_str()) {
            listing.tampered.push((f.path.clone(), PathProblem::Twice));
            continue;
        }
        let checked = paths::split(&f.path).and_then(|(root, rel)| match (root, policy_dir) {
            (Root::Org, _) => paths::resolve(org_dir, root, rel).map(|_| None),
            // A file that is not there is not read: it is missing.
            (Root::Policies, Some(dir)) => paths::resolve(dir, root, rel).map(|real| real.map(Some)),
            // The built-in pack is read from the binary, never from the file system.
            (Root::Policies, None) => Ok(Some(None)),
        });
        match checked {
            Err(problem) => {
                listing.refused.insert(f.path.clone());
                listing.tampered.push((f.path.clone(), problem));
            }
            Ok(Some(real)) => listing.policies.push((f.path.clone(), real)),
            Ok(None) => {}
        }
    }
    listing
}

/// The pack's files now: those the pack includes (even if it no longer parses), and any file the
/// report lists that is still there (found by [`check_listing`], so inside the pack).
fn policy_now(listing: &Listing, policy_dir: Option<&Path>) -> Vec<FileDigest> {
    let src = match policy_dir {
        Some(d) => PackSource::Dir(d.to_path_buf()),
        None => PackSource::Embedded(&BUILTIN),
    };
    let sources = match load::load(&src) {
        Ok(loaded) => loaded.sources,
        Err((sources, _)) => sources,
    };
    let mut files = digest::policy_files(&sources, policy_dir);
    for (listed, real) in &listing.policies {
        if files.iter().any(|f| &f.path == listed) {
            continue;
        }
        let rel = listed.strip_prefix(POLICY_PREFIX).unwrap_or(listed);
        let bytes: Option<Vec<u8>> = match real {
            Some(path) => crate::base::files::read(path).ok(),
            None => BUILTIN.get_file(rel).map(|f| f.contents().to_vec()),
        };
        if let Some(b) = bytes {
            files.push(FileDigest { path: listed.clone(), sha256: digest::sha256(&b), bytes: b.len() as u64 });
        }
    }
    files.sort();
    files
}
