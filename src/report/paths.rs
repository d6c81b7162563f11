//! The paths a report names, checked before `zhidu verify` touches any of them.
//!
//! A report is input from whoever hands it over: if its file list could name any path, `verify`
//! would hash any file the verifier can read and say whether it matches the digest the report
//! gives — an oracle for the content of files outside the org (`policies/../../../etc/shadow`).
//! So a listed path must be `org/<path>` or `policies/<path>` with `<path>` relative and
//! normalised (what [`super::digest`] writes: `/`-separated, no empty, `.` or `..` component, no
//! backslash, no NUL), and, where it exists, must stay inside the org dir or the pack dir after
//! following symlinks. Anything else marks the report as tampered, and the file is not opened.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::digest::{ORG_PREFIX, POLICY_PREFIX};

/// The directory a listed path is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `org/…`: the org dir.
    Org,
    /// `policies/…`: the pack (a directory, or the files built into zhidu).
    Policies,
}

impl Root {
    /// For messages: `the org dir`, `the policy dir`.
    pub fn as_str(self) -> &'static str {
        match self {
            Root::Org => "the org dir",
            Root::Policies => "the policy dir",
        }
    }
}

/// Why a listed path is not one zhidu writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// Neither `org/` nor `policies/` at the start.
    NoRoot,
    /// Nothing after the prefix.
    Empty,
    /// Starts with `/` (after the prefix) or is absolute in another way (`C:`).
    Absolute,
    /// Holds `\`: zhidu writes `/` only, and `\` is a separator on Windows.
    Backslash,
    /// Holds NUL.
    Nul,
    /// An empty component (`a//b`, a trailing `/`).
    EmptyComponent,
    /// A `.` component.
    Dot,
    /// A `..` component.
    DotDot,
    /// Leads outside its directory through a symlink.
    Outside(Root),
    /// Listed more than once.
    Twice,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            PathProblem::NoRoot => "expected `org/<path>` or `policies/<path>`",
            PathProblem::Empty => "no path after the prefix",
            PathProblem::Absolute => "an absolute path; expected a path relative to the org or policy dir",
            PathProblem::Backslash => "holds `\\`; expected `/` as the only separator",
            PathProblem::Nul => "holds a NUL byte",
            PathProblem::EmptyComponent => "an empty component (`//` or a trailing `/`); expected a normalised path",
            PathProblem::Dot => "a `.` component; expected a normalised path",
            PathProblem::DotDot => "a `..` component; expected a path that stays inside the org or policy dir",
            PathProblem::Outside(Root::Org) => "leads outside the org dir through a symlink",
            PathProblem::Outside(Root::Policies) => "leads outside the policy dir through a symlink",
            PathProblem::Twice => "listed more than once",
        };
        f.write_str(s)
    }
}

/// Splits a listed path into its root and the path inside it, if it is one zhidu writes
/// (checked on the text alone; nothing is opened).
pub fn split(listed: &str) -> Result<(Root, &str), PathProblem> {
    if listed.starts_with('/') || Path::new(listed).is_absolute() {
        return Err(PathProblem::Absolute);
    }
    let (root, rel) = if let Some(rel) = listed.strip_prefix(ORG_PREFIX) {
        (Root::Org, rel)
    } else if let Some(rel) = listed.strip_prefix(POLICY_PREFIX) {
        (Root::Policies, rel)
    } else {
        return Err(PathProblem::NoRoot);
    };
    if rel.is_empty() {
        return Err(PathProblem::Empty);
    }
    if rel.contains('\0') {
        return Err(PathProblem::Nul);
    }
    if rel.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if rel.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    for part in rel.split('/') {
        match part {
            "" => return Err(PathProblem::EmptyComponent),
            "." => return Err(PathProblem::Dot),
            ".." => return Err(PathProblem::DotDot),
            _ => {}
        }
    }
    // What the platform makes of it must agree: a drive prefix (`C:x` on Windows) or anything
    // else that is not a plain name would join onto the root as something other than a child.
    if !Path::new(rel).components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(PathProblem::Absolute);
    }
    Ok((root, rel))
}

