//! AST → [`Policy`]: declarations checked against the language's declaration table, the record
//! schema built, references between declarations resolved, rules compiled and type-checked.
//! Every problem found is reported; the policy is returned only when there are no errors.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::error::{PolicyError, PolicyErrorKind as K};
use super::load::Loaded;
use super::spec::{self, AttrSpec, AttrType, COMMON, Card, DECLS, DeclSpec, RULE_ATTRS};
use super::types::{FieldType, Type};
use super::{Check, KindOrigin, KindSchema, Meta, Param, Part, Policy, Rule, Schema, Scope, Where};
use crate::diag::{Diagnostics, suggest};
use crate::eval::compile::{Compiler, Names, VarInfo};
use crate::eval::ir::Ir;
use crate::eval::store::{Record, Store};
use crate::eval::value::{KindId, Object, Str, Value};
use crate::source::{Loc, SourceMap};
use crate::syntax::ast::{self, Entry, ExprKind, Item, Literal, Severity};

/// Resolves a loaded pack. On success also returns warnings.
pub fn resolve(loaded: Loaded) -> Result<(Policy, Diagnostics), (SourceMap, Diagnostics)> {
    let Loaded { sources, files } = loaded;
    let mut r =
        Resolver { errors: Vec::new(), schema: Schema::default(), declared: HashMap::new(), pending: Vec::new() };

    let mut records = Vec::new();
    let mut decls = Vec::new();
    let mut rules = Vec::new();
    for (_, f) in &files {
        for item in &f.items {
            match item {
                Item::Record(rd) => records.push(rd),
                Item::Decl(d) => decls.push(d),
                Item::Rule(rl) => rules.push(rl),
                Item::Include(_) => {}
            }
        }
    }

    r.build_schema(&records);
    r.collect_names(&decls);
    let store = r.build_decls(&decls);
    let meta = r.meta(&decls, &store, files.first().map(|(id, _)| Loc::new(*id, 0, 0)).unwrap_or_default());
    let params = r.params(&decls, &store);
    let patterns = r.patterns(&decls);
    r.check_pending();

    let declared = std::mem::take(&mut r.declared);
    let names = Names { schema: &r.schema, declared: &declared, params: &params, patterns: &patterns };
    let mut index_keys = BTreeSet::new();
    let mut compiled = Vec::new();
    let mut errors = std::mem::take(&mut r.errors);
    let mut seen: HashMap<String, (Loc, Option<jiff::civil::Date>)> = HashMap::new();
    let mut warnings = Vec::new();
    for rd in rules {
        let rule = compile_rule(rd, &names, &mut errors, &mut index_keys);
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
    for rule in &mut compiled {
        for c in &mut rule.checks {
            c.text = sources.slice(c.loc).to_string();
        }
    }
    let policy = Policy {
        sources,
        meta,
        schema: r.schema,
        decls: store,
        rules: compiled,
        params,
        patterns,
        index_keys: index_keys.into_iter().collect(),
    };
    Ok((policy, diags))
}

struct Resolver {
    errors: Vec<PolicyError>,
    schema: Schema,
    declared: HashMap<String, Vec<&'static str>>,
    /// Names referenced by declarations, checked once all are known: (kind, name, loc).
    pending: Vec<(&'static str, String, Loc)>,
}

const BASIC_TYPES: &[&str] =
    &["string", "int", "number", "bool", "date", "datetime", "percent", "duration", "target", "any"];

impl Resolver {
    fn error(&mut self, e: PolicyError) {
        self.errors.push(e);
    }

    // ------------------------------------------------------------------ schema

    fn build_schema(&mut self, records: &[&ast::RecordDecl]) {
        let mut first: HashMap<&str, Loc> = HashMap::new();
        for rd in records {
            if let Some(prev) = first.get(rd.kind.name.as_str()) {
                self.error(
                    PolicyError::new(
                        K::DuplicateDeclaration { kind: "record".into(), name: rd.kind.name.clone(), first: *prev },
                        rd.kind.loc,
                    )
                    .label("declared again"),
                );
                continue;
            }
            first.insert(&rd.kind.name, rd.kind.loc);
            self.schema.add(KindSchema {
                name: rd.kind.name.clone(),
                title: rd.title.clone(),
                aliases: rd.aliases.iter().map(|a| a.name.clone()).collect(),
                origin: KindOrigin::Record,
                fields: Vec::new(),
                index: Default::default(),
                has_id: false,
                loc: rd.kind.loc,
            });
        }
        for spec in DECLS {
            let fields = decl_fields(spec);
            let index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
            self.schema.add(KindSchema {
                name: format!("policy.{}", spec.kind),
                title: Some(spec.about.to_string()),
                aliases: Vec::new(),
                origin: KindOrigin::Decl,
                fields,
                index,
                has_id: true,
                loc: Loc::default(),
            });
        }
        for rd in records {
            let Some(k) = self.schema.id(&rd.kind.name) else { continue };
            if self.schema.kind(k).loc != rd.kind.loc {
                continue;
            }
            let fields = self.fields(&rd.fields);
            let ks = &mut self.schema.kinds[k.0 as usize];
            ks.index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
            ks.has_id = ks.index.contains_key("id");
            ks.fields = fields;
        }
    }

    fn fields(&mut self, decls: &[ast::FieldDecl]) -> Vec<FieldType> {
        let mut out: Vec<FieldType> = Vec::new();
        for f in decls {
            if out.iter().any(|x| x.name == f.name.name) {
                self.error(
                    PolicyError::new(K::DuplicateField { field: f.name.name.clone() }, f.name.loc)
                        .label("declared again"),
                );
                continue;
            }
            let ty = self.type_expr(&f.ty);
            out.push(FieldType { name: f.name.name.clone(), ty, optional: f.optional, doc: f.doc.clone() });
        }
        out
    }

    fn type_expr(&mut self, t: &ast::TypeExpr) -> Type {
        match t {
            ast::TypeExpr::Named(n) => match n.name.as_str() {
                "string" => Type::Str,
                "int" => Type::Int,
                "number" => Type::Num,
                "bool" => Type::Bool,
                "date" => Type::Date,
                "datetime" => Type::DateTime,
                "percent" => Type::Percent,
                "duration" => Type::Duration,
                "target" => Type::Target,
                "any" => Type::Any,
                other if spec::decl_spec(other).is_some() => Type::Name(other.to_string()),
                other => {
                    let cands = BASIC_TYPES.iter().copied().chain(DECLS.iter().map(|d| d.kind));
                    let help = suggest(other, cands).map(|s| format!("did you mean `{s}`?")).unwrap_or_else(|| {
                        "types are string, int, number, bool, date, datetime, percent, duration, target, any, `ref KIND`, \
                         a declaration kind, `enum(…)`, `[T]` or `{ … }`"
                            .into()
                    });
                    self.error(
                        PolicyError::new(K::UnknownType { name: other.into() }, n.loc).label("unknown type").help(help),
                    );
                    Type::Any
                }
            },
            ast::TypeExpr::List(inner, _) => Type::List(Box::new(self.type_expr(inner))),
            ast::TypeExpr::Ref(k) => match self.schema.id(&k.name) {
                Some(id) if self.schema.kind(id).origin == KindOrigin::Record => Type::Ref(id),
                _ => {
                    let help = suggest(&k.name, self.schema.record_kinds().map(|(_, s)| s.name.as_str()))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "`ref` names a record kind declared with `record`".into());
                    self.error(
                        PolicyError::new(K::UnknownRecordKind { kind: k.name.clone() }, k.loc)
                            .label("no such record kind")
                            .help(help),
                    );
                    Type::Any
                }
            },
            ast::TypeExpr::Enum(items, _) => {
                Type::Enum(items.iter().map(|i| i.name.clone()).collect::<Vec<_>>().into())
            }
            ast::TypeExpr::Object(fields, _) => Type::Object(self.fields(fields).into()),
        }
    }

    // ------------------------------------------------------------------ declarations

    fn collect_names(&mut self, decls: &[&ast::Decl]) {
        let mut first: HashMap<(&str, &str), Loc> = HashMap::new();
        for d in decls {
            let Some(spec) = spec::decl_spec(&d.kind.name) else { continue };
            let Some(name) = &d.name else { continue };
            if let Some(prev) = first.get(&(spec.kind, name.name.as_str())) {
                self.error(
                    PolicyError::new(
                        K::DuplicateDeclaration { kind: spec.kind.into(), name: name.name.clone(), first: *prev },
                        name.loc,
                    )
                    .label("declared again")
                    .help("each declaration of a kind needs its own name"),
                );
                continue;
            }
            first.insert((spec.kind, &name.name), name.loc);
            let kinds = self.declared.entry(name.name.clone()).or_default();
            if !kinds.contains(&spec.kind) {
                kinds.push(spec.kind);
            }
        }
    }

    fn build_decls(&mut self, decls: &[&ast::Decl]) -> Store {
        let mut store = Store::with_kinds(self.schema.kinds.len());
        let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
        for d in decls {
            let Some(spec) = spec::decl_spec(&d.kind.name) else {
                let mut kinds: Vec<&str> = DECLS.iter().map(|s| s.kind).collect();
                kinds.extend(["rule", "record", "include"]);
                let help = suggest(&d.kind.name, kinds.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        format!("declaration kinds: {}", DECLS.iter().map(|s| s.kind).collect::<Vec<_>>().join(", "))
                    });
                self.error(
                    PolicyError::new(K::UnknownKind { kind: d.kind.name.clone() }, d.kind.loc)
                        .label("unknown")
                        .help(help),
                );
                continue;
            };
            let Some(name) = &d.name else {
                self.error(
                    PolicyError::new(K::MissingName { kind: spec.kind.into() }, d.kind.loc)
                        .label("needs a name")
                        .help(format!("write `{} 名称 {{ … }}`", spec.kind)),
                );
                continue;
            };
            if !seen.insert((spec.kind, &name.name)) {
                continue;
            }
            let Some(kind) = self.schema.decl_kind(spec.kind) else { continue };
            let fields = self.decl_object(spec, d, &name.name);
            let loc = d.kind.loc.to(name.loc);
            let order: Vec<Value> = {
                let ks = self.schema.kind(kind);
                ks.fields.iter().map(|f| fields.get(&f.name).cloned().unwrap_or_default()).collect()
            };
            store.kind_mut(kind).push(Record {
                id: Some(Str::from(name.name.as_str())),
                loc,
                fields: order.into(),
                extra: Vec::new(),
            });
        }
        store
    }

    /// The fields of one (sub-)declaration as a map from field name to value.
    fn decl_object(&mut self, spec: &'static DeclSpec, d: &ast::Decl, name: &str) -> HashMap<String, Value> {
        let mut out: HashMap<String, Value> = HashMap::new();
        out.insert("name".into(), Value::str(name));
        let mut given: HashMap<&str, Loc> = HashMap::new();
        let mut repeats: HashMap<&'static str, Vec<Value>> = HashMap::new();
        let mut subs: HashMap<&'static str, Vec<Value>> = HashMap::new();
        for entry in &d.entries {
            match entry {
                Entry::Attr(a) => {
                    let Some(aspec) = spec.attr(&a.name.name) else {
                        self.unknown_attr(spec.kind, spec.attr_names(), &a.name);
                        continue;
                    };
                    if matches!(aspec.card, Card::Repeat | Card::RepeatOne) {
                        let v = self.attr_value(aspec, a);
                        repeats.entry(aspec.name).or_default().push(v);
                        continue;
                    }
                    if let Some(prev) = given.insert(aspec.name, a.name.loc) {
                        let _ = prev;
                        self.error(
                            PolicyError::new(K::DuplicateAttribute { attr: aspec.name.into() }, a.name.loc)
                                .label("given again"),
                        );
                        continue;
                    }
                    let v = self.attr_value(aspec, a);
                    out.insert(aspec.name.into(), v);
                }
                Entry::Decl(sub) => {
                    if let Some(aspec) = spec.attr(&sub.kind.name)
                        && let AttrType::Pairs(inner) = aspec.ty
                    {
                        given.insert(aspec.name, sub.kind.loc);
                        let v = self.pairs(aspec, inner, sub);
                        out.insert(aspec.name.into(), v);
                        continue;
                    }
                    let Some(sspec) = spec.sub(&sub.kind.name) else {
                        let names: Vec<&str> = spec.attr_names().chain(spec.subs.iter().map(|s| s.kind)).collect();
                        self.unknown_attr(spec.kind, names.into_iter(), &sub.kind);
                        continue;
                    };
                    let Some(sname) = &sub.name else {
                        self.error(
                            PolicyError::new(K::MissingName { kind: sspec.kind.into() }, sub.kind.loc)
                                .label("needs a name")
                                .help(format!("write `{} 名称 {{ … }}`", sspec.kind)),
                        );
                        continue;
                    };
                    let fields = self.decl_object(sspec, sub, &sname.name);
                    let ordered: Vec<(Str, Value)> = decl_fields(sspec)
                        .into_iter()
                        .map(|f| {
                            let v = fields.get(&f.name).cloned().unwrap_or_default();
                            (Str::from(f.name.as_str()), v)
                        })
                        .collect();
                    subs.entry(sspec.kind).or_default().push(Value::Object(Arc::new(Object { fields: ordered })));
                }
            }
        }
        for (k, v) in repeats {
            out.insert(k.into(), Value::list(v));
        }
        for s in spec.subs {
            out.insert(s.kind.into(), Value::list(subs.remove(s.kind).unwrap_or_default()));
        }
        for a in spec.attrs.iter().chain(COMMON) {
            if a.required && !out.contains_key(a.name) {
                self.error(
                    PolicyError::new(K::MissingAttribute { kind: spec.kind.into(), attr: a.name.into() }, d.kind.loc)
                        .label("declared here")
                        .help(format!("add `{} …` to this {}", a.name, spec.kind)),
                );
            }
            if matches!(a.card, Card::List | Card::Repeat | Card::RepeatOne) && !out.contains_key(a.name) {
                out.insert(a.name.into(), Value::list(Vec::new()));
            }
        }
        out
    }

    fn unknown_attr<'s>(&mut self, kind: &str, names: impl Iterator<Item = &'s str>, attr: &ast::Ident) {
        let names: Vec<&str> = names.collect();
        let help = suggest(&attr.name, names.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("`{kind}` accepts: {}", names.join(", ")));
        self.error(
            PolicyError::new(K::UnknownAttribute { kind: kind.into(), attr: attr.name.clone() }, attr.loc)
                .label("unknown attribute")
                .help(help),
        );
    }

    fn pairs(&mut self, aspec: &AttrSpec, inner: &'static AttrType, block: &ast::Decl) -> Value {
        let mut items = Vec::new();
        for e in &block.entries {
            match e {
                Entry::Attr(a) => {
                    let value = match a.values.as_slice() {
                        [one] => self.const_value(aspec.name, one, *inner),
                        _ => {
                            self.error(PolicyError::new(
                                K::TooManyValues { attr: a.name.name.clone(), count: a.values.len() },
                                a.loc,
                            ));
                            Value::None
                        }
                    };
                    let fields = vec![(Str::from("name"), Value::str(&a.name.name)), (Str::from("value"), value)];
                    items.push(Value::Object(Arc::new(Object { fields })));
                }
                Entry::Decl(d) => self.error(
                    PolicyError::new(
                        K::BadValue { attr: aspec.name.into(), expected: "`key value` pairs".into() },
                        d.loc,
                    )
                    .help(format!("write `{} {{ 名称 40% … }}`", aspec.name)),
                ),
            }
        }
        Value::list(items)
    }

    fn attr_value(&mut self, aspec: &'static AttrSpec, a: &ast::Attr) -> Value {
        match aspec.card {
            Card::One | Card::RepeatOne => {
                if a.values.len() != 1 {
                    self.error(
                        PolicyError::new(K::TooManyValues { attr: aspec.name.into(), count: a.values.len() }, a.loc)
                            .help("separate entries with a new line; commas make a list"),
                    );
                }
                match a.values.first() {
                    Some(v) => self.const_value(aspec.name, v, aspec.ty),
                    None => Value::None,
                }
            }
            Card::List | Card::Repeat => {
                let vals = a.values.iter().map(|v| self.const_value(aspec.name, v, aspec.ty)).collect();
                Value::list(vals)
            }
        }
    }

    fn bad(&mut self, attr: &str, e: &ast::Expr, expected: &str, help: Option<String>) -> Value {
        let err = PolicyError::new(K::BadValue { attr: attr.into(), expected: expected.into() }, e.loc)
            .label("this value")
            .maybe_help(help);
        self.error(err);
        Value::None
    }

    /// A constant attribute value of the expected type.
    fn const_value(&mut self, attr: &str, e: &ast::Expr, ty: AttrType) -> Value {
        let lit = match &e.kind {
            ExprKind::Lit(l) => Some(l),
            _ => None,
        };
        let word = match &e.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Lit(Literal::Str(s)) => Some(unescape_template(s)),
            _ => None,
        };
        match ty {
            AttrType::Str | AttrType::Text | AttrType::Label => match (&e.kind, lit) {
                (ExprKind::Name(n), _) => Value::str(n),
                (_, Some(Literal::Str(s))) => Value::str(&unescape_template(s)),
                (_, Some(Literal::Int(i))) if ty == AttrType::Label => Value::str(&i.to_string()),
                _ => self.bad(attr, e, "a string", Some("write text in quotes: \"…\"".into())),
            },
            AttrType::Int => match int_of(e) {
                Some(i) => Value::Int(i),
                None => self.bad(attr, e, "a whole number", Some(format!("write e.g. `{attr} 1`"))),
            },
            AttrType::Num => match (int_of(e), lit) {
                (Some(i), _) => Value::Int(i),
                (_, Some(Literal::Num(n))) => Value::Num(*n),
                _ => self.bad(attr, e, "a number", Some(format!("write e.g. `{attr} 60`"))),
            },
            AttrType::Percent => match lit {
                Some(Literal::Percent(p)) => Value::Percent(*p),
                _ => self.bad(
                    attr,
                    e,
                    "a percentage such as `20%`",
                    Some("percentages are written with `%`: `20%`".into()),
                ),
            },
            AttrType::Date => match lit {
                Some(Literal::Date(d)) => Value::Date(*d),
                _ => self.bad(attr, e, "a date such as `2026-01-01`", Some("dates are written YYYY-MM-DD".into())),
            },
            AttrType::Duration => match lit {
                Some(Literal::Duration(d)) => Value::Duration(*d),
                _ => self.bad(
                    attr,
                    e,
                    "a duration such as `4h`, `2 weeks` or `6 months`",
                    Some("durations are a number and a unit: min, h, days, weeks, months, years".into()),
                ),
            },
            AttrType::Bool => match lit {
                Some(Literal::Bool(b)) => Value::Bool(*b),
                _ => self.bad(attr, e, "`true` or `false`", Some(format!("write `{attr} true`"))),
            },
            AttrType::Target => match &e.kind {
                ExprKind::Target(op, x) => {
                    let v = match (&x.kind, int_of(x)) {
                        (_, Some(i)) => Value::Int(i),
                        (ExprKind::Lit(Literal::Num(n)), _) => Value::Num(*n),
                        (ExprKind::Lit(Literal::Percent(p)), _) => Value::Percent(*p),
                        (ExprKind::Lit(Literal::Duration(d)), _) => Value::Duration(*d),
                        _ => {
                            return self.bad(
                                attr,
                                e,
                                "a numeric target such as `>= 500` or `>= 3%`",
                                Some("the bound of a target is a number, percentage or duration".into()),
                            );
                        }
                    };
                    Value::Target(Arc::new(crate::eval::value::Target { op: *op, value: v }))
                }
                _ => self.bad(
                    attr,
                    e,
                    "a target such as `>= 500` or `>= 3%`",
                    Some("start with a comparison: `>= 2%`".into()),
                ),
            },
            AttrType::Name(kind) => match word {
                Some(n) => {
                    self.pending.push((kind, n.clone(), e.loc));
                    Value::str(&n)
                }
                None => self.bad(
                    attr,
                    e,
                    &format!("the name of a {kind}"),
                    Some(format!("write the name of a declared {kind}")),
                ),
            },
            AttrType::RecordKind => match word {
                Some(n) => {
                    let ok = self.schema.id(&n).is_some_and(|k| self.schema.kind(k).origin == KindOrigin::Record);
                    if !ok {
                        let help = suggest(&n, self.schema.record_kinds().map(|(_, s)| s.name.as_str()))
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| "record kinds are declared with `record`".into());
                        self.error(
                            PolicyError::new(K::UnknownRecordKind { kind: n.clone() }, e.loc)
                                .label("no such record kind")
                                .help(help),
                        );
                    }
                    Value::str(&n)
                }
                None => {
                    self.bad(attr, e, "a record kind", Some("write the name of a kind declared with `record`".into()))
                }
            },
            AttrType::Enum(words) => match word {
                Some(n) if words.contains(&n.as_str()) => Value::str(&n),
                _ => {
                    let shown = match &word {
                        Some(w) => suggest(w, words.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                        None => None,
                    };
                    let shown = shown.or_else(|| Some(format!("allowed: {}", words.join(", "))));
                    self.bad(attr, e, &format!("one of {}", words.join(", ")), shown)
                }
            },
            AttrType::Requirement => self.requirement(attr, e),
            AttrType::Pairs(_) => {
                self.bad(attr, e, "a block of `key value` pairs", Some(format!("write `{attr} {{ 名称 40% … }}`")))
            }
            AttrType::Expr => self.constant_expr(attr, e),
            AttrType::DeclRef => self.decl_ref(attr, e),
        }
    }

    fn requirement(&mut self, attr: &str, e: &ast::Expr) -> Value {
        let (mode, args): (&str, Vec<&ast::Expr>) = match &e.kind {
            ExprKind::Call(f, args) if ["all", "any", "seq"].contains(&f.name.as_str()) => {
                (f.name.as_str(), args.iter().collect())
            }
            ExprKind::Name(_) | ExprKind::Lit(Literal::Str(_)) => ("all", vec![e]),
            _ => {
                return self.bad(
                    attr,
                    e,
                    "`all(role, …)`, `any(role, …)`, `seq(role, …)` or one role",
                    Some("`all` = every role approves, `any` = one of them, `seq` = in this order".into()),
                );
            }
        };
        let mut roles = Vec::new();
        for a in args {
            roles.push(self.const_value(attr, a, AttrType::Name("role")));
        }
        let fields = vec![(Str::from("mode"), Value::str(mode)), (Str::from("roles"), Value::list(roles))];
        Value::Object(Arc::new(Object { fields }))
    }

    fn decl_ref(&mut self, attr: &str, e: &ast::Expr) -> Value {
        let (kind, names): (&ast::Ident, Vec<&ast::Expr>) = match &e.kind {
            ExprKind::Call(f, args) => (f, args.iter().collect()),
            ExprKind::Name(n) => (&ast::Ident { name: n.clone(), loc: e.loc }, Vec::new()),
            _ => {
                return self.bad(
                    attr,
                    e,
                    "`kind` or `kind(name, …)`",
                    Some("e.g. `documents approval(日常优化, 重大改革)`".into()),
                );
            }
        };
        let kind = kind.clone();
        let Some(spec) = spec::decl_spec(&kind.name) else {
            let help = suggest(&kind.name, DECLS.iter().map(|d| d.kind)).map(|s| format!("did you mean `{s}`?"));
            self.error(
                PolicyError::new(K::UnknownKind { kind: kind.name.clone() }, kind.loc)
                    .label("unknown")
                    .maybe_help(help),
            );
            return Value::None;
        };
        if names.is_empty() {
            return Value::list(vec![Value::str(spec.kind), Value::None]);
        }
        let mut out = vec![Value::str(spec.kind)];
        for n in names {
            out.push(self.const_value(attr, n, AttrType::Name(spec.kind)));
        }
        Value::list(out)
    }

    fn constant_expr(&mut self, attr: &str, e: &ast::Expr) -> Value {
        let empty = HashMap::new();
        let schema = Schema::default();
        let names = Names { schema: &schema, declared: &empty, params: &[], patterns: &[] };
        let mut c = Compiler::new(&names);
        let (ir, _) = c.expr(e);
        match ir {
            Ir::Const(v) if c.errors.is_empty() => v,
            _ => self.bad(
                attr,
                e,
                "a constant (number, percentage, duration, date, string, target or list)",
                Some("parameters hold fixed values, e.g. `value 2 days`".into()),
            ),
        }
    }

    fn check_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (kind, name, loc) in pending {
            let ok = self.declared.get(&name).is_some_and(|ks| ks.contains(&kind));
            if !ok {
                let cands: Vec<&str> =
                    self.declared.iter().filter(|(_, ks)| ks.contains(&kind)).map(|(n, _)| n.as_str()).collect();
                let help = suggest(&name, cands.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("declare it with `{kind} {name} {{ … }}`"));
                self.error(
                    PolicyError::new(K::UnknownReference { kind: kind.into(), name }, loc)
                        .label("not declared")
                        .help(help),
                );
            }
        }
    }

    fn meta(&mut self, decls: &[&ast::Decl], store: &Store, entry: Loc) -> Option<Meta> {
        let k = self.schema.decl_kind("policy")?;
        let data = store.kind(k);
        let Some(rec) = data.records.first() else {
            self.error(
                PolicyError::new(K::MissingPolicy, entry)
                    .help("add `policy 名称 { version \"2026.1\"; effective 2026-01-01 }` to main.zd"),
            );
            return None;
        };
        if data.records.len() > 1
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
            name: rec.id.as_deref().unwrap_or("").to_string(),
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
            .records
            .iter()
            .map(|r| {
                let value = r.fields.get(slot).cloned().unwrap_or_default();
                Param { name: r.id.as_deref().unwrap_or("").to_string(), ty: type_of(&value), value, loc: r.loc }
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

/// Field types of a declaration kind: `name`, the common attributes, its own attributes and
/// one list per nested kind.
pub fn decl_fields(spec: &DeclSpec) -> Vec<FieldType> {
    let mut out = vec![FieldType { name: "name".into(), ty: Type::Str, optional: false, doc: None }];
    for a in COMMON.iter().chain(spec.attrs.iter()) {
        if out.iter().any(|f| f.name == a.name) {
            continue;
        }
        let base = attr_type(a.ty);
        let ty = match a.card {
            Card::One => base,
            Card::List | Card::RepeatOne => Type::List(Box::new(base)),
            Card::Repeat => Type::List(Box::new(Type::List(Box::new(base)))),
        };
        out.push(FieldType { name: a.name.into(), ty, optional: !a.required, doc: None });
    }
    for s in spec.subs {
        out.push(FieldType {
            name: s.kind.into(),
            ty: Type::List(Box::new(Type::Object(decl_fields(s).into()))),
            optional: true,
            doc: Some(s.about.into()),
        });
    }
    out
}

fn attr_type(t: AttrType) -> Type {
    match t {
        AttrType::Str | AttrType::Text | AttrType::Label | AttrType::RecordKind => Type::Str,
        AttrType::Int => Type::Int,
        AttrType::Num => Type::Num,
        AttrType::Percent => Type::Percent,
        AttrType::Date => Type::Date,
        AttrType::Duration => Type::Duration,
        AttrType::Target => Type::Target,
        AttrType::Bool => Type::Bool,
        AttrType::Name(k) => Type::Name(k.into()),
        AttrType::Enum(w) => Type::Enum(w.iter().map(|s| s.to_string()).collect::<Vec<_>>().into()),
        AttrType::Requirement => Type::Object(
            vec![
                FieldType {
                    name: "mode".into(),
                    ty: Type::Enum(vec!["all".into(), "any".into(), "seq".into()].into()),
                    optional: false,
                    doc: None,
                },
                FieldType {
                    name: "roles".into(),
                    ty: Type::List(Box::new(Type::Name("role".into()))),
                    optional: false,
                    doc: None,
                },
            ]
            .into(),
        ),
        AttrType::Pairs(inner) => Type::List(Box::new(Type::Object(
            vec![
                FieldType { name: "name".into(), ty: Type::Str, optional: false, doc: None },
                FieldType { name: "value".into(), ty: attr_type(*inner), optional: false, doc: None },
            ]
            .into(),
        ))),
        AttrType::Expr => Type::Any,
        AttrType::DeclRef => Type::List(Box::new(Type::Str)),
    }
}

// ---------------------------------------------------------------------- rules

fn compile_rule(
    rd: &ast::RuleDecl,
    names: &Names,
    errors: &mut Vec<PolicyError>,
    index_keys: &mut BTreeSet<(KindId, usize)>,
) -> Rule {
    let mut attrs: HashMap<&str, &ast::Attr> = HashMap::new();
    let mut checks_ast = Vec::new();
    let mut documents = Vec::new();
    for e in &rd.entries {
        let a = match e {
            Entry::Attr(a) => a,
            Entry::Decl(d) => {
                errors.push(
                    PolicyError::new(
                        K::UnknownAttribute { kind: "rule".into(), attr: d.kind.name.clone() },
                        d.kind.loc,
                    )
                    .label("not a rule attribute")
                    .help(format!(
                        "rules accept: {}",
                        RULE_ATTRS.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
                    )),
                );
                continue;
            }
        };
        let Some(spec) = RULE_ATTRS.iter().find(|s| s.name == a.name.name) else {
            let help = suggest(&a.name.name, RULE_ATTRS.iter().map(|s| s.name))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    format!("rules accept: {}", RULE_ATTRS.iter().map(|a| a.name).collect::<Vec<_>>().join(", "))
                });
            errors.push(
                PolicyError::new(K::UnknownAttribute { kind: "rule".into(), attr: a.name.name.clone() }, a.name.loc)
                    .label("unknown attribute")
                    .help(help),
            );
            continue;
        };
        match spec.name {
            "check" => checks_ast.extend(a.values.iter()),
            "documents" => {
                for v in &a.values {
                    match &v.kind {
                        ExprKind::Name(k) => documents.push((k.clone(), None, v.loc)),
                        ExprKind::Call(k, args) => {
                            for arg in args {
                                let n = match &arg.kind {
                                    ExprKind::Name(n) => n.clone(),
                                    ExprKind::Lit(Literal::Str(s)) => s.clone(),
                                    _ => String::new(),
                                };
                                documents.push((k.name.clone(), Some(n), arg.loc));
                            }
                        }
                        _ => errors.push(
                            PolicyError::new(
                                K::BadValue {
                                    attr: "documents".into(), expected: "`kind` or `kind(name, …)`".into()
                                },
                                v.loc,
                            )
                            .help("e.g. `documents approval(日常优化, 重大改革), role`"),
                        ),
                    }
                }
            }
            _ => {
                if attrs.insert(spec.name, a).is_some() {
                    errors.push(
                        PolicyError::new(K::DuplicateAttribute { attr: spec.name.into() }, a.name.loc)
                            .label("given again"),
                    );
                }
            }
        }
    }
    let text_of = |name: &str, errors: &mut Vec<PolicyError>| -> Option<(String, Loc)> {
        let a = attrs.get(name)?;
        match a.values.first().map(|v| (&v.kind, v.loc)) {
            Some((ExprKind::Lit(Literal::Str(s)), loc)) => Some((s.clone(), loc)),
            Some((_, loc)) => {
                errors.push(
                    PolicyError::new(K::BadValue { attr: name.into(), expected: "a string".into() }, loc)
                        .label("this value"),
                );
                None
            }
            None => None,
        }
    };
    for req in RULE_ATTRS.iter().filter(|a| a.required) {
        if !attrs.contains_key(req.name) {
            errors.push(
                PolicyError::new(K::MissingAttribute { kind: "rule".into(), attr: req.name.into() }, rd.id.loc)
                    .label("this rule")
                    .help(format!("add `{} \"…\"`", req.name)),
            );
        }
    }
    // Declarations named by `documents` must exist.
    let mut docs = Vec::new();
    for (kind, name, loc) in documents {
        if spec::decl_spec(&kind).is_none() {
            let help = suggest(&kind, DECLS.iter().map(|d| d.kind)).map(|s| format!("did you mean `{s}`?"));
            errors.push(PolicyError::new(K::UnknownKind { kind: kind.clone() }, loc).label("unknown").maybe_help(help));
            continue;
        }
        if let Some(n) = &name
            && !names.declared.get(n).is_some_and(|ks| ks.contains(&kind.as_str()))
        {
            errors.push(
                PolicyError::new(K::UnknownReference { kind: kind.clone(), name: n.clone() }, loc)
                    .label("not declared")
                    .help(format!("declare it with `{kind} {n} {{ … }}`")),
            );
        }
        docs.push((kind, name));
    }
    let title = rd
        .title
        .as_ref()
        .map(|(t, _)| t.clone())
        .or_else(|| text_of("title", errors).map(|t| t.0))
        .unwrap_or_else(|| rd.id.name.clone());
    let source = text_of("source", errors).map(|t| t.0).unwrap_or_default();
    let text = text_of("text", errors).map(|t| unescape_template(&t.0));
    let quote = text_of("quote", errors).map(|t| unescape_template(&t.0));
    let message = text_of("message", errors);
    let message_en = text_of("message_en", errors);
    let level = text_of("level", errors);
    let advisory = match &level {
        Some((l, _)) if l == "advisory" => true,
        Some((l, loc)) if l != "mandatory" => {
            errors.push(
                PolicyError::new(
                    K::BadValue { attr: "level".into(), expected: "`advisory` or `mandatory`".into() },
                    *loc,
                )
                .label("this value"),
            );
            false
        }
        _ => false,
    };
    let effective = attrs.get("effective").and_then(|a| match a.values.first().map(|v| &v.kind) {
        Some(ExprKind::Lit(Literal::Date(d))) => Some(*d),
        _ => {
            errors.push(PolicyError::new(K::BadValue { attr: "effective".into(), expected: "a date".into() }, a.loc));
            None
        }
    });
    let level_word = attrs.get("level").and_then(|a| match a.values.first().map(|v| &v.kind) {
        Some(ExprKind::Name(n)) => Some(n.clone()),
        _ => None,
    });
    let advisory = advisory || level_word.as_deref() == Some("advisory");
    if let Some(w) = &level_word
        && w != "advisory"
        && w != "mandatory"
        && let Some(a) = attrs.get("level")
    {
        errors.push(PolicyError::new(
            K::BadValue { attr: "level".into(), expected: "`advisory` or `mandatory`".into() },
            a.loc,
        ));
    }

    let template = message.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc));
    let template_en = message_en.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc));
    let mut checks = Vec::new();
    let mut hole_errors: Vec<Vec<PolicyError>> = Vec::new();
    for e in &checks_ast {
        let mut c = Compiler::new(names);
        let ir = c.condition(e);
        errors.append(&mut c.errors);
        for k in &c.index_keys {
            index_keys.insert(*k);
        }
        let traced = if c.errors.is_empty() {
            let mut t = Compiler::new(names);
            t.trace = true;
            t.condition(e)
        } else {
            ir.clone()
        };
        let reads: Vec<KindId> = c.reads.iter().copied().collect();
        let scope = if reads.is_empty() { Scope::Policy } else { Scope::Org };
        let bound = c.bound.clone();
        let slots = c.slots();
        let mut errs = Vec::new();
        let mut total = slots;
        let message = compile_template(template.as_ref(), names, &bound, slots, &mut errs, &mut total);
        let message_en =
            template_en.as_ref().map(|t| compile_template(Some(t), names, &bound, slots, &mut errs, &mut total));
        hole_errors.push(errs);
        checks.push(Check {
            ir,
            traced,
            vars: bound,
            text: String::new(),
            scope,
            reads,
            slots: total.max(1),
            message,
            message_en,
            loc: e.loc,
        });
    }
    if checks_ast.is_empty() {
        let mut errs = Vec::new();
        compile_template(template.as_ref(), names, &[], 0, &mut errs, &mut 0);
        hole_errors.push(errs);
    }
    // A hole is wrong only if it fails against every check (checks may bind different names).
    if let Some(first) = hole_errors.first() {
        for (i, e) in first.iter().enumerate() {
            if hole_errors.iter().all(|errs| errs.get(i).is_some()) {
                errors.push(e.clone());
            }
        }
    }
    if let Some((Err(e), _)) = &template {
        errors.push((**e).clone());
    }
    let place = Where {
        policy: checks.iter().any(|c| c.scope == Scope::Policy),
        org: checks.iter().any(|c| c.scope == Scope::Org),
        doc: !docs.is_empty(),
    };
    Rule {
        id: rd.id.name.clone(),
        severity: rd.severity.map(|(s, _)| s).unwrap_or(Severity::Error),
        title,
        source,
        text,
        quote,
        message: message.map(|m| unescape_template(&m.0)).unwrap_or_default(),
        advisory,
        effective,
        documents: docs,
        checks,
        place,
        loc: rd.id.loc,
    }
}

