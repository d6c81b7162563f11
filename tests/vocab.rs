//! Closed-world vocabulary and undeclared fields (issue 22) on `tests/fixtures/vocab-org`: a
//! misspelt tier, complaint steps named by synonyms, a misspelt training topic, meeting kind and
//! dataset category, a misspelt optional field, a misspelt field of an approval, a misspelt CSV
//! column, a person without a role, an undeclared role and an export whose `会员ID`/`年龄段`/
//! `收货地址` columns hold raw values give exactly their DATA-VOCAB / DATA-FIELD / DATA-MISSING /
//! DATA-TYPE / ROLE-4 / MASK-2 findings, each naming the word to write, and no rule failure for
//! the records whose words are unknown.

mod common;
use common::*;

const ORG: &str = "tests/fixtures/vocab-org";

fn run(args: &[&str]) -> (i32, String) {
    let mut all = vec![
        "check", ORG, "--rule", "DATA", "--rule", "ROLE-4", "--rule", "APV-2", "--rule", "SOP-8", "--rule", "MASK-2",
    ];
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
        ("`topic` 取值 `数据安全`", "是否应为 `数据安全培训`？可用取值：数据安全培训、Excel、SQL、用户增长策略"),
        ("`kind` 取值 `周会`", "是否应为 `周例会`？可用取值：周例会、月度复盘会、部门例会"),
        ("`category` 取值 `用户画象`", "是否应为 `用户画像`"),
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
    // The export's raw member id, exact age and full address are each found, by header pattern
    // and content (`年龄段` holding `45`); the banded age and the province are not.
    let masked = of("MASK-2");
    let cells: Vec<&str> = ["#1/会员ID", "#1/年龄段", "#1/收货地址", "#2/会员ID"].to_vec();
    let subjects: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"] == "MASK-2")
        .map(|f| f["subject"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(subjects.len(), cells.len(), "{subjects:#?}");
    for c in cells {
        assert!(subjects.iter().any(|s| s.ends_with(c)), "{c}: {subjects:#?}");
    }
    assert!(masked.iter().any(|m| m.contains("「年龄段」") && m.contains("如「25-30岁」")), "{masked:#?}");
    assert!(masked.iter().any(|m| m.contains("「收货地址」") && m.contains("如「广东省」")), "{masked:#?}");
}

/// A small pack of its own: an `open` kind keeps undeclared fields silently, a closed one
/// reports them; `ref role` checks the words the pack declares; a check's own message
/// (`check EXPR, "message"`) replaces the rule's for that check only.
#[test]
fn open_kinds_vocabularies_and_check_messages_in_a_pack_of_ones_own() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (pack, org) = (tmp.path().join("pack"), tmp.path().join("org"));
    std::fs::create_dir_all(&pack).expect("pack dir");
    std::fs::create_dir_all(&org).expect("org dir");
    std::fs::write(
        pack.join("main.zd"),
        "policy 测试 { version \"1\"; effective 2020-01-01 }\n\
         role 店长 {}\n\
         record note \"备注\" open { id: string }\n\
         record member \"成员\" { id: string; role: ref role; n: int }\n\
         rule T-1 error \"两项检查\" {\n\
           source \"test\"\n\
           message \"规则的提示 {m.id}\"\n\
           check forall m in member: m.n > 0, \"{m.id} 的 n 须为正\"\n\
           check forall m in member: m.n < 10\n\
           check forall m in member: m.role == 店长\n\
         }\n",
    )
    .expect("write pack");
    std::fs::write(
        org.join("zhidu.toml"),
        "[org]\nname = \"t\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n",
    )
    .expect("config");
    std::fs::write(
        org.join("data.toml"),
        "[[note]]\nid = \"N1\"\nanything = 1\n\n\
         [[member]]\nid = \"M1\"\nrole = \"店长\"\nn = 0\nextra = 1\n\n\
         [[member]]\nid = \"M2\"\nrole = \"店员\"\nn = 20\n",
    )
    .expect("data");
    let (pack_s, org_s) = (pack.to_str().expect("utf-8"), org.to_str().expect("utf-8"));
    let (code, out, err) = zhidu(&["check", org_s, "--policy", pack_s, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["rule"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string()))
        .collect();
    let has = |rule: &str, text: &str| found.iter().any(|(r, m)| r == rule && m.contains(text));
    assert!(has("DATA-FIELD", "member 记录含未声明的字段 `extra`"), "{found:#?}");
    assert!(!found.iter().any(|(_, m)| m.contains("anything")), "an open kind: {found:#?}");
    assert!(has("DATA-VOCAB", "`店员`") && has("DATA-VOCAB", "可用取值：店长"), "{found:#?}");
    assert!(has("T-1", "M1 的 n 须为正"), "the check's own message: {found:#?}");
    assert!(has("T-1", "规则的提示 M2"), "the rule's message for the other checks: {found:#?}");
    // M2's role is unknown: the check reading `role` does not judge it; `n < 10` still does.
    assert_eq!(found.iter().filter(|(r, _)| r == "T-1").count(), 2, "{found:#?}");
    assert_eq!(doc["summary"]["not_evaluated"], 1, "{}", doc["summary"]);
}

/// A record whose vocabulary is unknown is "not evaluated" by the rules reading that field in
/// every output: `report` counts it (JSON, Markdown, HTML, OSCAL), `check --explain` lists it,
/// `explain RULE --subject` says so and names DATA-VOCAB, and none of them shows it as failing.
#[test]
fn records_with_unknown_words_are_not_evaluated_in_report_and_explain() {
    let (_, json, _) = zhidu(&["report", ORG, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("report JSON");
    assert_eq!(doc["summary"]["not_evaluated"], 1, "{}", doc["summary"]);
    let sop8 = doc["rules"].as_array().expect("rules").iter().find(|r| r["id"] == "SOP-8").expect("SOP-8");
    assert_eq!(sop8["not_evaluated"], 1, "{sop8}");
    assert_eq!(sop8["status"], "pass", "not evaluated is not failing: {sop8}");
    for format in ["md", "html"] {
        let (_, out, _) = zhidu(&["report", ORG, "--format", format]);
        assert!(out.contains("另有 1 项检查未评估") && out.contains("DATA-VOCAB"), "{format}");
        assert!(out.contains("（未评估 1）"), "{format}: the rule's row");
    }
    let (_, oscal, _) = zhidu(&["report", ORG, "--format", "oscal"]);
    assert!(oscal.contains("\"not-evaluated\""), "OSCAL prop");

    let (_, out) = run(&["--rule", "SOP-8", "--explain"]);
    assert!(out.contains("SOP-8 检查 1: complaint:CP-1 `steps` 的取值不在词表中，未评估"), "{out}");
    assert!(!out.contains("error SOP-8"), "{out}");

    let (code, out, _) = zhidu(&["explain", "SOP-8", "--org", ORG, "--subject", "complaint:CP-1"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("SOP-8 check 1: not evaluated for complaint:CP-1") && out.contains("DATA-VOCAB"), "{out}");
    assert!(!out.contains("fails"), "{out}");
}

/// Project phase names are words of the project templates (`ref sop(项目制模板, 项目实施计划).step`)
/// and the keys of a 立项 plan's `fields` are words of 立项流程's `required`
/// (`keys ref sop(立项流程).required if kind == 立项`): a misspelt phase or key is one DATA-VOCAB
/// finding naming the word, and SOP-10 / APV-7 do not judge those records; a 预算 plan's keys
/// are not limited, and the rules still fail records without unknown words, naming what is missing.
#[test]
fn phase_names_and_plan_keys_are_vocabulary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path();
    std::fs::write(
        org.join("zhidu.toml"),
        "[org]\nname = \"t\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n",
    )
    .expect("config");
    let person = |id: &str, role: &str| {
        format!(
            "[[person]]\nid = \"{id}\"\nname = \"某{id}\"\nunit = \"U0\"\nroles = [\"{role}\"]\njoined = 2025-01-01\n\n"
        )
    };
    let approvals = "approvals = [\n  { by = \"P1\", role = \"总经理\", date = 2026-03-02, decision = \"approve\" },\n  \
                     { by = \"P2\", role = \"销售部经理\", date = 2026-03-02, decision = \"approve\" },\n  \
                     { by = \"P3\", role = \"产品部经理\", date = 2026-03-02, decision = \"approve\" },\n]\n";
    let keys = "\"客户需求\" = \"a\", \"项目近期及未来发展情况\" = \"b\", \"客情关系\" = \"c\", \"合同金额\" = \"d\", \"项目实施风险\" = \"e\"";
    let plan = |id: &str, kind: &str, fields: &str| {
        format!(
            "[[plan]]\nid = \"{id}\"\nkind = \"{kind}\"\nowner = \"P1\"\nsubmitted = 2026-03-01\n{approvals}fields = {{ {fields} }}\n\n"
        )
    };
    let phase = |name: &str, start: &str, end: &str, out: &str| {
        format!("  {{ name = \"{name}\", start = {start}, end = {end}, deliverables = [{out}] }},\n")
    };
    let mut data = String::from("[[unit]]\nid = \"U0\"\nname = \"公司\"\ntype = \"company\"\n\n");
    data += &person("P1", "总经理");
    data += &person("P2", "销售部经理");
    data += &person("P3", "产品部经理");
    // A misspelt key, twice: one finding; APV-7 does not judge them.
    data += &plan("PL-1", "立项", &format!("\"项目背景介绍\" = \"x\", {keys}"));
    data += &plan("PL-2", "立项", &format!("\"项目背景介绍\" = \"x\", {keys}"));
    // No misspelling, a key missing: APV-7 fails and names it.
    data += &plan("PL-3", "立项", keys);
    // Other kinds of plan have no declared keys: anything goes.
    data += &plan("PL-4", "预算", "\"部门\" = \"运营部\", \"收入预算\" = \"360 万元\"");
    // A misspelt phase: SOP-10 does not judge the project.
    data += "[[project]]\nid = \"PJ-1\"\nname = \"甲\"\nphases = [\n";
    data += &phase("启动", "2026-03-02", "2026-03-03", "\"项目计划书\"");
    data += &phase("执行阶段", "2026-03-04", "2026-03-17", "\"进度报告\"");
    data += &phase("收尾", "2026-03-18", "2026-03-24", "\"PPT\", \"数据报告\"");
    data += "]\n\n";
    // No misspelling, the 执行 phase missing: SOP-10 fails and names the phases.
    data += "[[project]]\nid = \"PJ-2\"\nname = \"乙\"\nphases = [\n";
    data += &phase("启动", "2026-03-02", "2026-03-03", "\"项目计划书\"");
    data += &phase("收尾", "2026-03-18", "2026-03-24", "\"PPT\", \"数据报告\"");
    data += "]\n";
    std::fs::write(org.join("data.toml"), data).expect("data");
    let org_s = org.to_str().expect("utf-8");
    let args = ["check", org_s, "--rule", "DATA", "--rule", "SOP-10", "--rule", "APV-7", "--format", "json"];
    let (code, out, err) = zhidu(&args);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let found: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("subject"), s("message"))
        })
        .collect();
    let of = |rule: &str| found.iter().filter(|(r, _, _)| r == rule).collect::<Vec<_>>();
    let vocab = of("DATA-VOCAB");
    assert_eq!(vocab.len(), 2, "{found:#?}");
    assert!(
        vocab.iter().any(|(_, _, m)| m.contains("`fields` 的键 `项目背景介绍`")
            && m.contains("是否应为 `项目背景`")
            && m.contains("共 2 条记录")),
        "{vocab:#?}"
    );
    assert!(
        vocab.iter().any(|(_, _, m)| m.contains("`phases.name` 取值 `执行阶段`")
            && m.contains("是否应为 `执行`？可用取值：启动、执行、收尾、设备到场")),
        "{vocab:#?}"
    );
    let apv7 = of("APV-7");
    assert_eq!(apv7.iter().map(|(_, s, _)| s.as_str()).collect::<Vec<_>>(), ["plan:PL-3"], "{found:#?}");
    assert!(apv7[0].2.contains("缺少：项目背景；"), "{apv7:#?}");
    let sop10 = of("SOP-10");
    assert_eq!(sop10.iter().map(|(_, s, _)| s.as_str()).collect::<Vec<_>>(), ["project:PJ-2"], "{found:#?}");
    assert!(sop10[0].2.contains("阶段须依次为 启动、执行、收尾"), "{sop10:#?}");
    assert_eq!(doc["summary"]["not_evaluated"], 3, "PL-1, PL-2 (APV-7) and PJ-1 (SOP-10): {}", doc["summary"]);
}
