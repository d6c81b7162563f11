//! The malformed-input suite: each org dir under `tests/malformed/` is broken in one way. The
//! outcome is either a located diagnostic and exit 2 (the data cannot be read) or located
//! `DATA-…` findings — never a panic. Output is snapshotted.

use std::path::Path;
use std::process::Command;

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["check", "--no-color", "--rule", "DATA"])
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run zhidu");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The documented outcome of each case: exit code and the diagnostic code or finding rule.
const OUTCOMES: &[(&str, i32, &str)] = &[
    ("bad-config", 2, "zhidu::data::config"),
    ("bad-toml", 2, "zhidu::data::toml"),
    ("bom", 0, "PASS"),
    ("duplicate-ids", 1, "DATA-DUP"),
    ("empty-files", 2, "zhidu::data::no_records"),
    // Issue 23: record CSVs in GBK are detected and read as exports are.
    ("gbk-csv", 0, "PASS"),
    ("missing-field", 1, "DATA-MISSING"),
    ("missing-reference", 1, "DATA-REF"),
    ("not-an-array", 1, "DATA-SHAPE"),
    ("ragged-csv", 2, "zhidu::data::csv"),
    ("unknown-kind", 1, "DATA-KIND"),
    ("wrong-types", 1, "DATA-TYPE"),
];

#[test]
fn malformed_inputs_have_documented_outcomes() {
    let root = Path::new("tests/malformed");
    let mut seen = 0;
    for (name, code, marker) in OUTCOMES {
        let (got, text) = check(&root.join(name));
        assert_eq!(got, *code, "{name}\n{text}");
        assert!(text.contains(marker), "{name}: expected {marker}\n{text}");
        assert!(!text.contains("panicked"), "{name}\n{text}");
        insta::assert_snapshot!(*name, format!("exit code: {got}\n{text}"));
        seen += 1;
    }
    let dirs = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(root)).expect("dir").count();
    assert_eq!(seen, dirs, "every case dir has a documented outcome");
}

#[test]
fn personal_values_never_appear_in_type_errors() {
    // wrong-types has `joined = "下个月"`: the message names the field, not the value.
    let (_, text) = check(&Path::new("tests/malformed").join("wrong-types"));
    assert!(text.contains("`joined`"), "{text}");
    assert!(
        !text.lines().any(|l| l.contains("下个月") && !l.contains('│')),
        "value printed outside the snippet\n{text}"
    );
}

#[test]
fn data_messages_in_english() {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["check", "--no-color", "--rule", "DATA", "--lang", "en", "tests/malformed/wrong-types"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run zhidu");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("field `joined` of a person record must be a date (YYYY-MM-DD)"), "{text}");
    assert!(text.contains("DATA-TYPE a field value does not have the declared type"), "{text}");
}
