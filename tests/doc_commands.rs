//! The commands the documentation shows run, and exit as the text says (issue 28), so the docs
//! cannot rot:
//!
//! - every code block of `README.md` and `docs/*.md` whose info string is `sh`, `bash` or
//!   `console` (`console`: the lines that start with `$ `), unless it carries the attribute
//!   `ignore` (```` ```sh,ignore ````: a command that needs something a test does not have);
//! - the examples at the end of every subcommand's `--help`.
//!
//! Each file's commands run in order (a later block may read what an earlier one wrote) with
//! `bash -c`, in a fresh temporary copy of the example org, the pack, the policy test cases and
//! the docs, with the `zhidu` under test first on `PATH`: nothing in the repository is written.
//! A comment `# exit N` on a command states its exit code (default 0). In `--help`, where the
//! examples stay short, an example passes with 0 or 1 (it ran; a finding is not an error)
//! unless it says `# exit N`.
//!
//! `cargo run [--release] --` is the binary under test; any other `cargo …` line (build, test,
//! install) is what builds that binary and is listed as not run.

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_zhidu");
/// What a command may take before it counts as hung (a debug build rendering the handbook takes ~1 s).
const LIMIT: Duration = Duration::from_secs(120);

/// A command shown in a document.
#[derive(Debug, Clone)]
struct Shown {
    /// `file:line`, for messages.
    at: String,
    /// The command line(s), continuation lines joined.
    command: String,
    /// The exit codes it may give.
    expect: Vec<i32>,
}

/// The commands of the shell code blocks of a Markdown text, in order.
fn commands(name: &str, text: &str, default: &[i32]) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut in_block: Option<(bool, bool)> = None; // (runs, console)
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_block.is_some() {
                in_block = None;
                continue;
            }
            let attrs: Vec<&str> =
                info.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).collect();
            let lang = attrs.first().copied().unwrap_or("");
            let runs = matches!(lang, "sh" | "bash" | "console" | "shell") && !attrs.contains(&"ignore");
            in_block = Some((runs, lang == "console"));
            continue;
        }
        let Some((true, console)) = in_block else { continue };
        let body = if console {
            match trimmed.strip_prefix("$ ") {
                Some(b) => b,
                None if pending.is_some() => trimmed,
                None => continue,
            }
        } else {
            trimmed
        };
        let (start, mut joined) = pending.take().unwrap_or((i + 1, String::new()));
        if joined.is_empty() && (body.is_empty() || body.starts_with('#')) {
            continue;
        }
        if let Some(head) = body.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            pending = Some((start, joined));
            continue;
        }
        joined.push_str(body);
        let expect = stated_exit(&joined).map_or_else(|| default.to_vec(), |n| vec![n]);
        out.push(Shown { at: format!("{name}:{start}"), command: joined, expect });
    }
    out
}

/// The exit code a `# exit N` comment states.
fn stated_exit(command: &str) -> Option<i32> {
    let re = regex::Regex::new(r"#.*\bexit (\d+)\b").expect("regex");
    re.captures(command).and_then(|c| c.get(1)).and_then(|m| m.as_str().parse().ok())
}

/// A temporary copy of what the documented commands read.
fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    for dir in ["examples", "policies", "docs", "tests/cases", "tests/fixtures"] {
        copy_dir(&Path::new(ROOT).join(dir), &tmp.path().join(dir));
    }
    for file in ["README.md", "CHANGELOG.md"] {
        let from = Path::new(ROOT).join(file);
        if from.is_file() {
            std::fs::copy(&from, tmp.path().join(file)).expect("copy a file");
        }
    }
    tmp
}

/// What running a shown command gives: `None` when it is not run (a `cargo` command that builds
/// the binary under test), else its exit code and output.
fn run(dir: &Path, home: &Path, shown: &Shown) -> Option<(i32, String)> {
    let command = shown.command.trim();
    let command = if let Some(rest) =
        command.strip_prefix("cargo run --release -- ").or_else(|| command.strip_prefix("cargo run -- "))
    {
        format!("zhidu {rest}")
    } else if command.starts_with("cargo ") {
        return None;
    } else {
        command.to_string()
    };
    let bin_dir = Path::new(BIN).parent().expect("the binary's directory");
    let path = std::env::join_paths(
        std::iter::once(PathBuf::from(bin_dir))
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail\n{command}"))
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bash");
    // Read the output on threads so a full pipe cannot stall the command.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    let began = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if began.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("{}: `{command}` ran for more than {LIMIT:?}", shown.at);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = String::from_utf8_lossy(&out.join().expect("stdout thread")).into_owned();
    let err = String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned();
    let tail = |s: &str| s.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    Some((status.code().unwrap_or(-1), format!("stdout:\n{}\nstderr:\n{}", tail(&out), tail(&err))))
}

/// Runs commands in order in one workspace; returns the failures and the commands not run.
fn run_all(shown: &[Shown]) -> (Vec<String>, Vec<String>) {
    let ws = workspace();
    let home = tempfile::tempdir().expect("home");
    let mut failures = Vec::new();
    let mut not_run = Vec::new();
    for s in shown {
        match run(ws.path(), home.path(), s) {
            None => not_run.push(format!("{}: {} (builds the binary under test)", s.at, s.command)),
            // As in tests/print.rs: a PDF needs fonts-noto-cjk, which `.ci/run` installs; on a
            // machine without it the command is skipped with a message, unless CI is set.
            Some((code, output))
                if !s.expect.contains(&code)
                    && output.contains("zhidu::render::fonts")
                    && std::env::var_os("CI").is_none() =>
            {
                not_run.push(format!("{}: {} (fonts-noto-cjk is not installed)", s.at, s.command))
            }
            Some((code, output)) if !s.expect.contains(&code) => failures
                .push(format!("{}: `{}` exited {code}, the text says {:?}\n{output}", s.at, s.command, s.expect)),
            Some(_) => {}
        }
    }
    (failures, not_run)
}

/// `README.md` and every `docs/*.md`.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

#[test]
fn every_command_in_the_readme_and_the_docs_exits_as_the_text_says() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in documents() {
        let name = file.strip_prefix(ROOT).unwrap_or(&file).display().to_string();
        let text = std::fs::read_to_string(&file).expect("read a document");
        let shown = commands(&name, &text, &[0]);
        if shown.is_empty() {
            continue;
        }
        let (failed, not_run) = run_all(&shown);
        ran += shown.len() - not_run.len();
        for n in &not_run {
            eprintln!("not run: {n}");
        }
        failures.extend(failed);
    }
    assert!(failures.is_empty(), "{} documented command(s) fail:\n\n{}", failures.len(), failures.join("\n\n"));
    // The README alone shows more than this; a parser that finds nothing must not pass.
    assert!(ran >= 10, "only {ran} documented commands were found");
}

