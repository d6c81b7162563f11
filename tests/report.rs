//! `zhidu report` and `zhidu verify` end to end: every rule of the pack with a status, statuses
//! consistent with `zhidu check`, `--compare` by fingerprint, digests that `verify` recomputes,
//! the JSON schema, OSCAL loaded by compliance-trestle, determinism and privacy.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

const PACK: &str = "tests/fixtures/report-pack/policy";
const PACK_ORG: &str = "tests/fixtures/report-pack/org";
const SMALL: &str = "tests/fixtures/report-small";

/// `zhidu report … --format json`, parsed.
fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = zhidu(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON report")
}

fn rule<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["rules"].as_array().and_then(|r| r.iter().find(|x| x["id"] == id)).unwrap_or_else(|| panic!("no rule {id}"))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect()).unwrap_or_default()
}

fn validate(doc: &Value) {
    let schema: Value = serde_json::from_str(include_str!("../docs/report.schema.json")).expect("schema is JSON");
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn acme_lists_every_rule_consistent_with_check() {
    let doc = report_json(&["examples/acme"]);
    validate(&doc);
    // Every rule of the pack, once, in pack order.
    let (_, rules, _) = zhidu(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_str(&rules).expect("rules JSON");
    let pack: Vec<String> = rules
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["builtin"] != true)
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(pack.len(), 61);
    assert_eq!(ids(&doc["rules"]), pack);
    // Summary counts equal the rows, in total and by chapter.
    let rows = doc["rules"].as_array().expect("rows");
    for status in ["pass", "fail", "waived", "not_applicable", "not_checked", "pending"] {
        let n = rows.iter().filter(|r| r["status"] == status).count();
        assert_eq!(doc["summary"]["total"][status], n, "{status}");
        for c in doc["summary"]["chapters"].as_array().expect("chapters") {
            let m = rows.iter().filter(|r| r["status"] == status && r["chapter"] == c["chapter"]).count();
            assert_eq!(c[status], m, "{status} in {}", c["chapter"]);
        }
    }
    assert_eq!(doc["summary"]["total"]["rules"], 61);
    // The failing rules are exactly the rules with (unwaived) findings in `zhidu check`.
    let (_, out, _) = zhidu(&["check", "examples/acme", "--format", "json"]);
    let check: Value = serde_json::from_str(&out).expect("check JSON");
    let with_findings: BTreeSet<&str> = check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.get("waiver").is_none())
        .filter_map(|f| f["rule"].as_str())
        .collect();
    let failing: BTreeSet<&str> =
        rows.iter().filter(|r| r["status"] == "fail").filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(failing, with_findings);
    assert_eq!(failing.len(), 10);
    // A passing rule examined subjects; evidence has no raw location-free gaps.
    for r in rows.iter().filter(|r| r["status"] == "pass") {
        assert!(r["subjects"].as_u64().is_some_and(|n| n > 0), "{r}");
    }
    assert_eq!(rule(&doc, "APV-3")["evidence"][0]["subject"], "change:CHG-2026-011");
    assert_eq!(rule(&doc, "APV-3")["subjects"], 12, "every change is a subject of APV-3");
    assert_eq!(rule(&doc, "MASK-2")["evidence"][0]["location"]["field"], "备注");
    assert_eq!(rule(&doc, "ROLE-1")["status"], "not_checked");
    assert_eq!(doc["lint"]["status"], "pass");
    // Digests: every org file the loader reads, and the built-in pack's files.
    let files: Vec<&str> =
        doc["inputs"]["files"].as_array().expect("files").iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(files.contains(&"org/zhidu.toml") && files.contains(&"org/exports/user-profile-2026-06.csv"));
    assert!(files.contains(&"policies/main.zd") && files.contains(&"policies/risk.zd"));
    assert!(files.windows(2).all(|w| w[0] < w[1]), "sorted");
}

