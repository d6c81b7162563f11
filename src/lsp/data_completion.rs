//! Completion in an org data file, from the pack's schema and the org's latest load: in TOML,
//! the field names of the record kind of the table the cursor is in (of the object type inside
//! an inline table such as `approvals = [{ … }]`), and for a value, the words its field may
//! hold — vocabulary words (roles, tiers, steps …), enum words, `true`/`false`, or the ids of
//! the records a `ref` field names; in CSV, the kind's field names (dotted for nested fields)
//! in the header row and the values of a cell's column below it.

use std::path::Path;

use lsp_types::{CompletionItem, CompletionItemKind, CompletionList, Position};

use super::org::OrgRun;
use super::position::Lines;
use crate::base::value::KindId;
use crate::policy::types::{FieldType, Type, TypeDisplay};
use crate::policy::{KindSchema, Policy};

/// At most this many record ids are offered at once (the list says it is incomplete, so the
/// editor asks again as more of the id is typed): a big org has 100 000 people.
const MAX_IDS: usize = 200;

/// The completions at `pos` of a data file (`None` when the org has not loaded yet or the
/// cursor is where nothing is expected).
pub fn completion(run: &OrgRun, (text, lines): (&str, &Lines), path: &Path, pos: Position) -> Option<CompletionList> {
    let policy = run.policy.as_deref()?;
    let at = lines.offset(text, pos);
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let before = text.get(line_start..at)?;
    let csv = path.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv"));
    let mut out = Out { items: Vec::new(), incomplete: false };
    if csv {
        let stem = path.file_stem().and_then(|s| s.to_str())?;
        let kind = crate::data::kind_for(&policy.schema, stem)?;
        let ks = policy.schema.kind(kind);
        let header = text.lines().next().unwrap_or("");
        let columns: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
        if line_start == 0 {
            // The header: the fields not named yet (the one being typed excepted).
            let typing = before.rsplit(',').next().unwrap_or("").trim().trim_matches('"');
            for (name, f) in dotted(&ks.fields) {
                if name == typing || !columns.contains(&name.as_str()) {
                    out.items.push(key_item(policy, &name, f));
                }
            }
        } else {
            let column = columns.get(before.matches(',').count())?;
            let f = field_at(ks, column)?;
            let typed = before.rsplit(',').next().unwrap_or("").trim_start().trim_start_matches('"');
            values(policy, run, f, typed.rsplit(';').next().unwrap_or(""), false, &mut out);
        }
    } else {
        let (kind, members) = toml_context(policy, text, line_start, before)?;
        let ks = policy.schema.kind(kind);
        let fields: &[FieldType] = match &members {
            Some(field) => object_fields(&ks.fields.get(ks.slot(field)?)?.ty)?,
            None => &ks.fields,
        };
        // The part of the line that belongs to the key being completed or its value.
        let piece = match members {
            Some(_) => before.rsplit(['{', ',']).next().unwrap_or(""),
            None => before,
        };
        match piece.split_once('=') {
            None => {
                let typing = piece.trim();
                let present = keys_present(text, line_start, members.is_some(), before);
                for f in fields.iter() {
                    if f.name == typing || !present.contains(&f.name.as_str()) {
                        out.items.push(key_item(policy, &f.name, f));
                    }
                }
            }
            Some((key, value)) => {
                let f = fields.iter().find(|f| f.name == key.trim().trim_matches('"'))?;
                let value = value.trim_start();
                let quoted = value.matches('"').count() % 2 == 1;
                let typed = value.rsplit(['"', '[', ',', ' ']).next().unwrap_or("");
                values(policy, run, f, typed, !quoted, &mut out);
            }
        }
    }
    Some(CompletionList { is_incomplete: out.incomplete, items: out.items })
}

struct Out {
    items: Vec<CompletionItem>,
    incomplete: bool,
}