/// Raw template pieces: literal text, or a hole's text with its byte offset in the file.
type RawTemplate = Result<Vec<(bool, String, usize)>, Box<PolicyError>>;

fn parse_template(s: &str, loc: Loc) -> RawTemplate {
    let mut out = Vec::new();
    let mut lit = String::new();
    let base = loc.start as usize + 1;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                if let Some((_, b)) = chars.next() {
                    lit.push(b);
                }
            }
            '{' => {
                if !lit.is_empty() {
                    out.push((false, std::mem::take(&mut lit), 0));
                }
                let start = i + 1;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    if d == '}' {
                        end = Some(j);
                        break;
                    }
                }
                match end {
                    Some(j) => out.push((true, s[start..j].to_string(), base + start)),
                    None => {
                        return Err(Box::new(
                            PolicyError::new(K::BadTemplate, Loc::new(loc.file, base + i, base + i + 1))
                                .label("opened here")
                                .help("close the hole with `}`, or write a literal brace as `\\{`"),
                        ));
                    }
                }
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push((false, lit, 0));
    }
    Ok(out)
}

fn compile_template(
    t: Option<&(RawTemplate, Loc)>,
    names: &Names,
    vars: &[VarInfo],
    slots: usize,
    errs: &mut Vec<PolicyError>,
    max_slots: &mut usize,
) -> Vec<Part> {
    let Some((Ok(pieces), loc)) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (hole, text, offset) in pieces {
        if !hole {
            out.push(Part::Lit(text.clone()));
            continue;
        }
        match crate::syntax::parse_expr(loc.file, *offset, text) {
            Ok(e) => {
                let mut c = Compiler::with_vars(names, vars, slots);
                let (ir, _) = c.expr(&e);
                *max_slots = (*max_slots).max(c.slots());
                match c.errors.into_iter().next() {
                    Some(err) => {
                        errs.push(err);
                        out.push(Part::Lit("-".into()));
                    }
                    None => out.push(Part::Hole(ir)),
                }
            }
            Err(e) => {
                errs.push(PolicyError::new(
                    K::Mismatch { detail: format!("invalid expression in message: {e}") },
                    e.loc(),
                ));
                out.push(Part::Lit("-".into()));
            }
        }
    }
    out
}

impl Policy {
    /// Variables and slot count are fixed per check; this renders a message hole list.
    pub fn render_message(&self, parts: &[Part], ctx: &crate::eval::interp::Ctx, env: &mut [Value]) -> String {
        let mut s = String::new();
        for p in parts {
            match p {
                Part::Lit(t) => s.push_str(t),
                Part::Hole(ir) => match ctx.eval(ir, env) {
                    Value::Record(r) => s.push_str(ctx.id_of(r).as_deref().unwrap_or("-")),
                    Value::List(l) => {
                        let items: Vec<String> = l
                            .iter()
                            .map(|v| match v {
                                Value::Record(r) => ctx.id_of(*r).map(|x| x.to_string()).unwrap_or_default(),
                                v => v.to_string(),
                            })
                            .collect();
                        s.push_str(&items.join("、"));
                    }
                    v => s.push_str(&v.to_string()),
                },
            }
        }
        s
    }
}
