//! The shipped policy pack: it lints clean, is formatted, encodes every catalog rule, and its
//! own test cases pass with full rule coverage.

mod common;
use common::*;

/// The 61 rule IDs of `rule-catalog.md`.
const CATALOG: &[&str] = &[
    "ROLE-1", "ROLE-2", "ROLE-3", "ROLE-4", "ROLE-5", "APV-1", "APV-2", "APV-3", "APV-4", "APV-5", "APV-6", "APV-7",
    "KPI-1", "KPI-2", "KPI-3", "KPI-4", "KPI-5", "APR-1", "APR-2", "APR-3", "APR-4", "APR-5", "APR-6", "APR-7",
    "PERM-1", "PERM-2", "PERM-3", "PERM-4", "PERM-5", "MASK-1", "MASK-2", "MASK-3", "CAD-1", "CAD-2", "CAD-3", "CAD-4",
    "CAD-5", "CAD-6", "CAD-7", "CAD-8", "DEV-1", "DEV-2", "ORG-1", "ORG-2", "ORG-3", "ORG-4", "ORG-5", "ORG-6",
    "SOP-1", "SOP-2", "SOP-3", "SOP-4", "SOP-5", "SOP-6", "SOP-7", "SOP-8", "SOP-9", "SOP-10", "SOP-11", "RISK-1",
    "RISK-2",
];

#[test]
fn builtin_pack_lints_clean() {
    let (code, _, err) = zhidu(&["lint"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 error(s), 0 warning(s)"), "{err}");
    let (code, _, err) = zhidu(&["lint", "--policy", "policies"]);
    assert_eq!(code, 0, "the embedded pack and policies/ agree\n{err}");
}

#[test]
fn every_catalog_rule_is_in_the_pack() {
    let (code, out, err) = zhidu(&["rules", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let rules: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for id in CATALOG {
        assert!(ids.contains(id), "{id} missing from the pack");
    }
    assert_eq!(CATALOG.len(), 61);
    for r in &rules {
        assert!(!r["source"].as_str().unwrap_or("").is_empty(), "{r}");
        assert!(r["where"].as_array().is_some_and(|w| !w.is_empty()), "{r}: checked or documented somewhere");
    }
}

#[test]
fn pack_is_formatted() {
    let (code, _, err) = zhidu(&["fmt", "--check", "policies"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn pack_cases_pass_with_full_coverage() {
    let (code, out, err) = zhidu(&["test", "tests/cases", "--threshold", "100"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("rule coverage: 100.0%"), "{out}");
}

#[test]
fn explain_quotes_the_regulation() {
    let (code, out, _) = zhidu(&["explain", "APV-3"]);
    assert_eq!(code, 0);
    assert!(out.contains("APV-3") && out.contains("check 1 (reads change"), "{out}");
    let (code, _, err) = zhidu(&["explain", "APV-33"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `APV-3`"), "{err}");
}

/// Lints an overlay over the built-in pack whose `main.zd` continues with `body`.
fn lint_overlay(body: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.zd"), format!("extends \"builtin\"\n\n{body}\n")).expect("write");
    let (code, _, err) = zhidu_in(dir.path(), &["lint", "--no-color", "--policy", "."]);
    (code, err)
}

#[test]
fn role3_fails_a_pack_that_gives_one_duty_to_two_roles() {
    // 001 §2 gives 活动运营 to 运营专员, 004 §2(一)2 the same work to 市场运营 and forbids
    // crossing: the pack declares the work once and gives it to one role. An overlay that gives
    // it to 运营专员 as well crosses them, and lint says so.
    let (code, err) = lint_overlay(
        "override role 运营专员 { duties 产品运营工作, 产品推广执行与市场营销, 协助处理用户反馈, 活动运营工作 }",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ROLE-3") && err.contains("活动运营工作"), "{err}");
    // Moving the duty instead (the company has no 市场运营 post) keeps one role per duty.
    let (code, err) = lint_overlay(
        "override role 运营专员 { duties 产品运营工作, 产品推广执行与市场营销, 协助处理用户反馈, 活动运营工作 }\noverride role 市场运营 { duties 品牌曝光, 渠道推广 }",
    );
    assert_eq!(code, 0, "{err}");
    // Dropping a duty from its only role leaves it unheld (遗漏).
    let (code, err) = lint_overlay("override role 运营专员 { duties 产品运营工作, 产品推广执行与市场营销 }");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ROLE-3") && err.contains("协助处理用户反馈"), "{err}");
    // The four user-feedback duties of the seeds: 用户运营工作 (用户运营), 产品推广与用户反馈 (产品经理
    // 负责) and 协助处理用户反馈 (运营专员 协助, as 002 §4 splits them) are held by one role each.
    let (code, err) = lint_overlay(
        "override role 产品经理 { duties 产品运营策划与设计, 产品开发跟进, 产品推广与用户反馈, 用户运营工作 }",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ROLE-3") && err.contains("用户运营工作"), "{err}");
}
