//! Helpers shared by the CLI tests.

#![allow(dead_code, reason = "each test binary uses a subset")]

use std::path::Path;
use std::process::Command;

/// Runs `zhidu` in `dir` with colour off; returns (exit code, stdout, stderr).
pub fn zhidu_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run zhidu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `zhidu` in the repository root.
pub fn zhidu(args: &[&str]) -> (i32, String, String) {
    zhidu_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Hides what changes with every pack edit or release: the policy digest and the version.
pub fn redact(s: &str) -> String {
    let re = regex::Regex::new(r"sha256:[0-9a-f]{64}").expect("regex");
    re.replace_all(s, "sha256:[digest]").replace(env!("CARGO_PKG_VERSION"), "[version]")
}

/// Copies the directory tree `from` into `to` (created if missing): directories and regular
/// files; anything else (a symlink, a socket) is left out, so a copy never reaches outside `from`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        let kind = e.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&e.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}
