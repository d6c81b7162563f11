//! Declarations: names collected, each declaration checked against the declaration table and
//! stored as a record (its attribute values are converted in `values.rs`), references between
//! declarations resolved once all names are known.

use super::*;

impl Resolver {
    /// Reads the words of every `enum` declaration before any attribute is converted, so an
    /// attribute that takes one of them is checked wherever the `enum` is declared, and the
    /// schema types it as an enum of those words. The titles of an enum must name its words.
    /// Other mistakes in an `enum` are reported when it is built, like those of any declaration.
    pub(super) fn collect_words(&mut self, decls: &[&ast::Decl]) {
        for d in decls.iter().filter(|d| d.kind.name == "enum") {
            // A second `enum` of one name is reported as a duplicate declaration.
            let Some(name) = d.name.as_ref().filter(|n| !self.words.contains_key(&n.name)) else { continue };
            let words: Vec<String> = d
                .entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Attr(a) if a.name.name == "values" => {
                        Some(a.values.iter().filter_map(super::values::word_of))
                    }
                    _ => None,
                })
                .flatten()
                .collect();
            let titled = d.entries.iter().filter_map(|e| match e {
                Entry::Decl(t) if t.kind.name == "titles" => Some(t.entries.iter()),
                _ => None,
            });
            let keys: Vec<&ast::Ident> = titled
                .flatten()
                .filter_map(|e| match e {
                    Entry::Attr(a) => Some(&a.name),
                    Entry::Decl(_) => None,
                })
                .collect();
            let shown: Vec<&str> = words.iter().map(String::as_str).collect();
            for k in keys {
                if !words.contains(&k.name) {
                    self.one_of("titles", k.loc, Some(k.name.clone()), &shown);
                }
            }
            self.words.insert(name.name.clone(), words);
        }
    }

    /// Records every declared name with its kinds, reporting a name declared twice in a kind.
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

    /// Stores each declaration as a record of its `policy.KIND`, fields in schema order.
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
                    let ordered: Vec<(Str, Value)> = decl_fields(sspec, &self.words)
                        .into_iter()
                        .map(|f| {
                            let v = fields.get(&f.name).cloned().unwrap_or_default();
                            (Str::from(f.name.as_str()), v)
                        })
                        .collect();
                    subs.entry(sspec.kind).or_default().push(Value::Object(Object::new(ordered)));
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

    /// Reports an attribute `kind` does not accept, with a did-you-mean among `names`.
    pub(super) fn unknown_attr<'s>(&mut self, kind: &str, names: impl Iterator<Item = &'s str>, attr: &ast::Ident) {
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

    /// Reports the names of declarations referenced by attributes and never declared.
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
