//! The record schema: `record` declarations, and the declaration kinds as typed kinds (their
//! fields and field types follow the declaration table).

use super::*;

impl Resolver {
    pub(super) fn build_schema(&mut self, records: &[&ast::RecordDecl]) {
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
                stream: rd.stream.as_ref().map(|(s, _)| s.clone()),
                open: rd.open,
                dated_by: None,
                loc: rd.kind.loc,
            });
        }
        for spec in DECLS {
            let fields = decl_fields(spec, &self.words);
            let index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
            self.schema.add(KindSchema {
                name: format!("policy.{}", spec.kind),
                title: Some(spec.about.to_string()),
                aliases: Vec::new(),
                origin: KindOrigin::Decl,
                fields,
                index,
                has_id: true,
                stream: None,
                open: false,
                dated_by: None,
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
            if let Some(by) = &rd.dated_by {
                self.dated_by(k, by);
            }
        }
    }

    /// `dated_by FIELD`: a field of the kind holding a date, a datetime or a cycle label.
    fn dated_by(&mut self, k: KindId, by: &ast::Ident) {
        let ks = self.schema.kind(k);
        let found = ks.slot(&by.name).map(|s| (s, ks.fields[s].ty.clone()));
        match found {
            Some((slot, Type::Date | Type::DateTime | Type::Str)) => {
                self.schema.kinds[k.0 as usize].dated_by = Some(slot)
            }
            Some((_, ty)) => {
                let detail = format!("`dated_by` names a field of type `{}`", self.schema.show(&ty));
                self.error(
                    PolicyError::new(K::Mismatch { detail }, by.loc)
                        .label("not a date")
                        .help("name a field of type `date`, `datetime` or a cycle label (`string`, e.g. `2026-Q1`)"),
                );
            }
            None => {
                let names: Vec<&str> = ks.fields.iter().map(|f| f.name.as_str()).collect();
                let help = suggest(&by.name, names.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("fields of `{}`: {}", ks.name, names.join(", ")));
                self.error(
                    PolicyError::new(K::UnknownField { on: format!("`{}`", ks.name), field: by.name.clone() }, by.loc)
                        .label("unknown field")
                        .help(help),
                );
            }
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
            let vocab = match &f.ty {
                ast::TypeExpr::Vocab { parts, .. } => self.vocab_keys(parts),
                ast::TypeExpr::List(inner, _) => match &**inner {
                    ast::TypeExpr::Vocab { parts, .. } => self.vocab_keys(parts),
                    _ => None,
                },
                _ => None,
            };
            let keys = f.keys.as_ref().and_then(|k| self.field_keys(k, &ty, decls));
            out.push(FieldType {
                name: f.name.name.clone(),
                ty,
                optional: f.optional,
                doc: f.doc.clone(),
                secret: f.secret,
                personal: f.personal,
                vocab,
                keys,
            });
        }
        out
    }

    /// `keys ref kind(scope).member if field == word` on a field of type `any` or a table:
    /// the vocabulary must be one (`kind.member`, or the names of a declaration kind), and
    /// `field` a sibling field.
    fn field_keys(&mut self, k: &ast::FieldKeys, ty: &Type, siblings: &[ast::FieldDecl]) -> Option<Box<KeyVocab>> {
        if !matches!(ty, Type::Any | Type::Object(_)) {
            let detail = format!("`keys` on a field of type `{}`", self.schema.show(ty));
            self.error(
                PolicyError::new(K::Mismatch { detail }, k.loc)
                    .label("not a table")
                    .help("`keys` names the words a table's keys must be: declare the field `any`"),
            );
            return None;
        }
        let vocab = match &k.vocab {
            ast::TypeExpr::Vocab { parts, .. } => self.vocab_keys(parts)?,
            ast::TypeExpr::Ref(kind) if spec::decl_spec(&kind.name).is_some() => kind.name.clone(),
            other => {
                self.error(
                    PolicyError::new(K::Mismatch { detail: "`keys` without a vocabulary".into() }, other.loc())
                        .label("not a vocabulary")
                        .help("write `keys ref KIND.member` or `keys ref KIND(name).member`"),
                );
                return None;
            }
        };
        let when = match &k.when {
            None => None,
            Some((field, word)) => {
                if !siblings.iter().any(|f| f.name.name == field.name) {
                    let names: Vec<&str> = siblings.iter().map(|f| f.name.name.as_str()).collect();
                    let help = suggest(&field.name, names.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("the fields beside it: {}", names.join(", ")));
                    self.error(
                        PolicyError::new(
                            K::UnknownField { on: "the record".into(), field: field.name.clone() },
                            field.loc,
                        )
                        .label("unknown field")
                        .help(help),
                    );
                    return None;
                }
                Some((field.name.clone(), word.name.clone()))
            }
        };
        Some(Box::new(KeyVocab { vocab, when }))
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
            ast::TypeExpr::Vocab { .. } => Type::Str,
            // `ref role`: the name of a declaration, as the bare kind `role` is.
            ast::TypeExpr::Ref(k) if spec::decl_spec(&k.name).is_some() && self.schema.id(&k.name).is_none() => {
                Type::Name(k.name.clone())
            }
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
}

impl Resolver {
    /// The vocabulary key of `ref a.x | b(s).y`: the parts' keys joined by ` | ` (each part
    /// checked; none if one is wrong).
    fn vocab_keys(&mut self, parts: &[ast::VocabPart]) -> Option<String> {
        let keys: Vec<Option<String>> = parts.iter().map(|p| self.vocab_key(&p.kind, &p.scope, &p.member)).collect();
        let keys: Option<Vec<String>> = keys.into_iter().collect();
        keys.map(|k| k.join(VOCAB_OR))
    }

    /// The vocabulary key of `ref kind(scope, …).member`, checked against the declaration table:
    /// `member` must be an attribute or nested kind of `kind`.
    fn vocab_key(&mut self, kind: &ast::Ident, scope: &[ast::Ident], member: &ast::Ident) -> Option<String> {
        let Some(spec) = spec::decl_spec(&kind.name) else {
            let help = suggest(&kind.name, DECLS.iter().map(|d| d.kind))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "`ref KIND.member` names a declaration kind".into());
            self.error(
                PolicyError::new(K::UnknownType { name: kind.name.clone() }, kind.loc)
                    .label("no such declaration kind")
                    .help(help),
            );
            return None;
        };
        let fields = decl_fields(spec, &self.words);
        if !fields.iter().any(|f| f.name == member.name) {
            let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            let help = suggest(&member.name, names.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("`{}` has: {}", kind.name, names.join(", ")));
            self.error(
                PolicyError::new(K::UnknownType { name: format!("{}.{}", kind.name, member.name) }, member.loc)
                    .label("no such attribute")
                    .help(help),
            );
            return None;
        }
        Some(if scope.is_empty() {
            format!("{}.{}", kind.name, member.name)
        } else {
            let names: Vec<&str> = scope.iter().map(|s| s.name.as_str()).collect();
            format!("{}({}).{}", kind.name, names.join(VOCAB_SCOPE_SEP), member.name)
        })
    }

    /// Fills [`Schema::vocab`] with the words of every vocabulary a record field names, from the
    /// declarations.
    pub(super) fn fill_vocab(&mut self, decls: &crate::base::store::Store, records: &[&ast::RecordDecl]) {
        let mut keys: Vec<String> = Vec::new();
        fn collect(fields: &[FieldType], out: &mut Vec<String>) {
            for f in fields {
                if let Some(k) = f.vocab_key() {
                    out.push(k.to_string());
                }
                if let Some(k) = &f.keys {
                    out.push(k.vocab.clone());
                }
                let mut t = &f.ty;
                while let Type::List(inner) = t {
                    t = inner;
                }
                if let Type::Object(fs) = t {
                    collect(fs, out);
                }
            }
        }
        for rd in records {
            if let Some(k) = self.schema.id(&rd.kind.name) {
                collect(&self.schema.kind(k).fields, &mut keys);
            }
        }
        for key in keys {
            if self.schema.vocab.contains_key(&key) {
                continue;
            }
            let words = vocab_words(&self.schema, decls, &key);
            // A vocabulary of a kind the pack declares none of (a small pack using `role` for
            // names it does not list) is not checked: every value would be reported.
            if !words.is_empty() {
                self.schema.vocab.insert(key, words.into());
            }
        }
    }
}

