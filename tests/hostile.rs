//! The hostile and careless input corpus (`tests/hostile/`): each case is a directory with its
//! input files and a `case.toml` saying how zhidu is run on them and what must (and must not)
//! come out. A case runs in a temporary copy of its directory, so writes cannot touch the repo.
//!
//! `case.toml`:
//! ```toml
//! about = "what the case holds zhidu to"
//! args = ["check", "org", "--rule", "APV-99"]   # run in the copy of the case dir
//! exit = 2                                        # expected exit code
//! stdout_has = ["…"]                              # each must appear on stdout
//! stderr_has = ["…"]                              # each must appear on stderr
//! absent = ["13812345678"]                        # none may appear on stdout or stderr
//! unchanged = ["org/people.toml"]                 # files that must be byte-identical after
//! stdout_closed = true                            # stdout is a pipe nobody reads (`| head`)
//! timeout_secs = 20                               # longer than this is a hang (default 30)
//! fifos = ["org/zhidu.toml"]                      # made with mkfifo before the run (git has none)
//! symlinks = [["org/zhidu.toml", "missing"]]      # (link, target) made before the run
//! still_symlinks = ["pack/link.zd"]               # must still be symlinks after the run
//! no_files_matching = [".zhidu-", "out.csv"]      # no file or dir whose name holds one may be
//!                                                 # left anywhere in the copy (temporary files)
//! [[also]]                                        # further runs, held to `absent` (as are
//! args = ["report", "org", "--out", "r.md"]        # the files any run writes)
//! exit = 0
//! ```

mod common;

use common::copy_dir;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    args: Vec<String>,
    exit: i32,
    #[serde(default)]
    stdout_has: Vec<String>,
    #[serde(default)]
    stderr_has: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    unchanged: Vec<String>,
    #[serde(default)]
    stdout_closed: bool,
    timeout_secs: Option<u64>,
    #[serde(default)]
    fifos: Vec<String>,
    #[serde(default)]
    symlinks: Vec<[String; 2]>,
    #[serde(default)]
    still_symlinks: Vec<String>,
    #[serde(default)]
    also: Vec<Also>,
    #[serde(default)]
    no_files_matching: Vec<String>,
}

/// A further run on the same files, held to the case's `absent`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Also {
    args: Vec<String>,
    exit: i32,
}

/// The paths under `dir` (relative to it, recursively, symlinks not followed) whose file name
/// holds one of `parts`.
fn files_matching(dir: &Path, parts: &[String], under: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if parts.iter().any(|p| name.contains(p.as_str())) {
            found.push(path.strip_prefix(under).unwrap_or(&path).display().to_string());
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            files_matching(&path, parts, under, found);
        }
    }
}

