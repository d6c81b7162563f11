//! The VS Code extension in `editors/vscode/`: its TextMate grammar highlights exactly the
//! keywords of the pest grammar, and its manifest starts `zhidu lsp` for `.zd` files.

use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The words of the pest grammar's keyword rules: `keyword`, `kw_*`, `op_*` and the word-like
/// terminals `severity`, `secret`, `personal`, `boolean`, `none` (a rule may span lines).
fn pest_keywords() -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("grammar/zhidu.pest")).expect("grammar/zhidu.pest");
    let mut out = BTreeSet::new();
    let mut rule = String::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        if let Some((name, _)) = code.split_once('=')
            && !name.trim().is_empty()
            && name.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            rule = name.trim().to_string();
        }
        let wanted = rule == "keyword"
            || rule.starts_with("kw_")
            || rule.starts_with("op_")
            || ["severity", "secret", "personal", "boolean", "none"].contains(&rule.as_str());
        if !wanted {
            continue;
        }
        for (i, quoted) in code.split('"').enumerate() {
            if i % 2 == 1 && !quoted.is_empty() && quoted.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                out.insert(quoted.to_string());
            }
        }
    }
    out
}

/// The words of the TextMate grammar's `keyword` patterns (`\b(?:a|b|c)\b`).
fn textmate_keywords() -> BTreeSet<String> {
    let path = Path::new(ROOT).join("editors/vscode/syntaxes/zhidu.tmLanguage.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("tmLanguage")).expect("valid JSON");
    let mut out = BTreeSet::new();
    for p in json["repository"]["keyword"]["patterns"].as_array().expect("keyword patterns") {
        let m = p["match"].as_str().expect("match");
        let inner = m.strip_prefix("\\b(?:").and_then(|r| r.strip_suffix(")\\b")).expect("\\b(?:…)\\b");
        out.extend(inner.split('|').map(str::to_string));
    }
    out
}

#[test]
fn the_textmate_grammar_highlights_the_pest_grammars_keywords() {
    let pest = pest_keywords();
    // A reader that finds nothing would compare two empty sets.
    for k in ["forall", "include", "import", "dated_by", "implies", "warning", "personal", "none"] {
        assert!(pest.contains(k), "{k} not read from the pest grammar: {pest:?}");
    }
    let tm = textmate_keywords();
    let missing: Vec<&String> = pest.difference(&tm).collect();
    let extra: Vec<&String> = tm.difference(&pest).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "editors/vscode/syntaxes/zhidu.tmLanguage.json: missing keywords {missing:?}, not keywords of grammar/zhidu.pest {extra:?}"
    );
}

#[test]
fn the_extension_starts_zhidu_lsp_for_zd_files() {
    let dir = Path::new(ROOT).join("editors/vscode");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).expect("package.json"))
            .expect("valid JSON");
    let main = manifest["main"].as_str().expect("main");
    let js = std::fs::read_to_string(dir.join(main)).expect("the extension's main file");
    assert!(js.contains("'lsp'"), "the client does not run `zhidu lsp`");
    let langs = manifest["contributes"]["languages"].as_array().expect("languages");
    assert!(langs.iter().any(|l| l["extensions"] == serde_json::json!([".zd"])), "{langs:?}");
    let grammar = manifest["contributes"]["grammars"][0]["path"].as_str().expect("grammar path");
    assert!(dir.join(grammar).is_file(), "{grammar}");
}

/// The extension's own tests (`editors/vscode/test/`, Node's test runner with stub `vscode`
/// and `vscode-languageclient` modules: VS Code itself cannot run here). Skipped, saying so,
/// when `node` is not on PATH.
#[test]
fn the_extensions_node_tests_pass() {
    let dir = Path::new(ROOT).join("editors/vscode");
    let out = match std::process::Command::new("node").arg("--test").arg("test/").current_dir(&dir).output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: node is not on PATH ({e})");
            return;
        }
    };
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "node --test failed:\n{text}");
    assert!(text.contains("# pass 6"), "six tests ran:\n{text}");
}
