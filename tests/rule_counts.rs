//! `check`, `rules` and `report` count the rules of a pack the same way (issue 28): checked,
//! documented only, pending and skipped, one definition (`policy::counts`) shown by all three.

mod common;
use common::*;

use jiff::civil::Date;
use zhidu::policy::counts::{RuleState, count, state, states};
use zhidu::policy::{Policy, Selection};

fn pack() -> Policy {
    zhidu::compile::load_policy(None).expect("built-in pack").0
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON")
}

fn n(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn check_rules_and_report_give_the_same_breakdown() {
    let (_, check, err) = zhidu(&["check", "examples/acme", "--format", "json"]);
    let check = json(&check);
    let counts = &check["summary"]["rules"];
    assert!(counts.is_object(), "{err}");
    let (code, rules, err) = zhidu(&["rules", "--format", "json", "--as-of", "2026-06-30"]);
    assert_eq!(code, 0, "{err}");
    let rules = json(&rules);
    let pack: Vec<&serde_json::Value> =
        rules.as_array().expect("rows").iter().filter(|r| r.get("builtin").is_none()).collect();
    let state = |s: &str| pack.iter().filter(|r| r["state"] == s).count() as u64;
    let (_, report, err) = zhidu(&["report", "examples/acme", "--format", "json"]);
    let report = json(&report);
    let total = &report["summary"]["total"];
    assert!(total.is_object(), "{err}");

    assert_eq!(n(&counts["rules"]), pack.len() as u64, "check and rules: rule IDs");
    assert_eq!(n(&counts["rules"]), n(&total["rules"]), "check and report: rule IDs");
    assert_eq!(n(&counts["checked"]), state("checked"));
    assert_eq!(n(&counts["documented"]), state("documented"));
    assert_eq!(n(&counts["pending"]), state("pending"));
    assert_eq!(n(&counts["skipped"]), 0);
    assert_eq!(n(&check["summary"]["rules_checked"]), n(&counts["checked"]));
    let report_checked = ["pass", "fail", "waived", "not_applicable"].iter().map(|k| n(&total[k])).sum::<u64>();
    assert_eq!(n(&counts["checked"]), report_checked, "check and report: checked");
    assert_eq!(n(&counts["documented"]), n(&total["not_checked"]), "check and report: documented only");
    assert_eq!(n(&counts["pending"]), n(&total["pending"]), "check and report: pending");
    // The built-in pack states some rules in the handbook only: the breakdown is not trivial.
    assert!(n(&counts["documented"]) > 0);
    assert_eq!(n(&counts["checked"]) + n(&counts["documented"]) + n(&counts["pending"]), n(&counts["rules"]));
}

#[test]
fn every_command_prints_the_same_line() {
    let (_, check, _) = zhidu(&["check", "examples/acme"]);
    let (_, rules, _) = zhidu(&["rules", "--as-of", "2026-06-30"]);
    let (_, report, _) = zhidu(&["report", "examples/acme"]);
    let line = check.lines().find(|l| l.starts_with("共 ")).expect("the breakdown in check's summary").to_string();
    assert!(line.contains("条规则：检查 ") && line.contains("仅写入制度文本"), "{line}");
    assert!(rules.lines().any(|l| l.starts_with(&line)), "rules does not say `{line}`:\n{rules}");
    assert!(report.contains(&line), "the report does not say `{line}`");
}

#[test]
fn a_selection_is_counted_as_skipped() {
    let (_, all, _) = zhidu(&["check", "examples/acme", "--format", "json"]);
    let (_, some, _) = zhidu(&["check", "examples/acme", "--format", "json", "--skip", "APV"]);
    let (all, some) = (json(&all), json(&some));
    let (a, s) = (&all["summary"]["rules"], &some["summary"]["rules"]);
    assert_eq!(n(&a["rules"]), n(&s["rules"]));
    assert!(n(&s["skipped"]) > 0);
    assert_eq!(n(&s["checked"]) + n(&s["documented"]) + n(&s["skipped"]) + n(&s["pending"]), n(&s["rules"]));
    let (_, human, _) = zhidu(&["check", "examples/acme", "--skip", "APV"]);
    assert!(human.contains(&format!("未选 {} 条", n(&s["skipped"]))), "{human}");
}

#[test]
fn a_rule_not_yet_in_force_is_pending_in_every_command() {
    // Before the built-in pack takes effect no rule is pending (rules have no dates of their
    // own), so make a pack with one dated rule.
    let tmp = tempfile::tempdir().expect("tmp");
    let pack = tmp.path().join("pack");
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"), &pack);
    let file = pack.join("approval.zd");
    let text = std::fs::read_to_string(&file).expect("approval.zd");
    let at = text.find("rule APV-3 ").expect("APV-3 in approval.zd");
    let open = at + text[at..].find('{').expect("rule body");
    let dated = format!("{}{{\n  effective 2099-01-01\n{}", &text[..open], &text[open + 1..]);
    std::fs::write(&file, dated).expect("write");
    let policy = pack.to_string_lossy().into_owned();
    let (code, check, err) = zhidu(&["check", "examples/acme", "--policy", &policy, "--format", "json"]);
    assert!(code < 2, "{err}");
    let check = json(&check);
    assert_eq!(n(&check["summary"]["rules"]["pending"]), 1, "{}", check["summary"]);
    let (_, rules, _) = zhidu(&["rules", "--policy", &policy, "--format", "json", "--as-of", "2026-06-30"]);
    let rules = json(&rules);
    let apv3 = rules.as_array().expect("rows").iter().find(|r| r["id"] == "APV-3").cloned().expect("APV-3");
    assert_eq!(apv3["state"], "pending");
    let (_, report, _) = zhidu(&["report", "examples/acme", "--policy", &policy, "--format", "json"]);
    assert_eq!(n(&json(&report)["summary"]["total"]["pending"]), 1);
}

#[test]
fn every_rule_id_is_in_exactly_one_state() {
    let p = pack();
    let as_of: Date = "2026-06-30".parse().expect("date");
    let c = count(&p, as_of, &Selection::default());
    let mut ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(c.rules, ids.len());
    assert_eq!(c.checked + c.documented + c.pending + c.skipped, c.rules);
    assert_eq!(c.documented, p.rules.iter().filter(|r| r.checks.is_empty()).count());
    assert_eq!(c.skipped, 0);
}

#[test]
fn a_selection_skips_and_a_date_before_the_rules_makes_them_pending() {
    let p = pack();
    let first = p.rules.iter().find(|r| !r.checks.is_empty()).expect("a rule with a check");
    let chapter = first.chapter().to_string();
    let as_of: Date = "2026-06-30".parse().expect("date");
    let all = count(&p, as_of, &Selection::default());
    let skip = Selection { only: Vec::new(), skip: vec![chapter.clone()] };
    let c = count(&p, as_of, &skip);
    let in_chapter = states(&p, as_of, &Selection::default()).iter().filter(|(r, _)| r.chapter() == chapter).count();
    assert_eq!(c.skipped, in_chapter);
    assert_eq!(c.rules, all.rules);
    assert_eq!(c.checked + c.documented + c.pending + c.skipped, c.rules);
    // A rule version with an effective date after `as_of` is pending, whatever else it is.
    let mut later = first.clone();
    later.effective = Some("2030-01-01".parse().expect("date"));
    assert_eq!(state(&later, as_of, &Selection::default()), RuleState::Pending(later.effective.expect("set")));
    assert_eq!(state(&later, as_of, &skip), RuleState::Skipped);
}
