//! The shipped example organisations: `tests/fixtures/clean-org` (realistic size, no violations)
//! gives zero findings; `examples/acme` gives exactly its documented, deliberate violations; both
//! are what `examples/gen_acme.py` writes.

use std::collections::BTreeSet;
use std::process::Command;

fn check_json(dir: &str) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["check", dir, "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run zhidu");
    let doc = serde_json::from_slice(&out.stdout).expect("JSON output");
    (out.status.code().unwrap_or(-1), doc)
}

#[test]
fn clean_org_of_realistic_size_has_no_findings() {
    let (code, doc) = check_json("tests/fixtures/clean-org");
    assert_eq!(doc["findings"], serde_json::json!([]), "{doc}");
    assert_eq!(code, 0);
    assert!(doc["summary"]["records"].as_u64().unwrap_or(0) > 2000, "realistic size");
}

#[test]
fn acme_shows_exactly_its_deliberate_violations() {
    let (code, doc) = check_json("examples/acme");
    assert_eq!(code, 1);
    let got: BTreeSet<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["rule"].as_str().unwrap_or("").to_string(), f["subject"].as_str().unwrap_or("").to_string()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("APR-5", "appraisal:A-P0122-2026-05"),
        ("MASK-2", "export_cell:exports/user-profile-2026-06.csv#14/备注"),
        ("APV-3", "change:CHG-2026-011"),
        ("CAD-4", "unit:U-CO"),
        ("ORG-2", "unit:R3"),
        ("ORG-5", "unit:S08"),
        ("PERM-2", "grant:G-2026-014"),
        ("PERM-5", "transfer:TR-2026-006"),
        ("RISK-2", "risk:RK-2026-010"),
        ("SOP-2", "unit:U-CO"),
    ]
    .iter()
    .map(|(r, s)| (r.to_string(), s.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn examples_are_what_the_generator_writes() {
    let python = Command::new("python3").arg("--version").output();
    if python.is_err() {
        eprintln!("skipped: python3 is not installed, cannot regenerate the examples");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    for (flag, dir) in [(None, "examples/acme"), (Some("--clean"), "tests/fixtures/clean-org")] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("org");
        let mut cmd = Command::new("python3");
        cmd.arg(format!("{root}/examples/gen_acme.py")).arg("--out").arg(&out);
        if let Some(f) = flag {
            cmd.arg(f);
        }
        let status = cmd.status().expect("run generator");
        assert!(status.success());
        for entry in walkdir::WalkDir::new(&out).into_iter().flatten().filter(|e| e.file_type().is_file()) {
            let rel = entry.path().strip_prefix(&out).expect("relative");
            let committed = std::fs::read(format!("{root}/{dir}/{}", rel.display())).unwrap_or_default();
            let fresh = std::fs::read(entry.path()).expect("read");
            assert!(
                committed == fresh,
                "{dir}/{} is stale: run `python3 examples/gen_acme.py {}`",
                rel.display(),
                flag.unwrap_or("")
            );
        }
    }
}