/// Where a checked relative path (from [`split`]) is inside `root`, following symlinks:
/// `Ok(Some(real path))` when it is there and inside, `Ok(None)` when there is no such file
/// (nothing to open), `Err(Outside)` when it resolves outside `root`. Only metadata is read.
pub fn resolve(root_dir: &Path, which: Root, rel: &str) -> Result<Option<PathBuf>, PathProblem> {
    // Without the root's own real path containment cannot be decided: nothing is opened.
    let Ok(real_root) = root_dir.canonicalize() else { return Ok(None) };
    match root_dir.join(rel).canonicalize() {
        Ok(real) if real.starts_with(&real_root) => Ok(Some(real)),
        Ok(_) => Err(PathProblem::Outside(which)),
        // A missing file (or a component that is not a directory) is not there to open.
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_zhidu_writes_pass() {
        assert_eq!(split("org/zhidu.toml"), Ok((Root::Org, "zhidu.toml")));
        assert_eq!(split("org/exports/user-profile-2026-06.csv"), Ok((Root::Org, "exports/user-profile-2026-06.csv")));
        assert_eq!(split("policies/main.zd"), Ok((Root::Policies, "main.zd")));
        assert_eq!(split("org/人员/名单.toml"), Ok((Root::Org, "人员/名单.toml")));
        assert_eq!(split("org/..data.toml"), Ok((Root::Org, "..data.toml")), "a name that starts with dots");
    }

    #[test]
    fn anything_else_is_refused_by_its_text() {
        let cases = [
            ("policies/../../../../etc/hostname", PathProblem::DotDot),
            ("org/a/../../x.toml", PathProblem::DotDot),
            ("org/..", PathProblem::DotDot),
            ("org//etc/hostname", PathProblem::Absolute),
            ("policies//etc/hostname", PathProblem::Absolute),
            ("/etc/hostname", PathProblem::Absolute),
            ("/work/org/zhidu.toml", PathProblem::Absolute),
            ("etc/hostname", PathProblem::NoRoot),
            ("Org/a.toml", PathProblem::NoRoot),
            ("org", PathProblem::NoRoot),
            ("org/", PathProblem::Empty),
            ("org/a\\..\\..\\x", PathProblem::Backslash),
            ("org/a\0b", PathProblem::Nul),
            ("org/a//b.toml", PathProblem::EmptyComponent),
            ("org/a/", PathProblem::EmptyComponent),
            ("org/./a.toml", PathProblem::Dot),
            ("org/a/.", PathProblem::Dot),
        ];
        for (listed, problem) in cases {
            assert_eq!(split(listed), Err(problem.clone()), "{listed}");
            assert!(!problem.to_string().is_empty());
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_must_stay_inside() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (org, outside) = (tmp.path().join("org"), tmp.path().join("secret.toml"));
        std::fs::create_dir_all(org.join("sub")).expect("mkdir");
        std::fs::write(&outside, "x").expect("write");
        std::fs::write(org.join("a.toml"), "a").expect("write");
        std::os::unix::fs::symlink(&outside, org.join("out.toml")).expect("symlink");
        std::os::unix::fs::symlink("../a.toml", org.join("sub/in.toml")).expect("symlink");
        std::os::unix::fs::symlink(tmp.path(), org.join("up")).expect("symlink");
        let real = |p: &Path| Some(p.canonicalize().expect("real"));
        assert_eq!(resolve(&org, Root::Org, "a.toml"), Ok(real(&org.join("a.toml"))));
        assert_eq!(resolve(&org, Root::Org, "sub/in.toml"), Ok(real(&org.join("a.toml"))), "a link inside");
        assert_eq!(resolve(&org, Root::Org, "out.toml"), Err(PathProblem::Outside(Root::Org)));
        assert_eq!(resolve(&org, Root::Policies, "up/secret.toml"), Err(PathProblem::Outside(Root::Policies)));
        assert_eq!(resolve(&org, Root::Org, "none.toml"), Ok(None));
        assert_eq!(resolve(&tmp.path().join("no-such-dir"), Root::Org, "a.toml"), Ok(None));
    }
}