/// Between the sources of a vocabulary key (`cadence(数据安全培训).kind | training.topic`).
const VOCAB_OR: &str = " | ";
/// Between the declarations a vocabulary key is scoped to (`cadence(周例会, 部门例会).kind`).
const VOCAB_SCOPE_SEP: &str = ", ";

/// The words of a vocabulary: `kind` → the names of its declarations; `kind.member` → the values
/// of that attribute (the names of nested declarations) over all of them; `kind(a, b).member`
/// → the same of the declarations `a` and `b`; `x | y` → the words of both. In declaration
/// order, each once.
fn vocab_words(schema: &crate::policy::Schema, decls: &crate::base::store::Store, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in key.split(VOCAB_OR) {
        for w in part_words(schema, decls, part) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The words of one source of a vocabulary (see [`vocab_words`]).
fn part_words(schema: &crate::policy::Schema, decls: &crate::base::store::Store, key: &str) -> Vec<String> {
    let (head, member) = match key.rsplit_once(").") {
        Some((h, m)) => (h, Some(m)),
        None => match key.split_once('.') {
            Some((h, m)) => (h, Some(m)),
            None => (key, None),
        },
    };
    let (kind, scope) = match head.split_once('(') {
        Some((k, s)) => (k, Some(s.split(VOCAB_SCOPE_SEP).collect::<Vec<_>>())),
        None => (head, None),
    };
    let Some(kid) = schema.decl_kind(kind) else { return Vec::new() };
    let data = decls.kind(kid);
    let mut out: Vec<String> = Vec::new();
    let mut push = |w: &str, out: &mut Vec<String>| {
        if !out.iter().any(|x| x == w) {
            out.push(w.to_string());
        }
    };
    let slot = member.and_then(|m| schema.kind(kid).slot(m));
    for rec in data.iter() {
        let name = rec.id_str().unwrap_or_default();
        if scope.as_ref().is_some_and(|s| !s.contains(&name)) {
            continue;
        }
        let Some(slot) = slot else {
            if member.is_none() {
                push(name, &mut out);
            }
            continue;
        };
        fn words(v: &crate::base::value::Value, out: &mut Vec<String>, push: &mut dyn FnMut(&str, &mut Vec<String>)) {
            use crate::base::value::Value;
            match v {
                Value::Str(s) => push(s, out),
                Value::List(items) => items.iter().for_each(|x| words(x, out, push)),
                Value::Object(o) => {
                    if let Some(Value::Str(s)) = o.get("name") {
                        push(s, out);
                    }
                }
                _ => {}
            }
        }
        if let Some(v) = rec.fields.get(slot) {
            words(v, &mut out, &mut push);
        }
    }
    out
}

/// Field types of a declaration kind: `name`, the common attributes, its own attributes and
/// one list per nested kind. An attribute taking a word of an `enum` is an enum of the words the
/// pack declares (a string if it declares none).
pub fn decl_fields(spec: &DeclSpec, words: &Words) -> Vec<FieldType> {
    let mut out = vec![FieldType::new("name", Type::Str)];
    for a in COMMON.iter().chain(spec.attrs.iter()) {
        if out.iter().any(|f| f.name == a.name) {
            continue;
        }
        let base = attr_type(a.ty, words);
        let ty = match a.card {
            Card::One => base,
            Card::List | Card::RepeatOne => Type::List(Box::new(base)),
            Card::Repeat => Type::List(Box::new(Type::List(Box::new(base)))),
        };
        out.push(FieldType { optional: !a.required, ..FieldType::new(a.name, ty) });
    }
    for s in spec.subs {
        out.push(FieldType {
            optional: true,
            doc: Some(s.about.into()),
            ..FieldType::new(s.kind, Type::List(Box::new(Type::Object(decl_fields(s, words).into()))))
        });
    }
    out
}

/// The type rule expressions see for a value of an attribute type.
fn attr_type(t: AttrType, words: &Words) -> Type {
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
        AttrType::OneOf(set) => words.get(set).map_or(Type::Str, |w| Type::Enum(w.clone().into())),
        AttrType::Requirement => Type::Object(
            vec![
                FieldType::new("mode", Type::Enum(vec!["all".into(), "any".into(), "seq".into()].into())),
                FieldType::new("roles", Type::List(Box::new(Type::Name("role".into())))),
            ]
            .into(),
        ),
        AttrType::Pairs(inner) => Type::List(Box::new(Type::Object(
            vec![FieldType::new("name", Type::Str), FieldType::new("value", attr_type(*inner, words))].into(),
        ))),
        AttrType::Expr => Type::Any,
        AttrType::DeclRef => Type::List(Box::new(Type::Str)),
    }
}