#[test]
fn absent_record_kinds_are_not_applicable() {
    let doc = report_json(&[SMALL]);
    validate(&doc);
    assert_eq!(ids(&doc["rules"]).len(), 61);
    let apv3 = rule(&doc, "APV-3");
    assert_eq!(apv3["status"], "not_applicable", "no change records: not applicable, not pass");
    assert_eq!(apv3["reason"], serde_json::json!({ "kind": "no_records", "kinds": ["change"] }), "{apv3}");
    assert_eq!(rule(&doc, "ORG-6")["reason"], serde_json::json!({ "kind": "documented" }));
    assert_eq!(rule(&doc, "RISK-2")["status"], "fail");
    assert_eq!(rule(&doc, "RISK-2")["subjects"], 3);
    assert_eq!(rule(&doc, "RISK-1")["status"], "waived");
    assert_eq!(rule(&doc, "ORG-6")["status"], "not_checked");
    assert_eq!(rule(&doc, "KPI-2")["status"], "pass", "its policy check has data: the pack");
    let w = &doc["waivers"][0];
    assert_eq!(
        (w["rule"].as_str(), w["subject"].as_str(), w["findings"].as_u64()),
        (Some("RISK-1"), Some("risk:RK-3"), Some(1))
    );
    assert_eq!(w["approved_by"], "风险管理委员会");
    assert_eq!(doc["summary"]["total"]["not_applicable"], 46);
}

#[test]
fn every_status_with_a_pack_of_its_own() {
    let doc = report_json(&[PACK_ORG, "--policy", PACK]);
    validate(&doc);
    let status: Vec<(String, String)> = doc["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").into(), r["status"].as_str().unwrap_or("").into()))
        .collect();
    let want = [
        ("T-PASS", "pass"),
        ("T-FAIL", "fail"),
        ("T-ADVICE", "fail"),
        ("T-WAIVED", "waived"),
        ("T-NA", "not_applicable"),
        ("T-SCOPE", "not_applicable"),
        ("T-PENDING", "pending"),
        ("T-DOC", "not_checked"),
        ("T-POLICY", "fail"),
        ("T-EXISTS", "pass"),
    ];
    assert_eq!(status, want.map(|(a, b)| (a.to_string(), b.to_string())));
    assert_eq!(rule(&doc, "T-ADVICE")["advisory"], true);
    assert_eq!(doc["summary"]["total"]["advisory"], 1);
    assert_eq!(rule(&doc, "T-SCOPE")["subjects"], 0, "the filter admits no one");
    assert_eq!(rule(&doc, "T-EXISTS")["subjects"], 1, "a check that is not forall has one subject");
    assert_eq!(rule(&doc, "T-PENDING")["effective"], "2027-01-01");
    assert_eq!(doc["lint"]["status"], "fail");
    assert_eq!(doc["lint"]["rules"][0]["messages"][0], "制度声明了岗位 运营专员");
    let at = &rule(&doc, "T-POLICY")["evidence"][0]["location"];
    assert_eq!(at["file"], "policies/main.zd", "pack files are named as in the digests: {at}");
    assert_eq!(rule(&doc, "T-WAIVED")["evidence"][0]["waiver"]["approved_by"], "总经理");
    let files: Vec<&str> =
        doc["inputs"]["files"].as_array().expect("files").iter().filter_map(|f| f["path"].as_str()).collect();
    assert_eq!(files, ["org/data.toml", "org/zhidu.toml", "policies/main.zd"]);
    assert_eq!(doc["policy"]["builtin"], false);
}

