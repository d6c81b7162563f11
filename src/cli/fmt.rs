//! `zhidu fmt`: canonical formatting of policy files.

use std::path::PathBuf;

use super::EXIT_ERROR;

/// Runs the command; returns the exit code.
pub fn run(check: bool, files: &[PathBuf], color: bool) -> u8 {
    let _ = (check, files, color);
    eprintln!("error: `zhidu fmt` is not implemented yet");
    EXIT_ERROR
}
