//! AST → [`Policy`]: declarations checked against the language's declaration table, the record
//! schema built, references between declarations resolved, rules compiled and type-checked.
//! Every problem found is reported; the policy is returned only when there are no errors.
//!
//! The stages live in `schema.rs` (record kinds and the declaration kinds as typed kinds),
//! `decls.rs` (declarations), `values.rs` (their attribute values), `rules.rs` (rules and their
//! checks) and `messages.rs` (message templates).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::error::{PolicyError, PolicyErrorKind as K};
use super::load::Loaded;
use super::spec::{self, AttrSpec, AttrType, COMMON, Card, DECLS, DeclSpec, RULE_ATTRS};
use crate::base::diag::{Diagnostics, suggest};
use crate::base::source::{Loc, SourceMap};
use crate::base::store::{Record, Store};
use crate::base::value::{KindId, Object, Str, Value};
use crate::compile::typecheck::{Compiler, Names};
use crate::policy::ir::Ir;
use crate::policy::ir::VarInfo;
use crate::policy::types::{FieldType, KeyVocab, Type};
use crate::policy::{Check, KindOrigin, KindSchema, Meta, Param, Part, Policy, Rule, Schema, Scope, Where};
use crate::syntax::ast::{self, Entry, ExprKind, Item, Literal, Severity};

/// Resolves a loaded pack. On success also returns warnings.
pub fn resolve(loaded: Loaded) -> Result<(Policy, Diagnostics), (SourceMap, Diagnostics)> {
    let Loaded { sources, files, layer } = loaded;
    let mut r = Resolver {
        errors: Vec::new(),
        schema: Schema::default(),
        declared: HashMap::new(),
        pending: Vec::new(),
        words: Words::new(),
    };

    let applied = overlay::apply(&files, &layer, &sources, &mut r.errors);
    let records = applied.records;
    let rules = applied.rules;
    let decls: Vec<&ast::Decl> = applied.decls.iter().collect();

    r.collect_words(&decls);
    r.build_schema(&records);
    r.collect_names(&decls);
    let store = r.build_decls(&decls);
    let mut histories = r.histories(&decls);
    history::fill_bases(&mut histories, &store);
    r.fill_vocab(&store, &records);
    let entry = files.iter().zip(&layer).filter(|(_, l)| Some(*l) == layer.last()).map(|((id, _), _)| *id).next();
    let meta = r.meta(&decls, &store, entry.map(|id| Loc::new(id, 0, 0)).unwrap_or_default());
    let params = r.params(&decls, &store);
    let patterns = r.patterns(&decls);
    r.check_pending();

    let mut text_warnings = Vec::new();
    texts::check(&files, &r.schema, &store, &sources, &mut r.errors, &mut text_warnings);

    let declared = std::mem::take(&mut r.declared);
    let names =
        Names { schema: &r.schema, declared: &declared, params: &params, patterns: &patterns, histories: &histories };
    let mut index_keys = BTreeSet::new();
    let mut compiled = Vec::new();
    let mut errors = std::mem::take(&mut r.errors);
    let mut seen: HashMap<String, (Loc, Option<jiff::civil::Date>)> = HashMap::new();
    let mut warnings = text_warnings;
    for rd in rules {
        let mut rule = compile_rule(rd, &names, &mut errors, &mut index_keys);
        rule.disabled = applied.disabled.get(&rule.id).cloned();
        match seen.get(&rule.id) {
            Some((first, eff)) if *eff == rule.effective || eff.is_none() || rule.effective.is_none() => {
                errors.push(
                    PolicyError::new(K::DuplicateRule { id: rule.id.clone(), first: *first }, rd.id.loc)
                        .label("declared again")
                        .help("give each version of a rule a different `effective` date, or rename one"),
                );
            }
            _ => {
                seen.insert(rule.id.clone(), (rd.id.loc, rule.effective));
            }
        }
        if rule.checks.is_empty() && rule.documents.is_empty() {
            warnings.push(
                PolicyError::new(K::UnreachableRule { id: rule.id.clone() }, rd.id.loc)
                    .label("never checked or printed")
                    .help("add a `check` or a `documents` list"),
            );
        }
        compiled.push(rule);
    }

    let mut diags = Diagnostics::default();
    if !errors.is_empty() {
        for e in errors {
            diags.push(e, &sources);
        }
        for w in warnings {
            diags.push(w, &sources);
        }
        diags.sort();
        return Err((sources, diags));
    }
    for w in warnings {
        diags.push(w, &sources);
    }
    let Some(meta) = meta else {
        return Err((sources, diags));
    };
    let raw_texts = match histories.is_empty() {
        true => Vec::new(),
        false => compiled.iter().map(|r| [r.text.clone(), r.explain.clone(), r.chosen.clone()]).collect(),
    };
    for rule in &mut compiled {
        for c in &mut rule.checks {
            c.text = sources.slice(c.loc).to_string();
        }
        // Every output (SARIF help, reports, `explain`) prints a rule's text with its references
        // filled in; the lint of literal values read the texts as written, above.
        for t in [&mut rule.text, &mut rule.explain, &mut rule.chosen].into_iter().flatten() {
            *t = crate::compile::textref::resolve(&r.schema, &store, t);
        }
    }
    let policy = Policy {
        sources,
        meta,
        schema: r.schema,
        decls: store,
        histories,
        rules: compiled,
        params,
        patterns,
        index_keys: index_keys.into_iter().collect(),
        deviations: applied.deviations,
        raw_texts,
    };
    Ok((policy, diags))
}

