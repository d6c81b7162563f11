//! `zhidu fmt`: canonical formatting of policy files, written atomically (temp file + rename).

use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::base::diag::Diagnostics;
use crate::base::source::SourceMap;
use crate::syntax;

/// Runs the command; returns the exit code.
pub fn run(check: bool, files: &[PathBuf], color: bool) -> u8 {
    let roots = if files.is_empty() { vec![PathBuf::from("policies")] } else { files.to_vec() };
    let mut paths = Vec::new();
    for root in &roots {
        if root.is_dir() {
            let walk =
                walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| !is_hidden(e.path()));
            for entry in walk.flatten() {
                if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "zd") {
                    paths.push(entry.into_path());
                }
            }
        } else if root.exists() {
            paths.push(root.clone());
        } else {
            errln!("error: `{}` does not exist", root.display());
            return EXIT_ERROR;
        }
    }
    let mut failed = false;
    let mut unformatted = Vec::new();
    for path in &paths {
        let text = match crate::base::files::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errln!("error: cannot read `{}`: {e}", path.display());
                failed = true;
                continue;
            }
        };
        let formatted = match syntax::fmt::format(&text) {
            Ok(f) => f,
            Err(msg) => {
                report_parse_errors(path, &text, &msg, color);
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            unformatted.push(path.clone());
        } else if let Err(e) = write_atomic(path, &formatted) {
            errln!("error: cannot write `{}`: {e}", path.display());
            failed = true;
        } else {
            errln!("formatted {}", path.display());
        }
    }
    for p in &unformatted {
        errln!("would reformat {}", p.display());
    }
    if failed {
        EXIT_ERROR
    } else if !unformatted.is_empty() {
        errln!("{} of {} file(s) would be reformatted; run `zhidu fmt`", unformatted.len(), paths.len());
        EXIT_FINDINGS
    } else {
        if check {
            errln!("{} file(s) already formatted", paths.len());
        }
        EXIT_OK
    }
}

fn is_hidden(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.') && n != "." && n != "..")
}

fn report_parse_errors(path: &Path, text: &str, fallback: &str, color: bool) {
    let mut sources = SourceMap::default();
    let id = sources.add(path.display().to_string(), text);
    let (_, errors) = syntax::parse_file(id, text);
    if errors.is_empty() {
        errln!("error: {}: {fallback}", path.display());
        return;
    }
    let mut d = Diagnostics::default();
    for e in errors {
        d.push(e, &sources);
    }
    err!("{}", d.render(color));
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so a
/// crash never leaves a half-written file.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    crate::base::files::write_atomic(path, text.as_bytes())
}