#[test]
fn the_readme_shows_the_tour_and_the_set_up_commands() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README.md");
    let shown: Vec<String> = commands("README.md", &text, &[0]).into_iter().map(|s| s.command).collect();
    for needed in [
        "cargo run --release -- check examples/acme",
        "cargo test --locked",
        "zhidu explain",
        "zhidu render",
        "zhidu report",
    ] {
        assert!(shown.iter().any(|c| c.starts_with(needed)), "the README shows no `{needed}` command");
    }
}

#[test]
fn every_example_in_every_help_runs() {
    let (code, top, err) = zhidu_out(&["--help"]);
    assert_eq!(code, 0, "{err}");
    let subcommands = subcommand_names(&top);
    assert!(subcommands.len() >= 12, "{subcommands:?}");
    let mut shown = examples("zhidu --help", &top);
    for sub in &subcommands {
        let (code, help, err) = zhidu_out(&[sub, "--help"]);
        assert_eq!(code, 0, "{err}");
        let of = examples(&format!("zhidu {sub} --help"), &help);
        assert!(!of.is_empty(), "`zhidu {sub} --help` shows no example");
        assert!(
            of.iter().any(|s| s.command.contains(&format!("zhidu {sub}"))),
            "`zhidu {sub} --help`: no example of {sub}"
        );
        shown.extend(of);
    }
    let (failures, not_run) = run_all(&shown);
    assert!(not_run.is_empty(), "{not_run:?}");
    assert!(failures.is_empty(), "{} example(s) fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn check_help_lists_the_exit_codes() {
    let (_, help, _) = zhidu_out(&["check", "--help"]);
    let codes = help.split("Exit codes:").nth(1).expect("an `Exit codes:` section");
    for (code, says) in [
        ("0", "no finding at or above --fail-on"),
        ("1", "findings at or above"),
        ("2", "could not run"),
        ("141", "closed"),
    ] {
        assert!(
            codes.lines().any(|l| l.trim_start().starts_with(&format!("{code} ")) && l.contains(says)),
            "exit code {code} is not explained:\n{codes}"
        );
    }
}

/// The example lines of a `--help` text: the indented `zhidu …` lines after `Examples:`.
fn examples(name: &str, help: &str) -> Vec<Shown> {
    let Some(after) = help.split("Examples:\n").nth(1) else { return Vec::new() };
    after
        .lines()
        .take_while(|l| l.starts_with("  ") || l.is_empty())
        .map(str::trim)
        .filter(|l| l.starts_with("zhidu "))
        .map(|l| Shown {
            at: name.to_string(),
            command: l.to_string(),
            expect: stated_exit(l).map_or(vec![0, 1], |n| vec![n]),
        })
        .collect()
}

/// The subcommands `zhidu --help` lists (without `help`).
fn subcommand_names(help: &str) -> Vec<String> {
    let Some(after) = help.split("Commands:\n").nth(1) else { return Vec::new() };
    after
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect()
}

fn zhidu_out(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).current_dir(ROOT).env("NO_COLOR", "1").output().expect("run zhidu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_block_parser_reads_languages_attributes_continuations_and_exit_comments() {
    let text = "\
```sh
# a comment line is not a command
zhidu check examples/acme   # exit 1
zhidu report examples/acme \\
  --out r.html
```

```sh,ignore
zhidu init acme
```

```console
$ zhidu rules --format json
[output, not a command]
```

```text
zhidu lint
```
";
    let shown = commands("t.md", text, &[0]);
    let lines: Vec<(&str, &str, &[i32])> =
        shown.iter().map(|s| (s.at.as_str(), s.command.as_str(), s.expect.as_slice())).collect();
    assert_eq!(
        lines,
        [
            ("t.md:3", "zhidu check examples/acme   # exit 1", &[1][..]),
            ("t.md:4", "zhidu report examples/acme  --out r.html", &[0][..]),
            ("t.md:13", "zhidu rules --format json", &[0][..]),
        ]
    );
    assert_eq!(stated_exit("zhidu verify a.json   # exits 1 when …"), None);
}
