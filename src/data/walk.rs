//! Finding an org dir's input files: every `.toml`, `.csv` and workbook (`.xlsx`, `.xls`,
//! `.ods`; in any case) under it, sorted by path, hidden entries, `target/` and Excel's lock
//! files (`~$people.xlsx`, left while a workbook is open: not data) skipped. Symlinks are
//! followed while they stay inside the org dir — a linked `exports/` dir or `person.csv` is
//! read like any other (it was skipped without a word: a false pass) — and a link that leads
//! out of it, a link loop, or a data file that is not a regular file (a FIFO would hang the
//! run) is a problem the caller reports.

use std::path::{Path, PathBuf};

/// One input file.
#[derive(Debug, Clone)]
pub struct Input {
    /// Path relative to the org dir (as written there: a link keeps its own name).
    pub rel: PathBuf,
    /// Path to open.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Input files, sorted by `rel`.
    pub files: Vec<Input>,
    /// Entries that could not be taken: (path, why).
    pub problems: Vec<(String, String)>,
}

/// Walks an org dir (see the module doc).
pub fn walk(dir: &Path) -> Walked {
    walk_in(dir, "org dir")
}

/// Walks `dir` as [`walk`] does; problems call it `what` (`org dir`, `input dir`).
pub fn walk_in(dir: &Path, what: &str) -> Walked {
    let mut out = Walked::default();
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let entries = walkdir::WalkDir::new(dir).sort_by_file_name().follow_links(true).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0
            || !(name.starts_with('.') || name.starts_with("~$") || (e.file_type().is_dir() && name == "target"))
    });
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(|| dir.display().to_string(), |p| p.display().to_string());
                let why = if e.loop_ancestor().is_some() { "a symlink loop".to_string() } else { e.to_string() };
                out.problems.push((at, why));
                continue;
            }
        };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf();
        if entry.path_is_symlink() {
            match std::fs::canonicalize(entry.path()) {
                Ok(real) if real.starts_with(&root) => {}
                Ok(real) => {
                    out.problems.push((
                        rel.display().to_string(),
                        format!(
                            "a symlink leading outside the {what} (to `{}`): copy the data into the {what}",
                            real.display()
                        ),
                    ));
                    continue;
                }
                Err(e) => {
                    out.problems.push((rel.display().to_string(), format!("a symlink that cannot be followed: {e}")));
                    continue;
                }
            }
        }
        if entry.file_type().is_dir() || super::file_format(&rel).is_none() {
            continue;
        }
        if !entry.file_type().is_file() {
            out.problems.push((rel.display().to_string(), "not a regular file (a FIFO, a device or a socket)".into()));
            continue;
        }
        let size = entry.metadata().map_or(0, |m| m.len());
        out.files.push(Input { rel, path: entry.into_path(), size });
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_inside_are_followed_and_links_outside_are_problems() {
        let tmp = tempfile::tempdir().expect("tmp");
        let org = tmp.path().join("org");
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(org.join("data")).expect("mkdir");
        std::fs::create_dir_all(&elsewhere).expect("mkdir");
        std::fs::write(org.join("data/person.csv"), "id\n").expect("write");
        std::fs::write(elsewhere.join("units.toml"), "").expect("write");
        std::fs::write(org.join("README.md"), "").expect("write");
        std::os::unix::fs::symlink(org.join("data"), org.join("exports")).expect("link");
        std::os::unix::fs::symlink(elsewhere.join("units.toml"), org.join("units.toml")).expect("link");
        std::os::unix::fs::symlink("loop", org.join("loop")).expect("link");
        let w = walk(&org);
        let rels: Vec<String> = w.files.iter().map(|f| f.rel.display().to_string()).collect();
        assert_eq!(rels, ["data/person.csv", "exports/person.csv"]);
        let problems: Vec<&str> = w.problems.iter().map(|(p, _)| p.as_str()).collect();
        assert!(problems.iter().any(|p| p.ends_with("units.toml")), "{:?}", w.problems);
        assert!(problems.iter().any(|p| p.ends_with("loop")), "{:?}", w.problems);
    }
}
