//! Answers to the editor's questions about a position: definition, references, hover,
//! completion and the outline, all from one [`Analysis`].

use std::path::Path;

use lsp_types::{
    CompletionItem, CompletionItemKind, DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind,
    Position, SymbolKind,
};

use super::analysis::Analysis;
use super::documents::uri_of;
use super::index::{Def, Target};
use crate::base::source::{FileId, Loc};
use crate::compile::spec::{self, COMMON, DECLS, DeclSpec, RULE_ATTRS};

/// What is under the cursor.
enum Hit<'a> {
    Def(&'a Def),
    Target(&'a Target),
}

fn contains(loc: Loc, file: FileId, at: usize) -> bool {
    loc.file == file && loc.start as usize <= at && at <= loc.end as usize
}

fn hit<'a>(a: &'a Analysis, path: &Path, pos: Position) -> Option<Hit<'a>> {
    let file = a.file(path)?;
    let at = a.offset(file, pos);
    if let Some(r) = a.index.refs.iter().filter(|r| contains(r.loc, file, at)).min_by_key(|r| r.loc.end - r.loc.start) {
        return Some(Hit::Target(&r.target));
    }
    a.index.defs.iter().enumerate().find(|(_, d)| contains(d.loc, file, at)).map(|(_, d)| Hit::Def(d))
}

fn location(a: &Analysis, loc: Loc) -> Option<Location> {
    Some(Location { uri: uri_of(&a.path(loc.file)?)?, range: a.range(loc) })
}

/// The declarations a hit stands for.
fn defs_of<'a>(a: &'a Analysis, h: &Hit<'a>) -> Vec<&'a Def> {
    match h {
        Hit::Def(d) => vec![*d],
        Hit::Target(t) => a.index.defs_of(t).map(|(_, d)| d).collect(),
    }
}

/// Go to definition: the declaration(s) a name refers to, or the file an `include` names.
pub fn definition(a: &Analysis, path: &Path, pos: Position) -> Vec<Location> {
    let Some(h) = hit(a, path, pos) else { return Vec::new() };
    if let Hit::Target(Target::File(f)) = h {
        let f = super::documents::canonical(f);
        return uri_of(&f).map(|uri| Location { uri, range: lsp_types::Range::default() }).into_iter().collect();
    }
    defs_of(a, &h).into_iter().filter_map(|d| location(a, d.loc)).collect()
}

/// Find references: every use of the declaration under the cursor (and the declaration).
pub fn references(a: &Analysis, path: &Path, pos: Position, declaration: bool) -> Vec<Location> {
    let Some(h) = hit(a, path, pos) else { return Vec::new() };
    let defs = defs_of(a, &h);
    let mut out = Vec::new();
    for d in &defs {
        if declaration {
            out.extend(location(a, d.loc));
        }
    }
    for r in &a.index.refs {
        let Target::Decl(k, n) = &r.target else { continue };
        if defs.iter().any(|d| &d.name == n && k.as_ref().is_none_or(|k| k == &d.kind)) {
            out.extend(location(a, r.loc));
        }
    }
    out
}

/// Hover: the kind and name of a declaration and its resolved values (after overlays); on a
/// rule, its quote, source and text.
pub fn hover(a: &Analysis, path: &Path, pos: Position) -> Option<Hover> {
    let h = hit(a, path, pos)?;
    let d = *defs_of(a, &h).first()?;
    let mut md = format!("**{}** `{}`\n", d.kind, d.name);
    match (&a.policy, d.kind.as_str()) {
        (Some(p), "rule") => {
            if let Some(r) = p.rule(&d.name) {
                md.push_str(&format!("\n{} · {}\n\n来源 source: {}\n", r.title, r.severity.as_str(), r.source));
                if let Some(q) = &r.quote {
                    md.push_str(&format!("\n> {}\n", q.replace('\n', "\n> ")));
                }
                if let Some(t) = &r.text {
                    md.push_str(&format!("\n{t}\n"));
                }
                if let Some(x) = &r.disabled {
                    md.push_str(&format!("\ndisabled by the overlay: {}\n", x.reason));
                }
            }
        }
        (Some(p), kind) if resolved(p, kind, &d.name, &mut md) => {}
        _ => {
            // Not compiled (or nested): the declaration as written.
            let text = a.sources.slice(d.whole);
            let shown: Vec<&str> = text.lines().take(20).collect();
            md.push_str(&format!("\n```zhidu\n{}\n```\n", shown.join("\n")));
        }
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: crate::base::redact::redact(&md).into_owned(),
        }),
        range: None,
    })
}

/// The resolved fields of a top-level declaration, if the compiled pack has it.
fn resolved(p: &crate::policy::Policy, kind: &str, name: &str, md: &mut String) -> bool {
    let Some(k) = p.schema.decl_kind(kind) else { return false };
    let Some(r) = p.decls.by_id(k, name).and_then(|r| p.decls.get(r)) else { return false };
    let ks = p.schema.kind(k);
    md.push('\n');
    for (f, v) in ks.fields.iter().zip(r.fields.iter()) {
        let empty = matches!(v, crate::base::value::Value::None)
            || matches!(v, crate::base::value::Value::List(l) if l.is_empty());
        if f.name == "name" || empty {
            continue;
        }
        md.push_str(&format!("- `{}`: {}\n", f.name, v));
    }
    true
}

/// The spec of a (possibly nested) declaration kind.
fn spec_of(kind: &str) -> Option<&'static DeclSpec> {
    spec::decl_spec(kind).or_else(|| DECLS.iter().flat_map(|d| d.subs).find(|s| s.kind == kind))
}

