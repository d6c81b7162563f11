//! Personal data never leaves zhidu: a check of exports holding raw ID-card numbers, mobile
//! numbers, full addresses and exact ages names file, row, column and kind in every output
//! format, and never the value or a fragment of it.

mod common;
use common::*;

/// Distinctive fragments of the raw values in `tests/cases/MASK-2/fail/exports`.
const RAW: &[&str] = &["11010519491231002X", "1949123", "13812345678", "3812345", "体育西路", "天河区", "U10086"];

#[test]
fn no_output_format_prints_personal_data() {
    let dir = "tests/cases/MASK-2/fail";
    for format in ["human", "json", "sarif", "junit", "github"] {
        for extra in [&[][..], &["--explain"][..], &["--quiet"][..]] {
            let mut args = vec!["check", dir, "--format", format];
            args.extend_from_slice(extra);
            if format == "github" {
                // GitHub shows 10 annotations of a kind: only the export rule's, to see them all.
                args.extend_from_slice(&["--rule", "MASK-2"]);
            }
            let (code, out, err) = zhidu(&args);
            assert_eq!(code, 1, "{format}: {err}");
            for raw in RAW {
                assert!(!out.contains(raw), "{format} {extra:?} prints `{raw}`:\n{out}");
                assert!(!err.contains(raw), "{format} {extra:?} prints `{raw}` on stderr");
            }
            assert!(out.contains("备注"), "{format}: names the column");
        }
    }
    let (_, out, _) = zhidu(&["check", dir, "--format", "json", "--rule", "MASK-2"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["subject"] == "export_cell:exports/users.csv#2/备注")
        .cloned();
    let f = f.expect("the ID number in 备注 is found");
    assert_eq!(f["location"]["row"], 2);
    assert_eq!(f["location"]["field"], "备注");
    assert!(f["message"].as_str().is_some_and(|m| m.contains("身份证号")), "{f}");
}
