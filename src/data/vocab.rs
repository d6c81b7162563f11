//! Closed-world checks of loaded records: values of vocabulary fields that are no word the pack
//! declares (`DATA-VOCAB`), and fields the schema does not declare (`DATA-FIELD`). Each distinct
//! mistake is reported once, with how many records make it and where the first ones are, so a
//! misspelt column of a big CSV file gives one finding, not one per row.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{issue::Issue, location};
use crate::base::lang::Text;
use crate::base::source::{Loc, SourceMap};
use crate::base::store::Store;
use crate::base::value::{KindId, Value};
use crate::policy::types::{FieldType, Type};
use crate::policy::{KindSchema, Schema};

/// How many locations a finding lists.
const SHOWN: usize = 3;
/// How many valid words a finding lists.
const WORDS_SHOWN: usize = 40;

/// Records whose vocabulary fields hold unknown words: per kind, record position → the slots
/// (as bits; slots from 63 on share the last bit). Checks reading one of those slots are not
/// evaluated for the record (its finding would be about the unknown word, already reported).
#[derive(Debug, Default, Clone)]
pub struct Unknown {
    by_kind: Vec<FxHashMap<u32, u64>>,
}

impl Unknown {
    /// The bit of a slot.
    pub fn bit(slot: usize) -> u64 {
        1u64 << slot.min(63)
    }

    /// The slots of a record holding unknown words (0 if none).
    pub fn slots(&self, kind: KindId, idx: u32) -> u64 {
        self.by_kind.get(kind.0 as usize).and_then(|m| m.get(&idx)).copied().unwrap_or(0)
    }

    /// Whether no record holds an unknown word.
    pub fn is_empty(&self) -> bool {
        self.by_kind.iter().all(|m| m.is_empty())
    }

    fn mark(&mut self, kind: KindId, idx: u32, slot: usize) {
        let k = kind.0 as usize;
        if self.by_kind.len() <= k {
            self.by_kind.resize_with(k + 1, FxHashMap::default);
        }
        if let Some(m) = self.by_kind.get_mut(k) {
            *m.entry(idx).or_default() |= Self::bit(slot);
        }
    }
}

/// One distinct mistake: how often, and the first places.
#[derive(Default)]
struct Seen {
    count: usize,
    at: Vec<Loc>,
    /// For an unknown field: the declared field it most likely stands for.
    near: Option<String>,
    /// For an unknown key of a table (`keys ref …`): the vocabulary's key.
    keys: Option<String>,
}

impl Seen {
    fn add(&mut self, loc: Loc) {
        self.count += 1;
        if self.at.len() < SHOWN {
            self.at.push(loc);
        }
    }
}