/// Replaces the first occurrence of `old` after `anchor` in a file.
fn edit(file: &Path, anchor: &str, old: &str, new: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    let at = text.find(anchor).expect("anchor");
    let i = at + text[at..].find(old).expect("text to edit");
    let edited = format!("{}{new}{}", &text[..i], &text[i + old.len()..]);
    std::fs::write(file, edited).expect("write");
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn compare_names_new_fixed_and_unchanged_findings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (before, after) = (tmp.path().join("before"), tmp.path().join("after"));
    for dir in [&before, &after] {
        copy_dir(&root().join("tests/fixtures/clean-org"), dir);
        // In both: RK-2026-001's category is not one of the register's (RISK-1).
        edit(&dir.join("risks.toml"), "RK-2026-001", "category = \"市场\"", "category = \"其他\"");
    }
    // Only before: RK-2026-003 (中/高) is accepted (RISK-2); fixed since.
    edit(&before.join("risks.toml"), "RK-2026-003", "response = \"降低\"", "response = \"接受\"");
    // Only after: a content item published 9 hours after submission lifts January's average over 4 hours (SOP-2).
    edit(
        &after.join("content.toml"),
        "",
        "published = 2026-01-06T11:40:00+08:00",
        "published = 2026-01-06T18:40:00+08:00",
    );
    let previous = tmp.path().join("previous.json");
    let (code, _, err) =
        zhidu(&["report", before.to_str().expect("utf-8"), "--out", previous.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote"), "{err}");
    let doc = report_json(&[after.to_str().expect("utf-8"), "--compare", previous.to_str().expect("utf-8")]);
    validate(&doc);
    let c = &doc["comparison"];
    let pairs = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .expect("list")
            .iter()
            .map(|x| (x["rule"].as_str().unwrap_or("").into(), x["subject"].as_str().unwrap_or("").into()))
            .collect()
    };
    let p = |a: &str, b: &str| vec![(a.to_string(), b.to_string())];
    assert_eq!(pairs(&c["new"]), p("SOP-2", "unit:U-CO"));
    assert_eq!(pairs(&c["fixed"]), p("RISK-2", "risk:RK-2026-003"));
    assert_eq!(pairs(&c["unchanged"]), p("RISK-1", "risk:RK-2026-001"));
    let changed: Vec<(String, String, String)> = c["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .filter(|t| t["changed"] == true)
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or("-").to_string();
            (s("id"), s("before"), s("now"))
        })
        .collect();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(changed, vec![t("SOP-2", "pass", "fail"), t("RISK-2", "fail", "pass")]);
    assert_eq!(c["trend"].as_array().map(Vec::len), Some(61));
    // A previous report of schema version 1 (no content digest) is still compared.
    let mut v1: Value = serde_json::from_str(&std::fs::read_to_string(&previous).expect("read")).expect("json");
    v1["schema_version"] = Value::from(1);
    v1.as_object_mut().expect("object").remove("content_digest");
    std::fs::write(&previous, v1.to_string()).expect("write");
    let again = report_json(&[after.to_str().expect("utf-8"), "--compare", previous.to_str().expect("utf-8")]);
    assert_eq!(again["comparison"], doc["comparison"]);
    // The Markdown report shows the comparison too.
    let (_, md, _) = zhidu(&["report", after.to_str().expect("utf-8"), "--compare", previous.to_str().expect("utf-8")]);
    assert!(md.contains("新增 1 个问题，已整改 1 个，未变 1 个"), "{md}");
    // A file that is not a report is refused with a diagnostic.
    let (code, _, err) = zhidu(&["report", SMALL, "--compare", "Cargo.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("zhidu::report::previous"), "{err}");
}

#[test]
fn verify_names_the_changed_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    copy_dir(&root().join(SMALL), &org);
    let json = tmp.path().join("report.json");
    let (org_s, json_s) = (org.to_str().expect("utf-8"), json.to_str().expect("utf-8"));
    assert_eq!(zhidu(&["report", org_s, "--format", "json", "--out", json_s]).0, 0);
    let (code, out, err) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("input file(s) match the report"), "{out}");
    // One byte of one org file.
    let risks = org.join("risks.toml");
    let mut bytes = std::fs::read(&risks).expect("read");
    let i = bytes.iter().position(|b| *b == b'1').expect("a digit");
    bytes[i] = b'2';
    std::fs::write(&risks, bytes).expect("write");
    let (code, out, _) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().any(|l| l == "changed  org/risks.toml"), "{out}");
    assert!(out.contains("1 input file(s) differ"), "{out}");
    // A removed and an added file.
    std::fs::remove_file(org.join("waivers.toml")).expect("rm");
    std::fs::write(org.join("extra.csv"), "id\n1\n").expect("write");
    let (code, out, _) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 1);
    assert!(out.contains("missing  org/waivers.toml") && out.contains("added    org/extra.csv"), "{out}");
    // A report whose digest was edited.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("json");
    doc["inputs"]["digest"] = Value::String("0".repeat(64));
    std::fs::write(&json, doc.to_string()).expect("write");
    let (code, out, _) = zhidu(&["verify", json_s, root().join(SMALL).to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    assert!(out.contains("edited   inputs: the input digest sha256:0000"), "{out}");
    assert!(out.contains("edited   report: its content digest is sha256:"), "{out}");
    assert_eq!(zhidu(&["verify", "no/such/report.json", SMALL]).0, 2);
}

#[test]
fn verify_covers_a_policy_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pack = tmp.path().join("pack");
    copy_dir(&root().join(PACK), &pack);
    let json = tmp.path().join("r.json");
    let (pack_s, json_s) = (pack.to_str().expect("utf-8"), json.to_str().expect("utf-8"));
    assert_eq!(zhidu(&["report", PACK_ORG, "--policy", pack_s, "--out", json_s]).0, 0);
    assert_eq!(zhidu(&["verify", json_s, PACK_ORG, "--policy", pack_s]).0, 0);
    edit(&pack.join("main.zd"), "T-PASS", "每人至少有一个岗位", "每人至少有两个岗位");
    let (code, out, _) = zhidu(&["verify", json_s, PACK_ORG, "--policy", pack_s]);
    assert_eq!(code, 1);
    assert!(out.contains("changed  policies/main.zd"), "{out}");
    // Against the built-in pack, every policy file differs.
    let (code, out, _) = zhidu(&["verify", json_s, PACK_ORG]);
    assert_eq!(code, 1);
    assert!(out.contains("missing  policies/main.zd") || out.contains("changed  policies/main.zd"), "{out}");
}

