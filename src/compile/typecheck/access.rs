//! Member access, fields and indexing: `x.f`, `policy.KIND`, `policy.KIND["name"]`,
//! `list[0]`, `weights["上级评价"]`.

use super::{Compiler, Typed, any, coerce_id};
use crate::base::diag::suggest;
use crate::base::source::Loc;
use crate::base::value::Value;
use crate::compile::error::PolicyErrorKind as K;
use crate::policy::KindOrigin;
use crate::policy::builtin::Builtin;
use crate::policy::ir::{FieldAcc, Ir};
use crate::policy::types::Type;
use crate::syntax::ast::{self, ExprKind};

impl Compiler<'_> {
    /// `base.field`, or `policy.KIND` (the declarations of a kind as records).
    pub(super) fn member(&mut self, base: &ast::Expr, field: &ast::Ident) -> Typed {
        if let ExprKind::Name(n) = &base.kind
            && n == "policy"
            && !self.scope.iter().any(|v| v.name == "policy")
        {
            return match self.names.schema.decl_kind(&field.name) {
                Some(k) => (Ir::Kind(k), Type::List(Box::new(Type::Record(k)))),
                None => {
                    let kinds: Vec<&str> = crate::compile::spec::DECLS.iter().map(|d| d.kind).collect();
                    let help =
                        suggest(&field.name, kinds.iter().copied()).map(|s| format!("did you mean `policy.{s}`?"));
                    let e = self.err(K::UnknownName { name: format!("policy.{}", field.name) }, field.loc);
                    e.help = help.or(Some("`policy.KIND` names a declaration kind such as `policy.role`".into()));
                    e.label = Some("no such declaration kind".into());
                    any()
                }
            };
        }
        let (ir, ty) = self.expr(base);
        self.field_of(ir, ty, field)
    }

    /// The field `field` of a value of type `ty`.
    fn field_of(&mut self, ir: Ir, ty: Type, field: &ast::Ident) -> Typed {
        let f = field.name.as_str();
        match ty {
            Type::Any => (Ir::Field(Box::new(ir), FieldAcc::Name(crate::base::value::Str::from(f))), Type::Any),
            Type::Record(k) => {
                let kind = self.names.schema.kind(k);
                match kind.slot(f) {
                    Some(slot) => {
                        let ty = kind.fields[slot].ty.clone();
                        // `policy.KIND["name"].attr` of a dated attribute: its value on the record's date.
                        if kind.origin == KindOrigin::Decl {
                            let named = match ir.unwrapped() {
                                Ir::Deref(_, key) => match key.unwrapped() {
                                    Ir::Const(Value::Str(name)) => Some(name.clone()),
                                    _ => None,
                                },
                                _ => None,
                            };
                            // Reached any other way (`forall p in policy.param: … p.value`): the
                            // declaration's own history, by its id, when the check runs.
                            let dated = match named {
                                Some(name) => self.dated_slot(k, &name, slot),
                                None => self.dated_any(k, slot, &ir),
                            };
                            if let Some(dated) = dated {
                                return (dated, ty);
                            }
                        }
                        (Ir::Field(Box::new(ir), FieldAcc::Slot(k, slot)), ty)
                    }
                    None => {
                        let on = format!("`{}`", kind.name);
                        let help = suggest(f, kind.fields.iter().map(|x| x.name.as_str()))
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| {
                                let names: Vec<&str> = kind.fields.iter().map(|x| x.name.as_str()).collect();
                                format!("fields of `{}`: {}", kind.name, names.join(", "))
                            });
                        let e = self.err(K::UnknownField { on, field: f.into() }, field.loc);
                        e.help = Some(help);
                        e.label = Some("unknown field".into());
                        any()
                    }
                }
            }
            Type::Ref(k) => self.field_of(Ir::Deref(k, Box::new(ir)), Type::Record(k), field),
            Type::Name(ref decl) => match self.names.schema.decl_kind(decl) {
                Some(k) => self.field_of(Ir::Deref(k, Box::new(ir)), Type::Record(k), field),
                None => any(),
            },
            Type::Object(ref fields) => match fields.iter().find(|x| x.name == f) {
                Some(x) => (Ir::Field(Box::new(ir), FieldAcc::Name(crate::base::value::Str::from(f))), x.ty.clone()),
                None => {
                    let help =
                        suggest(f, fields.iter().map(|x| x.name.as_str())).map(|s| format!("did you mean `{s}`?"));
                    let names: Vec<&str> = fields.iter().map(|x| x.name.as_str()).collect();
                    let e = self.err(K::UnknownField { on: "this object".into(), field: f.into() }, field.loc);
                    e.help = help.or(Some(format!("its fields: {}", names.join(", "))));
                    e.label = Some("unknown field".into());
                    any()
                }
            },
            Type::Window => match f {
                "from" => (Ir::Field(Box::new(ir), FieldAcc::From), Type::Date),
                "to" => (Ir::Field(Box::new(ir), FieldAcc::To), Type::Date),
                "label" => (Ir::Field(Box::new(ir), FieldAcc::Label), Type::Str),
                _ => {
                    let e = self.err(K::UnknownField { on: "a window".into(), field: f.into() }, field.loc);
                    e.help = Some("windows have `from`, `to` and `label`".into());
                    any()
                }
            },
            other => {
                let on = self.show(&other);
                let help = if matches!(other, Type::List(_)) {
                    "a list has no fields; use `forall x in …` or `[x.f for x in …]`"
                } else {
                    "only records, references and objects have fields"
                };
                let e = self.err(K::UnknownField { on: format!("a value of type `{on}`"), field: f.into() }, field.loc);
                e.help = Some(help.into());
                any()
            }
        }
    }

    /// `base[idx]`: a record by id, a list element, a named item of a list, an object field.
    pub(super) fn index(&mut self, base: &ast::Expr, idx: &ast::Expr, loc: Loc) -> Typed {
        let (ir, ty) = self.index_of(base, idx, loc);
        (in_force_item(ir), ty)
    }

    /// [`Compiler::index`] as written.
    fn index_of(&mut self, base: &ast::Expr, idx: &ast::Expr, loc: Loc) -> Typed {
        let (bi, bt) = self.expr(base);
        let (ii, it) = self.expr(idx);
        if let Ir::Kind(k) = &bi {
            if !it.is_stringy() {
                let d = format!("records are looked up by id (a string), not {}", self.show(&it));
                self.mismatch(idx.loc, d, "write `policy.role[\"运营经理\"]` or `person[c.author]`");
            }
            if let (Ir::Const(Value::Str(s)), Some(kind)) = (&ii, self.names.schema.kinds.get(k.0 as usize))
                && kind.origin == KindOrigin::Decl
            {
                let decl = kind.name.trim_start_matches("policy.").to_string();
                let known = self.names.declared.get(s.as_str()).is_some_and(|ks| ks.contains(&decl.as_str()));
                if !known {
                    let e = self.err(K::UnknownReference { kind: decl, name: s.to_string() }, idx.loc);
                    e.label = Some("not declared".into());
                }
            }
            return (Ir::Deref(*k, Box::new(coerce_id(ii, &it))), Type::Record(*k));
        }
        match bt {
            Type::List(t) => {
                // A list of named objects (sub-declarations, `weights { … }` pairs) is indexed
                // by name; a `{name, value}` pair gives its value.
                if let (Type::Object(fields), true) = (&*t, it.is_stringy() && !it.is_numeric())
                    && fields.iter().any(|f| f.name == "name")
                {
                    let ty = match fields.iter().find(|f| f.name == "value") {
                        Some(v) if fields.len() == 2 => v.ty.clone(),
                        _ => (*t).clone(),
                    };
                    return (Ir::Index(Box::new(bi), Box::new(ii)), ty);
                }
                if !it.is_numeric() {
                    self.mismatch(
                        idx.loc,
                        "a list index must be a number".into(),
                        "lists are indexed from 0, lists of named items by name",
                    );
                }
                (Ir::Index(Box::new(bi), Box::new(ii)), *t)
            }
            Type::Object(fields) => {
                let ty = match &ii {
                    Ir::Const(Value::Str(s)) => {
                        fields.iter().find(|f| *f.name == **s).map_or(Type::Any, |f| f.ty.clone())
                    }
                    _ => Type::Any,
                };
                (Ir::Index(Box::new(bi), Box::new(ii)), ty)
            }
            Type::Any => (Ir::Index(Box::new(bi), Box::new(ii)), Type::Any),
            other => {
                let d = format!("cannot index a value of type `{}`", self.show(&other));
                self.mismatch(loc, d, "only lists, objects and `policy.KIND` can be indexed");
                any()
            }
        }
    }
}

/// `weights["上级评价"]` of a dated `weights` (`InForce(day, …, values)[key]`) is the item taken
/// from each dated value, `InForce(day, …, [values[0][key], …])`: the lookups read no record,
/// so they are made once per run (hoisted), not once per record judged.
fn in_force_item(ir: Ir) -> Ir {
    let Ir::Index(base, key) = ir else { return ir };
    match (*base, &*key) {
        (Ir::Call(Builtin::InForce, mut args), Ir::Const(_))
            if matches!(args.get(3), Some(Ir::Const(Value::List(_)))) =>
        {
            if let Some(Ir::Const(Value::List(values))) = args.get(3) {
                let items = values.iter().map(|v| Ir::Index(Box::new(Ir::Const(v.clone())), key.clone())).collect();
                args[3] = Ir::List(items);
            }
            Ir::Call(Builtin::InForce, args)
        }
        (base, _) => Ir::Index(Box::new(base), key),
    }
}