/// Checks every record of every kind against the vocabularies and the declared fields.
pub(super) fn check(schema: &Schema, store: &Store, sources: &SourceMap) -> (Vec<Issue>, Unknown) {
    let sets: FxHashMap<&str, FxHashSet<&str>> =
        schema.vocab.iter().map(|(k, w)| (k.as_str(), w.iter().map(String::as_str).collect())).collect();
    let mut unknown = Unknown::default();
    // (kind, field path, word) and (kind, field path), in a stable order.
    let mut words: BTreeMap<(u32, String, String), Seen> = BTreeMap::new();
    let mut fields: BTreeMap<(u32, String), Seen> = BTreeMap::new();
    for (k, ks) in schema.record_kinds().filter(|(_, ks)| ks.stream.is_none()) {
        // Only slots that may hold a vocabulary word or a table are looked into.
        let slots: Vec<usize> =
            ks.fields.iter().enumerate().filter(|(_, f)| worth_visiting(f)).map(|(s, _)| s).collect();
        let data = store.kind(k);
        if data.is_empty() || (slots.is_empty() && ks.open) {
            continue;
        }
        // The dotted path of the field looked at, in one buffer (nothing is allocated for a
        // record without mistakes).
        let mut path = String::new();
        for (i, rec) in data.iter().enumerate() {
            if !ks.open {
                // A kind without an `id` field names its records by their fields; an `id`
                // column some files add as a row label is no mistake.
                let undeclared = || rec.extra.iter().filter(|(n, _)| ks.has_id || &**n != "id");
                let alone = undeclared().nth(1).is_none();
                for (name, _) in undeclared() {
                    let seen = fields.entry((k.0, name.to_string())).or_default();
                    if seen.count == 0 {
                        seen.near =
                            near_field(name, &ks.fields, alone, |s| rec.fields.get(s).is_none_or(Value::is_none));
                    }
                    seen.add(rec.loc);
                }
            }
            for &s in &slots {
                let (Some(f), Some(v)) = (ks.fields.get(s), rec.fields.get(s)) else { continue };
                if v.is_none() {
                    continue;
                }
                let mut bad = false;
                let mut visit = Visit { sets: &sets, open: ks.open, words: &mut words, fields: &mut fields, kind: k.0 };
                path.clear();
                path.push_str(&f.name);
                let sibling = |name: &str| ks.slot(name).and_then(|s| rec.fields.get(s));
                visit.keys(f, v, sibling, &path, rec.loc, &mut bad);
                visit.field(f, v, &mut path, rec.loc, &mut bad);
                if bad {
                    unknown.mark(k, i as u32, s);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((k, path, word), seen) in words {
        let ks = schema.kind(KindId(k));
        out.push(vocab_issue(schema, ks, &path, &word, &seen, sources));
    }
    for ((k, path), seen) in fields {
        let ks = schema.kind(KindId(k));
        out.push(field_issue(ks, &path, &seen, sources));
    }
    (out, unknown)
}

/// Whether a field may hold a vocabulary word or a table (whose keys are checked).
fn worth_visiting(f: &FieldType) -> bool {
    if f.vocab_key().is_some() || f.keys.is_some() {
        return true;
    }
    let mut t = &f.ty;
    while let Type::List(inner) = t {
        t = inner;
    }
    matches!(t, Type::Object(_))
}

struct Visit<'a, 'b> {
    sets: &'a FxHashMap<&'a str, FxHashSet<&'a str>>,
    open: bool,
    words: &'b mut BTreeMap<(u32, String, String), Seen>,
    fields: &'b mut BTreeMap<(u32, String), Seen>,
    kind: u32,
}

impl Visit<'_, '_> {
    /// The keys of a table field declared `keys ref …`, when its condition holds (the sibling
    /// field holds the word): each key no word of the vocabulary is a mistake.
    fn keys<'v>(
        &mut self,
        f: &FieldType,
        v: &Value,
        sibling: impl Fn(&str) -> Option<&'v Value>,
        path: &str,
        loc: Loc,
        bad: &mut bool,
    ) {
        let Some(kv) = &f.keys else { return };
        if let Some((field, word)) = &kv.when
            && !matches!(sibling(field), Some(Value::Str(s)) if **s == **word)
        {
            return;
        }
        let (Some(set), Value::Object(o)) = (self.sets.get(kv.vocab.as_str()), v) else { return };
        for (key, _) in o.fields() {
            if !set.contains(&**key) {
                *bad = true;
                let seen = self.words.entry((self.kind, path.to_string(), key.to_string())).or_default();
                seen.keys = Some(kv.vocab.clone());
                seen.add(loc);
            }
        }
    }

    fn field(&mut self, f: &FieldType, v: &Value, path: &mut String, loc: Loc, bad: &mut bool) {
        if let Some(set) = f.vocab_key().and_then(|k| self.sets.get(k)) {
            let mut word = |w: &str| {
                if !set.contains(w) {
                    *bad = true;
                    self.words.entry((self.kind, path.to_string(), w.to_string())).or_default().add(loc);
                }
            };
            match v {
                Value::Str(s) => word(s),
                Value::List(items) => items.iter().for_each(|x| {
                    if let Value::Str(s) = x {
                        word(s)
                    }
                }),
                _ => {}
            }
            return;
        }
        let mut t = &f.ty;
        while let Type::List(inner) = t {
            t = inner;
        }
        if let Type::Object(fs) = t {
            self.tables(fs, v, path, loc, bad);
        }
    }

    /// The tables of a value (a table or a list of them, at any depth).
    fn tables(&mut self, fs: &[FieldType], v: &Value, path: &mut String, loc: Loc, bad: &mut bool) {
        match v {
            Value::List(items) => items.iter().for_each(|x| self.tables(fs, x, path, loc, bad)),
            Value::Object(o) => {
                let alone = o.fields().filter(|(k, _)| !fs.iter().any(|f| *f.name == **k)).nth(1).is_none();
                for (key, x) in o.fields() {
                    match fs.iter().find(|f| *f.name == **key) {
                        Some(f) if !x.is_none() && worth_visiting(f) => {
                            let at = path.len();
                            path.push('.');
                            path.push_str(&f.name);
                            self.keys(f, x, |n| o.get(n), path, loc, bad);
                            self.field(f, x, path, loc, bad);
                            path.truncate(at);
                        }
                        Some(_) => {}
                        None if !self.open => {
                            let seen = self.fields.entry((self.kind, format!("{path}.{key}"))).or_default();
                            if seen.count == 0 {
                                seen.near = near_field(key, fs, alone, |s| {
                                    fs.get(s).is_some_and(|f| o.get(&f.name).is_none_or(Value::is_none))
                                });
                            }
                            seen.add(loc);
                        }
                        None => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The declared field an undeclared one most likely stands for: a near spelling, or else, when
/// it is the only undeclared field of its record or table (`alone`), the only required field
/// left empty (`approver` for `by`). With several undeclared fields (`role` and `mobile`) the
/// empty field is no one's in particular: naming it for each would be a wrong did-you-mean.
pub(super) fn near_field(
    name: &str,
    fields: &[FieldType],
    alone: bool,
    empty: impl Fn(usize) -> bool,
) -> Option<String> {
    if let Some(s) = crate::base::diag::suggest(name, fields.iter().map(|f| f.name.as_str())) {
        return Some(s);
    }
    let lower = name.to_lowercase();
    if let Some(f) = fields.iter().find(|f| f.name.to_lowercase() == lower) {
        return Some(f.name.clone());
    }
    if !alone {
        return None;
    }
    let mut missing = fields.iter().enumerate().filter(|(s, f)| !f.optional && empty(*s));
    match (missing.next(), missing.next()) {
        (Some((_, f)), None) => Some(f.name.clone()),
        _ => None,
    }
}

/// A did-you-mean among a vocabulary's words. Words are short, so besides a near spelling a
/// word is offered that contains the value or is contained in it (`调查与处理` for
/// `投诉调查与处理`), or that starts the same and differs in at most half (`重大变更` for
/// `重大改革`) — but not a word that merely ends the same (`研发工程师` is no `售前工程师`).
fn near_word<'a>(word: &str, words: &'a [String]) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for w in words {
        let d = strsim::levenshtein(word, w);
        let len = word.chars().count().max(w.chars().count());
        let prefix = word.chars().zip(w.chars()).take_while(|(a, b)| a == b).count();
        let near = d <= (len / 3).max(1)
            || (word.chars().count() >= 2 && (w.contains(word) || word.contains(w.as_str())))
            || (prefix >= 2 && d <= len / 2);
        if near && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, w));
        }
    }
    best.map(|(_, w)| w)
}

/// `（共 3 条记录：a.toml:2、…）`.
fn places(seen: &Seen, sources: &SourceMap) -> (String, String) {
    let at: Vec<String> = seen.at.iter().map(|l| sources.describe(*l)).collect();
    let more = if seen.count > at.len() { "…" } else { "" };
    (
        format!("（共 {} 条记录：{}{more}）", seen.count, at.join("、")),
        format!(" ({} record(s): {}{more})", seen.count, at.join(", ")),
    )
}

fn vocab_issue(schema: &Schema, ks: &KindSchema, path: &str, word: &str, seen: &Seen, sources: &SourceMap) -> Issue {
    let key = match &seen.keys {
        Some(k) => k.as_str(),
        None => field_at(&ks.fields, path).and_then(FieldType::vocab_key).unwrap_or_default(),
    };
    let words: &[String] = schema.vocab.get(key).map_or(&[], |w| w);
    let shown: Vec<&str> = words.iter().take(WORDS_SHOWN).map(String::as_str).collect();
    let etc = if words.len() > shown.len() { "…" } else { "" };
    let near = near_word(word, words);
    let (near_zh, near_en) = match near {
        Some(w) => (format!("是否应为 `{w}`？"), format!("did you mean `{w}`? ")),
        None => (String::new(), String::new()),
    };
    // A vocabulary of a kind's own declarations can grow: say how.
    let (how_zh, how_en) = if key.contains('.') {
        (String::new(), String::new())
    } else {
        (
            format!("；如确为新的 {key}，在制度包中声明（`{key} {word} {{ … }}`）"),
            format!("; if it is a new {key}, declare it in the policy pack (`{key} {word} {{ … }}`)"),
        )
    };
    let (at_zh, at_en) = places(seen, sources);
    let first = seen.at.first().copied().unwrap_or_default();
    let (holds_zh, holds_en) = match seen.keys {
        Some(_) => ("的键", "has the key"),
        None => ("取值", "holds"),
    };
    let msg = Text::new(
        format!(
            "{} 的字段 `{path}` {holds_zh} `{word}` 不是制度声明的 {key}：{near_zh}可用取值：{}{etc}{how_zh}{at_zh}；引用该字段的规则对这些记录不作评估",
            ks.name,
            shown.join("、")
        ),
        format!(
            "field `{path}` of {} {holds_en} `{word}`, which is no {key} the policy declares: {near_en}the words are: {}{etc}{how_en}{at_en}; rules reading the field are not evaluated for these records",
            ks.name,
            shown.join(", ")
        ),
    );
    Issue::new("DATA-VOCAB", None, msg, location(sources, first, None, Some(path)))
        .keyed(format!("{}/{path}/{word}", ks.name))
        .fixed(near.map(|w| (word.to_string(), w.to_string())))
}

fn field_issue(ks: &KindSchema, path: &str, seen: &Seen, sources: &SourceMap) -> Issue {
    let (near_zh, near_en) = match &seen.near {
        Some(n) => (format!("是否应为 `{n}`？"), format!("did you mean `{n}`? ")),
        None => {
            let declared = match path.rsplit_once('.') {
                Some((parent, _)) => match field_at(&ks.fields, parent).map(|f| &f.ty) {
                    Some(t) => {
                        object_fields(t).map(|fs| fs.iter().map(|f| f.name.as_str()).collect()).unwrap_or_default()
                    }
                    None => Vec::new(),
                },
                None => ks.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            };
            (
                format!("已声明的字段：{}。", declared.join("、")),
                format!("the declared fields are: {}. ", declared.join(", ")),
            )
        }
    };
    let (at_zh, at_en) = places(seen, sources);
    let first = seen.at.first().copied().unwrap_or_default();
    let msg = Text::new(
        format!("{} 记录含未声明的字段 `{path}`，其值不被任何规则读取：{near_zh}见 docs/data.md{at_zh}", ks.name),
        format!(
            "{} records hold the undeclared field `{path}`, which no rule reads: {near_en}see docs/data.md{at_en}",
            ks.name
        ),
    );
    let written = path.rsplit('.').next().unwrap_or(path);
    Issue::new("DATA-FIELD", None, msg, location(sources, first, None, Some(path)))
        .keyed(format!("{}/{path}", ks.name))
        .fixed(seen.near.clone().map(|n| (written.to_string(), n)))
}

/// The field a dotted path names (`approvals.role`).
fn field_at<'a>(fields: &'a [FieldType], path: &str) -> Option<&'a FieldType> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let f = fields.iter().find(|f| f.name == head)?;
    match rest {
        None => Some(f),
        Some(r) => field_at(object_fields(&f.ty)?, r),
    }
}

fn object_fields(t: &Type) -> Option<&[FieldType]> {
    match t {
        Type::List(inner) => object_fields(inner),
        Type::Object(fs) => Some(fs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, optional: bool) -> FieldType {
        FieldType { optional, ..FieldType::new(name, Type::Str) }
    }

    #[test]
    fn near_words_are_offered_and_far_ones_are_not() {
        let tiers: Vec<String> = ["日常优化", "重大改革", "复杂项目"].map(String::from).to_vec();
        assert_eq!(near_word("重大变更", &tiers), Some("重大改革"));
        let steps: Vec<String> = ["投诉受理", "投诉调查与处理", "投诉跟踪与反馈"].map(String::from).to_vec();
        assert_eq!(near_word("调查与处理", &steps), Some("投诉调查与处理"));
        let roles: Vec<String> = ["售前工程师", "运营专员"].map(String::from).to_vec();
        assert_eq!(near_word("研发工程师", &roles), None);
        assert_eq!(near_word("运营专家", &roles), Some("运营专员"));
    }

    #[test]
    fn an_undeclared_field_stands_for_a_near_one_or_the_only_required_one_left_empty() {
        let fields = [field("golive", true), field("by", false), field("date", false)];
        assert_eq!(near_field("go_live", &fields, true, |_| true).as_deref(), Some("golive"));
        assert_eq!(near_field("go_live", &fields, false, |_| true).as_deref(), Some("golive"));
        // `approver` is spelt like nothing declared, but `by` is the only required field left empty.
        assert_eq!(near_field("approver", &fields, true, |s| s == 1).as_deref(), Some("by"));
        assert_eq!(near_field("approver", &fields, true, |_| true), None);
        // Beside another undeclared field (`mobile` beside `role`), the empty field is no one's.
        assert_eq!(near_field("mobile", &fields, false, |s| s == 1), None);
    }
}
