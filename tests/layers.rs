//! The layer order of `src/` (see `docs/architecture.md`): a module may use modules of layers
//! above it, never one below it or beside it. This test reads every path into the crate that
//! the source names — `use crate::…` lines, inline `crate::a::b` paths and `super::` paths that
//! leave the top-level module — and fails on any that points back up the order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, by layer (upstream first). Modules in one layer are siblings:
/// none uses another.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["syntax"],
    &["policy"],
    &["compile"],
    &["data"],
    &["eval"],
    &["findings"],
    &["engine"],
    &["mask", "output", "render", "schema_export"],
    &["report"],
    &["lsp"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// One use of a module of another layer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The module path of a source file (`src/eval/opt/lower.rs` → `eval::opt::lower`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "lib" {
            parts.push(stem);
        }
    }
    parts
}

/// Source text without comments, string literals or char literals (kept line for line), so
/// that a path in a doc comment or a message is not read as a use.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let mut depth = 0usize; // block comment nesting
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if depth > 0 {
            if c == b'*' && next == Some(b'/') {
                depth -= 1;
                i += 2;
            } else if c == b'/' && next == Some(b'*') {
                depth += 1;
                i += 2;
            } else {
                if c == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            continue;
        }
        match (c, next) {
            (b'/', Some(b'/')) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                depth = 1;
                i += 2;
            }
            (b'r', Some(b'#' | b'"')) if i == 0 || !is_ident(b[i - 1]) => {
                // Raw string: r"…", r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                j += 1;
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                while j < b.len() && !b[j..].starts_with(&close) {
                    if b[j] == b'\n' {
                        out.push('\n');
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j + close.len();
            }
            (b'"', _) => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    if b.get(j) == Some(&b'\n') {
                        out.push('\n');
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j + 1;
            }
            (b'\'', _) => {
                // A char literal ('x', '\n', '\u{1f}') or a lifetime ('a).
                let end = if next == Some(b'\\') {
                    b[i + 2..].iter().position(|&x| x == b'\'').map(|p| i + 2 + p)
                } else {
                    let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + ch_len) == Some(&b'\'')).then_some(i + 1 + ch_len)
                };
                match end {
                    Some(e) => {
                        out.push_str("' '");
                        i = e + 1;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The top-level modules a source file uses, with the line of each use: `crate::x` anywhere
/// (including inside `use crate::{x::…, y::…}` groups), and `super::` chains that climb out of
/// the file's top-level module.
fn uses(module: &[String], code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let inline = inline_depths(code);
    for (n, line) in code.lines().enumerate() {
        let depth = module.len() + inline.get(n).copied().unwrap_or(0);
        let mut rest = line;
        while let Some(p) = rest.find("crate::") {
            let before_ok = p == 0 || !is_ident(rest.as_bytes()[p - 1]) && rest.as_bytes()[p - 1] != b':';
            let after = &rest[p + "crate::".len()..];
            if before_ok {
                if let Some(group) = after.strip_prefix('{') {
                    // `use crate::{a::b, c};` (possibly over several lines: handled below).
                    for item in group_items(group, code, n) {
                        found.push((n + 1, item));
                    }
                } else {
                    let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    found.push((n + 1, name));
                }
            }
            rest = after;
        }
        // `super::super::x` from `a::b::c` is `a::x`; only a climb out of the top module counts.
        let mut rest = line;
        while let Some(p) = rest.find("super::") {
            let before_ok = p == 0 || !is_ident(rest.as_bytes()[p - 1]) && rest.as_bytes()[p - 1] != b':';
            let mut after = &rest[p..];
            let mut ups = 0;
            while let Some(a) = after.strip_prefix("super::") {
                ups += 1;
                after = a;
            }
            if before_ok && ups >= depth {
                // A climb to the crate root: the next segment names a top-level module.
                let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                found.push((n + 1, name));
            }
            rest = after;
        }
    }
    found
}

/// For each line, how many inline modules (`mod tests { … }`) it is inside: a `super::` there
/// climbs out of those first.
fn inline_depths(code: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut braces = 0usize;
    let mut open: Vec<usize> = Vec::new(); // brace depth inside each open inline module
    for line in code.lines() {
        out.push(open.len());
        let words: Vec<&str> = line.split_whitespace().collect();
        let declares = words.windows(3).any(|w| w[0] == "mod" && w[2].starts_with('{'))
            || words.windows(2).any(|w| w[0] == "mod" && w[1].ends_with('{') && w[1].len() > 1);
        let mut first_open = declares;
        for c in line.chars() {
            match c {
                '{' => {
                    braces += 1;
                    if first_open {
                        open.push(braces);
                        first_open = false;
                    }
                }
                '}' => {
                    if open.last() == Some(&braces) {
                        open.pop();
                    }
                    braces = braces.saturating_sub(1);
                }
                _ => {}
            }
        }
    }
    out
}

/// The first path segment of each item of a `{…}` group that starts on line `n`.
fn group_items(first: &str, code: &str, n: usize) -> Vec<String> {
    let mut text = first.to_string();
    let mut lines = code.lines().skip(n + 1);
    let mut depth = 1i32;
    let mut body = String::new();
    'outer: loop {
        for c in text.chars() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break 'outer;
                    }
                }
                _ => {}
            }
            body.push(c);
        }
        body.push(' ');
        match lines.next() {
            Some(l) => text = l.to_string(),
            None => break,
        }
    }
    // Only top-level items of the group: split at commas outside nested braces.
    let mut items = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in body.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => items.push(std::mem::take(&mut cur)),
            _ => {}
        }
        if !(c == ',' && depth == 0) {
            cur.push(c);
        }
    }
    items.push(cur);
    items
        .iter()
        .map(|i| i.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every use in `files` (path relative to `src/`, text) of a module that is not above the file's.
fn violations(files: &[(PathBuf, String)]) -> Vec<Violation> {
    let mut out = BTreeSet::new();
    for (rel, text) in files {
        let module = module_of(rel);
        let Some(top) = module.first() else { continue }; // lib.rs, main.rs
        let Some(mine) = layer(top) else {
            out.insert(Violation {
                file: rel.display().to_string(),
                line: 0,
                from: top.clone(),
                to: "(a top-level module missing from LAYERS)".into(),
            });
            continue;
        };
        for (line, used) in uses(&module, &code_only(text)) {
            if used == *top || used == "self" || used.is_empty() {
                continue;
            }
            let ok = layer(&used).is_some_and(|l| l < mine);
            if !ok {
                out.insert(Violation { file: rel.display().to_string(), line, from: top.clone(), to: used });
            }
        }
    }
    out.into_iter().collect()
}

fn sources(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src").to_path_buf();
                if rel == Path::new("main.rs") || rel == Path::new("lib.rs") {
                    continue;
                }
                files.push((rel, std::fs::read_to_string(&path).expect("read source")));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_import_points_up_the_layer_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&root);
    assert!(files.len() > 50, "read {} files", files.len());
    let found = violations(&files);
    let shown: Vec<String> =
        found.iter().map(|v| format!("src/{}:{}: `{}` uses `{}`", v.file, v.line, v.from, v.to)).collect();
    assert!(shown.is_empty(), "imports against the layer order:\n{}", shown.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(root.join("lib.rs")).expect("lib.rs");
    for line in code_only(&lib).lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ").and_then(|s| s.strip_suffix(';')) {
            assert!(layer(name).is_some(), "`{name}` is in lib.rs but not in LAYERS");
        }
    }
}

