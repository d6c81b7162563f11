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
            out.push(FieldType {
                name: f.name.name.clone(),
                ty,
                optional: f.optional,
                doc: f.doc.clone(),
                secret: f.secret,
                personal: f.personal,
            });
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
}

/// Field types of a declaration kind: `name`, the common attributes, its own attributes and
/// one list per nested kind. An attribute taking a word of an `enum` is an enum of the words the
/// pack declares (a string if it declares none).
pub fn decl_fields(spec: &DeclSpec, words: &Words) -> Vec<FieldType> {
    let mut out = vec![FieldType {
        name: "name".into(),
        ty: Type::Str,
        optional: false,
        doc: None,
        secret: false,
        personal: false,
    }];
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
        out.push(FieldType {
            name: a.name.into(),
            ty,
            optional: !a.required,
            doc: None,
            secret: false,
            personal: false,
        });
    }
    for s in spec.subs {
        out.push(FieldType {
            name: s.kind.into(),
            ty: Type::List(Box::new(Type::Object(decl_fields(s, words).into()))),
            optional: true,
            doc: Some(s.about.into()),
            secret: false,
            personal: false,
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
                FieldType {
                    name: "mode".into(),
                    ty: Type::Enum(vec!["all".into(), "any".into(), "seq".into()].into()),
                    optional: false,
                    doc: None,
                    secret: false,
                    personal: false,
                },
                FieldType {
                    name: "roles".into(),
                    ty: Type::List(Box::new(Type::Name("role".into()))),
                    optional: false,
                    doc: None,
                    secret: false,
                    personal: false,
                },
            ]
            .into(),
        ),
        AttrType::Pairs(inner) => Type::List(Box::new(Type::Object(
            vec![
                FieldType {
                    name: "name".into(),
                    ty: Type::Str,
                    optional: false,
                    doc: None,
                    secret: false,
                    personal: false,
                },
                FieldType {
                    name: "value".into(),
                    ty: attr_type(*inner, words),
                    optional: false,
                    doc: None,
                    secret: false,
                    personal: false,
                },
            ]
            .into(),
        ))),
        AttrType::Expr => Type::Any,
        AttrType::DeclRef => Type::List(Box::new(Type::Str)),
    }
}
