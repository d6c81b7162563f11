//! Answers about an org data file: hover on a reference value (`unit = "st-pd-01"`,
//! `by = "P0008"`) shows the record it names, redacted as findings are; code actions replace a
//! word or field name a `DATA-VOCAB`/`DATA-FIELD` finding says is misspelt by the one it
//! suggests.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Hover, HoverContents, MarkupContent, MarkupKind,
    Position, TextEdit, Uri, WorkspaceEdit,
};

use super::org::OrgRun;
use super::position::Lines;
use crate::base::value::Value;

/// The quoted TOML string or CSV cell around byte `at` of `text`: its byte range and text.
pub fn token_at(text: &str, at: usize, csv: bool) -> Option<(usize, usize, &str)> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
    let line = text.get(line_start..line_end)?;
    let rel = at - line_start;
    if csv {
        // A cell: between the separators around the cursor (quotes dropped).
        let start = line.get(..rel)?.rfind(',').map_or(0, |i| i + 1);
        let end = line.get(rel..)?.find(',').map_or(line.len(), |i| rel + i);
        let cell = line.get(start..end)?.trim_end_matches('\r');
        let inner = cell.trim().trim_matches('"');
        let off = cell.find(inner).unwrap_or(0);
        return Some((line_start + start + off, line_start + start + off + inner.len(), inner));
    }
    // TOML: the quotes before the cursor pair up; an odd count means it is inside a string.
    let mut open = None;
    for (i, c) in line.char_indices() {
        if c == '"' {
            open = match open {
                Some(s) if s <= rel && i >= rel => {
                    return Some((line_start + s + 1, line_start + i, line.get(s + 1..i)?));
                }
                Some(_) => None,
                None => Some(i),
            };
        }
    }
    None
}

/// Hover on a value naming a record: its kind, id, file and fields (`personal` ones masked,
/// `secret` ones left out), the whole text redacted.
pub fn hover(run: &OrgRun, (text, lines): (&str, &Lines), path: &Path, pos: Position) -> Option<Hover> {
    let (org, policy) = (run.org.as_ref()?, run.policy.as_ref()?);
    let csv = path.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv"));
    let (_, _, word) = token_at(text, lines.offset(text, pos), csv)?;
    if word.is_empty() {
        return None;
    }
    let (k, r) = policy.schema.record_kinds().find_map(|(k, _)| org.store.by_id(k, word).map(|r| (k, r)))?;
    let ks = policy.schema.kind(k);
    let rec = org.store.get(r)?;
    let file = org.sources.get(rec.loc.file);
    let (line, _) = file.line_col(rec.loc.start as usize);
    let mut md = format!("**{}** `{word}` — {}:{line}\n\n", ks.name, file.name);
    for (f, v) in ks.fields.iter().zip(rec.fields.iter()) {
        if f.name == "id" || f.secret || matches!(v, Value::None) {
            continue;
        }
        let shown = if f.personal { crate::base::redact::mask_personal(&v.to_string()) } else { v.to_string() };
        md.push_str(&format!("- `{}`: {}\n", f.name, shown));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: crate::base::redact::redact(&md).into_owned(),
        }),
        range: None,
    })
}

/// The did-you-mean fixes of the diagnostics the editor sends back (their `data` holds the
/// word as written and the one meant): each replaces the first whole occurrence of the word at
/// or after the finding's record (in a CSV file, a field name is in the header, line 1).
pub fn code_actions(
    uri: &Uri,
    (text, lines): (&str, &Lines),
    csv: bool,
    diagnostics: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diagnostics {
        let Some(data) = &d.data else { continue };
        let (Some(written), Some(meant)) = (data["written"].as_str(), data["meant"].as_str()) else { continue };
        let field = matches!(&d.code, Some(lsp_types::NumberOrString::String(c)) if c == "DATA-FIELD");
        let from = if csv && field { 0 } else { lines.offset(text, d.range.start) };
        let Some(at) = whole_word(text, from, written) else { continue };
        let edit = TextEdit { range: lines.range(text, at, at + written.len()), new_text: meant.to_string() };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: crate::base::redact::redact(&format!("改为 `{meant}` (replace `{written}` with `{meant}`)"))
                .into_owned(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                ..Default::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    out
}

/// The first occurrence of `word` at or after `from` that stands alone: not part of a longer
/// name or word (what is around it is a quote, a separator, a bracket, `=` or space).
fn whole_word(text: &str, from: usize, word: &str) -> Option<usize> {
    let apart = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "\"',[]={}#".contains(c));
    let mut start = from.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    for (i, _) in text.get(start..)?.match_indices(word) {
        let at = start + i;
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + word.len()..).and_then(|s| s.chars().next());
        if apart(before) && apart(after) {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_quoted_strings_or_cells() {
        let toml = "unit = \"st-pd-01\"  # x\nby = \"P0008\"\n";
        let at = toml.find("pd").unwrap_or_default();
        assert_eq!(token_at(toml, at, false).map(|t| t.2), Some("st-pd-01"));
        assert_eq!(token_at(toml, 1, false), None, "a key is no value");
        let csv = "id,unit\nP1,\"运营部\"\n";
        let at = csv.find('营').unwrap_or_default();
        assert_eq!(token_at(csv, at, true).map(|t| t.2), Some("运营部"));
    }

    #[test]
    fn a_word_inside_a_longer_one_is_not_replaced() {
        let text = "tier = \"重大变更X\"\ntier = \"重大变更\"\n";
        let at = whole_word(text, 0, "重大变更").unwrap_or_default();
        assert_eq!(&text[at - 1..at], "\"");
        assert!(at > text.find('\n').unwrap_or_default());
    }
}
