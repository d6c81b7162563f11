//! Semantic tokens of a `.zd` file (`textDocument/semanticTokens/full`): highlighting for
//! editors that have no grammar for the language but colour what the server says (Neovim 0.9+
//! does by default; VS Code layers them over the TextMate grammar). Comments, strings,
//! numbers and keywords come from a scan of the text; declaration kinds and attribute names
//! from where they stand (first word of an entry); declared names and the names that refer to
//! them from the compile's index, typed by their declaration's kind.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend};

use super::analysis::Analysis;
use super::index::Target;
use crate::base::source::Loc;
use crate::compile::spec::DECLS;

/// The token types, in legend order.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::NAMESPACE,
];
const KEYWORD: u32 = 0;
const COMMENT: u32 = 1;
const STRING: u32 = 2;
const NUMBER: u32 = 3;
const PROPERTY: u32 = 4;
/// The one modifier: on the name a declaration declares.
const DECLARATION: u32 = 1;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend { token_types: TYPES.to_vec(), token_modifiers: vec![SemanticTokenModifier::DECLARATION] }
}

/// The token type of a declared name of `kind`.
fn type_of(kind: &str) -> u32 {
    match kind {
        "record" => 5,
        "role" | "unit" => 6,
        "rule" => 7,
        "param" => 8,
        "section" | "principle" | "policy" => 10,
        _ => 9,
    }
}

/// Whether `w` starts a declaration (`role`, `step` …) or is a keyword of the language.
fn is_keyword(w: &str) -> bool {
    crate::syntax::fmt::KEYWORDS.contains(&w) || DECLS.iter().any(|d| d.kind == w || d.subs.iter().any(|s| s.kind == w))
}

/// The tokens of the file at `path` as compiled last (`None` when it is not part of the pack).
pub fn tokens(a: &Analysis, path: &Path) -> Option<SemanticTokens> {
    let file = a.file(path)?;
    let text = a.sources.get(file).text();
    let mut named: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
    for d in a.index.defs.iter().filter(|d| d.loc.file == file) {
        named.insert((d.loc.start, d.loc.end), (type_of(&d.kind), DECLARATION));
    }
    for r in a.index.refs.iter().filter(|r| r.loc.file == file) {
        let kind = match &r.target {
            Target::Decl(Some(k), _) => k.clone(),
            // A name in an expression: the kind of the declaration it names, if one does.
            Target::Decl(None, _) => match a.index.defs_of(&r.target).next() {
                Some((_, d)) => d.kind.clone(),
                None => continue,
            },
            Target::File(_) => continue,
        };
        named.entry((r.loc.start, r.loc.end)).or_insert((type_of(&kind), 0));
    }
    let mut found: Vec<(usize, usize, u32, u32)> = Vec::new();
    let b = text.as_bytes();
    let (mut i, mut depth, mut line_start) = (0usize, 0usize, true);
    while i < b.len() {
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else { break };
        let n = c.len_utf8();
        if c == '\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            i += n;
            continue;
        }
        let first = std::mem::replace(&mut line_start, false);
        if c == '#' {
            let end = text.get(i..).and_then(|r| r.find('\n')).map_or(text.len(), |e| i + e);
            found.push((i, end, COMMENT, 0));
            i = end;
        } else if text.get(i..).is_some_and(|r| r.starts_with("\"\"\"")) {
            let end = text.get(i + 3..).and_then(|r| r.find("\"\"\"")).map_or(text.len(), |e| i + 3 + e + 3);
            found.push((i, end, STRING, 0));
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            found.push((i, end, STRING, 0));
            i = end;
        } else if c.is_alphanumeric() || c == '_' {
            let mut j = i;
            while let Some(d) = text.get(j..).and_then(|r| r.chars().next()) {
                let joins = d == '-' && c.is_ascii_uppercase() || d == '.' && c.is_ascii_digit();
                if !(d.is_alphanumeric() || d == '_' || d == '%' || joins) {
                    break;
                }
                j += d.len_utf8();
            }
            let word = text.get(i..j).unwrap_or("");
            if let Some(&(ty, m)) = named.get(&(i as u32, j as u32)) {
                found.push((i, j, ty, m));
            } else if c.is_ascii_digit() {
                found.push((i, j, NUMBER, 0));
            } else if is_keyword(word) {
                found.push((i, j, KEYWORD, 0));
            } else if first && depth > 0 {
                found.push((i, j, PROPERTY, 0));
            }
            i = j.max(i + n);
        } else {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += n;
        }
    }
    // Text references inside strings (`{param 名称}`) lie within a string token: the string
    // wins (tokens may not overlap).
    let mut data = Vec::new();
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for (start, end, ty, m) in found {
        // A token may not span lines: a multi-line string is one token per line.
        let mut s = start;
        while s < end {
            let e = text.get(s..end).and_then(|r| r.find('\n')).map_or(end, |k| s + k);
            if e > s {
                let range = a.range(Loc::new(file, s, e));
                let length = text.get(s..e).map_or(0, |t| t.encode_utf16().count()) as u32;
                let (line, col) = (range.start.line, range.start.character);
                let delta_start = if line == prev_line { col - prev_start } else { col };
                data.push(SemanticToken {
                    delta_line: line - prev_line,
                    delta_start,
                    length,
                    token_type: ty,
                    token_modifiers_bitset: m,
                });
                (prev_line, prev_start) = (line, col);
            }
            s = e + 1;
        }
    }
    Some(SemanticTokens { result_id: None, data })
}
