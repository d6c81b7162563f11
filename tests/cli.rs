//! End-to-end CLI tests of `zhidu check` on fixture org dirs: human and JSON output snapshots,
//! the JSON output validated against `docs/findings.schema.json`, exit codes and determinism.

mod common;
use common::*;

#[test]
fn human_output() {
    let (code, out, err) = zhidu(&["check", "tests/cases/APV-3/fail", "--rule", "APV-3", "--rule", "DATA"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("check_human_apv3", out);
}

#[test]
fn json_output_matches_its_schema() {
    let (code, out, err) = zhidu(&["check", "tests/cases/APV-3/fail", "--format", "json", "--rule", "APV-3"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("check_json_apv3", redact(&out));
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/findings.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("output is JSON");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["findings"][0]["subject"], "change:CHG-1");
}

#[test]
fn full_run_json_is_schema_valid_and_deterministic() {
    let (_, a, _) = zhidu(&["check", "tests/cases/CAD-1/fail", "--format", "json"]);
    let (_, b, _) = zhidu(&["check", "tests/cases/CAD-1/fail", "--format", "json"]);
    assert_eq!(a, b, "byte-identical output for the same inputs");
    let schema: serde_json::Value = serde_json::from_str(include_str!("../docs/findings.schema.json")).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let doc: serde_json::Value = serde_json::from_str(&a).expect("JSON");
    assert!(validator.is_valid(&doc));
}

#[test]
fn exit_codes() {
    assert_eq!(zhidu(&["check", "tests/cases/APV-3/pass", "--rule", "APV-3"]).0, 0);
    assert_eq!(zhidu(&["check", "tests/cases/APV-3/fail", "--rule", "APV-3"]).0, 1);
    assert_eq!(zhidu(&["check", "tests/cases/APV-3/fail", "--rule", "APV-3", "--fail-on", "never"]).0, 0);
    assert_eq!(zhidu(&["check", "tests/malformed/bad-toml"]).0, 2);
    assert_eq!(zhidu(&["check", "no/such/dir"]).0, 2);
    assert_eq!(zhidu(&["check", "tests/cases/APV-3/fail", "--policy", "tests/broken/01-syntax-error"]).0, 2);
    assert_eq!(zhidu(&["check", "--format", "yaml"]).0, 2, "bad arguments");
}

#[test]
fn skip_and_select() {
    let (_, out, _) = zhidu(&["check", "tests/cases/APV-3/fail", "--skip", "APV", "--format", "json"]);
    assert!(!out.contains("\"APV-3\""), "{out}");
}

#[test]
fn explain_names_the_failing_sub_condition() {
    let (code, out, _) = zhidu(&["explain", "APV-2", "--org", "tests/cases/APV-2/fail", "--subject", "change:CHG-2"]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("explain_apv2", out);
    // A sub-declaration is shown by its kind and name, never as `{…}`.
    let (code, out, _) = zhidu(&["explain", "SOP-10", "--org", "tests/cases/SOP-10/fail", "--subject", "project:PR1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("fails for s = step 启动"), "{out}");
    assert!(!out.contains("{…}"), "{out}");
    // A declaration likewise (`emergency 用户投诉激增`, not `emergency:用户投诉激增`).
    let (_, out, _) = zhidu(&["explain", "SOP-7", "--org", "tests/cases/SOP-7/fail", "--subject", "unit:U0"]);
    assert!(out.contains("fails for e = emergency 用户投诉激增"), "{out}");
    let (code, out, _) = zhidu(&["explain", "APV-3", "--org", "tests/cases/APV-3/pass", "--subject", "change:CHG-1"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("holds for change:CHG-1"), "{out}");
    let (code, _, err) = zhidu(&["explain", "APV-3", "--org", "tests/cases/APV-3/pass", "--subject", "change:NOPE"]);
    assert_eq!(code, 2);
    assert!(err.contains("no change with id `NOPE`"), "{err}");
}

#[test]
fn check_explain_adds_reasons() {
    let (_, out, _) = zhidu(&["check", "tests/cases/CAD-1/fail", "--rule", "CAD-1", "--explain", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let why = doc["findings"][0]["explanation"].as_array().expect("explanation");
    assert!(why.iter().any(|l| l.as_str().is_some_and(|s| s.contains("no element qualifies"))), "{why:?}");
    let schema: serde_json::Value = serde_json::from_str(include_str!("../docs/findings.schema.json")).expect("schema");
    assert!(jsonschema::validator_for(&schema).expect("valid schema").is_valid(&doc));
}

/// Every rule finding gets its reasons with `--explain`, whichever path made it: checks over
/// records and declarations, and checks over streamed export cells (MASK-2), which name the
/// cell and never its value.
#[test]
fn check_explain_explains_every_rule_finding() {
    for dir in ["tests/cases/MASK-2/fail", "examples/acme"] {
        let (_, out, _) = zhidu(&["check", dir, "--explain", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let findings = doc["findings"].as_array().expect("findings");
        assert!(findings.iter().any(|f| f["rule"] == "MASK-2"), "{dir}: a stream finding");
        for f in findings.iter().filter(|f| !f["rule"].as_str().is_some_and(|r| r.starts_with("DATA-"))) {
            let why = f["explanation"].as_array().map_or(0, Vec::len);
            assert!(why > 0, "{dir}: no explanation for {f}");
        }
        let cells: Vec<&serde_json::Value> = findings.iter().filter(|f| f["rule"] == "MASK-2").collect();
        for f in cells {
            let subject = f["subject"].as_str().unwrap_or_default();
            let first = f["explanation"][0].as_str().unwrap_or_default();
            assert_eq!(first, format!("c = {subject}"), "{dir}: the cell is named");
        }
    }
}

#[test]
fn explain_works_when_the_outer_forall_is_an_index_lookup() {
    // `forall p in plan where p.kind == "预算"` is planned as an index lookup on `kind`.
    let (code, out, _) = zhidu(&["explain", "APV-6", "--org", "tests/cases/APV-6/late-fail", "--subject", "plan:PL-1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is false: left = 2026-03-02, right = 2026-02-01"), "{out}");
}

/// A case that pins a finding's message fails when the message says something else.
#[test]
fn a_case_pins_the_message_of_a_finding() {
    let tmp = tempfile::tempdir().expect("tmp");
    let case = tmp.path().join("SOP-2");
    std::fs::create_dir_all(&case).expect("mkdir");
    for f in ["zhidu.toml", "expected.toml", "data.toml"] {
        let from = std::path::Path::new("tests/cases/SOP-2/fail").join(f);
        if from.exists() {
            std::fs::copy(&from, case.join(f)).expect("copy");
        }
    }
    let dir = tmp.path().display().to_string();
    assert_eq!(zhidu(&["test", &dir]).0, 0, "the committed message holds");
    let expected = std::fs::read_to_string(case.join("expected.toml")).expect("read");
    assert!(expected.contains("平均 4.5 小时"), "{expected}");
    std::fs::write(case.join("expected.toml"), expected.replace("平均 4.5 小时", "平均 5 小时")).expect("write");
    let (code, out, _) = zhidu(&["test", &dir]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("~ message    SOP-2 unit:U0"), "{out}");
}
