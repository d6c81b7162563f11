//! Article texts: their references (`{param 投诉反馈时限}`, see `compile::textref`) checked
//! against the declarations, and two warnings that keep texts honest — a literal number,
//! percentage or duration in an article that equals a declared value it could reference, and a
//! `# chosen:` comment whose declaration lacks the machine-readable `chosen` attribute.

use std::sync::LazyLock;

use super::*;
use crate::base::source::FileId;
use crate::base::value::Duration;
use crate::compile::textref::{self, Piece, RefError};

/// Attributes whose text may hold references (`text` and a step's `detail` are articles: their
/// literal values are linted).
const REF_ATTRS: &[&str] = &["text", "explain", "note", "chosen", "detail"];
/// Attributes whose numbers are not values an article states (sorting keys).
const NOT_VALUES: &[&str] = &["order", "rank"];

/// A quantity as an article states it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Pct(f64),
    Dur(Duration),
    Plain(f64),
}

/// Checks every text of the pack; errors for references that do not resolve, warnings for
/// literal values and unmarked choices.
pub(super) fn check(
    files: &[(FileId, ast::File)],
    schema: &Schema,
    store: &Store,
    sources: &SourceMap,
    errors: &mut Vec<PolicyError>,
    warnings: &mut Vec<PolicyError>,
) {
    let declared = declared_values(schema, store);
    let mut cx = Cx { schema, store, sources, declared: &declared, errors, warnings };
    for (fid, f) in files {
        // (start, end, has `chosen`) of every declaration and rule, for the comments.
        let mut spans: Vec<(u32, u32, bool)> = Vec::new();
        for item in &f.items {
            match item {
                // An override's attributes are text of the company's pack like a declaration's.
                Item::Decl(d) | Item::Override(d) => {
                    cx.entries(&d.entries, &mut spans);
                    spans.push((d.loc.start, d.loc.end, has_attr(&d.entries, "chosen")));
                }
                Item::Rule(rd) => {
                    cx.entries(&rd.entries, &mut spans);
                    spans.push((rd.loc.start, rd.loc.end, has_attr(&rd.entries, "chosen")));
                }
                Item::Record(_) | Item::Include(_) | Item::Extends(_) | Item::Disable(_) => {}
            }
        }
        cx.unmarked_choices(*fid, &spans);
    }
}

fn has_attr(entries: &[Entry], name: &str) -> bool {
    entries.iter().any(|e| matches!(e, Entry::Attr(a) if a.name.name == name))
}

struct Cx<'a> {
    schema: &'a Schema,
    store: &'a Store,
    sources: &'a SourceMap,
    declared: &'a [(Num, String)],
    errors: &'a mut Vec<PolicyError>,
    warnings: &'a mut Vec<PolicyError>,
}

