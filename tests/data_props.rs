//! Property tests of the org data loader: arbitrary TOML and CSV text (and arbitrary bytes)
//! never make it panic; it returns records and `DATA-…` findings, or located diagnostics; and
//! every rule of the pack then evaluates on the records without panicking.

use std::sync::LazyLock;

use proptest::prelude::*;
use zhidu::compile::load_policy;
use zhidu::policy::Policy;

static POLICY: LazyLock<Policy> = LazyLock::new(|| match load_policy(None) {
    Ok((p, _)) => p,
    Err(d) => panic!("built-in pack: {}", d.render(false)),
});

fn load(files: &[(&str, &[u8])]) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let config = zhidu::data::config::default_config(dir.path(), jiff::civil::date(2026, 6, 30));
    match zhidu::data::load(dir.path(), config, &POLICY.schema) {
        Ok(org) => {
            // Every finding is located in a real file of the org dir.
            for f in &org.issues {
                if let Some(l) = &f.location {
                    assert!(dir.path().join(&l.file).exists(), "{l:?}");
                    assert!(l.line >= 1 && l.column >= 1);
                }
            }
            // And every rule of the pack evaluates on whatever was loaded.
            let _ = zhidu::engine::run(&POLICY, &org, &zhidu::engine::Options::default());
        }
        Err(d) => assert!(d.error_count() > 0),
    }
}

/// TOML-ish text built from the pieces record files are made of.
fn tomlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("[[person]]\n".to_string()),
            Just("[[change]]\n".to_string()),
            Just("[[unit]]\n".to_string()),
            Just("[person]\n".to_string()),
            "(id|name|unit|roles|joined|level|mentor|approvals|tier|author) = ".prop_map(String::from),
            Just("\"P1\"\n".to_string()),
            Just("2026-13-01\n".to_string()),
            Just("2026-01-01\n".to_string()),
            Just("[\"运营专员\", 3]\n".to_string()),
            Just("{ by = \"P1\", date = 2026-01-02 }\n".to_string()),
            Just("[{ by = \"P2\" }]\n".to_string()),
            "[0-9]{1,5}\n".prop_map(String::from),
            "\\PC{0,12}".prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// CSV-ish text for `person.csv`.
fn csvish() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["id,name,unit,roles,joined", "id,name,scores.a,roles", "", "id", "\u{feff}id,name"]),
        prop::collection::vec("[a-zP0-9,;\"\\n 运营-]{0,30}", 0..20),
    )
        .prop_map(|(h, rows)| format!("{h}\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn toml_files_never_panic(text in tomlish()) {
        load(&[("data.toml", text.as_bytes())]);
    }

    #[test]
    fn csv_files_never_panic(text in csvish()) {
        load(&[("person.csv", text.as_bytes())]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        load(&[("data.toml", &bytes), ("person.csv", &bytes)]);
    }
}