/// The record kind of the TOML table the cursor is in, and the field whose inline table the
/// cursor is in (`approvals` in `approvals = [{ by = "P1", | }]`), if any.
fn toml_context(policy: &Policy, text: &str, line_start: usize, before: &str) -> Option<(KindId, Option<String>)> {
    let above = text.get(..line_start)?;
    let mut field = None;
    let open = before.rfind('{').filter(|o| before.rfind('}').is_none_or(|c| c < *o));
    let open_here = open.is_some();
    if let Some(o) = open {
        // `approvals = [{ …`: the key before the brace; `  { …` under `approvals = [`: above.
        field = before.get(..o).and_then(|h| h.split_once('=')).map(|(k, _)| k.trim().trim_matches('"').to_string());
    }
    // A line indented under `key = [` (a table per line) is inside that key's value.
    let indented = before.starts_with([' ', '\t']) || before.trim_start().starts_with('{');
    for line in above.lines().rev() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split_once("]]")).map(|x| x.0) {
            return Some((crate::data::kind_for(&policy.schema, name.trim())?, field));
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split_once(']')).map(|x| x.0) {
            return Some((crate::data::kind_for(&policy.schema, name.trim())?, field));
        }
        if field.is_none()
            && (open_here || indented)
            && !line.starts_with([' ', '\t'])
            && let Some((k, v)) = t.split_once('=')
            && v.trim_start().starts_with(['[', '{'])
        {
            field = Some(k.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// The keys written already in the table (or inline table) the cursor is in.
fn keys_present<'a>(text: &'a str, line_start: usize, inline: bool, before: &'a str) -> Vec<&'a str> {
    let key = |s: &'a str| s.split_once('=').map(|(k, _)| k.trim().trim_matches('"'));
    if inline {
        let open = before.rfind('{').map_or(0, |i| i + 1);
        return before.get(open..).unwrap_or("").split(',').filter_map(key).collect();
    }
    let above = text.get(..line_start).unwrap_or("");
    let from = above.rfind("\n[").map_or(0, |i| i + 1);
    let rest = text.get(from..).unwrap_or("");
    let mut out = Vec::new();
    for (i, line) in rest.lines().enumerate() {
        if i > 0 && line.starts_with('[') {
            break;
        }
        if !line.starts_with([' ', '\t', '[', '#', '{']) {
            out.extend(key(line));
        }
    }
    out
}

/// The fields of an object type or a list of objects.
fn object_fields(ty: &Type) -> Option<&[FieldType]> {
    match ty {
        Type::Object(fs) => Some(fs),
        Type::List(inner) => object_fields(inner),
        _ => None,
    }
}

/// The field names of a kind as CSV headers name them: nested ones dotted (`scores.上级评价`,
/// `approvals.by`).
fn dotted(fields: &[FieldType]) -> Vec<(String, &FieldType)> {
    let mut out = Vec::new();
    for f in fields {
        match object_fields(&f.ty) {
            Some(inner) => {
                out.extend(inner.iter().map(|g| (format!("{}.{}", f.name, g.name), g)));
            }
            None => out.push((f.name.clone(), f)),
        }
    }
    out
}

/// The field a CSV column names (dotted for a nested one).
fn field_at<'a>(ks: &'a KindSchema, column: &str) -> Option<&'a FieldType> {
    match column.split_once('.') {
        Some((outer, inner)) => object_fields(&ks.fields.get(ks.slot(outer)?)?.ty)?.iter().find(|f| f.name == inner),
        None => ks.fields.get(ks.slot(column)?),
    }
}

fn type_name(policy: &Policy, ty: &Type) -> String {
    let kinds = |k: KindId| policy.schema.kind(k).name.clone();
    TypeDisplay { ty, kinds: &kinds }.to_string()
}

fn key_item(policy: &Policy, name: &str, f: &FieldType) -> CompletionItem {
    let optional = if f.optional { "?" } else { "" };
    CompletionItem {
        label: name.to_string(),
        kind: Some(CompletionItemKind::FIELD),
        detail: Some(format!("{}{optional}", type_name(policy, &f.ty))),
        documentation: f.doc.clone().map(lsp_types::Documentation::String),
        ..CompletionItem::default()
    }
}

/// The values `f` may hold that start with `typed`; quoted when `quote` (a TOML string not
/// opened yet).
fn values(policy: &Policy, run: &OrgRun, f: &FieldType, typed: &str, quote: bool, out: &mut Out) {
    let word = |w: &str, kind, detail: &str| CompletionItem {
        label: w.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        insert_text: quote.then(|| format!("\"{w}\"")),
        ..CompletionItem::default()
    };
    let base = match &f.ty {
        Type::List(inner) => &**inner,
        t => t,
    };
    if let Some(key) = f.vocab_key()
        && let Some(words) = policy.schema.vocab.get(key)
    {
        out.items.extend(words.iter().map(|w| word(w, CompletionItemKind::ENUM_MEMBER, key)));
        return;
    }
    match base {
        Type::Enum(words) => out.items.extend(words.iter().map(|w| word(w, CompletionItemKind::ENUM_MEMBER, &f.name))),
        Type::Bool => {
            for b in ["true", "false"] {
                out.items.push(CompletionItem {
                    label: b.into(),
                    kind: Some(CompletionItemKind::VALUE),
                    ..CompletionItem::default()
                });
            }
        }
        Type::Ref(k) | Type::Record(k) => {
            let Some(org) = &run.org else { return };
            let data = org.store.kind(*k);
            let name = &policy.schema.kind(*k).name;
            for i in 0..data.len() {
                let Some(id) = data.id(i) else { continue };
                if !id.starts_with(typed) {
                    continue;
                }
                if out.items.len() >= MAX_IDS {
                    out.incomplete = true;
                    break;
                }
                out.items.push(word(id, CompletionItemKind::REFERENCE, name));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_and_the_inline_table_around_the_cursor() {
        let policy = crate::compile::load_policy(None).expect("built-in pack").0;
        let text = "[[change]]\nid = \"C1\"\napprovals = [\n  { by = \"P1\", ro\n";
        let change = crate::data::kind_for(&policy.schema, "change");
        let end = text.len() - 1;
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let (kind, field) = toml_context(&policy, text, line_start, &text[line_start..end]).expect("context");
        assert_eq!((Some(kind), field.as_deref()), (change, Some("approvals")));
        let line_start = text.find("id =").unwrap_or_default();
        let (kind, field) = toml_context(&policy, text, line_start, "").expect("context");
        assert_eq!((Some(kind), field), (change, None));
        assert_eq!(keys_present(text, line_start, false, ""), ["id", "approvals"]);
    }
}