impl Cx<'_> {
    fn entries(&mut self, entries: &[Entry], spans: &mut Vec<(u32, u32, bool)>) {
        for e in entries {
            match e {
                Entry::Attr(a) if REF_ATTRS.contains(&a.name.name.as_str()) => {
                    for v in &a.values {
                        if let ExprKind::Lit(Literal::Str(s)) = &v.kind {
                            self.text(&unescape_template(s), v.loc, ["text", "detail"].contains(&a.name.name.as_str()));
                        }
                    }
                }
                Entry::Attr(_) => {}
                Entry::Decl(d) => {
                    self.entries(&d.entries, spans);
                    spans.push((d.loc.start, d.loc.end, has_attr(&d.entries, "chosen")));
                }
            }
        }
    }

    /// Where `needle` is written inside the literal at `loc` (the whole literal if not found).
    fn within(&self, loc: Loc, needle: &str) -> Loc {
        match self.sources.slice(loc).find(needle) {
            Some(i) => Loc::new(loc.file, loc.start as usize + i, loc.start as usize + i + needle.len()),
            None => loc,
        }
    }

    fn text(&mut self, text: &str, loc: Loc, article: bool) {
        for p in textref::pieces(text) {
            match p {
                Piece::Ref(r) => {
                    if let Err(e) = textref::lookup(self.schema, self.store, &r) {
                        let reason = match &e {
                            RefError::Kind { .. } => format!("unknown declaration kind `{}`", r.kind),
                            RefError::Name { .. } => format!("no {} named `{}`", r.kind, r.name),
                            RefError::Path { segment, .. } => format!("no attribute or key `{segment}`"),
                            RefError::NoDefault { .. } => format!("a `{}` reference names an attribute", r.kind),
                        };
                        let at = self.within(loc, text.get(r.range.clone()).unwrap_or_default());
                        self.errors.push(
                            PolicyError::new(K::BadTextRef { reference: r.written(), reason }, at)
                                .label("this reference")
                                .help(e.help(&r)),
                        );
                    }
                }
                Piece::Lit(s) if article => self.literals(s, loc),
                Piece::Lit(_) => {}
            }
        }
    }

    /// Warns for each quantity in `s` equal to a declared value; words quoted from the
    /// regulations (“…”) are the seed's example, not the pack's value.
    fn literals(&mut self, s: &str, loc: Loc) {
        let unquoted: String = s
            .split('“')
            .enumerate()
            .map(|(i, part)| if i == 0 { part } else { part.split_once('”').map_or("", |(_, rest)| rest) })
            .collect::<Vec<_>>()
            .join(" ");
        for (written, n) in quantities(&unquoted) {
            let refs: Vec<&str> =
                self.declared.iter().filter(|(d, _)| same(*d, n)).map(|(_, r)| r.as_str()).take(3).collect();
            if refs.is_empty() {
                continue;
            }
            let at = self.within(loc, &written);
            self.warnings.push(
                PolicyError::new(K::LiteralValue { literal: written, reference: refs.join(" ") }, at)
                    .label("stated literally")
                    .help(format!(
                        "write the reference {} instead, so the article follows the value when it changes",
                        refs.join(" or ")
                    )),
            );
        }
    }

    /// Warns for each `# chosen:` comment whose declaration has no `chosen` attribute: the
    /// innermost declaration around the comment, else the next one after it.
    fn unmarked_choices(&mut self, fid: FileId, spans: &[(u32, u32, bool)]) {
        let text = self.sources.get(fid).text().clone();
        let mut offset = 0usize;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim_start();
            if !trimmed.starts_with("# chosen:") {
                continue;
            }
            let at = start as u32;
            let inner = spans.iter().filter(|(s, e, _)| *s <= at && at < *e).min_by_key(|(s, e, _)| e - s);
            let next = spans.iter().filter(|(s, _, _)| *s > at).min_by_key(|(s, _, _)| *s);
            if inner.or(next).is_some_and(|(_, _, chosen)| *chosen) {
                continue;
            }
            let lead = line.len() - trimmed.len();
            let loc = Loc::new(fid, start + lead, start + line.trim_end().len());
            self.warnings.push(
                PolicyError::new(K::UnmarkedChoice, loc)
                    .label("chosen here")
                    .help("add `chosen \"理由\"` to the declaration, so documents print the value as 本制度补充"),
            );
        }
    }
}

fn same(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::Pct(x), Num::Pct(y)) | (Num::Plain(x), Num::Plain(y)) => (x - y).abs() < 1e-9,
        (Num::Dur(x), Num::Dur(y)) => x == y,
        _ => false,
    }
}

static QUANTITY: LazyLock<regex::Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used, reason = "a constant pattern, covered by the unit tests")]
    regex::Regex::new(r"([0-9]+(?:\.[0-9]+)?)\s*(%|个月|小时|分钟|天|周|年|分|家|个|名|项|次|人|岁)?").unwrap()
});