/// Rewrites a JSON report file in place, as a careful forger would: the input digest and the
/// content digest are made again to fit the edit, so only recomputation can tell.
fn forge(json: &Path, f: impl FnOnce(&mut Value)) {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("json");
    f(&mut doc);
    let files: Vec<zhidu::report::model::FileDigest> =
        serde_json::from_value(doc["inputs"]["files"].clone()).expect("files");
    doc["inputs"]["digest"] = Value::from(zhidu::report::digest::overall(&files));
    doc["content_digest"] = Value::from(zhidu::report::digest::content(&doc));
    std::fs::write(json, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
}

/// Adds a file to a report's list of inputs.
fn list_file(doc: &mut Value, path: &str, sha256: &str) {
    let files = doc["inputs"]["files"].as_array_mut().expect("files");
    files.push(serde_json::json!({ "path": path, "sha256": sha256, "bytes": 6 }));
}

#[test]
fn a_report_seals_its_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    copy_dir(&root().join(SMALL), &org);
    let json = tmp.path().join("r.json");
    let (org_s, json_s) = (org.to_str().expect("utf-8"), json.to_str().expect("utf-8"));
    assert_eq!(zhidu(&["report", org_s, "--out", json_s]).0, 0);
    let text = std::fs::read_to_string(&json).expect("read");
    let doc: Value = serde_json::from_str(&text).expect("json");
    validate(&doc);
    assert_eq!(doc["content_digest"], Value::from(zhidu::report::digest::content(&doc)));
    // The documented canonical form, computed by another implementation where there is one.
    let script = "import json, sys, hashlib\n\
        d = json.load(open(sys.argv[1], encoding='utf-8'))\n\
        c = d.pop('content_digest')\n\
        s = json.dumps(d, sort_keys=True, separators=(',', ':'), ensure_ascii=False)\n\
        print(hashlib.sha256(s.encode('utf-8')).hexdigest() == c)\n";
    match std::process::Command::new("python3").arg("-c").arg(script).arg(&json).output() {
        Ok(o) if o.status.success() => assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "True"),
        _ => eprintln!("skipped: no python3 to compute the canonical form independently"),
    }
    // Layout and key order are not content.
    std::fs::write(&json, serde_json::to_string(&doc).expect("json")).expect("write");
    let (code, out, err) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 0, "{out}{err}");
    // Any edit is: the report is named as edited.
    std::fs::write(&json, text.replacen("\"title\": \"", "\"title\": \"x", 1)).expect("write");
    let (code, out, _) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.lines().next().is_some_and(|l| l.starts_with("edited   report: its content digest is sha256:")),
        "{out}"
    );
    assert!(out.contains("it was edited after it was written"), "{out}");
    // So is a report without its digest.
    let mut bare = doc.clone();
    bare.as_object_mut().expect("object").remove("content_digest");
    std::fs::write(&json, bare.to_string()).expect("write");
    let (code, out, _) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("its content digest is none"), "{out}");
}

/// The rule of a report document with this ID, to edit.
fn rule_mut<'a>(doc: &'a mut Value, id: &str) -> &'a mut Value {
    doc["rules"].as_array_mut().and_then(|r| r.iter_mut().find(|x| x["id"] == id)).expect("rule")
}