/// Completion: attribute names of the declaration the cursor is in, declared names, built-in
/// functions and declaration keywords.
pub fn completion(a: &Analysis, path: &Path, pos: Position) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    let item = |label: &str, kind, detail: &str| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    };
    if let Some(file) = a.file(path) {
        let at = a.offset(file, pos);
        let inner = a
            .index
            .defs
            .iter()
            .filter(|d| contains(d.whole, file, at) && !contains(d.loc, file, at))
            .min_by_key(|d| d.whole.end - d.whole.start);
        match inner.map(|d| d.kind.as_str()) {
            Some("rule") => {
                out.extend(RULE_ATTRS.iter().map(|s| item(s.name, CompletionItemKind::PROPERTY, "rule attribute")))
            }
            Some(k) => {
                if let Some(s) = spec_of(k) {
                    let detail = format!("{k} attribute");
                    out.extend(
                        s.attrs.iter().chain(COMMON).map(|x| item(x.name, CompletionItemKind::PROPERTY, &detail)),
                    );
                    out.extend(s.subs.iter().map(|x| item(x.kind, CompletionItemKind::KEYWORD, x.about)));
                }
            }
            None => out.extend(DECLS.iter().map(|s| item(s.kind, CompletionItemKind::KEYWORD, s.about))),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for d in &a.index.defs {
        if seen.insert((&d.kind, &d.name)) {
            out.push(item(&d.name, CompletionItemKind::REFERENCE, &d.kind));
        }
    }
    out.extend(
        crate::policy::builtin::NAMES.iter().map(|n| item(n, CompletionItemKind::FUNCTION, "built-in function")),
    );
    out
}

/// The outline of a file: its declarations grouped by the pack's chapters, nested ones under
/// their parent. A `section` is in the chapter it names, a rule in the chapter of its ID's
/// prefix (`APV` → 分级审批, the handbook's titles); any other declaration in the chapter of the
/// nearest chaptered declaration above it (below it, before the file's first one). A file
/// naming no chapter (the schema, the parameters) is listed flat.
pub fn symbols(a: &Analysis, path: &Path) -> Vec<DocumentSymbol> {
    let Some(file) = a.file(path) else { return Vec::new() };
    let mut made: Vec<Option<DocumentSymbol>> = Vec::new();
    let defs: Vec<(usize, &Def)> = a.index.defs.iter().enumerate().filter(|(_, d)| d.loc.file == file).collect();
    for (_, d) in &defs {
        made.push(Some(symbol(
            d.name.clone(),
            &d.kind,
            match d.kind.as_str() {
                "rule" => SymbolKind::FUNCTION,
                "record" => SymbolKind::STRUCT,
                "param" => SymbolKind::CONSTANT,
                "role" | "unit" => SymbolKind::CLASS,
                _ => SymbolKind::OBJECT,
            },
            a.range(d.whole),
            a.range(d.loc),
        )));
    }
    // Children after parents in index order: attach from the end so nested ones move first.
    let pos_of = |i: usize| defs.iter().position(|(j, _)| *j == i);
    for k in (0..defs.len()).rev() {
        let Some(parent) = defs.get(k).and_then(|(_, d)| d.parent).and_then(pos_of) else { continue };
        if let Some(child) = made.get_mut(k).and_then(Option::take)
            && let Some(Some(p)) = made.get_mut(parent)
        {
            p.children.get_or_insert_with(Vec::new).insert(0, child);
        }
    }
    let tops: Vec<(&Def, DocumentSymbol)> = defs.iter().zip(made).filter_map(|((_, d), s)| Some((*d, s?))).collect();
    let named: Vec<Option<String>> = tops.iter().map(|(d, _)| chapter_of(d)).collect();
    let Some(first) = named.iter().flatten().next().cloned() else {
        return tops.into_iter().map(|(_, s)| s).collect();
    };
    let mut current = first;
    let mut groups: Vec<(String, Vec<DocumentSymbol>)> = Vec::new();
    for ((_, s), chapter) in tops.into_iter().zip(named) {
        if let Some(c) = chapter {
            current = c;
        }
        match groups.iter_mut().find(|(c, _)| *c == current) {
            Some((_, members)) => members.push(s),
            None => groups.push((current.clone(), vec![s])),
        }
    }
    groups
        .into_iter()
        .map(|(chapter, members)| {
            let start = members.iter().map(|m| m.range.start).min().unwrap_or_default();
            let end = members.iter().map(|m| m.range.end).max().unwrap_or_default();
            let range = lsp_types::Range { start, end };
            let first = members.first().map_or(range, |m| m.selection_range);
            let mut s = symbol(chapter, "chapter", SymbolKind::NAMESPACE, range, first);
            s.children = Some(members);
            s
        })
        .collect()
}

fn symbol(
    name: String,
    detail: &str,
    kind: SymbolKind,
    range: lsp_types::Range,
    selection_range: lsp_types::Range,
) -> DocumentSymbol {
    #[allow(deprecated, reason = "the field is deprecated but must be given")]
    DocumentSymbol {
        name,
        detail: Some(detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range,
        children: None,
    }
}

/// The chapter a top-level declaration names: a section's `chapter`, a rule's by its prefix.
fn chapter_of(d: &Def) -> Option<String> {
    static TITLES: std::sync::OnceLock<std::collections::BTreeMap<String, String>> = std::sync::OnceLock::new();
    if d.kind == "rule" {
        let prefix = d.name.split('-').next().unwrap_or(&d.name);
        let titles = TITLES.get_or_init(crate::render::templates::chapter_titles);
        return Some(titles.get(prefix).cloned().unwrap_or_else(|| prefix.to_string()));
    }
    d.chapter.clone()
}
