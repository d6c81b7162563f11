//! References to declared values in article text: `{KIND NAME}` or `{KIND NAME.ATTR.KEY…}`.
//!
//! An article states the pack's values by reference (`{param 投诉反馈时限}` → `2天`,
//! `{appraisal 绩效考核.weights}` → `40%、20%、10%、30%`, `{cadence 周例会}` → `每周`), so a changed
//! value changes every page that states it. References are checked when the pack is compiled
//! (`compile::resolve`: an unknown kind, name or attribute is a located error with a suggestion)
//! and filled in when a document is rendered ([`resolve`]).
//!
//! A reference starts with `{` directly followed by a letter, holds a declaration kind, white
//! space and a name, and ends at the next `}` on the same line; any other brace is text. Without
//! an attribute path a reference prints the kind's usual value (`spec::REF_DEFAULT`).

use std::ops::Range;

use super::spec::REF_DEFAULT;
use crate::base::diag::suggest;
use crate::base::lang::Lang;
use crate::base::store::Store;
use crate::base::value::Value;
use crate::policy::{KindOrigin, Schema};

/// One reference in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRef<'a> {
    /// Declaration kind (`param`).
    pub kind: &'a str,
    /// Declaration name.
    pub name: &'a str,
    /// Attribute path (`weights`, `上级评价`); empty for the kind's usual value.
    pub path: Vec<&'a str>,
    /// Byte range of `{…}` in the text.
    pub range: Range<usize>,
}

impl TextRef<'_> {
    /// The reference as written, without its braces.
    pub fn written(&self) -> String {
        let mut s = format!("{} {}", self.kind, self.name);
        for p in &self.path {
            s.push('.');
            s.push_str(p);
        }
        s
    }
}

/// A piece of a text: literal text or a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text as written.
    Lit(&'a str),
    /// A reference.
    Ref(TextRef<'a>),
}

/// Splits a text into literal pieces and references.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let (mut lit_start, mut i) = (0, 0);
    while let Some(off) = text.get(i..).and_then(|t| t.find('{')) {
        let open = i + off;
        match parse_ref(text, open) {
            Some(r) => {
                if open > lit_start {
                    out.push(Piece::Lit(&text[lit_start..open]));
                }
                let end = r.range.end;
                out.push(Piece::Ref(r));
                (lit_start, i) = (end, end);
            }
            None => i = open + 1,
        }
    }
    if lit_start < text.len() {
        out.push(Piece::Lit(&text[lit_start..]));
    }
    out
}

/// The reference starting at the `{` at byte `open`, if the text there is one.
fn parse_ref(text: &str, open: usize) -> Option<TextRef<'_>> {
    let rest = text.get(open + 1..)?;
    let close = rest.find('}')?;
    let inner = &rest[..close];
    if inner.contains(['\n', '{']) || inner.chars().count() > 100 {
        return None;
    }
    let first = inner.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let (kind, name) = inner.split_once(char::is_whitespace)?;
    if !kind.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let mut segs = name.trim().split('.').map(str::trim);
    let name = segs.next().filter(|n| !n.is_empty())?;
    let path: Vec<&str> = segs.collect();
    if path.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(TextRef { kind, name, path, range: open..open + close + 2 })
}

/// Why a reference does not resolve; each carries what to suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    /// No declaration kind of that name.
    Kind {
        /// The closest kind.
        suggestion: Option<String>,
    },
    /// No declaration of that kind and name.
    Name {
        /// The closest name.
        suggestion: Option<String>,
    },
    /// The path names no attribute or key.
    Path {
        /// The segment that does not resolve.
        segment: String,
        /// What it could have been.
        known: Vec<String>,
    },
    /// The kind has no usual value: the reference must name an attribute.
    NoDefault {
        /// The kind's attributes.
        known: Vec<String>,
    },
}

impl RefError {
    /// A help line for the author.
    pub fn help(&self, r: &TextRef<'_>) -> String {
        match self {
            RefError::Kind { suggestion: Some(s) } => format!("did you mean `{{{s} {}}}`?", r.name),
            RefError::Kind { suggestion: None } => "a reference is `{KIND NAME}`, KIND a declaration kind".into(),
            RefError::Name { suggestion: Some(s) } => format!("did you mean `{}`?", s),
            RefError::Name { suggestion: None } => format!("declare `{} {} {{ … }}`", r.kind, r.name),
            RefError::Path { segment, known } => match suggest(segment, known.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("`{segment}` is none of: {}", known.join(", ")),
            },
            RefError::NoDefault { known } => {
                format!("name the attribute: `{{{} {}.ATTR}}`, ATTR one of {}", r.kind, r.name, known.join(", "))
            }
        }
    }
}

