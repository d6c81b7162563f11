//! Declarations: checked against the declaration table, values converted, references resolved.

use super::*;

impl Resolver {
    pub(super) fn collect_names(&mut self, decls: &[&ast::Decl]) {
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

    pub(super) fn build_decls(&mut self, decls: &[&ast::Decl]) -> Store {
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
                    Value::Target(Arc::new(crate::base::value::Target { op: *op, value: v }))
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

    pub(super) fn check_pending(&mut self) {
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
}

/// Field types of a declaration kind: `name`, the common attributes, its own attributes and
/// one list per nested kind.
pub fn decl_fields(spec: &DeclSpec) -> Vec<FieldType> {
    let mut out = vec![FieldType { name: "name".into(), ty: Type::Str, optional: false, doc: None, secret: false }];
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
        out.push(FieldType { name: a.name.into(), ty, optional: !a.required, doc: None, secret: false });
    }
    for s in spec.subs {
        out.push(FieldType {
            name: s.kind.into(),
            ty: Type::List(Box::new(Type::Object(decl_fields(s).into()))),
            optional: true,
            doc: Some(s.about.into()),
            secret: false,
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
                    secret: false,
                },
                FieldType {
                    name: "roles".into(),
                    ty: Type::List(Box::new(Type::Name("role".into()))),
                    optional: false,
                    doc: None,
                    secret: false,
                },
            ]
            .into(),
        ),
        AttrType::Pairs(inner) => Type::List(Box::new(Type::Object(
            vec![
                FieldType { name: "name".into(), ty: Type::Str, optional: false, doc: None, secret: false },
                FieldType { name: "value".into(), ty: attr_type(*inner), optional: false, doc: None, secret: false },
            ]
            .into(),
        ))),
        AttrType::Expr => Type::Any,
        AttrType::DeclRef => Type::List(Box::new(Type::Str)),
    }
}