#[test]
fn verify_recomputes_the_results_and_names_each_forgery() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = tmp.path().join("org");
    copy_dir(&root().join(SMALL), &org);
    let json = tmp.path().join("r.json");
    let (org_s, json_s) = (org.to_str().expect("utf-8"), json.to_str().expect("utf-8"));
    assert_eq!(zhidu(&["report", org_s, "--out", json_s]).0, 0);
    let honest = std::fs::read_to_string(&json).expect("read");
    let (code, out, err) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("and so do its results (61 rules"), "{out}");
    type Edit = Box<dyn Fn(&mut Value)>;
    let forgeries: Vec<(&str, Edit, Vec<&str>)> = vec![
        (
            "a status flipped to pass",
            Box::new(|d| rule_mut(d, "RISK-2")["status"] = "pass".into()),
            vec!["status   RISK-2: report says pass, the inputs give fail"],
        ),
        (
            "the evidence emptied",
            Box::new(|d| rule_mut(d, "RISK-2")["evidence"] = serde_json::json!([])),
            vec![
                "evidence RISK-2: the inputs give risk:RK-2 \"风险 RK-2《加盟扩张过快》（可能性 高，影响 中）的应对措施“接受”与其风险等级不符：等级 高 应采取 规避、降低、转移\" (fingerprint 6a042cc0514e883a5bec4f88a5318491), the report does not list it",
            ],
        ),
        (
            "a subject count changed",
            Box::new(|d| {
                rule_mut(d, "RISK-2")["subjects"] = 30.into();
                rule_mut(d, "RISK-2")["checks"][0]["subjects"] = 30.into();
            }),
            vec![
                "subjects RISK-2: report says 30, the inputs give 3",
                "checks   RISK-2 #1 subjects: report says 30, the inputs give 3",
            ],
        ),
        (
            "a waiver dropped",
            Box::new(|d| d["waivers"] = serde_json::json!([])),
            vec!["waiver   RISK-1 risk:RK-3: the inputs give a waiver until 2026-12-31 approved by 风险管理委员会"],
        ),
        (
            "a waiver's approver changed",
            Box::new(|d| {
                d["waivers"][0]["approved_by"] = "总经理".into();
                rule_mut(d, "RISK-1")["evidence"][0]["waiver"]["approved_by"] = "总经理".into();
            }),
            vec![
                "waiver   RISK-1 risk:RK-3 approved_by: report says 总经理, the inputs give 风险管理委员会",
                "evidence RISK-1 risk:RK-3 waiver approved_by: report says 总经理, the inputs give 风险管理委员会",
            ],
        ),
        (
            "the lint flipped",
            Box::new(|d| d["lint"]["status"] = "fail".into()),
            vec!["lint     status: report says fail, the inputs give pass"],
        ),
        (
            "a finding's message reworded",
            Box::new(|d| rule_mut(d, "RISK-2")["evidence"][0]["message"] = "已整改".into()),
            vec!["evidence RISK-2 risk:RK-2 message: report says 已整改, the inputs give 风险 RK-2"],
        ),
        (
            "a clean bill, consistently forged",
            Box::new(|d| {
                let r = rule_mut(d, "RISK-2");
                r["status"] = "pass".into();
                r["findings"] = 0.into();
                r["evidence"] = serde_json::json!([]);
                let t = &mut d["summary"]["total"];
                t["pass"] = (t["pass"].as_u64().unwrap_or(0) + 1).into();
                t["fail"] = (t["fail"].as_u64().unwrap_or(0) - 1).into();
                d["summary"]["findings"] = (d["summary"]["findings"].as_u64().unwrap_or(0) - 1).into();
            }),
            vec![
                "summary  total fail: report says 0, the inputs give 1",
                "summary  total pass: report says 8, the inputs give 7",
                "summary  findings: report says 1, the inputs give 2",
                "status   RISK-2: report says pass, the inputs give fail",
                "findings RISK-2: report says 0, the inputs give 1",
                "evidence RISK-2: the inputs give risk:RK-2",
            ],
        ),
        (
            "a member zhidu does not write",
            Box::new(|d| d["auditor_note"] = "all clear".into()),
            vec!["member   auditor_note: report says all clear, the inputs give none"],
        ),
        (
            "a rule left out",
            Box::new(|d| {
                d["rules"].as_array_mut().expect("rules").retain(|r| r["id"] != "RISK-2");
            }),
            vec!["rule     RISK-2: the inputs give it with status fail, the report does not list it"],
        ),
    ];
    for (what, edit, lines) in &forgeries {
        std::fs::write(&json, &honest).expect("write");
        forge(&json, edit);
        let (code, out, err) = zhidu(&["verify", json_s, org_s]);
        assert_eq!(code, 1, "{what}: {out}{err}");
        for line in lines {
            assert!(out.lines().any(|l| l.starts_with(line)), "{what}: wants `{line}` in\n{out}");
        }
        assert!(!out.contains("edited "), "{what}: resealed, so only recomputation can tell: {out}");
        assert!(out.contains("difference(s) between its results and what the inputs give"), "{what}: {out}");
    }
    // A comparison is checked against the results now, as far as the report allows.
    let compared = tmp.path().join("compared.json");
    std::fs::write(&json, &honest).expect("write");
    let compared_s = compared.to_str().expect("utf-8");
    assert_eq!(zhidu(&["report", org_s, "--compare", json_s, "--out", compared_s]).0, 0);
    let (code, out, err) = zhidu(&["verify", compared_s, org_s]);
    assert_eq!(code, 0, "{out}{err}");
    forge(&compared, |d| {
        let trend = d["comparison"]["trend"].as_array_mut().expect("trend");
        let t = trend.iter_mut().find(|t| t["id"] == "RISK-2").expect("RISK-2");
        t["now"] = "pass".into();
        t["changed"] = true.into();
        d["comparison"]["unchanged"].as_array_mut().expect("unchanged").retain(|c| c["rule"] != "RISK-2");
    });
    let (code, out, _) = zhidu(&["verify", compared_s, org_s]);
    assert_eq!(code, 1, "{out}");
    for line in [
        "comparison trend RISK-2 changed: report says true, the inputs give false",
        "comparison trend RISK-2 now: report says pass, the inputs give fail",
        "comparison new RISK-2: the inputs give risk:RK-2 \"风险 RK-2《加盟扩张过快》",
    ] {
        assert!(out.lines().any(|l| l.starts_with(line)), "wants `{line}` in\n{out}");
    }
    // The dates are the report's: a report for another day is made again for that day.
    std::fs::write(&json, &honest).expect("write");
    forge(&json, |d| d["as_of"] = "2027-06-30".into());
    let (code, out, _) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("status   RISK-1: report says waived, the inputs give fail"), "{out}");
    assert!(out.contains("status   WAIVER-EXPIRED: report says pass, the inputs give fail"), "{out}");
    forge(&json, |d| d["as_of"] = "soon".into());
    let (code, _, err) = zhidu(&["verify", json_s, org_s]);
    assert_eq!(code, 2);
    assert!(err.contains("as_of `soon` is not a date"), "{err}");
}

