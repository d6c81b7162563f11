//! Closed-world vocabulary and undeclared fields (issue 22) on `tests/fixtures/vocab-org`: a
//! misspelt tier, complaint steps named by synonyms, a misspelt optional field, a misspelt field
//! of an approval, a misspelt CSV column, a person without a role and an undeclared role give
//! exactly their DATA-VOCAB / DATA-FIELD / DATA-MISSING / DATA-TYPE / ROLE-4 findings, each naming
//! the word to write, and no rule failure for the records whose words are unknown.

mod common;
use common::*;

const ORG: &str = "tests/fixtures/vocab-org";

fn run(args: &[&str]) -> (i32, String) {
    let mut all = vec!["check", ORG, "--rule", "DATA", "--rule", "ROLE-4", "--rule", "APV-2", "--rule", "SOP-8"];
    all.extend_from_slice(args);
    let (code, out, err) = zhidu(&all);
    assert!(err.is_empty() || code != 2, "{err}");
    (code, out)
}

#[test]
fn vocabulary_and_field_mistakes_are_named_once_each() {
    let (code, out) = run(&[]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!("vocab_org_human", out);
}

#[test]
fn findings_name_the_expected_word_and_records_with_unknown_words_are_not_judged() {
    let (_, out) = run(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let findings = doc["findings"].as_array().expect("findings");
    let of = |rule: &str| -> Vec<String> {
        findings.iter().filter(|f| f["rule"] == rule).map(|f| f["message"].as_str().unwrap_or("").to_string()).collect()
    };
    let vocab = of("DATA-VOCAB");
    let expect = [
        ("`tier` 取值 `重大变更`", "是否应为 `重大改革`"),
        ("`steps.step` 取值 `调查与处理`", "是否应为 `投诉调查与处理`"),
        ("`steps.step` 取值 `跟踪与反馈`", "是否应为 `投诉跟踪与反馈`"),
        ("`roles` 取值 `研发工程师`", "在制度包中声明"),
    ];
    assert_eq!(vocab.len(), expect.len(), "{vocab:#?}");
    for (what, hint) in expect {
        assert!(vocab.iter().any(|m| m.contains(what) && m.contains(hint)), "{what} / {hint}: {vocab:#?}");
    }
    // The undeclared role is one finding for both people who hold it.
    assert!(vocab.iter().any(|m| m.contains("研发工程师") && m.contains("共 2 条记录")), "{vocab:#?}");
    let fields = of("DATA-FIELD");
    assert!(fields.iter().any(|m| m.contains("`go_live`") && m.contains("是否应为 `golive`")), "{fields:#?}");
    assert!(fields.iter().any(|m| m.contains("`role`") && m.contains("是否应为 `roles`")), "{fields:#?}");
    let missing = of("DATA-MISSING");
    assert!(missing.iter().any(|m| m.contains("`roles`") && m.contains("`role`")), "{missing:#?}");
    let mistyped = of("DATA-TYPE");
    assert!(mistyped.iter().any(|m| m.contains("approvals[1].by") && m.contains("`approver`")), "{mistyped:#?}");
    let roles = of("ROLE-4");
    assert!(roles.iter().any(|m| m.contains("P3") && m.contains("没有登记任何岗位")), "{roles:#?}");
    assert!(!roles.iter().any(|m| m.contains("研发工程师")), "an undeclared role is no ROLE-4 error: {roles:#?}");
    // CHG-1 (unknown tier) and CP-1 (unknown steps) would fail APV-2 and SOP-8: not judged.
    assert!(of("APV-2").iter().all(|m| !m.contains("CHG-1")), "{:#?}", of("APV-2"));
    assert!(of("SOP-8").is_empty(), "{:#?}", of("SOP-8"));
    assert_eq!(doc["summary"]["not_evaluated"], 1, "CP-1 is not judged by SOP-8: {}", doc["summary"]);
}
