//! Issue 23: a company's overlay over the built-in pack (`tests/fixtures/overlay-co`): two roles
//! with duties added, the budget chain, one deadline and the ID hash overridden, one rule
//! disabled with a reason; it keeps its people in an Excel workbook and its data grants in a GBK
//! CSV. Its findings must equal those of its all-TOML twin and of the same changes made in a
//! full copy of the pack; `lint`, the handbook and the report must show the deviations (five, as
//! the issue counts them: the additions are one supplement). Also `zhidu init`.

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::Command;

const KEY_ENV: &str = "ZHIDU_ID_KEY";
const OVERLAY: &str = "tests/fixtures/overlay-co";
const DATA: &str = "tests/fixtures/clean-org";
const DISABLED: &str = "ROLE-5";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs zhidu in `dir` with the HMAC key set; (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env(KEY_ENV, "test-key-not-secret")
        .output()
        .expect("run zhidu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The test company's all-TOML twin: the clean org's records with the overlay's zhidu.toml and
/// policy.
fn toml_org(tmp: &Path) -> PathBuf {
    let org = tmp.join("twin");
    copy_dir(&root().join(DATA), &org);
    std::fs::copy(root().join(OVERLAY).join("zhidu.toml"), org.join("zhidu.toml")).expect("config");
    copy_dir(&root().join(OVERLAY).join("policy"), &org.join("policy"));
    org
}

/// Removes the `[[kind]]` tables from a TOML file, keeping its other tables.
fn drop_tables(path: &Path, kind: &str) {
    let mut doc: toml::Table = std::fs::read_to_string(path).expect("read").parse().expect("toml");
    assert!(doc.remove(kind).is_some(), "no [[{kind}]] in {}", path.display());
    std::fs::write(path, toml::to_string(&doc).expect("toml")).expect("write");
}

/// The test company as it keeps its records: the clean org's, except its people, which are in
/// the workbook `花名册.xlsx`, and its data grants, which are in the GBK `grants.csv` (both made
/// from the clean org's by `tests/fixtures/overlay-co/gen_data.py`).
fn overlay_org(tmp: &Path) -> PathBuf {
    let org = tmp.join("co");
    copy_dir(&root().join(DATA), &org);
    drop_tables(&org.join("people.toml"), "person");
    drop_tables(&org.join("data-security.toml"), "grant");
    copy_dir(&root().join(OVERLAY), &org);
    org
}

/// Replaces `from` (which must occur once) by `to` in a file.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// The same changes made in a full copy of the pack (the disabled rule is skipped at run time).
fn full_pack_org(tmp: &Path) -> PathBuf {
    let org = tmp.join("full");
    copy_dir(&root().join(DATA), &org);
    let pack = org.join("policy");
    copy_dir(&root().join("policies"), &pack);
    std::fs::write(
        org.join("zhidu.toml"),
        "[org]\nname = \"叠加测试公司\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\npolicy = \"policy\"\n",
    )
    .expect("config");
    // The overlay's additions, verbatim.
    let overlay = std::fs::read_to_string(root().join(OVERLAY).join("policy/main.zd")).expect("overlay");
    let start = overlay.find("duty 会计核算").expect("additions");
    let end = overlay.find("# 调整").expect("overrides");
    let roles = std::fs::read_to_string(pack.join("roles.zd")).expect("roles");
    std::fs::write(pack.join("roles.zd"), format!("{roles}\n{}", &overlay[start..end])).expect("write");
    edit(&pack.join("approval.zd"), "requires   seq(财务经理, 总经理, 董事)", "requires seq(会计, 总经理, 董事)");
    edit(&pack.join("params.zd"), "  value  2 days\n  source \"003 §5(二)\"", "  value 1 day\n  source \"003 §5(二)\"");
    edit(&pack.join("masking.zd"), "  algorithm   sha256\n", "  algorithm hmac_sha256\n  key_env \"ZHIDU_ID_KEY\"\n");
    org
}

/// (rule, subject, message) of every finding of a JSON check run.
fn findings(json: &str) -> Vec<(String, String, String)> {
    let doc: serde_json::Value = serde_json::from_str(json).expect("json");
    let mut out: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("subject"), s("message"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn overlay_company_checks_like_the_full_pack_with_the_same_changes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let co = overlay_org(tmp.path());
    let twin = toml_org(tmp.path());
    let full = full_pack_org(tmp.path());
    // Its people are read from the workbook and its grants from the GBK CSV, nowhere else.
    let book = std::fs::read(co.join("花名册.xlsx")).expect("workbook");
    assert!(book.starts_with(b"PK"), "a real .xlsx (a zip)");
    let grants = std::fs::read(co.join("grants.csv")).expect("grants");
    assert!(std::str::from_utf8(&grants).is_err(), "grants.csv is GBK, not UTF-8");
    for (file, table) in [("people.toml", "[[person]]"), ("data-security.toml", "[[grant]]")] {
        let text = std::fs::read_to_string(co.join(file)).expect("read");
        assert!(!text.contains(table), "{file} still holds {table}");
    }
    // No org dir given: found from the current directory (the org's own).
    let (code, out, err) = run(&co, &["check", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let got = findings(&out);
    // The same records all in TOML give the same findings.
    let (code, out, err) = run(&twin, &["check", "--format", "json"]);
    assert_eq!(
        (code, findings(&out)),
        (1, got.clone()),
        "the workbook/GBK company and its all-TOML twin disagree: {err}"
    );
    // Without the workbook and the GBK file the findings change: the comparison is not vacuous.
    let bare = tmp.path().join("bare");
    copy_dir(&co, &bare);
    std::fs::remove_file(bare.join("花名册.xlsx")).expect("rm");
    std::fs::remove_file(bare.join("grants.csv")).expect("rm");
    let (_, out, _) = run(&bare, &["check", "--format", "json"]);
    assert_ne!(findings(&out), got);
    // From a directory below the org dir: the same org, found by its zhidu.toml.
    let below = co.join("exports");
    std::fs::create_dir_all(&below).expect("mkdir");
    let (code, out, err) = run(&below, &["check", "--format", "json"]);
    assert_eq!((code, findings(&out)), (1, got.clone()), "{err}");
    let (code, out, err) = run(&full, &["check", "--format", "json", "--skip", DISABLED]);
    assert_eq!(code, 1, "{err}");
    let want = findings(&out);
    assert_eq!(got, want, "the overlay and the edited full pack disagree");
    assert!(got.iter().all(|(r, _, _)| r != DISABLED));
    let listed: Vec<String> = got.iter().map(|(r, s, m)| format!("{r} {s}: {m}")).collect();
    insta::assert_snapshot!("overlay_findings", listed.join("\n"));
}

#[test]
fn lint_lists_the_deviations() {
    let (code, _, err) = common::zhidu(&["lint", "--policy", &format!("{OVERLAY}/policy")]);
    assert_eq!(code, 0, "{err}");
    // Five deviations, as the issue counts them: the additions (two roles with their duties)
    // are one supplement, then three overrides and one disabled rule, each on a line of its own.
    for want in [
        "deviations from the base pack: 5",
        "补充 added to the base pack (4 declaration(s)): duty 会计核算, duty 研发实施, role 会计, role 研发工程师",
        "调整 override approval 预算 (requires)",
        "调整 override param 投诉反馈时限 (value)",
        "调整 override mask 用户ID (algorithm, key_env)",
        "停用 disable rule ROLE-5: 本公司未设产品运营中心 (approved by 总经理办公会 2026-03-01)",
    ] {
        assert!(err.contains(want), "lint output lacks `{want}`:\n{err}");
    }
    let listed = err.lines().skip_while(|l| !l.starts_with("deviations from")).skip(1);
    assert_eq!(listed.take_while(|l| l.starts_with("  ")).count(), 5, "{err}");
    // `lint` run inside the org dir takes the pack from its zhidu.toml.
    let (code, _, err) = common::zhidu_in(&root().join(OVERLAY), &["lint"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("deviations from the base pack: 5"), "{err}");
    // So does `rules`, which marks the disabled rule.
    let (code, out, err) = common::zhidu_in(&root().join(OVERLAY), &["rules"]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.starts_with(DISABLED)).unwrap_or_default();
    assert!(line.contains("disabled: 本公司未设产品运营中心"), "{line}");
}

#[test]
fn handbook_shows_the_company_values_and_the_appendix() {
    let dir = root().join(OVERLAY);
    for format in ["md", "html"] {
        let (code, out, err) = common::zhidu_in(&dir, &["render", "handbook", "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("附录三　本公司补充与调整条款"), "{format}: no appendix");
        assert!(out.contains("共 5 项：补充 1 项（4 条声明）、调整 3 项、停用 1 项。"), "{format}: the count");
        for want in [
            "seq(会计, 总经理, 董事)",
            "requires   seq(财务经理, 总经理, 董事)",
            "本公司未设产品运营中心",
            "研发工程师",
            // Kinds of declaration by their Chinese names (templates/_lib.j2 kind_names).
            "审批 预算",
            "参数 投诉反馈时限",
        ] {
            assert!(out.contains(want), "{format}: lacks `{want}`");
        }
        for english in ["approval 预算", "param 投诉反馈时限"] {
            assert!(!out.contains(english), "{format}: kind name in English: `{english}`");
        }
        // The company's value in the parameter table (1天 for 投诉反馈时限).
        let line =
            out.lines().find(|l| l.contains("投诉反馈时限") && (l.contains("1天") || l.contains("1 天"))).is_some();
        assert!(line, "{format}: the overridden deadline is not shown");
    }
    // The built-in handbook has no such appendix.
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, out, _) = common::zhidu_in(tmp.path(), &["render", "handbook", "--format", "md"]);
    assert!(!out.contains("附录三"));
}

#[test]
fn report_shows_the_disabled_rule_and_every_deviation_and_verifies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let co = overlay_org(tmp.path());
    let (code, md, err) = run(&co, &["report", "--format", "md"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("不适用：本公司停用：本公司未设产品运营中心"), "{md}");
    let (code, en, err) = run(&co, &["report", "--format", "md", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(en.contains("n/a: disabled by the company: 本公司未设产品运营中心"), "{en}");
    let json_path = tmp.path().join("r.json");
    let (code, _, err) = run(&co, &["report", "--out", json_path.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("report")).expect("json");
    let rule = doc["rules"].as_array().expect("rules").iter().find(|r| r["id"] == DISABLED).expect("rule");
    assert_eq!(rule["status"], "not_applicable");
    assert_eq!(rule["reason"], serde_json::json!({ "kind": "disabled", "reason": "本公司未设产品运营中心" }));
    let actions: Vec<String> = doc["deviations"]
        .as_array()
        .expect("deviations")
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["action"].as_str().unwrap_or(""),
                d["kind"].as_str().unwrap_or(""),
                d["name"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "added duty 会计核算",
            "added duty 研发实施",
            "added role 会计",
            "added role 研发工程师",
            "override approval 预算",
            "override param 投诉反馈时限",
            "override mask 用户ID",
            "disable rule ROLE-5"
        ]
    );
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("compiles");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let (code, oscal, err) = run(&co, &["report", "--format", "oscal"]);
    assert_eq!(code, 0, "{err}");
    assert!(oscal.contains("\"disable rule ROLE-5\""), "the OSCAL result lacks the deviation");
    // The digests cover the overlay and the base pack it builds on.
    let paths: Vec<&str> =
        doc["inputs"]["files"].as_array().expect("files").iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(paths.contains(&"policies/main.zd"), "{paths:?}");
    assert!(paths.contains(&"policies/@builtin/params.zd"), "{paths:?}");
    let (code, out, err) = run(&co, &["verify", json_path.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{out}{err}");
    // A changed base pack file shows.
    let (code, out, _) = {
        let pack = tmp.path().join("base");
        copy_dir(&root().join("policies"), &pack);
        std::fs::write(
            co.join("policy/main.zd"),
            std::fs::read_to_string(co.join("policy/main.zd"))
                .expect("read")
                .replace("extends \"builtin\"", "extends \"../../base\""),
        )
        .expect("write");
        let (c, _, e) = run(&co, &["report", "--out", json_path.to_str().expect("utf-8"), "--force"]);
        assert_eq!(c, 0, "{e}");
        edit(&pack.join("params.zd"), "param 风险识别周期 {", "param 风险识别周期 {\n  # 改动");
        run(&co, &["verify", json_path.to_str().expect("utf-8")])
    };
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("@up/@up/base/params.zd"), "{out}");
}

#[test]
fn init_makes_an_org_dir_that_checks_and_lints() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, _, err) = common::zhidu_in(tmp.path(), &["init", "newco"]);
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("newco");
    for f in ["zhidu.toml", "policy/main.zd", "README.md", "unit.toml", "person.toml", "person.csv", "exports"] {
        assert!(dir.join(f).exists(), "no {f}");
    }
    let main = std::fs::read_to_string(dir.join("policy/main.zd")).expect("main.zd");
    assert!(main.starts_with('#') && main.contains("extends \"builtin\""));
    for example in ["# role ", "# override param ", "# disable rule "] {
        assert!(main.contains(example), "main.zd lacks the example `{example}`");
    }
    let (code, _, err) = common::zhidu_in(tmp.path(), &["check", "newco"]);
    assert!(code == 0 || code == 1, "check of a fresh org: {code}\n{err}");
    let (code, _, err) = common::zhidu_in(&dir, &["lint"]);
    assert_eq!(code, 0, "{err}");
    // Every field of a kind is commented with its type; closed choices list their words.
    let person = std::fs::read_to_string(dir.join("person.toml")).expect("person.toml");
    let doc: toml::Table = toml::from_str(&person).expect("a template is valid TOML");
    assert!(doc.is_empty(), "the person template holds no record");
    assert!(person.contains("取值 valid:"), "{person}");
    // A second init into the same dir is refused and changes nothing.
    let before = std::fs::read(dir.join("zhidu.toml")).expect("read");
    let (code, _, err) = common::zhidu_in(tmp.path(), &["init", "newco"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(dir.join("zhidu.toml")).expect("read"), before);
}

#[test]
fn gbk_record_csvs_are_read_like_utf8_ones() {
    let tmp = tempfile::tempdir().expect("tmp");
    let utf8 = tmp.path().join("utf8");
    let gbk = tmp.path().join("gbk");
    copy_dir(&root().join(DATA), &utf8);
    copy_dir(&root().join(DATA), &gbk);
    let mut converted = 0;
    for e in std::fs::read_dir(&gbk).expect("dir") {
        let path = e.expect("entry").path();
        if path.extension().is_some_and(|x| x == "csv") {
            let text = std::fs::read_to_string(&path).expect("utf-8");
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
            assert!(!unmappable);
            converted += usize::from(bytes.as_ref() != text.as_bytes());
            std::fs::write(&path, bytes).expect("write");
        }
    }
    assert!(converted > 0, "no CSV held Chinese text");
    let (code_a, a, err) = common::zhidu_in(&utf8, &["check", "--format", "json"]);
    assert!(code_a < 2, "{err}");
    let (code_b, b, err) = common::zhidu_in(&gbk, &["check", "--format", "json"]);
    assert_eq!(code_a, code_b, "{err}");
    assert_eq!(findings(&a), findings(&b));
    // UTF-8 with one bad byte stays UTF-8: the bad byte is reported where it is.
    let path = utf8.join("training.csv");
    let mut bytes = std::fs::read(&path).expect("read");
    let at = bytes.iter().position(|b| *b >= 0x80).expect("a Chinese character");
    bytes.insert(at, 0xff);
    std::fs::write(&path, bytes).expect("write");
    let (code, _, err) = common::zhidu_in(&utf8, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("training.csv:2"), "{err}");
}
