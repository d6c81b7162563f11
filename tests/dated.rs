//! Issue 23 item 5: values that change over time. A param or a declaration attribute carries a
//! dated history (`from 2026-04-01 value 1 day`, or `effective DATE` on an `override`); each
//! record is judged by the value in force on its own date (`record … dated_by FIELD`).

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, zhidu_in};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The clean org (as_of 2026-06-30, period 2026-01-01..06-30) with an overlay pack `policy/`.
fn make_org(tmp: &Path, overlay: &str) -> PathBuf {
    let org = tmp.join("co");
    copy_dir(&root().join("tests/fixtures/clean-org"), &org);
    std::fs::create_dir_all(org.join("policy")).expect("mkdir");
    std::fs::write(org.join("policy/main.zd"), format!("extends \"builtin\"\n{overlay}\n")).expect("write");
    org
}

/// `check --format json`: (rule, message) of every finding.
fn findings(org: &Path) -> Vec<(String, String)> {
    let (code, out, err) = zhidu_in(org, &["check", ".", "--policy", "policy", "--format", "json"]);
    assert!(code == 0 || code == 1, "check failed ({code}): {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let list = v["findings"].as_array().expect("findings");
    list.iter()
        .map(|f| (f["rule"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

fn of_rule<'a>(fs: &'a [(String, String)], rule: &str) -> Vec<&'a str> {
    fs.iter().filter(|(r, _)| r == rule).map(|(_, m)| m.as_str()).collect()
}

const COMPLAINTS: &str = r#"
[[complaint]]
id = "CP-A"
received = 2026-03-02
topic = "二日内反馈（旧时限内）"
steps = [{ step = "投诉受理", at = 2026-03-02 }, { step = "投诉调查与处理", at = 2026-03-03 }, { step = "投诉跟踪与反馈", at = 2026-03-04 }]
feedback = 2026-03-04

[[complaint]]
id = "CP-B"
received = 2026-03-02
topic = "三日反馈（超旧时限）"
steps = [{ step = "投诉受理", at = 2026-03-02 }, { step = "投诉调查与处理", at = 2026-03-03 }, { step = "投诉跟踪与反馈", at = 2026-03-05 }]
feedback = 2026-03-05

[[complaint]]
id = "CP-C"
received = 2026-05-04
topic = "一日内反馈（新时限内）"
steps = [{ step = "投诉受理", at = 2026-05-04 }, { step = "投诉调查与处理", at = 2026-05-04 }, { step = "投诉跟踪与反馈", at = 2026-05-05 }]
feedback = 2026-05-05

[[complaint]]
id = "CP-D"
received = 2026-05-04
topic = "二日反馈（超新时限）"
steps = [{ step = "投诉受理", at = 2026-05-04 }, { step = "投诉调查与处理", at = 2026-05-05 }, { step = "投诉跟踪与反馈", at = 2026-05-06 }]
feedback = 2026-05-06
"#;

fn failing_complaints(fs: &[(String, String)]) -> Vec<&'static str> {
    let msgs = of_rule(fs, "SOP-8");
    ["CP-A", "CP-B", "CP-C", "CP-D"]
        .into_iter()
        .filter(|id| msgs.iter().any(|m| m.contains(&format!("投诉 {id}（"))))
        .collect()
}

#[test]
fn a_dated_param_judges_each_record_by_the_value_on_its_own_date() {
    let tmp = tempfile::tempdir().expect("tmp");
    // The built-in 2 days before 1 April, 1 day from then on (a complaint is dated by `received`).
    let org = make_org(tmp.path(), "override param 投诉反馈时限 { from 2026-04-01 value 1 day }");
    std::fs::write(org.join("complaints.toml"), COMPLAINTS).expect("write");
    let fs = findings(&org);
    assert_eq!(failing_complaints(&fs), ["CP-B", "CP-D"], "{fs:?}");
    let d = of_rule(&fs, "SOP-8").into_iter().find(|m| m.contains("CP-D")).expect("CP-D");
    assert!(d.contains("时限 1 day") || d.contains("时限 1 天") || d.contains("时限 1天"), "{d}");
    let b = of_rule(&fs, "SOP-8").into_iter().find(|m| m.contains("CP-B")).expect("CP-B");
    assert!(!b.contains("时限 1"), "March is judged by the value then in force: {b}");

    // The same change undated re-judges March too: CP-A now fails.
    let tmp2 = tempfile::tempdir().expect("tmp");
    let undated = make_org(tmp2.path(), "override param 投诉反馈时限 { value 1 day }");
    std::fs::write(undated.join("complaints.toml"), COMPLAINTS).expect("write");
    assert_eq!(failing_complaints(&findings(&undated)), ["CP-A", "CP-B", "CP-D"]);
}

const WEIGHTS: &str = "weights { 上级评价 50%\n 同事评价 10%\n 自我评价 10%\n 数据分析 30% }";

/// Cycle labels (`2026-03`, `2026-Q1`) of the APR-3 findings.
fn apr3_cycles(fs: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = of_rule(fs, "APR-3")
        .iter()
        .filter_map(|m| m.split("），").nth(1).and_then(|r| r.split('）').next()).map(str::to_string))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn raising_an_appraisal_weight_from_july_does_not_rejudge_january() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = findings(&make_org(tmp.path(), ""));
    assert!(of_rule(&base, "APR-3").is_empty(), "the clean org has no APR-3 findings");

    // Undated, the new weights re-judge every appraisal of the period.
    let tmp = tempfile::tempdir().expect("tmp");
    let undated = findings(&make_org(tmp.path(), &format!("override appraisal 绩效考核 {{ {WEIGHTS} }}")));
    assert!(apr3_cycles(&undated).contains(&"2026-01".to_string()), "{:?}", apr3_cycles(&undated));

    // Effective in July (after the period): no appraisal of the period changes.
    let tmp = tempfile::tempdir().expect("tmp");
    let july =
        findings(&make_org(tmp.path(), &format!("override appraisal 绩效考核 {{ effective 2026-07-01 {WEIGHTS} }}")));
    assert_eq!(july, base);

    // Effective in April: only the cycles starting on or after 1 April are judged by them.
    let tmp = tempfile::tempdir().expect("tmp");
    let april =
        findings(&make_org(tmp.path(), &format!("override appraisal 绩效考核 {{ effective 2026-04-01 {WEIGHTS} }}")));
    let cycles = apr3_cycles(&april);
    assert!(!cycles.is_empty());
    assert!(cycles.iter().all(|c| c.as_str() >= "2026-04" && c != "2026-Q1"), "{cycles:?}");
}

#[test]
fn dated_values_out_of_order_or_twice_are_located_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = make_org(
        tmp.path(),
        "override param 投诉反馈时限 { from 2026-05-01 value 1 day\n from 2026-03-01 value 3 days }\n\
         override param 用户反馈回复时限 { from 2026-05-01 value 2 days\n from 2026-05-01 value 3 days }",
    );
    let (code, _, err) = zhidu_in(&org, &["lint", "--policy", "policy"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("history_order") && err.contains("2026-03-01 comes after 2026-05-01"), "{err}");
    assert!(err.contains("history_duplicate") && err.contains("main.zd"), "{err}");
}

#[test]
fn the_handbook_prints_the_value_in_force_on_as_of_and_the_dated_change() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = make_org(tmp.path(), "override param 投诉反馈时限 { from 2026-04-01 value 1 day }");
    let render = |day: &str| {
        let args = ["render", "handbook", "--format", "md", "--policy", "policy", "--as-of", day];
        let (code, out, err) = zhidu_in(&org, &args);
        assert_eq!(code, 0, "{err}");
        out
    };
    let march = render("2026-03-31");
    let may = render("2026-05-01");
    assert!(march.contains("投诉自受理之日起 2天内"), "March prints the value then in force");
    assert!(may.contains("投诉自受理之日起 1天内"), "May prints the new value");
    // The deviations appendix shows the base's value beside the change and its date.
    let row = may.lines().find(|l| l.contains("参数 投诉反馈时限 |")).expect("deviation row");
    assert!(row.contains("value  2 days") && row.contains("from 2026-04-01 value 1 day"), "{row}");
    // Without `--as-of`, the org's `as_of` (2026-06-30) decides.
    let (code, out, err) = zhidu_in(&org, &["render", "handbook", "--format", "md", "--policy", "policy"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("投诉自受理之日起 1天内"));
}

#[test]
fn dated_entries_format_losslessly_and_are_refused_where_they_do_not_belong() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("p.zd");
    std::fs::write(&file, "param X {\n  value 2 days\n  from 2027-01-01 value 1 day   # 新时限\n}\n").expect("write");
    let (code, _, err) = zhidu_in(tmp.path(), &["fmt", "p.zd"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("2027-01-01") && text.contains("value 1 day") && text.contains("# 新时限"), "{text}");

    // Inside a nested block: a located error (date the whole block instead).
    let org = make_org(tmp.path(), "override appraisal 绩效考核 { weights { from 2026-07-01 上级评价 50% } }");
    let (code, _, err) = zhidu_in(&org, &["lint", "--policy", "policy"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("history_attr") && err.contains("dated inside a nested block"), "{err}");
}

/// Two checks that reach the dated deadline by iterating the params, not by its name: a
/// `forall` over `policy.param` and a comprehension.
const ITERATING_RULES: &str = r#"
rule SOP-90 error "测试：遍历参数读取的投诉反馈时限" {
  source  "测试"
  text    "每件投诉在时限内反馈。"
  message "投诉 {c.id}（遍历）超时"
  check   forall c in complaint:
            forall p in policy.param where p.name == "投诉反馈时限": (c.feedback ?? as_of) <= c.received + p.value
}
rule SOP-91 error "测试：推导式读取的投诉反馈时限" {
  source  "测试"
  text    "每件投诉在时限内反馈。"
  message "投诉 {c.id}（推导）超时"
  check   forall c in complaint:
            (c.feedback ?? as_of) <= c.received + min([p.value for p in policy.param where p.name == "投诉反馈时限"])
}
"#;

#[test]
fn a_dated_value_reached_by_iterating_declarations_is_read_on_the_record_date() {
    let tmp = tempfile::tempdir().expect("tmp");
    let overlay = format!("override param 投诉反馈时限 {{ from 2026-04-01 value 1 day }}\n{ITERATING_RULES}");
    let org = make_org(tmp.path(), &overlay);
    std::fs::write(org.join("complaints.toml"), COMPLAINTS).expect("write");
    let fs = findings(&org);
    // Named (SOP-8), iterated (SOP-90) and comprehended (SOP-91): the same complaints fail.
    assert_eq!(failing_complaints(&fs), ["CP-B", "CP-D"], "{fs:?}");
    for (rule, how) in [("SOP-90", "遍历"), ("SOP-91", "推导")] {
        let mut failed: Vec<&str> = ["CP-A", "CP-B", "CP-C", "CP-D"]
            .into_iter()
            .filter(|id| of_rule(&fs, rule).iter().any(|m| m.contains(&format!("投诉 {id}（{how}）"))))
            .collect();
        failed.sort();
        assert_eq!(failed, ["CP-B", "CP-D"], "{rule}: {fs:?}");
    }
}