/// The declared value a reference names, and the attribute it was read from (for its form).
pub fn lookup(schema: &Schema, decls: &Store, r: &TextRef<'_>) -> Result<(Value, String), RefError> {
    let Some(k) = schema.decl_kind(r.kind) else {
        let kinds = schema.kinds.iter().filter(|k| k.origin == KindOrigin::Decl);
        let names: Vec<&str> = kinds.map(|k| k.name.strip_prefix("policy.").unwrap_or(&k.name)).collect();
        return Err(RefError::Kind { suggestion: suggest(r.kind, names) });
    };
    let Some(rec) = decls.by_id(k, r.name) else {
        let data = decls.kind(k);
        let names: Vec<&str> = (0..data.len()).filter_map(|i| data.id(i).map(|s| &**s)).collect();
        return Err(RefError::Name { suggestion: suggest(r.name, names) });
    };
    let ks = schema.kind(k);
    let fields = || ks.fields.iter().map(|f| f.name.clone()).filter(|n| n != "name").collect::<Vec<_>>();
    let default: Vec<&str> = match REF_DEFAULT.iter().find(|(kind, _)| *kind == r.kind) {
        Some((_, p)) => p.split('.').collect(),
        None if r.path.is_empty() => return Err(RefError::NoDefault { known: fields() }),
        None => Vec::new(),
    };
    let path: &[&str] = if r.path.is_empty() { &default } else { &r.path };
    let Some((first, rest)) = path.split_first() else { return Err(RefError::NoDefault { known: fields() }) };
    let Some(slot) = ks.slot(first) else {
        return Err(RefError::Path { segment: first.to_string(), known: fields() });
    };
    let mut v = decls.field(rec, slot).cloned().unwrap_or_default();
    if *first == "title" && v == Value::None {
        v = Value::str(r.name);
    }
    let mut last = first.to_string();
    for seg in rest {
        v = match step(&v, seg) {
            Some(x) => x,
            None => return Err(RefError::Path { segment: seg.to_string(), known: keys(&v) }),
        };
        last = seg.to_string();
    }
    Ok((v, last))
}

/// One step of a path: an object's field, or the item of a list named `seg`.
fn step(v: &Value, seg: &str) -> Option<Value> {
    match v {
        Value::Object(o) => o.fields().find(|(k, _)| k.as_str() == seg).map(|(_, x)| x.clone()),
        Value::List(l) => l.iter().find(|x| name_of(x) == Some(seg)).cloned(),
        _ => None,
    }
}

fn name_of(v: &Value) -> Option<&str> {
    match v {
        Value::Object(o) => o.fields().find(|(k, _)| &**k == "name").and_then(|(_, n)| n.as_str()),
        _ => None,
    }
}

/// What a path could continue with at `v`.
fn keys(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.fields().map(|(k, _)| k.to_string()).collect(),
        Value::List(l) => l.iter().filter_map(name_of).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// How a referenced value reads in an article: the shown form of `base::value` (`2天`, `40%`,
/// `≥ 2%`), a duration read from an `every` attribute as a frequency (`每周`), lists joined
/// with `、`, a `key value` pair as its value, an approval requirement as its roles.
pub fn show(v: &Value, attr: &str) -> String {
    match v {
        Value::None => String::new(),
        Value::Duration(d) if attr == "every" => d.every_zh(),
        Value::Target(t) => format!("{} {}", t.sign(), t.value.shown(Lang::Zh)),
        Value::List(l) => l.iter().map(|x| show(x, attr)).collect::<Vec<_>>().join("、"),
        Value::Object(o) => {
            let field = |f: &str| o.fields().find(|(k, _)| k.as_str() == f).map(|(_, x)| x);
            match field("value").or_else(|| field("roles")) {
                Some(x) => show(x, attr),
                None => o.fields().map(|(_, x)| show(x, attr)).collect::<Vec<_>>().join("、"),
            }
        }
        other => other.shown(Lang::Zh).to_string(),
    }
}

/// The text with every reference replaced by the value it names; a reference that does not
/// resolve (the compiler reports those) stays as written.
pub fn resolve(schema: &Schema, decls: &Store, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for p in pieces(text) {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Ref(r) => match lookup(schema, decls, &r) {
                Ok((v, attr)) => out.push_str(&show(&v, &attr)),
                Err(_) => out.push_str(text.get(r.range.clone()).unwrap_or_default()),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_and_other_braces_are_text() {
        let p =
            pieces("客户投诉 {param 投诉反馈时限} 内反馈；{{ 7 * 7 }} {中文} {appraisal 绩效考核.weights.上级评价}");
        let refs: Vec<String> = p
            .iter()
            .filter_map(|x| match x {
                Piece::Ref(r) => Some(r.written()),
                Piece::Lit(_) => None,
            })
            .collect();
        assert_eq!(refs, ["param 投诉反馈时限", "appraisal 绩效考核.weights.上级评价"]);
        let lit: String = p
            .iter()
            .filter_map(|x| match x {
                Piece::Lit(s) => Some(*s),
                Piece::Ref(_) => None,
            })
            .collect();
        assert_eq!(lit, "客户投诉  内反馈；{{ 7 * 7 }} {中文} ");
        assert_eq!(pieces("{ param x}"), vec![Piece::Lit("{ param x}")]);
        assert_eq!(pieces("{param x.}"), vec![Piece::Lit("{param x.}")]);
    }
}
