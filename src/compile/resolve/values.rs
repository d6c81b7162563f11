//! Attribute values of declarations: each value converted to a constant of the type the
//! declaration table gives the attribute (strings, numbers, dates, durations, targets, names of
//! declarations, record kinds, requirements, `key value` blocks, constant expressions).

use super::*;

impl Resolver {
    /// A `key value` block (`weights { 上级评价 40% }`): a list of `{name, value}` objects.
    pub(super) fn pairs(&mut self, aspec: &AttrSpec, inner: &'static AttrType, block: &ast::Decl) -> Value {
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
                    items.push(Value::Object(Object::new(fields)));
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

    /// The value of one attribute entry: one value, or a list for list attributes.
    pub(super) fn attr_value(&mut self, aspec: &'static AttrSpec, a: &ast::Attr) -> Value {
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

    /// Reports a value of the wrong type; the value becomes `none`.
    fn bad(&mut self, attr: &str, e: &ast::Expr, expected: &str, help: Option<String>) -> Value {
        self.bad_at(attr, e.loc, expected, help)
    }

    /// Reports a value of the wrong type at `loc`; the value becomes `none`.
    fn bad_at(&mut self, attr: &str, loc: Loc, expected: &str, help: Option<String>) -> Value {
        let err = PolicyError::new(K::BadValue { attr: attr.into(), expected: expected.into() }, loc)
            .label("this value")
            .maybe_help(help);
        self.error(err);
        Value::None
    }

    /// A word that must be one of `words` (did you mean the closest one?).
    pub(super) fn one_of(&mut self, attr: &str, loc: Loc, word: Option<String>, words: &[&str]) -> Value {
        match word {
            Some(n) if words.contains(&n.as_str()) => Value::str(&n),
            _ => {
                let shown = match &word {
                    Some(w) => suggest(w, words.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                    None => None,
                };
                let shown = shown.or_else(|| Some(format!("allowed: {}", words.join(", "))));
                self.bad_at(attr, loc, &format!("one of {}", words.join(", ")), shown)
            }
        }
    }

    /// A constant attribute value of the expected type.
    fn const_value(&mut self, attr: &str, e: &ast::Expr, ty: AttrType) -> Value {
        let lit = match &e.kind {
            ExprKind::Lit(l) => Some(l),
            _ => None,
        };
        let word = word_of(e);
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
            AttrType::Enum(words) => self.one_of(attr, e.loc, word, words),
            AttrType::OneOf(set) => match self.words.get(set) {
                Some(declared) => {
                    let declared = declared.clone();
                    self.one_of(attr, e.loc, word, &declared.iter().map(String::as_str).collect::<Vec<_>>())
                }
                None => self.bad(
                    attr,
                    e,
                    &format!("a word of `enum {set}`"),
                    Some(format!("declare the words it may take with `enum {set} {{ values … }}`")),
                ),
            },
            AttrType::Requirement => self.requirement(attr, e),
            AttrType::Pairs(_) => {
                self.bad(attr, e, "a block of `key value` pairs", Some(format!("write `{attr} {{ 名称 40% … }}`")))
            }
            AttrType::Expr => self.constant_expr(attr, e),
            AttrType::DeclRef => self.decl_ref(attr, e),
        }
    }

    /// `all(role, …)`, `any(role, …)`, `seq(role, …)` or one role: `{mode, roles}`.
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
        Value::Object(Object::new(fields))
    }

    /// `kind` or `kind(name, …)`: `[kind, none]` or `[kind, name, …]`.
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

    /// An expression of the rule language that must be a constant (a `param` value).
    fn constant_expr(&mut self, attr: &str, e: &ast::Expr) -> Value {
        let empty = HashMap::new();
        let schema = Schema::default();
        let names = Names { schema: &schema, declared: &empty, params: &[], patterns: &[], histories: &[] };
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
}

/// A value written as a word: a name, or a string for words that are not identifiers.
pub(super) fn word_of(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Lit(Literal::Str(s)) => Some(unescape_template(s)),
        _ => None,
    }
}