/// The four cycles the layering removed, written back in: each is caught.
#[test]
fn the_old_cycles_would_fail() {
    let cases: &[(&str, &str, &str)] = &[
        // policy ↔ eval
        ("policy/mod.rs", "use crate::eval::interp::Ctx;\n", "eval"),
        // syntax ↔ eval (through the value module's old home)
        ("syntax/ast.rs", "pub d: crate::eval::value::Duration,\n", "eval"),
        // check ↔ output ↔ fingerprint: findings reaching the outputs
        ("findings/fingerprint.rs", "use crate::{base::hex, output::human};\n", "output"),
        // engine reaching the findings' consumers, over two lines
        ("engine/stream/mod.rs", "use crate::{\n    eval::interp::Ctx,\n    report::x,\n};\n", "report"),
        // cli ↔ output
        ("output/human.rs", "fn f(l: crate::cli::Lang) {}\n", "cli"),
        // a climb out of the module by `super::`
        ("data/csv_file.rs", "use super::super::engine::run;\n", "engine"),
    ];
    for (file, text, to) in cases {
        let found = violations(&[(PathBuf::from(file), (*text).to_string())]);
        assert_eq!(found.iter().map(|v| v.to.as_str()).collect::<Vec<_>>(), vec![*to], "{file}: {text}");
    }
    // Uses up the order, comments, strings and the module's own paths are fine.
    let fine = "use crate::base::value::Value; // crate::cli::x\nconst S: &str = \"crate::cli\";\n\
                use crate::data::{self as d, load};\nuse super::interp::Ctx;\n/* crate::report */\n";
    assert!(violations(&[(PathBuf::from("eval/run.rs"), fine.to_string())]).is_empty());
}