#[test]
fn verify_opens_no_path_a_report_makes_up() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (pack, org) = (tmp.path().join("pack"), tmp.path().join("org"));
    copy_dir(&root().join(PACK), &pack);
    copy_dir(&root().join(PACK_ORG), &org);
    // A file outside both dirs that a forged report would have verify hash and compare.
    let secret = tmp.path().join("secret.toml");
    std::fs::write(&secret, "secret").expect("write");
    let right = {
        use sha2::Digest;
        zhidu::base::hex(&sha2::Sha256::digest(b"secret"))
    };
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, pack.join("link.zd")).expect("symlink");
    let json = tmp.path().join("r.json");
    let (pack_s, org_s, json_s) =
        (pack.to_str().expect("utf-8"), org.to_str().expect("utf-8"), json.to_str().expect("utf-8"));
    assert_eq!(zhidu(&["report", org_s, "--policy", pack_s, "--out", json_s]).0, 0);
    let honest = std::fs::read_to_string(&json).expect("read");
    let (code, out, err) = zhidu(&["verify", json_s, org_s, "--policy", pack_s]);
    assert_eq!(code, 0, "an honest report verifies: {out}{err}");
    // A link out of the org dir is refused by the loader itself (it would be read): it is made
    // after the honest report, for verify to meet in a forged listing.
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, org.join("link.toml")).expect("symlink");
    let secret_s = secret.to_str().expect("utf-8");
    let mut listed = vec![
        ("policies/../secret.toml".to_string(), "a `..` component"),
        ("org/../secret.toml".to_string(), "a `..` component"),
        ("policies/sub/../../secret.toml".to_string(), "a `..` component"),
        (format!("org/{secret_s}"), "an absolute path"),
        (format!("policies/{secret_s}"), "an absolute path"),
        (secret_s.to_string(), "an absolute path"),
        ("policies/..\\secret.toml".to_string(), "holds `\\`"),
        ("org/./zhidu.toml".to_string(), "a `.` component"),
        ("etc/hostname".to_string(), "expected `org/<path>` or `policies/<path>`"),
    ];
    if cfg!(unix) {
        listed.push(("policies/link.zd".into(), "leads outside the policy dir through a symlink"));
        listed.push(("org/link.toml".into(), "leads outside the org dir through a symlink"));
    }
    // The schema says the same of the text of a path (symlinks aside).
    let schema: Value = serde_json::from_str(include_str!("../docs/report.schema.json")).expect("schema");
    let validator = jsonschema::options().build(&schema).expect("compiles");
    let honest_doc: Value = serde_json::from_str(&honest).expect("json");
    assert!(validator.is_valid(&honest_doc));
    for (path, _) in listed.iter().filter(|(p, _)| !p.ends_with("link.zd") && !p.ends_with("link.toml")) {
        let mut doc = honest_doc.clone();
        list_file(&mut doc, path, &right);
        assert!(!validator.is_valid(&doc), "the schema admits {path}");
    }
    for fine in ["org/..data.toml", "org/a/.b/c.csv", "policies/x...zd", "org/人员.toml"] {
        let mut doc = honest_doc.clone();
        list_file(&mut doc, fine, &right);
        assert!(validator.is_valid(&doc), "the schema refuses {fine}");
    }
    for (path, why) in &listed {
        // Whether the listed digest is the file's or not, verify says the same: it never looked.
        let mut outs = Vec::new();
        for sha in [right.as_str(), &"0".repeat(64)] {
            std::fs::write(&json, &honest).expect("write");
            forge(&json, |doc| list_file(doc, path, sha));
            let (code, out, err) = zhidu(&["verify", json_s, org_s, "--policy", pack_s]);
            assert_eq!(code, 1, "{path}: {out}{err}");
            let line = format!("tampered {path}: {why}");
            let named = out.lines().any(|l| l.starts_with(&line) && l.contains("; not opened"));
            assert!(named, "{path}: wants `{line}…; not opened` in\n{out}");
            let opened = out.lines().any(|l| l.starts_with("changed ") || l.starts_with("missing "));
            assert!(!opened && !out.contains("edited "), "{path}: {out}");
            outs.push(out);
        }
        assert_eq!(outs[0], outs[1], "{path}: the output depends on the file's content");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["md", "html", "json", "oscal"] {
        let a = zhidu(&["report", "examples/acme", "--format", format]);
        let b = zhidu(&["report", "examples/acme", "--format", format]);
        assert_eq!(a.0, 0, "{}", a.2);
        assert!(a.1 == b.1, "{format} differs between runs");
    }
}