/// Runs zhidu once in `work`; returns (exit code, stdout, stderr), or why it could not.
fn run_once(
    work: &Path,
    args: &[String],
    stdout_closed: bool,
    timeout: Duration,
) -> Result<(i32, String, String), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhidu"));
    cmd.args(args).current_dir(work).env("NO_COLOR", "1").stdin(Stdio::null()).stderr(Stdio::piped());
    if stdout_closed {
        // A pipe whose reader has already gone: the first write fails, every time.
        let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        drop(reader);
        cmd.stdout(writer);
    } else {
        cmd.stdout(Stdio::piped());
    }
    let mut child = cmd.spawn().map_err(|e| format!("spawn: {e}"))?;
    let stdout_pipe = child.stdout.take();
    let mut stderr_pipe = child.stderr.take().ok_or("no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(mut p) = stdout_pipe {
            let _ = p.read_to_end(&mut out);
        }
        out
    });
    let err_reader = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut err);
        err
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hangs: still running after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = String::from_utf8_lossy(&reader.join().map_err(|_| "stdout reader")?).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().map_err(|_| "stderr reader")?).into_owned();
    Ok((status.code().unwrap_or(-1), out, err))
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Runs one case; returns what went wrong, if anything.
fn run_case(dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("case.toml")).map_err(|e| format!("case.toml: {e}"))?;
    let case: Case = toml::from_str(&text).map_err(|e| format!("case.toml: {e}"))?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = tmp.path().join("case");
    copy_dir(dir, &work);
    for f in &case.fifos {
        let made = Command::new("mkfifo").arg(work.join(f)).status().map_err(|e| format!("mkfifo: {e}"))?;
        if !made.success() {
            return Err(format!("mkfifo {f} failed"));
        }
    }
    for [link, target] in &case.symlinks {
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, work.join(link)).map_err(|e| format!("symlink {link}: {e}"))?;
    }
    let before: Vec<(String, Vec<u8>)> =
        case.unchanged.iter().map(|f| (f.clone(), std::fs::read(work.join(f)).unwrap_or_default())).collect();
    let files_before = files_under(&work);
    let timeout = Duration::from_secs(case.timeout_secs.unwrap_or(30));
    let (code, out, err) = run_once(&work, &case.args, case.stdout_closed, timeout)?;
    let mut wrong = Vec::new();
    if code != case.exit {
        wrong.push(format!("exit {code}, expected {}", case.exit));
    }
    if err.contains("panicked") {
        wrong.push("panicked".to_string());
    }
    for s in &case.stdout_has {
        if !out.contains(s.as_str()) {
            wrong.push(format!("stdout lacks `{s}`"));
        }
    }
    for s in &case.stderr_has {
        if !err.contains(s.as_str()) {
            wrong.push(format!("stderr lacks `{s}`"));
        }
    }
    for s in &case.absent {
        if out.contains(s.as_str()) || err.contains(s.as_str()) {
            wrong.push(format!("prints `{s}`"));
        }
    }
    // Further runs on the same files: what they print is held to `absent` too.
    for also in &case.also {
        let (code, out, err) = run_once(&work, &also.args, false, timeout)?;
        let shown = also.args.join(" ");
        if code != also.exit {
            wrong.push(format!("`{shown}`: exit {code}, expected {}", also.exit));
        }
        if err.contains("panicked") {
            wrong.push(format!("`{shown}`: panicked"));
        }
        for s in &case.absent {
            if out.contains(s.as_str()) || err.contains(s.as_str()) {
                wrong.push(format!("`{shown}` prints `{s}`"));
            }
        }
    }
    // Files the runs wrote are held to `absent` as well.
    for f in files_under(&work).iter().filter(|f| !files_before.contains(f)) {
        let text = String::from_utf8_lossy(&std::fs::read(work.join(f)).unwrap_or_default()).into_owned();
        for s in &case.absent {
            if text.contains(s.as_str()) {
                wrong.push(format!("the written file `{}` holds `{s}`", f.display()));
            }
        }
    }
    for (f, bytes) in &before {
        if std::fs::read(work.join(f)).unwrap_or_default() != *bytes {
            wrong.push(format!("`{f}` was changed"));
        }
    }
    for f in &case.still_symlinks {
        if !std::fs::symlink_metadata(work.join(f)).is_ok_and(|m| m.file_type().is_symlink()) {
            wrong.push(format!("`{f}` is no longer a symlink"));
        }
    }
    if !case.no_files_matching.is_empty() {
        let mut left = Vec::new();
        files_matching(&work, &case.no_files_matching, &work, &mut left);
        left.sort();
        for f in left {
            wrong.push(format!("`{f}` was left behind"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({})\n{}\n--- stdout\n{out}\n--- stderr\n{err}",
            case.about,
            case.args.join(" "),
            wrong.join("\n")
        ))
    }
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/hostile")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_hostile_case_holds() {
    let dirs = cases();
    assert!(!dirs.is_empty(), "no cases in tests/hostile");
    let failed: Vec<String> = dirs
        .iter()
        .filter_map(|d| {
            run_case(d).err().map(|e| format!("== {}: {e}", d.file_name().unwrap_or_default().to_string_lossy()))
        })
        .collect();
    assert!(failed.is_empty(), "{} of {} cases failed:\n{}", failed.len(), dirs.len(), failed.join("\n\n"));
}
