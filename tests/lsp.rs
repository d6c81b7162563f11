//! `zhidu lsp` driven over stdio with JSON-RPC (Content-Length framing), as an editor would:
//! initialize, open a broken copy of a pack file, compare the published diagnostics with what
//! `zhidu lint` reports for the same text, then completion, hover, definition, references,
//! outline, shutdown and exit. Every wait has a timeout, so a server that stops answering fails
//! the test instead of hanging it.

mod common;

use common::copy_dir;

// The benchmark generator, for an org whose check takes long enough to be interrupted.
#[path = "../examples/gen_org.rs"]
#[allow(dead_code, reason = "only the generator is used, not the example's main")]
mod gen_org;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer may take (a debug build compiling the pack on a busy machine).
const WAIT: Duration = Duration::from_secs(60);

/// A running server; killed when dropped.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(pack: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zhidu"))
            .args(["lsp", "--policy"])
            .arg(pack)
            .current_dir(pack)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start zhidu lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Server { child, stdin, messages, next_id: 0 }
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (skipping notifications).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let reply = self.wait(|m| m["id"] == json!(id));
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The next message matching `want`, within [`WAIT`].
    fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(_) => {}
                Err(e) => panic!("no answer from zhidu lsp within {WAIT:?}: {e}"),
            }
        }
    }
}

fn uri(p: &Path) -> String {
    let mut s = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// (code, 1-based line, 1-based column) of each diagnostic `zhidu lint` prints for `file`.
fn lint_of(pack: &Path, file: &str) -> Vec<(String, u64, u64)> {
    let (_, _, err) = common::zhidu(&["lint", "--policy", pack.to_str().expect("utf-8 path")]);
    let mut out = Vec::new();
    let mut code = None;
    for line in err.lines() {
        let t = line.trim();
        if t.starts_with("zhidu::")
            || t.split('-').next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_uppercase()))
                && !t.contains(' ')
        {
            code = Some(t.to_string());
        } else if let Some(at) = t.strip_prefix("╭─[") {
            let at = at.trim_end_matches(']');
            let mut parts = at.rsplitn(3, ':');
            let (col, ln, path) = (parts.next(), parts.next(), parts.next());
            if let (Some(c), Some(path), Some(col), Some(ln)) = (code.take(), path, col, ln)
                && path.ends_with(file)
            {
                out.push((c, ln.parse().expect("line"), col.parse().expect("column")));
            }
        }
    }
    out.sort();
    out
}

/// The position of the `nth` occurrence of `needle` in `text`, in UTF-16 units (what LSP counts).
fn pos_of(text: &str, needle: &str, nth: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).map(|(i, _)| i).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap_or("").encode_utf16().count();
    json!({"line": line, "character": col + 1})
}

