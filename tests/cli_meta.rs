//! What a command-line tool ships besides its commands (issue 28): completion scripts for every
//! shell and man pages, each covering every subcommand, and a `--version` naming the built-in pack.

mod common;
use common::*;

use clap::CommandFactory;

/// Every subcommand zhidu has, from its own definition (a new one is covered without a test edit).
fn subcommands() -> Vec<String> {
    let names: Vec<String> = zhidu::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 12, "{names:?}");
    names
}

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, script, err) = zhidu(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(script.len() > 1000, "{shell}: a script of {} bytes", script.len());
        for sub in subcommands() {
            assert!(script.contains(&sub), "the {shell} completions do not name `{sub}`");
        }
        // Options of a subcommand are completed too.
        assert!(script.contains("fail-on") && script.contains("write-baseline"), "{shell}: no check options");
    }
    let (code, _, err) = zhidu(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error");
    assert!(err.contains("bash") && err.contains("powershell"), "{err}");
}

#[test]
fn bash_accepts_the_bash_completions() {
    let (_, script, _) = zhidu(&["completions", "bash"]);
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("zhidu.bash");
    std::fs::write(&file, script).expect("write");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p zhidu", file.display()))
        .output()
        .expect("bash");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert!(String::from_utf8_lossy(&status.stdout).contains("zhidu"));
}

#[test]
fn a_man_page_for_zhidu_and_one_per_subcommand() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("man");
    let (code, _, err) = zhidu(&["man", "--out-dir", &dir.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let top = std::fs::read_to_string(dir.join("zhidu.1")).expect("zhidu.1");
    assert!(top.starts_with(".ie") || top.contains(".TH zhidu 1"), "{top}");
    for sub in subcommands() {
        let page = std::fs::read_to_string(dir.join(format!("zhidu-{sub}.1")))
            .unwrap_or_else(|e| panic!("no page zhidu-{sub}.1: {e}"));
        assert!(page.contains(&format!(".TH zhidu-{sub} 1")), "zhidu-{sub}.1 has no title");
        // The examples of `--help` are on the page.
        assert!(page.contains("Examples:") && page.contains(&format!("zhidu {sub}")), "zhidu-{sub}.1 has no examples");
        assert!(top.contains(&sub), "zhidu.1 does not list `{sub}`");
    }
    let check = std::fs::read_to_string(dir.join("zhidu-check.1")).expect("zhidu-check.1");
    assert!(check.contains("Exit codes:") && check.contains("141"), "zhidu-check.1 lists no exit codes");
    // Without a directory, zhidu.1 on standard output, the same bytes.
    let (code, out, _) = zhidu(&["man"]);
    assert_eq!(code, 0);
    assert_eq!(out, top);
    let pages = std::fs::read_dir(&dir).expect("man dir").count();
    assert_eq!(pages, subcommands().len() + 1, "one page per subcommand and zhidu.1");
}

#[test]
fn version_names_the_tool_and_the_built_in_pack_with_its_digest() {
    let (code, out, err) = zhidu(&["--version"]);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = zhidu(&["check", "tests/fixtures/clean-org", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let policy = &doc["policy"];
    let (name, version, digest) = (
        policy["name"].as_str().expect("name"),
        policy["version"].as_str().expect("version"),
        policy["digest"].as_str().expect("digest"),
    );
    assert!(out.starts_with(&format!("zhidu {}\n", env!("CARGO_PKG_VERSION"))), "{out}");
    let pack = out.lines().nth(1).expect("a line about the pack");
    assert!(pack.contains(name) && pack.contains(version) && pack.contains(digest), "{pack} vs {policy}");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    // `-V` stays one short line.
    let (_, short, _) = zhidu(&["-V"]);
    assert_eq!(short.trim(), format!("zhidu {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in subcommands() {
        let (code, help, err) = zhidu(&[&sub, "--help"]);
        assert_eq!(code, 0, "{sub}: {err}");
        assert!(help.contains("\nExamples:\n"), "`zhidu {sub} --help` has no examples");
    }
}