#[test]
fn html_is_self_contained_print_ready() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("report.html");
    assert_eq!(zhidu(&["report", SMALL, "--out", out.to_str().expect("utf-8")]).0, 0, "format from the extension");
    let html = std::fs::read_to_string(&out).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    for needle in [
        // The handbook's print.css and base.html.j2 page boxes, shared rather than copied.
        "size: A4;",
        r#""Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC""#,
        "thead { display: table-header-group; }",
        "tr, figure, .clause, .card { break-inside: avoid; }",
        r#"@bottom-right { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";"#,
        "<svg xmlns=\"http://www.w3.org/2000/svg\"",
        "不适用",
        "审计结论",
        "审计人（签名）",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    for banned in ["<script", "<link", "@import", "url(", "src=", "href=\"http"] {
        assert!(!html.contains(banned), "{banned} in the HTML");
    }
}

#[test]
fn markdown_of_a_small_org() {
    let (code, md, err) = zhidu(&["report", SMALL]);
    assert_eq!(code, 0, "{err}");
    // The built-in pack's files change with every edit of the pack: hide their rows and digests.
    let re = regex::Regex::new(r"[0-9a-f]{64}").expect("regex");
    let md: String = md.lines().filter(|l| !l.starts_with("| `policies/")).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("report_small_md", redact(&re.replace_all(&md, "[sha256]")));
}