#[test]
fn an_editor_session_over_stdio() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root: PathBuf = tmp.path().canonicalize().expect("canonical");
    let pack = root.join("pack");
    let on_disk = root.join("linted");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    copy_dir(&src, &pack);
    copy_dir(&src, &on_disk);
    let good = std::fs::read_to_string(pack.join("approval.zd")).expect("approval.zd");
    // Two mistakes after Chinese text on their lines: an unknown role and a misspelt attribute.
    let broken = good.replacen("all(运营总监, 技术总监)", "all(运营总监, 技术总督)\n  exampel    \"x\"", 1);
    assert_ne!(broken, good);
    std::fs::write(on_disk.join("approval.zd"), &broken).expect("write");
    // miette's `╭─[file:line:col]` counts the column in bytes; LSP counts UTF-16 units.
    let lines: Vec<&str> = broken.lines().collect();
    let mut expected: Vec<(String, u64, u64)> = lint_of(&on_disk, "approval.zd")
        .into_iter()
        .map(|(code, line, byte_col)| {
            let text = lines.get(line as usize - 1).expect("line in file");
            let units =
                text.get(..byte_col as usize - 1).expect("column on a character boundary").encode_utf16().count();
            (code, line, units as u64 + 1)
        })
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 2, "{expected:?}");
    assert!(expected.iter().any(|(_, _, col)| *col == 24), "the unknown role follows Chinese text: {expected:?}");

    let mut s = Server::start(&pack);
    let init = s.request("initialize", json!({"processId": null, "rootUri": uri(&root), "capabilities": {}}));
    assert_eq!(init["capabilities"]["hoverProvider"], json!(true), "{init}");
    s.notify("initialized", json!({}));

    // The buffer, not the file on disk (which is still the good one), is what is compiled.
    let file = pack.join("approval.zd");
    let doc = json!({"uri": uri(&file)});
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&file), "languageId": "zhidu", "version": 1, "text": broken}}),
    );
    let message =
        s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri(&file)));
    let got: Vec<(String, u64, u64)> =
        published(&message).into_iter().map(|(code, line, column, _)| (code, line, column)).collect();
    assert_eq!(got, expected, "{message}");
    let first = &message["params"]["diagnostics"][0];
    assert!(first["message"].as_str().is_some_and(|m| m.contains("help:")), "{first}");

    // Fix the buffer: the diagnostics are cleared.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2}, "contentChanges": [{"text": good}]}),
    );
    let cleared =
        s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri(&file)));
    assert_eq!(cleared["params"]["diagnostics"], json!([]), "{cleared}");
    assert_eq!(cleared["params"]["version"], json!(2), "published for the version compiled: {cleared}");

    // Completion inside an approval offers its attributes, declared names and built-ins.
    let items = s.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": pos_of(&good, "example    \"上线新功能\"", 0)}),
    );
    let labels: Vec<&str> = items.as_array().expect("items").iter().filter_map(|i| i["label"].as_str()).collect();
    for want in ["requires", "applies_to", "unanimous", "运营总监", "len"] {
        assert!(labels.contains(&want), "{want} missing from {labels:?}");
    }
    assert!(!labels.contains(&"formula"), "not an approval attribute: {labels:?}");

    // Hover on a role named in `requires`: its kind and resolved attributes.
    let at = pos_of(&good, "技术总监)", 0);
    let hover = s.request("textDocument/hover", json!({"textDocument": doc, "position": at}));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("**role** `技术总监`") && text.contains("`unit`"), "{hover}");

    // Definition: the role's declaration in roles.zd, at the name (UTF-16 range).
    let def = s.request("textDocument/definition", json!({"textDocument": doc, "position": at}));
    let roles = std::fs::read_to_string(pack.join("roles.zd")).expect("roles.zd");
    let decl = roles.find("role 技术总监").expect("declared in roles.zd");
    let line = roles[..decl].matches('\n').count();
    assert_eq!(def[0]["uri"], json!(uri(&pack.join("roles.zd"))), "{def}");
    assert_eq!(def[0]["range"]["start"], json!({"line": line, "character": 5}), "{def}");
    assert_eq!(def[0]["range"]["end"], json!({"line": line, "character": 9}), "four characters, four units: {def}");

    // References: the declaration and its uses in several files.
    let refs = s.request(
        "textDocument/references",
        json!({"textDocument": doc, "position": at, "context": {"includeDeclaration": true}}),
    );
    let files: std::collections::BTreeSet<&str> =
        refs.as_array().expect("refs").iter().filter_map(|r| r["uri"].as_str()).collect();
    assert!(refs.as_array().expect("refs").len() >= 3 && files.len() >= 2, "{refs}");

    // Hover on a rule ID shows its source and quote.
    let rules_file = pack.join("approval.zd");
    let apv = good.find("rule APV-").map(|i| &good[i + 5..]).and_then(|r| r.split_whitespace().next()).expect("a rule");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&rules_file)}, "position": pos_of(&good, &format!("{apv} "), 0)}),
    );
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains(&format!("**rule** `{apv}`")) && text.contains("source"), "{hover}");

    // Include paths lead to the file.
    let main = std::fs::read_to_string(pack.join("main.zd")).expect("main.zd");
    let def = s.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri(&pack.join("main.zd"))}, "position": pos_of(&main, "approval.zd", 0)}),
    );
    assert_eq!(def[0]["uri"], json!(uri(&pack.join("approval.zd"))), "{def}");

    // The outline lists the file's declarations under their chapter: approval.zd is 分级审批's.
    let syms = s.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let tops: Vec<&str> = syms.as_array().expect("symbols").iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(tops, ["分级审批"], "{syms}");
    assert_eq!(syms[0]["detail"], json!("chapter"), "{syms}");
    let names: Vec<&str> =
        syms[0]["children"].as_array().expect("members").iter().filter_map(|x| x["name"].as_str()).collect();
    assert!(names.contains(&"日常优化") && names.contains(&apv), "{names:?}");
    // A file whose declarations name two chapters gets two groups, in file order; one naming
    // none (the parameters) stays flat.
    let mixed = format!("{good}\nsection 附则 {{\n  chapter \"附则\"\n  title \"附则\"\n  text \"x\"\n}}\n");
    let syms = s.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri(&pack.join("params.zd"))}}));
    let flat: Vec<&str> = syms.as_array().expect("symbols").iter().filter_map(|x| x["detail"].as_str()).collect();
    assert!(!flat.is_empty() && flat.iter().all(|d| *d != "chapter"), "{syms}");

    // Semantic tokens: highlighting for editors without a grammar for `.zd` (Neovim).
    let legend = &init["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"];
    let tokens = s.request("textDocument/semanticTokens/full", json!({"textDocument": doc}));
    let data: Vec<u64> = tokens["data"].as_array().expect("data").iter().filter_map(Value::as_u64).collect();
    let good_lines: Vec<&str> = good.lines().collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut seen: Vec<(String, String, u64)> = Vec::new();
    for t in data.chunks(5) {
        line += t[0];
        col = if t[0] == 0 { col + t[1] } else { t[1] };
        let units: Vec<u16> = good_lines[line as usize].encode_utf16().collect();
        let word = String::from_utf16_lossy(&units[col as usize..(col + t[2]) as usize]);
        seen.push((word, legend[t[3] as usize].as_str().expect("type").to_string(), t[4]));
    }
    let has = |w: &str, ty: &str, m: u64| seen.iter().any(|(x, t, y)| x == w && t == ty && *y == m);
    assert!(has("approval", "keyword", 0) && has("rule", "keyword", 0), "{seen:?}");
    assert!(has("日常优化", "enumMember", 1), "a declared name: {seen:?}");
    assert!(has(apv, "function", 1), "a rule ID: {seen:?}");
    assert!(has("requires", "property", 0) && has("运营总监", "class", 0), "an attribute, a role named: {seen:?}");
    assert!(seen.iter().any(|(w, t, _)| t == "comment" && w.starts_with('#')), "{seen:?}");
    assert!(seen.iter().any(|(w, t, _)| t == "string" && w == "\"文案微调\""), "{seen:?}");

    // Formatting: nothing to do on a formatted file; a messy buffer gets `zhidu fmt`'s text.
    let edits = s.request(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]), "the pack is formatted");
    let messy = good.replacen("\n  applies_to change", "\n      applies_to     change  ", 1);
    assert_ne!(messy, good);
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 3}, "contentChanges": [{"text": messy}]}),
    );
    let formatted_on_disk = root.join("messy.zd");
    std::fs::write(&formatted_on_disk, &messy).expect("write");
    let (code, _, err) = common::zhidu(&["fmt", formatted_on_disk.to_str().expect("utf-8 path")]);
    assert_eq!(code, 0, "{err}");
    let want = std::fs::read_to_string(&formatted_on_disk).expect("formatted");
    assert_ne!(want, messy);
    let edits = s.request(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    assert_eq!(edits[0]["newText"], json!(want));
    assert_eq!(edits[0]["range"]["start"], json!({"line": 0, "character": 0}));
    let last = messy.lines().count();
    assert!(edits[0]["range"]["end"]["line"].as_u64().is_some_and(|l| l as usize >= last - 1), "{edits}");

    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 5}, "contentChanges": [{"text": mixed}]}),
    );
    s.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == json!(uri(&file))
            && m["params"]["version"] == json!(5)
    });
    let syms = s.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let tops: Vec<&str> = syms.as_array().expect("symbols").iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(tops, ["分级审批", "附则"], "{syms}");
    assert_eq!(syms[1]["children"][0]["name"], json!("附则"), "{syms}");

    let done = s.request("shutdown", Value::Null);
    assert_eq!(done, Value::Null);
    s.notify("exit", Value::Null);
    let deadline = Instant::now() + WAIT;
    loop {
        match s.child.try_wait().expect("wait") {
            Some(status) => {
                assert!(status.success(), "{status}");
                break;
            }
            None if Instant::now() > deadline => panic!("zhidu lsp did not exit"),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// (code, 1-based line, 1-based UTF-16 column, message) of each finding `zhidu check --format
/// json` gives for `file` of the org, as the server shows it (`title: message`).
fn check_of(org: &Path, pack: &Path, file: &str) -> Vec<(String, u64, u64, String)> {
    let (_, out, err) = common::zhidu(&[
        "check",
        org.to_str().expect("utf-8 path"),
        "--policy",
        pack.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let text = std::fs::read_to_string(org.join(file)).expect("data file");
    let mut found: Vec<(String, u64, u64, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["file"] == json!(file) && f.get("waiver").is_none())
        .map(|f| {
            let line = f["location"]["line"].as_u64().expect("line");
            let col = f["location"]["column"].as_u64().expect("column") as usize;
            // JSON columns count characters; LSP counts UTF-16 units.
            let l = text.lines().nth(line as usize - 1).unwrap_or("");
            let units: usize = l.chars().take(col - 1).map(char::len_utf16).sum();
            let title = f["title"].as_str().unwrap_or("");
            let message = f["message"].as_str().expect("message");
            let shown = if title.is_empty() { message.to_string() } else { format!("{title}: {message}") };
            (f["rule"].as_str().expect("rule").to_string(), line, units as u64 + 1, shown)
        })
        .collect();
    found.sort();
    found
}

fn published(m: &Value) -> Vec<(String, u64, u64, String)> {
    let mut got: Vec<(String, u64, u64, String)> = m["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            (
                d["code"].as_str().expect("code").to_string(),
                start["line"].as_u64().expect("line") + 1,
                start["character"].as_u64().expect("character") + 1,
                d["message"].as_str().expect("message").to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

#[test]
fn org_data_files_show_what_zhidu_check_finds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root: PathBuf = tmp.path().canonicalize().expect("canonical");
    let (pack, org, broken_org) = (root.join("pack"), root.join("org"), root.join("broken"));
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&here.join("policies"), &pack);
    copy_dir(&here.join("examples/acme"), &org);
    copy_dir(&here.join("examples/acme"), &broken_org);
    let file = org.join("changes.toml");
    let good = std::fs::read_to_string(&file).expect("changes.toml");
    // A misspelt vocabulary word and a misspelt field name in the third change.
    let third = good.find("CHG-2026-003").expect("third change");
    let (head, tail) = good.split_at(third);
    let broken = format!(
        "{head}{}",
        tail.replacen("tier = \"日常优化\"", "tier = \"日常优画\"", 1).replacen("golive =", "golve =", 1)
    );
    assert_ne!(broken, good);
    std::fs::write(broken_org.join("changes.toml"), &broken).expect("write");
    let expected = check_of(&org, &pack, "changes.toml");
    assert!(expected.iter().any(|f| f.0 == "APV-3"), "acme's changes.toml breaks APV-3: {expected:?}");
    let expected_broken = check_of(&broken_org, &pack, "changes.toml");
    for code in ["DATA-VOCAB", "DATA-FIELD"] {
        assert!(expected_broken.iter().any(|f| f.0 == code), "{code}: {expected_broken:?}");
    }

    let mut s = Server::start(&pack);
    let init = s.request("initialize", json!({"processId": null, "rootUri": uri(&root), "capabilities": {}}));
    assert_eq!(init["capabilities"]["codeActionProvider"], json!(true), "{init}");
    s.notify("initialized", json!({}));
    let doc = json!({"uri": uri(&file)});
    let is_ours =
        |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri(&file));

    // Opened: the findings of a full check, exactly those of `zhidu check`.
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&file), "languageId": "toml", "version": 1, "text": good}}),
    );
    let first = s.wait(is_ours);
    assert_eq!(published(&first), expected, "{first}");

    // A broken edit: the data findings of the buffer (the rule findings of the last check
    // stay, moved with their records), as `zhidu check` gives them for that text on disk.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let edited = s.wait(|m| is_ours(m) && m["params"]["version"] == json!(2));
    let data = |f: &Vec<(String, u64, u64, String)>, yes: bool| -> Vec<(String, u64, u64, String)> {
        f.iter().filter(|x| x.0.starts_with("DATA-") == yes).cloned().collect()
    };
    let now = published(&edited);
    assert_eq!(data(&now, true), data(&expected_broken, true), "{edited}");
    assert_eq!(data(&now, false), data(&expected, false), "the last check's rule findings: {edited}");

    // Saved: a full check of the saved text, exactly what `zhidu check` gives.
    std::fs::write(&file, &broken).expect("save");
    s.notify("textDocument/didSave", json!({"textDocument": doc}));
    let saved = s.wait(is_ours);
    assert_eq!(published(&saved), expected_broken, "{saved}");

    // Did-you-mean fixes: each replaces the misspelt word with the one meant.
    let diags: Vec<Value> = edited["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "DATA-VOCAB" || d["code"] == "DATA-FIELD")
        .cloned()
        .collect();
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": diags[0]["range"], "context": {"diagnostics": diags}}),
    );
    let mut fixed = broken.clone();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for a in actions.as_array().expect("actions") {
        for e in a["edit"]["changes"][uri(&file)].as_array().expect("edits of this file") {
            let offset = |p: &Value| {
                let line = p["line"].as_u64().expect("line") as usize;
                let ch = p["character"].as_u64().expect("character") as usize;
                let start: usize = broken.split_inclusive('\n').take(line).map(str::len).sum();
                let mut units = 0;
                let l = &broken[start..];
                start
                    + l.char_indices()
                        .find(|(_, c)| {
                            let here = units >= ch;
                            units += c.len_utf16();
                            here
                        })
                        .map_or(l.len(), |(i, _)| i)
            };
            edits.push((
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("text").into(),
            ));
        }
    }
    assert_eq!(edits.len(), 2, "{actions}");
    edits.sort();
    for (start, end, text) in edits.into_iter().rev() {
        fixed.replace_range(start..end, &text);
    }
    assert_eq!(fixed, good, "the fixes undo the misspellings");

    // Hover on a reference names the record, its personal fields masked.
    let at = pos_of(&broken, "P0008\", role", 0);
    let hover = s.request("textDocument/hover", json!({"textDocument": doc, "position": at}));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("**person** `P0008`") && text.contains("people.toml"), "{hover}");
    let people = std::fs::read_to_string(org.join("people.toml")).expect("people.toml");
    let p8 = &people[people.find("id = \"P0008\"").expect("P0008")..];
    let name = p8.lines().find_map(|l| l.strip_prefix("name = \"")).and_then(|n| n.strip_suffix('"')).expect("name");
    assert!(!text.contains(name), "the name is personal: {hover}");

    // Completion: the keys of the table's kind not written yet, then the words a value may be.
    let partial = format!("{broken}\n[[change]]\nid = \"CHG-X\"\nti");
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 3}, "contentChanges": [{"text": partial}]}),
    );
    s.wait(|m| is_ours(m) && m["params"]["version"] == json!(3));
    let complete = |s: &mut Server, uri: &str, text: &str| {
        let lines: Vec<&str> = text.split('\n').collect();
        let position =
            json!({"line": lines.len() - 1, "character": lines.last().expect("a line").encode_utf16().count()});
        let list = s.request("textDocument/completion", json!({"textDocument": {"uri": uri}, "position": position}));
        let labels: Vec<String> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["label"].as_str().map(String::from))
            .collect();
        (labels, list)
    };
    let (keys, list) = complete(&mut s, &uri(&file), &partial);
    for want in ["tier", "title", "approvals", "author"] {
        assert!(keys.contains(&want.to_string()), "{want}: {list}");
    }
    assert!(!keys.contains(&"id".to_string()), "written already: {list}");
    let at_value = |s: &mut Server, tail: &str| {
        let text = format!("{broken}\n[[change]]\nid = \"CHG-X\"\n{tail}");
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&file), "version": 4}, "contentChanges": [{"text": text}]}),
        );
        complete(s, &uri(&file), &text)
    };
    let (tiers, list) = at_value(&mut s, "tier = \"");
    for want in ["日常优化", "重大改革", "复杂项目"] {
        assert!(tiers.contains(&want.to_string()), "the pack's approval tiers: {list}");
    }
    assert!(list["items"][0].get("insertText").is_none(), "inside the quotes already: {list}");
    let (_, list) = at_value(&mut s, "tier = ");
    assert_eq!(list["items"][0]["insertText"], json!(format!("\"{}\"", tiers[0])), "quoted: {list}");
    let (people, list) = at_value(&mut s, "author = \"P000");
    assert!(people.contains(&"P0008".to_string()) && people.iter().all(|p| p.starts_with("P000")), "{list}");
    let (inner, list) = at_value(&mut s, "approvals = [\n  { by = \"P0008\", ");
    assert!(inner.contains(&"role".to_string()) && inner.contains(&"decision".to_string()), "{list}");
    assert!(!inner.contains(&"by".to_string()) && !inner.contains(&"tier".to_string()), "{list}");
    let (roles, list) = at_value(&mut s, "approvals = [{ by = \"P0008\", role = \"");
    assert!(roles.contains(&"运营总监".to_string()) && roles.contains(&"技术总监".to_string()), "{list}");

    // CSV: header names in the header row, a column's values below it.
    let coaching = org.join("coaching.csv");
    let header = "id,mentor,mentee,date,";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&coaching), "languageId": "csv", "version": 1, "text": header}}),
    );
    let (columns, list) = complete(&mut s, &uri(&coaching), header);
    assert!(columns.contains(&"kind".to_string()) && columns.contains(&"notes".to_string()), "{list}");
    assert!(!columns.contains(&"mentor".to_string()), "named already: {list}");
    let rows = "id,mentor,mentee\nCO-X,P0008,P001";
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&coaching), "version": 2}, "contentChanges": [{"text": rows}]}),
    );
    let (mentees, list) = complete(&mut s, &uri(&coaching), rows);
    assert!(mentees.contains(&"P0016".to_string()) && mentees.iter().all(|p| p.starts_with("P001")), "{list}");

    let done = s.request("shutdown", Value::Null);
    assert_eq!(done, Value::Null);
    s.notify("exit", Value::Null);
}

