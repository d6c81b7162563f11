//! `zhidu schema`: a valid JSON Schema (draft 2020-12) that accepts every TOML file of
//! `examples/acme` (converted to JSON) and rejects wrongly typed records.

use std::process::Command;

fn schema() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .arg("schema")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run zhidu schema");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("schema is JSON")
}

/// TOML → JSON as an editor sees it: dates and datetimes become strings.
fn to_json(v: toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => s.into(),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.into_iter().map(to_json).collect::<Vec<_>>().into(),
        toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, to_json(v))).collect::<serde_json::Map<_, _>>().into(),
    }
}

#[test]
fn schema_accepts_acme_and_rejects_wrong_types() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("compiles");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme");
    let mut checked = 0;
    for e in std::fs::read_dir(&dir).expect("acme").flatten() {
        if e.path().extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).expect("read");
        let doc = to_json(toml::Value::Table(toml::from_str(&text).expect("TOML")));
        let errors: Vec<String> =
            validator.iter_errors(&doc).map(|x| format!("{x} at {}", x.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", e.path().display());
        checked += 1;
    }
    assert!(checked >= 10, "{checked} files");

    let bad = to_json(toml::Value::Table(
        toml::from_str(
            "[[person]]\nid = \"P1\"\nname = \"张伟\"\nunit = \"U1\"\nroles = \"运营专员\"\njoined = \"next month\"\nlevel = \"专家\"\n",
        )
        .expect("TOML"),
    ));
    let errors: Vec<String> = validator.iter_errors(&bad).map(|x| x.instance_path().to_string()).collect();
    assert!(errors.iter().any(|p| p.ends_with("/roles")), "{errors:?}");
    assert!(errors.iter().any(|p| p.ends_with("/joined")), "{errors:?}");
    assert!(errors.iter().any(|p| p.ends_with("/level")), "{errors:?}");
    let missing = to_json(toml::Value::Table(toml::from_str("[[change]]\nid = \"C1\"\n").expect("TOML")));
    assert!(!validator.is_valid(&missing), "required fields");
}

/// Each mistake of issue 22 a user makes in a TOML org file, rejected by the exported schema at
/// the field it is in: a misspelt tier, a step named by a synonym, a misspelt optional field,
/// a misspelt field of an approval, an undeclared role.
#[test]
fn schema_rejects_words_and_fields_the_pack_does_not_declare() {
    let schema = schema();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("compiles");
    let person = "[[person]]\nid = \"P1\"\nname = \"王芳\"\nunit = \"U1\"\njoined = 2025-01-01\n";
    let change = "[[change]]\nid = \"C1\"\ntitle = \"t\"\nauthor = \"P1\"\nsubmitted = 2026-03-01\n";
    let approval = "{ by = \"P1\", role = \"运营总监\", date = 2026-03-05, decision = \"approve\" }";
    let complaint = "[[complaint]]\nid = \"CP1\"\nreceived = 2026-03-02\n";
    let plan = |kind: &str, key: &str| {
        format!(
            "[[plan]]\nid = \"PL1\"\nkind = \"{kind}\"\nowner = \"P1\"\nsubmitted = 2026-03-01\napprovals = []\nfields = {{ \"{key}\" = \"x\" }}\n"
        )
    };
    let project = |phase: &str| {
        format!(
            "[[project]]\nid = \"PJ1\"\nname = \"n\"\nphases = [{{ name = \"{phase}\", start = 2026-03-02, end = 2026-03-03, deliverables = [] }}]\n"
        )
    };
    let good = [
        plan("立项", "项目背景"),
        plan("预算", "收入预算"),
        project("启动"),
        project("客户验收"),
        format!("{person}roles = [\"运营总监\"]\n"),
        format!("{change}tier = \"重大改革\"\ngolive = 2026-03-20\napprovals = [{approval}]\n"),
        format!("{complaint}steps = [{{ step = \"投诉调查与处理\", at = 2026-03-03 }}]\n"),
    ];
    for text in &good {
        let doc = to_json(toml::Value::Table(toml::from_str(text).expect("TOML")));
        let errors: Vec<String> =
            validator.iter_errors(&doc).map(|x| format!("{x} at {}", x.instance_path())).collect();
        assert!(errors.is_empty(), "{text}: {errors:?}");
    }
    let bad = [
        (plan("立项", "项目背景介绍"), "/plan/0/fields"),
        (project("执行阶段"), "/project/0/phases/0/name"),
        (format!("{change}tier = \"重大变更\"\napprovals = []\n"), "/change/0/tier"),
        (format!("{complaint}steps = [{{ step = \"调查与处理\", at = 2026-03-03 }}]\n"), "/complaint/0/steps/0/step"),
        (format!("{change}tier = \"重大改革\"\ngo_live = 2026-03-20\napprovals = []\n"), "/change/0"),
        (
            format!(
                "{change}tier = \"重大改革\"\napprovals = [{{ approver = \"P1\", role = \"运营总监\", date = 2026-03-05, decision = \"approve\" }}]\n"
            ),
            "/change/0/approvals/0",
        ),
        (format!("{person}roles = [\"研发工程师\"]\n"), "/person/0/roles/0"),
        (format!("{person}role = [\"运营总监\"]\n"), "/person/0"),
        (
            "[[training]]\nid = \"T1\"\ntopic = \"数据安全\"\ndate = 2026-03-10\nattendees = [\"P1\"]\n".to_string(),
            "/training/0/topic",
        ),
        (
            "[[meeting]]\nid = \"M1\"\nkind = \"周会\"\ndate = 2026-03-09\nunits = [\"U0\"]\noutputs = []\n"
                .to_string(),
            "/meeting/0/kind",
        ),
        (
            "[[dataset]]\nid = \"D1\"\nname = \"n\"\ncategory = \"用户画象\"\nowner = \"U1\"\nclass = \"核心\"\n"
                .to_string(),
            "/dataset/0/category",
        ),
    ];
    for (text, at) in &bad {
        let doc = to_json(toml::Value::Table(toml::from_str(text).expect("TOML")));
        let paths: Vec<String> = validator.iter_errors(&doc).map(|x| x.instance_path().to_string()).collect();
        assert!(paths.iter().any(|p| p == at), "{text}: expected an error at {at}, got {paths:?}");
    }
}

/// `docs/data.md` is exactly what `zhidu schema --format md` makes of the built-in pack.
#[test]
fn data_reference_is_generated_from_the_pack() {
    let out = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["schema", "--format", "md"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run zhidu schema --format md");
    assert!(out.status.success());
    let made = String::from_utf8(out.stdout).expect("UTF-8");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/data.md");
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(made == kept, "docs/data.md is stale: run `cargo run -- schema --format md > docs/data.md` and commit it");
    for needle in ["## person", "### 词表 role", "`approvals.by`", "`;` 分隔"] {
        assert!(made.contains(needle), "{needle}");
    }
}
