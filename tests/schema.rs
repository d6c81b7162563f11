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
