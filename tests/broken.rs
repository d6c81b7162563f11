//! The broken-policy suite: each directory of `tests/broken/` is a policy pack with one kind of
//! mistake. `zhidu lint` must exit 2 and print a located diagnostic (code, file:line:col, label,
//! help); the whole output is a snapshot.

use std::path::Path;
use std::process::Command;

fn lint(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["lint", "--no-color", "--policy"])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run zhidu");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn broken_policies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).expect("tests/broken").flatten().map(|e| e.path()).collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "the suite has at least 15 distinct mistakes");
    for dir in dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let rel = Path::new("tests/broken").join(&name);
        let (code, stderr) = lint(&rel);
        assert_eq!(code, 2, "{name}: exit code\n{stderr}");
        assert!(stderr.contains("zhidu::") || stderr.contains("  × "), "{name}: a coded diagnostic\n{stderr}");
        assert!(stderr.contains("help:"), "{name}: a help line\n{stderr}");
        assert!(stderr.contains(&format!("{}/", rel.display())), "{name}: names the file\n{stderr}");
        insta::assert_snapshot!(name, format!("exit code: {code}\n{stderr}"));
    }
}