#[test]
fn oscal_loads_in_compliance_trestle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("ar.json");
    let (code, out, err) = zhidu(&["report", PACK_ORG, "--policy", PACK, "--format", "oscal"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&path, &out).expect("write");
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let ar = &doc["assessment-results"];
    assert_eq!(ar["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(ar["metadata"]["last-modified"], "2026-06-30T00:00:00Z");
    let findings = ar["results"][0]["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 10);
    let state = |id: &str| {
        findings.iter().find(|f| f["target"]["target-id"] == id).map(|f| f["target"]["status"]["state"].clone())
    };
    assert_eq!(state("T-PASS"), Some(Value::from("satisfied")));
    assert_eq!(state("T-FAIL"), Some(Value::from("not-satisfied")));
    assert_eq!(state("T-NA"), Some(Value::Null), "no objective status for not applicable");
    let script = "import sys, pathlib\n\
        from trestle.oscal.assessment_results import AssessmentResults\n\
        ar = AssessmentResults.oscal_read(pathlib.Path(sys.argv[1]))\n\
        r = ar.results[0]\n\
        print(len(r.findings), len(r.observations), r.findings[0].target.target_id)\n";
    let run = std::process::Command::new("python3").arg("-c").arg(script).arg(&path).output();
    let ok = run.as_ref().is_ok_and(|o| o.status.success());
    if !ok {
        let probe =
            std::process::Command::new("python3").args(["-c", "import trestle.oscal.assessment_results"]).output();
        let trestle_missing = !probe.is_ok_and(|o| o.status.success());
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        if trestle_missing && !in_ci {
            eprintln!("skipped: python3 with compliance-trestle is not available (pip install compliance-trestle)");
            return;
        }
        let detail = run.map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).unwrap_or_else(|e| e.to_string());
        panic!("compliance-trestle rejects the OSCAL output (or is missing in CI):\n{detail}");
    }
    let printed = String::from_utf8_lossy(&run.expect("ran").stdout).into_owned();
    assert_eq!(printed.trim(), "10 5 T-PASS");
}

#[test]
fn no_report_format_prints_personal_data() {
    // Distinctive fragments of the raw values in `tests/cases/MASK-2/fail/exports`.
    const RAW: &[&str] = &["11010519491231002X", "1949123", "13812345678", "3812345", "体育西路", "天河区", "U10086"];
    for format in ["md", "html", "json", "oscal"] {
        let (code, out, err) = zhidu(&["report", "tests/cases/MASK-2/fail", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        for raw in RAW {
            assert!(!out.contains(raw) && !err.contains(raw), "{format} prints `{raw}`");
        }
        assert!(out.contains("备注"), "{format}: names the column");
    }
}

#[test]
fn bad_input_exits_2_with_a_diagnostic() {
    assert_eq!(zhidu(&["report", "no/such/dir"]).0, 2);
    assert_eq!(zhidu(&["report", "tests/malformed/bad-toml"]).0, 2);
    assert_eq!(zhidu(&["report", SMALL, "--policy", "tests/broken/01-syntax-error"]).0, 2);
    let (code, _, err) = zhidu(&["report", SMALL, "--period", "2026-06-30..2026-01-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("after it ends"), "{err}");
    let (code, _, err) = zhidu(&["report", SMALL, "--out", "no/such/dir/r.md"]);
    assert_eq!(code, 2);
    assert!(err.contains("zhidu::report::write"), "{err}");
    // --period and --as-of are what the report states.
    let doc = report_json(&[SMALL, "--period", "2026-04-01..2026-06-30", "--as-of", "2026-07-01"]);
    assert_eq!(doc["period"]["from"], "2026-04-01");
    assert_eq!(doc["as_of"], "2026-07-01");
}

#[test]
fn digests_cover_exactly_what_the_loader_reads() {
    let (policy, _) = zhidu::compile::load_policy(None).expect("built-in pack");
    let tmp = tempfile::tempdir().expect("tempdir");
    let odd = tmp.path().join("org");
    copy_dir(&root().join(SMALL), &odd);
    for (file, text) in [
        (".git/config.toml", ""),
        ("target/t.csv", "id\n"),
        ("sub/more.toml", "# empty\n"),
        ("notes.txt", "not data"),
        ("exports/e.csv", "备注\nx\n"),
    ] {
        let path = odd.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let today = jiff::civil::date(2026, 6, 30);
    for dir in [root().join("examples/acme"), root().join(SMALL), odd] {
        let config = zhidu::data::read_config(&dir, today).expect("config");
        let org = zhidu::data::load(&dir, config, &policy.schema).expect("org data");
        assert_eq!(zhidu::report::digest::org_inputs(&dir), org.inputs, "{}", dir.display());
    }
}

/// `--lang en` labels every part of the Markdown and HTML report in English (the pack's own
/// titles and the org's names stay as written).
#[test]
fn english_report_has_no_chinese_label() {
    let re = regex::Regex::new(r"[0-9a-f]{64}").expect("regex");
    for format in ["md", "html"] {
        let (code, out, err) = zhidu(&["report", SMALL, "--lang", "en", "--format", format]);
        assert_eq!(code, 0, "{err}");
        for label in [
            "| 项目 |",
            "<th>项目",
            "起施行",
            "内置",
            "检查对象",
            "没有问题",
            "覆盖问题数",
            "没有生效的豁免",
            "制度本身的静态规则",
            "上次报告",
            "第 ",
            " 页",
            "豁免 ",
            "本公司条款",
            "审计",
            // Rules' reasons (report::model::Reason), worded from the labels.
            "没有 ",
            "本条没有检查",
            "只写入制度文本",
            "本公司停用",
        ] {
            assert!(!out.contains(label), "{format}: Chinese label `{label}` with --lang en");
        }
        assert!(out.contains("Conformance report") && out.contains("Audit conclusion"), "{format}");
        if format == "md" {
            let md: String = out.lines().filter(|l| !l.starts_with("| `policies/")).collect::<Vec<_>>().join("\n");
            insta::assert_snapshot!("report_small_md_en", redact(&re.replace_all(&md, "[sha256]")));
        }
    }
}