struct Resolver {
    errors: Vec<PolicyError>,
    schema: Schema,
    declared: HashMap<String, Vec<&'static str>>,
    /// Names referenced by declarations, checked once all are known: (kind, name, loc).
    pending: Vec<(&'static str, String, Loc)>,
    /// The words of the pack's `enum` declarations.
    words: Words,
}

/// The words of each `enum` declaration of a pack, by the enum's name, in the order written.
pub type Words = HashMap<String, Vec<String>>;

const BASIC_TYPES: &[&str] =
    &["string", "int", "number", "bool", "date", "datetime", "percent", "duration", "target", "any"];

impl Resolver {
    fn error(&mut self, e: PolicyError) {
        self.errors.push(e);
    }
}

impl Resolver {
    fn meta(&mut self, decls: &[&ast::Decl], store: &Store, entry: Loc) -> Option<Meta> {
        let k = self.schema.decl_kind("policy")?;
        let data = store.kind(k);
        let Some(rec) = data.get(0) else {
            self.error(
                PolicyError::new(K::MissingPolicy, entry)
                    .help("add `policy 名称 { version \"2026.1\"; effective 2026-01-01 }` to main.zd"),
            );
            return None;
        };
        if data.len() > 1
            && let Some(second) = decls.iter().filter(|d| d.kind.name == "policy").nth(1)
        {
            self.error(
                PolicyError::new(
                    K::DuplicateDeclaration { kind: "policy".into(), name: "policy".into(), first: rec.loc },
                    second.kind.loc,
                )
                .help("a pack has exactly one `policy` declaration"),
            );
        }
        let ks = self.schema.kind(k);
        let get = |f: &str| ks.slot(f).and_then(|s| rec.fields.get(s)).cloned().unwrap_or_default();
        Some(Meta {
            name: rec.id_str().unwrap_or("").to_string(),
            title: get("title").as_str().map(str::to_string),
            version: get("version").as_str().unwrap_or("").to_string(),
            effective: get("effective").as_date().unwrap_or(jiff::civil::date(1970, 1, 1)),
            issuer: get("issuer").as_str().map(str::to_string),
        })
    }

    fn params(&mut self, _decls: &[&ast::Decl], store: &Store) -> Vec<Param> {
        let Some(k) = self.schema.decl_kind("param") else { return Vec::new() };
        let slot = self.schema.kind(k).slot("value").unwrap_or(0);
        store
            .kind(k)
            .iter()
            .map(|r| {
                let value = r.fields.get(slot).cloned().unwrap_or_default();
                Param { name: r.id_str().unwrap_or("").to_string(), ty: type_of(&value), value, loc: r.loc }
            })
            .collect()
    }

    fn patterns(&mut self, decls: &[&ast::Decl]) -> Vec<(String, regex::Regex)> {
        let mut out = Vec::new();
        for d in decls.iter().filter(|d| d.kind.name == "pattern") {
            let Some(name) = &d.name else { continue };
            for e in &d.entries {
                if let Entry::Attr(a) = e {
                    if a.name.name != "regex" {
                        continue;
                    }
                    if let Some(ast::Expr { kind: ExprKind::Lit(Literal::Str(s)), loc }) = a.values.first() {
                        match regex::Regex::new(&unescape_template(s)) {
                            Ok(re) => out.push((name.name.clone(), re)),
                            Err(err) => self.error(
                                PolicyError::new(K::BadRegex { reason: err.to_string() }, *loc).label("invalid"),
                            ),
                        }
                    }
                }
            }
        }
        out
    }
}

fn int_of(e: &ast::Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Lit(Literal::Int(i)) => Some(*i),
        ExprKind::Unary(ast::UnOp::Neg, x) => int_of(x).map(|i| -i),
        _ => None,
    }
}

/// The static type of a constant.
pub fn type_of(v: &Value) -> Type {
    match v {
        Value::None => Type::None,
        Value::Bool(_) => Type::Bool,
        Value::Int(_) => Type::Int,
        Value::Num(_) => Type::Num,
        Value::Percent(_) => Type::Percent,
        Value::Str(_) => Type::Str,
        Value::Date(_) => Type::Date,
        Value::DateTime(..) => Type::DateTime,
        Value::Duration(_) => Type::Duration,
        Value::Target(_) => Type::Target,
        Value::List(l) => Type::List(Box::new(l.first().map_or(Type::Any, type_of))),
        Value::Object(_) | Value::Record(_) => Type::Any,
        Value::Window(_) => Type::Window,
    }
}

/// Turns the template escapes `\{` `\}` kept by the lexer back into braces.
pub fn unescape_template(s: &str) -> String {
    s.replace("\\{", "{").replace("\\}", "}")
}

mod decls;
mod history;
mod messages;
mod overlay;
mod rules;
use rules::compile_rule;
mod schema;
mod texts;
mod values;

pub use schema::decl_fields;