/// The quantities a text states: percentages, durations, and counts with a measure word.
fn quantities(s: &str) -> Vec<(String, Num)> {
    let mut out = Vec::new();
    for c in QUANTITY.captures_iter(s) {
        let (Some(all), Some(num)) = (c.get(0), c.get(1)) else { continue };
        // Part of a longer token (`v2`, `004`, `§2`, `1.5.3`) is no quantity.
        if s[..all.start()].chars().next_back().is_some_and(|p| p.is_ascii_alphanumeric() || "._§-".contains(p)) {
            continue;
        }
        let Ok(x) = num.as_str().parse::<f64>() else { continue };
        let whole = num.as_str().parse::<i64>().ok();
        let n = match (c.get(2).map(|u| u.as_str()), whole) {
            (Some("%"), _) => Num::Pct(x),
            (Some("个月"), Some(i)) => Num::Dur(Duration { months: i as i32, secs: 0 }),
            (Some("年"), Some(i)) => Num::Dur(Duration { months: 12 * i as i32, secs: 0 }),
            (Some("周"), Some(i)) => Num::Dur(Duration { months: 0, secs: i * 604_800 }),
            (Some("天"), Some(i)) => Num::Dur(Duration { months: 0, secs: i * 86_400 }),
            (Some("小时"), Some(i)) => Num::Dur(Duration { months: 0, secs: i * 3600 }),
            (Some("分钟"), Some(i)) => Num::Dur(Duration { months: 0, secs: i * 60 }),
            (Some(_), _) => Num::Plain(x),
            (None, _) => continue,
        };
        out.push((all.as_str().trim_end().to_string(), n));
    }
    out
}

/// Every quantity the declarations hold, with the reference that prints it.
fn declared_values(schema: &Schema, store: &Store) -> Vec<(Num, String)> {
    let mut out = Vec::new();
    for ks in schema.kinds.iter().filter(|k| k.origin == KindOrigin::Decl) {
        let kind = ks.name.strip_prefix("policy.").unwrap_or(&ks.name);
        let Some(k) = schema.decl_kind(kind) else { continue };
        let default = spec::REF_DEFAULT.iter().find(|(x, _)| *x == kind).map(|(_, p)| *p);
        for rec in store.kind(k).iter() {
            let Some(name) = rec.id_str() else { continue };
            for (f, v) in ks.fields.iter().zip(rec.fields.iter()) {
                if NOT_VALUES.contains(&f.name.as_str()) {
                    continue;
                }
                let mut found = Vec::new();
                quantities_of(v, f.name.clone(), &mut found);
                for (n, path) in found {
                    let r = if Some(path.as_str()) == default {
                        format!("`{{{kind} {name}}}`")
                    } else {
                        format!("`{{{kind} {name}.{path}}}`")
                    };
                    out.push((n, r));
                }
            }
        }
    }
    out
}

fn quantities_of(v: &Value, path: String, out: &mut Vec<(Num, String)>) {
    match v {
        Value::Percent(p) => out.push((Num::Pct(*p), path)),
        Value::Duration(d) => out.push((Num::Dur(*d), path)),
        Value::Int(i) => out.push((Num::Plain(*i as f64), path)),
        Value::Num(x) => out.push((Num::Plain(*x), path)),
        Value::Target(t) => match &t.value {
            Value::Percent(p) => out.push((Num::Pct(*p), path)),
            Value::Int(i) => out.push((Num::Plain(*i as f64), path)),
            Value::Num(x) => out.push((Num::Plain(*x), path)),
            _ => {}
        },
        Value::List(l) => {
            for item in l.iter() {
                let Value::Object(o) = item else { continue };
                let Some(name) = o.fields().find(|(k, _)| &**k == "name").and_then(|(_, n)| n.as_str()) else {
                    continue;
                };
                for (k, x) in o.fields().filter(|(k, _)| k.as_str() != "name" && !NOT_VALUES.contains(&k.as_str())) {
                    let p = if &**k == "value" { format!("{path}.{name}") } else { format!("{path}.{name}.{k}") };
                    quantities_of(x, p, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_read_with_their_units() {
        let q = quantities("占 40%，2 天内；总分低于 60 分；3个月改进；004 §2；第1条；1 月 31 日");
        let got: Vec<&str> = q.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(got, ["40%", "2 天", "60 分", "3个月"]);
        assert_eq!(q[1].1, Num::Dur(Duration { months: 0, secs: 2 * 86_400 }));
        assert_eq!(q[3].1, Num::Dur(Duration { months: 3, secs: 0 }));
    }
}
