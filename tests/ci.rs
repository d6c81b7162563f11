//! CI integration: SARIF (validated against the official 2.1.0 schema), JUnit XML (parsed), GitHub
//! annotations, several formats in one run, waivers (active, expired, unused, malformed) and
//! baselines (unchanged, reordered and reformatted, one new violation).

mod common;
use common::*;

use std::path::Path;

// The benchmark generator, for an org with tens of thousands of findings.
#[path = "../examples/gen_org.rs"]
#[allow(dead_code, reason = "only the generator is used, not the example's main")]
mod gen_org;

const WAIVERS: &str = "tests/ci/waivers";

/// The errors of a SARIF document against the official 2.1.0 schema.
fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    // The official schema (vendored unchanged) has one pattern, `run.language`, that relies on
    // ECMAScript's lenient reading of an unescaped `]`; escape it (same meaning) so a strict
    // regex engine compiles the schema.
    let text = include_str!("schemas/sarif-schema-2.1.0.json")
        .replace(r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#, r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&text).expect("vendored schema");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    for org in ["examples/acme", WAIVERS] {
        let (code, out, err) = zhidu(&["check", org, "--format", "sarif"]);
        assert_eq!(code, 1, "{err}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
        let errors = sarif_errors(&doc);
        assert!(errors.is_empty(), "{org}: {errors:?}");
        let run = &doc["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert!(rules.len() >= 61, "one reportingDescriptor per rule");
        for r in run["results"].as_array().expect("results") {
            let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"], "ruleIndex points at the rule");
            assert!(r["partialFingerprints"]["zhidu/v1"].as_str().is_some_and(|f| f.len() == 32));
        }
    }
    let (_, out, _) = zhidu(&["check", WAIVERS, "--format", "sarif", "--rule", "APV-3", "--rule", "WAIVER"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    // The rule descriptors repeat the pack's texts; the snapshot keeps one and the results.
    let mut trimmed = doc.clone();
    let rules = trimmed["runs"][0]["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    let apv3 = rules.iter().find(|r| r["id"] == "APV-3").cloned().unwrap_or_default();
    trimmed["runs"][0]["tool"]["driver"]["rules"] = serde_json::json!({ "count": rules.len(), "APV-3": apv3 });
    insta::assert_snapshot!("sarif_waivers", redact(&serde_json::to_string_pretty(&trimmed).expect("json")));
    let suppressed: Vec<&serde_json::Value> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "the waived finding carries a suppression");
}

#[test]
fn junit_parses_and_counts_match() {
    let (code, out, _) = zhidu(&["check", WAIVERS, "--format", "junit", "--rule", "APV", "--rule", "WAIVER"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("junit_waivers", out);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    let failures: Vec<_> = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).collect();
    assert_eq!(root.attribute("tests"), Some(cases.len().to_string().as_str()));
    assert_eq!(root.attribute("failures"), Some(failures.len().to_string().as_str()));
    // APV-3 (CHG-3, whose waiver expired) and WAIVER-INVALID fail at the default level.
    let failing: Vec<&str> = failures.iter().filter_map(|c| c.attribute("name")).collect();
    assert!(failing.iter().any(|n| n.starts_with("APV-3 ")), "{failing:?}");
    assert!(failing.iter().any(|n| n.starts_with("WAIVER-INVALID ")), "{failing:?}");
    let suites = root.children().filter(|n| n.has_tag_name("testsuite")).count();
    assert!(suites >= 2, "one suite per chapter");
}

#[test]
fn github_annotations() {
    let (_, out, _) = zhidu(&["check", WAIVERS, "--format", "github", "--rule", "APV-3", "--rule", "WAIVER"]);
    insta::assert_snapshot!("github_waivers", out);
    // Annotations, errors first, then a line of counts per rule.
    let annotation = |l: &str| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ");
    let (annotations, counts): (Vec<&str>, Vec<&str>) = out.lines().partition(|l| annotation(l));
    assert_eq!(annotations.len(), 4, "{out}");
    assert!(annotations[..2].iter().all(|l| l.starts_with("::error ")), "most severe first: {out}");
    assert!(out.lines().take(4).all(annotation), "{out}");
    assert_eq!(counts.len(), 4, "{out}");
    assert!(counts.iter().all(|l| l.starts_with("zhidu ")), "{out}");
    assert!(out.contains("file=tests/ci/waivers/data.toml,line="), "{out}");
    assert!(!out.contains("CHG-1"), "waived findings are not annotated");
}

#[test]
fn several_formats_in_one_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let json = tmp.path().join("out.json");
    let sarif = tmp.path().join("out.sarif");
    let junit = tmp.path().join("out.xml");
    let (code, out, err) = zhidu(&[
        "check",
        WAIVERS,
        "--format",
        &format!("json={}", json.display()),
        "--format",
        &format!("sarif={}", sarif.display()),
        "--format",
        "junit",
        "--output",
        &junit.display().to_string(),
        "--quiet",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "everything went to files: {out}");
    for p in [&json, &sarif, &junit] {
        assert!(std::fs::metadata(p).is_ok_and(|m| m.len() > 100), "{}", p.display());
    }
    let (code, _, err) = zhidu(&["check", WAIVERS, "--format", "json", "--format", "sarif"]);
    assert_eq!(code, 2, "two formats on stdout is a usage error");
    assert!(err.contains("only one format"), "{err}");
    let (code, out, _) = zhidu(&["check", WAIVERS, "--quiet", "--rule", "APV-3"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("data.toml:57:1: error APV-3 [change:CHG-3]"), "{out}");
    let (_, out, _) = zhidu(&["check", WAIVERS, "--lang", "en", "--rule", "APV-3"]);
    assert!(out.contains("rule(s) checked on"), "{out}");
}

#[test]
fn waivers_active_expired_unused_malformed() {
    let (code, out, err) = zhidu(&["check", WAIVERS, "--format", "json", "--rule", "APV-3", "--rule", "WAIVER"]);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let by = |rule: &str, subject: &str| findings.iter().find(|f| f["rule"] == rule && f["subject"] == subject);
    let waived = by("APV-3", "change:CHG-1").expect("waived finding stays visible");
    assert_eq!(waived["waiver"]["approved_by"], "P9 总经理");
    assert!(by("APV-3", "change:CHG-3").is_some_and(|f| f.get("waiver").is_none()), "expired waivers stop working");
    let rules: Vec<&str> = findings.iter().filter_map(|f| f["rule"].as_str()).collect();
    for r in ["WAIVER-EXPIRED", "WAIVER-UNUSED", "WAIVER-INVALID"] {
        assert_eq!(rules.iter().filter(|x| **x == r).count(), 1, "{r}: {rules:?}");
    }
    assert_eq!(doc["summary"]["waived"], 1);
    // Before the expiry date the second waiver still works.
    let (_, out, _) =
        zhidu(&["check", WAIVERS, "--format", "json", "--rule", "APV-3", "--rule", "WAIVER", "--as-of", "2026-03-15"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["summary"]["waived"], 2);
}

/// Rewrites a TOML file with its `[[…]]` tables in reverse order and different spacing.
fn reorder_and_reformat(path: &Path) {
    let text = std::fs::read_to_string(path).expect("read");
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("[[") || blocks.is_empty() {
            blocks.push(String::new());
        }
        let last = blocks.last_mut().expect("block");
        // Reformat: `key = value` becomes `key=value` with padding changes.
        let l = line.replacen(" = ", "   =  ", 1);
        last.push_str(&l);
        last.push('\n');
    }
    blocks.reverse();
    std::fs::write(path, blocks.concat()).expect("write");
}

#[test]
fn baselines_report_only_new_findings() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/APV-3/fail").as_path(), &org);
    std::fs::remove_file(org.join("expected.toml")).expect("rm");
    let base = tmp.path().join("baseline.json");
    let (code, _, err) =
        zhidu_in(tmp.path(), &["check", "org", "--write-baseline", "baseline.json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&base).expect("baseline written");
    assert!(text.contains("\"APV-3\""), "{text}");

    // Unchanged data: no new findings, exit 0.
    let (code, out, _) = zhidu_in(tmp.path(), &["check", "org", "--baseline", "baseline.json", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["findings"], serde_json::json!([]), "{out}");
    assert_eq!(code, 0);
    let unchanged = doc["baseline"]["unchanged"].as_u64().expect("unchanged");
    assert!(unchanged > 0);

    // Reordered and reformatted files: still nothing new.
    reorder_and_reformat(&org.join("data.toml"));
    let (code, out, _) = zhidu_in(tmp.path(), &["check", "org", "--baseline", "baseline.json", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["findings"], serde_json::json!([]), "{out}");
    assert_eq!(code, 0);
    assert_eq!(doc["baseline"]["unchanged"].as_u64(), Some(unchanged));

    // One new violation: exactly one new finding.
    let mut data = std::fs::read_to_string(org.join("data.toml")).expect("read");
    data.push_str(
        "\n[[change]]\nid = \"CHG-9\"\ntitle = \"新违规\"\ntier = \"日常优化\"\nauthor = \"P1\"\nsubmitted = 2026-03-01\n\
         golive = 2026-03-20\napprovals = [{ by = \"P1\", role = \"运营总监\", date = 2026-03-02, decision = \"approve\" }]\n",
    );
    std::fs::write(org.join("data.toml"), data).expect("write");
    let (code, out, _) = zhidu_in(tmp.path(), &["check", "org", "--baseline", "baseline.json", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["rule"].as_str().unwrap_or("").into(), f["subject"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(found, vec![("APV-3".to_string(), "change:CHG-9".to_string())]);
    assert_eq!(code, 1);

    // Fixing a known violation lists it as fixed.
    let data = std::fs::read_to_string(org.join("data.toml")).expect("read");
    std::fs::write(org.join("data.toml"), data.replace("\"CHG-1\"", "\"CHG-1-renamed\"")).expect("write");
    let (_, out, _) = zhidu_in(tmp.path(), &["check", "org", "--baseline", "baseline.json"]);
    assert!(out.contains("APV-3 change:CHG-1"), "fixed entries are listed\n{out}");
}

/// Fingerprints never depend on the language shown: a baseline written with `--lang en`
/// matches a run in Chinese and the other way round, for rule findings (records, declarations
/// and streamed export cells), data findings and waiver findings alike.
#[test]
fn baselines_match_across_languages() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    copy_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme").as_path(), &org);
    // A data finding (a repeated id) and a waiver finding (expired) besides the rule findings.
    std::fs::write(
        org.join("extra.toml"),
        "[[person]]\nid = \"P0002\"\nname = \"重复\"\nunit = \"U-BOD\"\nroles = [\"董事\"]\njoined = 2014-09-16\n\n\
         [[waiver]]\nrule = \"APV-3\"\nsubject = \"change:X\"\nreason = \"试运行\"\napproved_by = \"P0001\"\n\
         expires = 2020-01-01\n",
    )
    .expect("write");
    let (_, out, _) = zhidu_in(tmp.path(), &["check", "org", "--format", "json", "--fail-on", "never"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rules: std::collections::BTreeSet<&str> =
        doc["findings"].as_array().expect("findings").iter().filter_map(|f| f["rule"].as_str()).collect();
    for needed in ["DATA-DUP", "WAIVER-EXPIRED", "MASK-2", "APV-3"] {
        assert!(rules.contains(needed), "{needed} among {rules:?}");
    }
    for (write, read) in [("en", "zh"), ("zh", "en")] {
        let (code, _, err) = zhidu_in(
            tmp.path(),
            &["check", "org", "--lang", write, "--write-baseline", "baseline.json", "--fail-on", "never"],
        );
        assert_eq!(code, 0, "{err}");
        let (code, out, err) =
            zhidu_in(tmp.path(), &["check", "org", "--lang", read, "--baseline", "baseline.json", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(doc["findings"], serde_json::json!([]), "written in {write}, read in {read}: {err}");
        assert_eq!(code, 0);
        assert!(doc["baseline"]["unchanged"].as_u64().is_some_and(|n| n >= 12), "{}", doc["baseline"]);
    }
}

/// Issue 21 #23: a change title and a person's name holding ESC, BEL, CR, LF, a C1 CSI and a
/// bidi override reach no output raw. JSON and SARIF carry them escaped by serde (`\u001b`)
/// and read back as the record holds them; JUnit parses and shows them as `\u{1b}`; GitHub and
/// the human format keep one finding on one line.
#[test]
fn control_characters_in_records_are_escaped_in_every_format() {
    const ORG: &str = "tests/hostile/23-control-characters-in-records/org";
    let title = "首页\u{1b}[2J文案\u{7}微调\r\n::error::forged %0A 50%\u{9b}31m\u{202e}";
    let raw = |out: &str| out.chars().filter(|&c| c.is_control() && c != '\n').collect::<Vec<char>>();
    let run = |format: &str| {
        let (code, out, err) = zhidu(&["check", ORG, "--format", format, "--rule", "APV-3", "--rule", "CAD-1"]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(raw(&out).is_empty() && raw(&err).is_empty(), "{format} prints {:?}", raw(&out));
        out
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    let message = |f: &serde_json::Value| f.as_str().map(str::to_string).unwrap_or_default();
    assert!(message(&json["findings"][0]["message"]).contains(title), "{}", json["findings"][0]);
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("sarif");
    assert!(message(&sarif["runs"][0]["results"][0]["message"]["text"]).contains(title));
    let junit = run("junit");
    let doc = roxmltree::Document::parse(&junit).expect("well-formed XML");
    let failures: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("failure")).filter_map(|n| n.text()).collect();
    assert!(failures.iter().any(|t| t.contains("首页\\u{1b}[2J文案\\u{7}微调\\r\\n::error::forged")), "{failures:?}");
    // One line per finding in the failure text (3: APV-3 CHG-1, CAD-1 P1 and P3 — P2, the
    // 技术总监, is not among the 运营人员 CAD-1 covers), none forged.
    assert_eq!(failures.iter().map(|t| t.trim().lines().count()).sum::<usize>(), 3, "{failures:?}");
    let github = run("github");
    // Three annotations, then a line of counts per rule.
    assert_eq!(github.lines().filter(|l| l.starts_with("::")).count(), 3, "{github}");
    assert!(github.lines().all(|l| l.starts_with("::error file=") || l.starts_with("zhidu ")), "{github}");
    assert_eq!(github.lines().count(), 5, "{github}");
    // The name is a `personal` field: masked unless asked, escaped when shown.
    assert!(run("human").contains("P1（王*）"));
    let (_, human, _) = zhidu(&["check", ORG, "--show-personal", "--rule", "APV-3", "--rule", "CAD-1"]);
    assert!(human.contains("王\\u{1b}]0;pwned\\u{7}芳\\ttab"), "{human}");
    let (_, quiet, _) = zhidu(&["check", ORG, "-q", "--rule", "APV-3", "--rule", "CAD-1"]);
    assert_eq!(quiet.lines().count(), 3, "{quiet}");
}

/// An org with more findings than a SARIF run may hold (the generator's findings-heavy variant):
/// the SARIF file holds at most 25 000 results, validates against the official schema and says
/// what it left out (a notification, one aggregate result per rule, a note on stderr); JSON has
/// every finding; the human format lists 20 per rule and counts the rest, or (`--statistics`)
/// counts per rule; the GitHub format stays within the annotation limits and writes the job
/// summary.
#[test]
fn outputs_fit_their_consumers_at_scale() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    // 14 000 people: the heavy variant's training and appraisal findings fall on 运营人员 only.
    gen_org::generate_with(14_000, &org, 7, true, true);
    let (json, sarif, summary) =
        (tmp.path().join("out.json"), tmp.path().join("out.sarif"), tmp.path().join("step.md"));
    std::fs::write(&summary, "earlier step text\n").expect("summary");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["check", &org.display().to_string(), "--format", "human"])
        .args(["--format", &format!("json={}", json.display()), "--format", &format!("sarif={}", sarif.display())])
        .env("NO_COLOR", "1")
        .output()
        .expect("run zhidu");
    let (human, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    assert!(findings.len() > 26_000, "{} findings", findings.len());
    let mut per_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in findings.iter().filter(|f| f.get("waiver").is_none()) {
        *per_rule.entry(f["rule"].as_str().expect("rule")).or_default() += 1;
    }

    // SARIF: truncated, valid, and saying so.
    let text = std::fs::read_to_string(&sarif).expect("sarif");
    assert!(!text.contains("\n  "), "compact");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    let errors = sarif_errors(&doc);
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert!(results.len() <= 25_000 && results.len() > 24_000, "{} results", results.len());
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().expect("notification");
    assert!(notes[0]["message"]["text"].as_str().is_some_and(|t| t.contains("25000")), "{notes:?}");
    let omitted: usize = results.iter().filter_map(|r| r["properties"]["omitted"].as_u64()).map(|n| n as usize).sum();
    let listed = results.iter().filter(|r| r["properties"]["omitted"].is_null()).count();
    assert_eq!(listed + omitted, findings.len(), "every finding is listed or counted");
    assert_eq!(run["properties"]["omittedResults"].as_u64(), Some(omitted as u64));
    // Every rule keeps its first findings: a rule with findings has listed results.
    for rule in per_rule.keys() {
        assert!(results.iter().any(|r| r["ruleId"] == *rule && r["properties"]["omitted"].is_null()), "{rule}");
    }
    assert!(err.contains("SARIF output lists") && err.contains("25000"), "{err}");

    // Human: 20 a rule, then how many more.
    for (rule, n) in &per_rule {
        if *n > 20 {
            let more = format!("… 还有 {} 条", grouped(n - 20));
            let block = human.split("\n\n").find(|b| b.contains(&format!(" {rule} "))).expect("rule block");
            assert!(block.contains(&more), "{rule}: {more} in {block}");
        }
    }
    let (_, stats, _) = zhidu(&["check", &org.display().to_string(), "--statistics", "--lang", "en"]);
    for (rule, n) in &per_rule {
        let row = format!("{} {rule} ", grouped(*n));
        assert!(stats.lines().any(|l| l.trim_start().starts_with(&row)), "{rule} {n}: {stats}");
    }
    assert!(stats.lines().count() < per_rule.len() + 10, "{stats}");

    // GitHub: within the per-step limits, then the counts; the job summary is appended.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["check", &org.display().to_string(), "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run zhidu");
    let gh = String::from_utf8_lossy(&out.stdout);
    for kind in ["::error ", "::warning ", "::notice "] {
        assert!(gh.lines().filter(|l| l.starts_with(kind)).count() <= 10, "{kind}: {gh}");
    }
    assert_eq!(gh.lines().filter(|l| l.starts_with("zhidu ")).count(), per_rule.len(), "{gh}");
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert!(md.starts_with("earlier step text\n## zhidu check"), "appended: {md}");
    assert!(md.contains("| 规则 | 标题 | 级别 | 问题 | 已豁免 |"), "{md}");
    for (rule, n) in &per_rule {
        assert!(md.contains(&format!("{rule} | ")) && md.contains(&format!("| {} |", grouped(*n))), "{rule}: {md}");
    }
}

/// `99930` as `99 930`.
fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