/// A newer edit cancels a running full check: the server logs that the check started, an
/// edit and a save arrive while it runs, the check is cancelled (logged) and never published,
/// and the first diagnostics published are those of the newest text, from a full check.
#[test]
fn a_newer_edit_cancels_the_running_check() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root: PathBuf = tmp.path().canonicalize().expect("canonical");
    let org = root.join("org");
    // Big enough that the check (seconds in a debug build) is still running when the edit comes.
    gen_org::generate(8_000, &org, 7, false);
    let pack = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let file = org.join("changes-000.toml");
    let text = std::fs::read_to_string(&file).expect("changes-000.toml");
    let newer = text.replacen("tier = \"日常优化\"", "tier = \"日常优画\"", 1);
    assert_ne!(newer, text);

    let mut s = Server::start(&pack);
    s.request("initialize", json!({"processId": null, "rootUri": uri(&root), "capabilities": {}}));
    s.notify("initialized", json!({}));
    let log = |m: &Value, what: &str| {
        m["method"] == "window/logMessage" && m["params"]["message"].as_str().is_some_and(|t| t.contains(what))
    };
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&file), "languageId": "toml", "version": 1, "text": text}}),
    );
    s.wait(|m| log(m, "检查开始"));
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2}, "contentChanges": [{"text": newer}]}),
    );
    std::fs::write(&file, &newer).expect("save");
    s.notify("textDocument/didSave", json!({"textDocument": {"uri": uri(&file)}}));
    // Nothing of the cancelled check is published before the cancellation is logged.
    let cancelled = s.wait(|m| {
        log(m, "检查已取消")
            || m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri(&file))
    });
    assert_eq!(cancelled["method"], json!("window/logMessage"), "the check of version 1 ran to its end: {cancelled}");
    let first = s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == json!(uri(&file)));
    assert_eq!(first["params"]["version"], json!(2), "{first}");
    let codes: Vec<String> = published(&first).into_iter().map(|d| d.0).collect();
    assert!(codes.iter().any(|c| c == "DATA-VOCAB"), "the newest text's misspelt tier: {codes:?}");
    assert!(codes.iter().any(|c| !c.starts_with("DATA-")), "rule findings of a full check: {codes:?}");

    let done = s.request("shutdown", Value::Null);
    assert_eq!(done, Value::Null);
    s.notify("exit", Value::Null);
}
