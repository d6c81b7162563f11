//! Type checking and compilation of rule expressions: AST → typed [`Ir`].
//!
//! Every error is collected (the compiler continues with an `any`-typed placeholder), so one run
//! reports all type errors of a pack. Joins of the form `exists y in K where y.f == x.g` are
//! planned here as index lookups.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::base::diag::suggest;
use crate::base::source::Loc;
use crate::base::value::{KindId, Value};
use crate::compile::error::{PolicyError, PolicyErrorKind as K};
use crate::policy::builtin::{self as builtins, Builtin};
use crate::policy::ir::{FieldAcc, Ir, Source, VarInfo};
use crate::policy::types::{FieldType, Type};
use crate::policy::{KindOrigin, Param, Schema};
use crate::syntax::ast::{self, BinOp, ExprKind, Literal, Quant, UnOp};

/// Names visible to rule expressions besides variables.
pub struct Names<'a> {
    /// Kinds.
    pub schema: &'a Schema,
    /// Declared names → the declaration kinds that declare them.
    pub declared: &'a HashMap<String, Vec<&'static str>>,
    /// Parameters.
    pub params: &'a [Param],
    /// Named patterns.
    pub patterns: &'a [(String, regex::Regex)],
}

/// Compiles the expressions of one check.
pub struct Compiler<'a> {
    names: &'a Names<'a>,
    scope: Vec<VarInfo>,
    /// Every variable bound anywhere in the check (message holes may use them).
    pub bound: Vec<VarInfo>,
    next_slot: usize,
    /// Errors found.
    pub errors: Vec<PolicyError>,
    /// Org kinds read.
    pub reads: BTreeSet<KindId>,
    /// (kind, slot) pairs used as join indexes.
    pub index_keys: BTreeSet<(KindId, usize)>,
    /// Wrap conditions in [`Ir::At`] so `explain` can name the sub-condition that failed.
    pub trace: bool,
}

type Typed = (Ir, Type);

fn any() -> Typed {
    (Ir::Const(Value::None), Type::Any)
}

impl<'a> Compiler<'a> {
    /// A compiler with no variables in scope.
    pub fn new(names: &'a Names<'a>) -> Self {
        Compiler {
            names,
            scope: Vec::new(),
            bound: Vec::new(),
            next_slot: 0,
            errors: Vec::new(),
            reads: BTreeSet::new(),
            index_keys: BTreeSet::new(),
            trace: false,
        }
    }

    /// A compiler whose scope holds the given variables (for message holes).
    pub fn with_vars(names: &'a Names<'a>, vars: &[VarInfo], slots: usize) -> Self {
        let mut c = Compiler::new(names);
        // The outermost binding of a name wins: it is the subject and the most useful.
        for v in vars.iter().rev() {
            c.scope.push(v.clone());
        }
        c.next_slot = slots;
        c
    }

    /// Number of slots used.
    pub fn slots(&self) -> usize {
        self.next_slot
    }

    fn err(&mut self, kind: K, loc: Loc) -> &mut PolicyError {
        self.errors.push(PolicyError::new(kind, loc));
        let n = self.errors.len() - 1;
        &mut self.errors[n]
    }

    fn show(&self, t: &Type) -> String {
        self.names.schema.show(t)
    }

    fn mismatch(&mut self, loc: Loc, detail: String, help: &str) {
        let e = PolicyError::new(K::Mismatch { detail }, loc).label("this expression").help(help);
        self.errors.push(e);
    }

    /// Compiles an expression that must be a condition.
    pub fn condition(&mut self, e: &ast::Expr) -> Ir {
        let (ir, ty) = self.expr(e);
        if !matches!(ty, Type::Bool | Type::Any) {
            let found = self.show(&ty);
            let err = self.err(K::CheckNotBool { found }, e.loc);
            err.label = Some("not a condition".into());
            err.help = Some("compare it, e.g. `x.date <= as_of`, or test it with `x.f != none`".into());
        }
        ir
    }

    /// Compiles an expression.
    pub fn expr(&mut self, e: &ast::Expr) -> Typed {
        let (ir, ty) = self.expr_inner(e);
        let traced = matches!(
            e.kind,
            ExprKind::Binary(..)
                | ExprKind::Unary(UnOp::Not, _)
                | ExprKind::Quant(..)
                | ExprKind::Call(..)
                | ExprKind::If(..)
        );
        if self.trace && traced { (Ir::At(e.loc, Box::new(ir)), ty) } else { (ir, ty) }
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> Typed {
        match &e.kind {
            ExprKind::Lit(l) => literal(l),
            ExprKind::Name(n) => self.name(n, e.loc),
            ExprKind::List(items) => {
                let mut irs = Vec::new();
                let mut elem: Option<Type> = None;
                for it in items {
                    let (ir, t) = self.expr(it);
                    elem = Some(match elem {
                        None => t,
                        Some(prev) if prev == t => prev,
                        Some(prev) if prev.is_stringy() && t.is_stringy() => Type::Str,
                        Some(prev) if prev.is_numeric() && t.is_numeric() => Type::Num,
                        Some(_) => Type::Any,
                    });
                    irs.push(ir);
                }
                if irs.iter().all(|i| matches!(i, Ir::Const(_))) {
                    let vals = irs.into_iter().map(|i| if let Ir::Const(v) = i { v } else { Value::None }).collect();
                    return (Ir::Const(Value::list(vals)), Type::List(Box::new(elem.unwrap_or(Type::Any))));
                }
                (Ir::List(irs), Type::List(Box::new(elem.unwrap_or(Type::Any))))
            }
            ExprKind::Member(base, field) => self.member(base, field),
            ExprKind::Index(base, idx) => self.index(base, idx, e.loc),
            ExprKind::Call(f, args) => self.call(f, args, e.loc),
            ExprKind::Unary(UnOp::Not, x) => (Ir::Not(Box::new(self.condition(x))), Type::Bool),
            ExprKind::Unary(UnOp::Neg, x) => {
                let (ir, t) = self.expr(x);
                if !(t.is_numeric() || t == Type::Duration) {
                    let d = format!("cannot negate {}", self.show(&t));
                    self.mismatch(x.loc, d, "only numbers and durations can be negated");
                }
                if let Ir::Const(v) = &ir {
                    let neg = match v {
                        Value::Int(i) => Some(Value::Int(-i)),
                        Value::Num(n) => Some(Value::Num(-n)),
                        Value::Percent(n) => Some(Value::Percent(-n)),
                        _ => None,
                    };
                    if let Some(v) = neg {
                        return (Ir::Const(v), t);
                    }
                }
                (Ir::Neg(Box::new(ir)), t)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.loc),
            ExprKind::Quant(q, binding, body) => {
                let (slot, src, filter) = self.bind(binding);
                let body = match (q, body) {
                    (_, Some(b)) => Some(Box::new(self.condition(b))),
                    (Quant::Forall, None) => {
                        self.err(K::ForallWithoutBody, e.loc).help =
                            Some("write `forall x in C where P: Q`; `exists x in C where P` may omit the body".into());
                        None
                    }
                    (Quant::Exists, None) => None,
                };
                self.unbind();
                (Ir::Quant { q: *q, slot, src, filter, body }, Type::Bool)
            }
            ExprKind::Count(binding) => {
                let (slot, src, filter) = self.bind(binding);
                self.unbind();
                (Ir::Count { slot, src, filter }, Type::Int)
            }
            ExprKind::Sum(binding, body) => {
                let (slot, src, filter) = self.bind(binding);
                let (body_ir, t) = self.expr(body);
                self.unbind();
                let t = match t {
                    Type::Int => Type::Num,
                    t if t.is_numeric() || t == Type::Duration => t,
                    t => {
                        let d = format!("cannot sum {}", self.show(&t));
                        self.mismatch(body.loc, d, "`sum` adds numbers, percentages or durations");
                        Type::Any
                    }
                };
                (Ir::Sum { slot, src, filter, body: Box::new(body_ir) }, t)
            }
            ExprKind::Comprehension(body, binding) => {
                let (slot, src, filter) = self.bind(binding);
                let (body_ir, t) = self.expr(body);
                self.unbind();
                (Ir::Comp { slot, src, filter, body: Box::new(body_ir) }, Type::List(Box::new(t)))
            }
            ExprKind::If(c, t, f) => {
                let c = self.condition(c);
                let (ti, tt) = self.expr(t);
                let (fi, ft) = self.expr(f);
                let ty = if tt == ft || ft == Type::None {
                    tt
                } else if tt == Type::None {
                    ft
                } else {
                    Type::Any
                };
                (Ir::If(Box::new(c), Box::new(ti), Box::new(fi)), ty)
            }
            ExprKind::Target(op, x) => {
                let (ir, t) = self.expr(x);
                if !(t.is_numeric() || matches!(t, Type::Duration | Type::Date | Type::DateTime)) {
                    let d =
                        format!("a target compares with a number, percentage, duration or date, not {}", self.show(&t));
                    self.mismatch(x.loc, d, "write targets like `>= 500`, `>= 3%` or `<= 4h`");
                }
                if let Ir::Const(v) = &ir {
                    let t = crate::base::value::Target { op: *op, value: v.clone() };
                    return (Ir::Const(Value::Target(Arc::new(t))), Type::Target);
                }
                (Ir::Target(*op, Box::new(ir)), Type::Target)
            }
        }
    }

    fn name(&mut self, n: &str, loc: Loc) -> Typed {
        if let Some(v) = self.scope.iter().rev().find(|v| v.name == n) {
            return (Ir::Var(v.slot), v.ty.clone());
        }
        match n {
            "as_of" => return (Ir::AsOf, Type::Date),
            "period" => return (Ir::Period, period_type()),
            _ => {}
        }
        if let Some(k) = self.names.schema.id(n)
            && self.names.schema.kind(k).origin == KindOrigin::Record
        {
            self.reads.insert(k);
            return (Ir::Kind(k), Type::List(Box::new(Type::Record(k))));
        }
        if let Some(p) = self.names.params.iter().find(|p| p.name == n) {
            return (Ir::Const(p.value.clone()), p.ty.clone());
        }
        if let Some(kinds) = self.names.declared.get(n) {
            let ty = if kinds.len() == 1 { Type::Name(kinds[0].to_string()) } else { Type::Str };
            return (Ir::Const(Value::str(n)), ty);
        }
        if n == "policy" {
            self.err(K::UnknownName { name: n.into() }, loc).help = Some(
                "`policy` is followed by a declaration kind: `policy.role`, `policy.approval[\"重大改革\"]`".into(),
            );
            return any();
        }
        let candidates: Vec<String> = self
            .scope
            .iter()
            .map(|v| v.name.clone())
            .chain(self.names.schema.record_kinds().map(|(_, k)| k.name.clone()))
            .chain(self.names.params.iter().map(|p| p.name.clone()))
            .chain(self.names.declared.keys().cloned())
            .chain(["as_of".to_string(), "period".to_string()])
            .collect();
        let help = match suggest(n, candidates.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "names are quantifier variables, record kinds, `policy.KIND`, parameters or declared names; \
                     write other text as a string"
                .into(),
        };
        let e = self.err(K::UnknownName { name: n.into() }, loc);
        e.help = Some(help);
        e.label = Some("not defined".into());
        any()
    }

    fn member(&mut self, base: &ast::Expr, field: &ast::Ident) -> Typed {
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

    fn field_of(&mut self, ir: Ir, ty: Type, field: &ast::Ident) -> Typed {
        let f = field.name.as_str();
        match ty {
            Type::Any => (Ir::Field(Box::new(ir), FieldAcc::Name(crate::base::value::Str::from(f))), Type::Any),
            Type::Record(k) => {
                let kind = self.names.schema.kind(k);
                match kind.slot(f) {
                    Some(slot) => (Ir::Field(Box::new(ir), FieldAcc::Slot(k, slot)), kind.fields[slot].ty.clone()),
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

    fn index(&mut self, base: &ast::Expr, idx: &ast::Expr, loc: Loc) -> Typed {
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

    fn call(&mut self, f: &ast::Ident, args: &[ast::Expr], loc: Loc) -> Typed {
        let Some((mut b, arity)) = builtins::lookup(&f.name) else {
            let help = suggest(&f.name, builtins::NAMES.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("built-in functions: {}", builtins::NAMES.join(", ")));
            let e = self.err(K::UnknownFunction { name: f.name.clone() }, f.loc);
            e.help = Some(help);
            for a in args {
                self.expr(a);
            }
            return any();
        };
        if args.len() != arity {
            let e = self.err(K::Arity { name: f.name.clone(), expected: arity.to_string(), found: args.len() }, loc);
            e.help = Some("see docs/language.md for the built-in functions".into());
            return any();
        }
        let mut irs = Vec::new();
        let mut tys = Vec::new();
        for a in args {
            let (i, t) = self.expr(a);
            irs.push(i);
            tys.push(t);
        }
        if let Builtin::Cyclic { .. } = b {
            match (&tys[0], &irs[1]) {
                (Type::Record(k), Ir::Const(Value::Str(field))) => {
                    let kind = self.names.schema.kind(*k);
                    match kind.slot(field) {
                        Some(slot) => b = Builtin::Cyclic { slot },
                        None => {
                            let e = self.err(
                                K::UnknownField { on: format!("`{}`", kind.name), field: field.to_string() },
                                args[1].loc,
                            );
                            e.help = Some("`cyclic(x, \"field\")` follows a list of references of x's own kind".into());
                        }
                    }
                }
                _ => self.mismatch(
                    loc,
                    "`cyclic` takes a record and a field name string".into(),
                    "write `cyclic(t, \"depends\")`",
                ),
            }
            return (Ir::Call(b, irs), Type::Bool);
        }
        match builtins::signature(b, &tys) {
            Ok(t) => (Ir::Call(b, irs), t),
            Err(expected) => {
                let found: Vec<String> = tys.iter().map(|t| self.show(t)).collect();
                let d = format!("`{}` takes {expected}, found ({})", f.name, found.join(", "));
                self.mismatch(loc, d, "see docs/language.md for the built-in functions");
                any()
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: &ast::Expr, b: &ast::Expr, loc: Loc) -> Typed {
        match op {
            BinOp::And | BinOp::Or | BinOp::Implies => {
                let x = self.condition(a);
                let y = self.condition(b);
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            BinOp::Matches => {
                let (x, t) = self.expr(a);
                if !(t.is_stringy() || t.is_numeric()) {
                    let d = format!("`matches` needs a string, found `{}`", self.show(&t));
                    self.mismatch(a.loc, d, "match strings against a named pattern");
                }
                let re = match &b.kind {
                    ExprKind::Name(n) => self.names.patterns.iter().find(|(p, _)| p == n).map(|(_, r)| r.clone()),
                    ExprKind::Lit(Literal::Str(s)) => match regex::Regex::new(s) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            self.err(K::BadRegex { reason: e.to_string() }, b.loc);
                            return any();
                        }
                    },
                    _ => None,
                };
                match re {
                    Some(r) => (Ir::Matches(Box::new(x), Box::new(r)), Type::Bool),
                    None => {
                        let names: Vec<&str> = self.names.patterns.iter().map(|(p, _)| p.as_str()).collect();
                        let e = self.err(K::UnknownReference { kind: "pattern".into(), name: source_name(b) }, b.loc);
                        e.help = Some(format!(
                            "declared patterns: {}",
                            if names.is_empty() { "none".into() } else { names.join(", ") }
                        ));
                        any()
                    }
                }
            }
            BinOp::Coalesce => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                let t = if tx == Type::None || tx == Type::Any { ty } else { tx };
                (Ir::Bin(op, Box::new(x), Box::new(y)), t)
            }
            BinOp::In | BinOp::NotIn => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                let x = match &ty {
                    Type::List(el) => {
                        self.check_comparable(&tx, el, &x, &Ir::Const(Value::None), loc, "in");
                        if matches!(**el, Type::Ref(_) | Type::Str | Type::Name(_) | Type::Enum(_)) {
                            coerce_id(x, &tx)
                        } else {
                            x
                        }
                    }
                    Type::Str | Type::Any => x,
                    Type::Window => {
                        if !matches!(tx, Type::Date | Type::DateTime | Type::Any) {
                            let d = format!("only dates are in a window, found `{}`", self.show(&tx));
                            self.mismatch(a.loc, d, "write `t.date in w`");
                        }
                        x
                    }
                    other => {
                        let d = format!(
                            "`{}` needs a list, string or window on the right, found `{}`",
                            op.symbol(),
                            self.show(other)
                        );
                        self.mismatch(b.loc, d, "write `x in [a, b]` or `x in p.roles`");
                        x
                    }
                };
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            _ if op.is_comparison() => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                self.check_comparable(&tx, &ty, &x, &y, loc, op.symbol());
                let (x, y) = match (&tx, &ty) {
                    (Type::Record(_), Type::Record(_)) => (x, y),
                    (Type::Record(_), _) => (coerce_id(x, &tx), y),
                    (_, Type::Record(_)) => (x, coerce_id(y, &ty)),
                    _ => (x, y),
                };
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            _ => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                match arith_type(op, &tx, &ty) {
                    Some(t) => (Ir::Bin(op, Box::new(x), Box::new(y)), t),
                    None => {
                        let d =
                            format!("cannot apply `{}` to `{}` and `{}`", op.symbol(), self.show(&tx), self.show(&ty));
                        self.mismatch(loc, d, "arithmetic works on numbers, percentages, dates and durations");
                        any()
                    }
                }
            }
        }
    }

    /// Reports incomparable types, and string literals that are not members of an enum or not
    /// declared names of the right kind (`"运营经里" in p.roles`).
    fn check_comparable(&mut self, tx: &Type, ty: &Type, x: &Ir, y: &Ir, loc: Loc, op: &str) {
        if !tx.comparable(ty) {
            let d = format!("cannot compare `{}` with `{}` using `{op}`", self.show(tx), self.show(ty));
            self.mismatch(loc, d, "both sides must be numbers, strings, dates, durations or records of one kind");
            return;
        }
        self.literal_member(tx, y, loc);
        self.literal_member(ty, x, loc);
    }

    fn literal_member(&mut self, ty: &Type, lit: &Ir, loc: Loc) {
        let values: Vec<&str> = match lit {
            Ir::Const(Value::Str(s)) => vec![s],
            Ir::Const(Value::List(l)) => l.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        for v in values {
            match ty {
                Type::Enum(set) if !set.iter().any(|x| x == v) => {
                    let d = format!("`{v}` is not one of {}", set.join(", "));
                    let help = suggest(v, set.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?"));
                    self.mismatch(loc, d, help.as_deref().unwrap_or("use one of the listed values"));
                }
                Type::Name(kind) if !self.names.declared.get(v).is_some_and(|ks| ks.contains(&kind.as_str())) => {
                    let cands: Vec<&str> = self
                        .names
                        .declared
                        .iter()
                        .filter(|(_, ks)| ks.contains(&kind.as_str()))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let help = suggest(v, cands.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                    let e = self.err(K::UnknownReference { kind: kind.clone(), name: v.to_string() }, loc);
                    e.help = help.or(Some(format!("declare it with `{kind} {v} {{ … }}`")));
                    e.label = Some("not declared".into());
                }
                _ => {}
            }
        }
    }

    /// Binds a quantifier variable; returns its slot, element source and compiled filter.
    fn bind(&mut self, b: &ast::Binding) -> (usize, Source, Option<Box<Ir>>) {
        let (coll, ct) = self.expr(&b.coll);
        let elem = match ct.element() {
            Some(t) => t,
            None => {
                let d = format!("`{}` is not a collection (type `{}`)", source_name(&b.coll), self.show(&ct));
                self.mismatch(
                    b.coll.loc,
                    d,
                    "quantify over a record kind, `policy.KIND`, a list field or `windows(…)`",
                );
                Type::Any
            }
        };
        let slot = self.next_slot;
        self.next_slot += 1;
        let info = VarInfo { name: b.var.name.clone(), slot, ty: elem };
        self.scope.push(info.clone());
        self.bound.push(info);
        let filter = b.filter.as_ref().map(|f| self.condition(f));
        let (src, filter) = self.plan(slot, coll, filter);
        (slot, src, filter.map(Box::new))
    }

    fn unbind(&mut self) {
        self.scope.pop();
    }

    /// Chooses how to enumerate a quantifier: an index lookup when the filter has a conjunct
    /// `y.f == key` (or `key in y.f`) whose key does not depend on `y`.
    fn plan(&mut self, slot: usize, coll: Ir, filter: Option<Ir>) -> (Source, Option<Ir>) {
        let Ir::Kind(kind) = coll else { return (Source::Expr(Box::new(coll)), filter) };
        // A stream kind's records are read one at a time and never held, so none is looked up:
        // its `forall` runs over every record, the filter whole (`where c.column == "手机"`).
        if self.names.schema.kind(kind).stream.is_some() {
            return (Source::Kind(kind), filter);
        }
        let Some(filter) = filter else { return (Source::Kind(kind), None) };
        let mut conj = Vec::new();
        split_and(filter, &mut conj);
        let schema = self.names.schema.kind(kind);
        let id_slot = schema.id_slot();
        // Indexable conditions: (conjunct, source, whether the key varies).
        let mut cands: Vec<(usize, Source, bool)> = Vec::new();
        for (i, c) in conj.iter().enumerate() {
            let Some((field, key, list)) = join_key(c, slot) else { continue };
            let Some(FieldAcc::Slot(k, s)) = field else { continue };
            if k != kind || key.uses_slot(slot) {
                continue;
            }
            // Only fields that hold strings: an index holds string keys (a list's items), so a
            // field declared `any` (a number, a list, …) is compared by the filter, as written.
            let strings = |t: &Type| matches!(t, Type::Str | Type::Enum(_) | Type::Name(_) | Type::Ref(_));
            let fty = &schema.fields[s].ty;
            let ok = if list { matches!(fty, Type::List(t) if strings(t)) } else { strings(fty) };
            if !ok {
                continue;
            }
            let src = if Some(s) == id_slot && !list {
                Source::Id { kind, key: Box::new(key.clone()) }
            } else {
                Source::Index { kind, slot: s, key: Box::new(key.clone()), also: Vec::new() }
            };
            cands.push((i, src, !matches!(key, Ir::Const(_))));
        }
        // An id lookup finds at most one record; otherwise prefer keys that vary (a constant key
        // selects the same records every time). Which of several index lookups is most selective
        // depends on the data, so the others go along and the smallest is chosen at run time.
        let pick = cands
            .iter()
            .position(|(_, s, _)| matches!(s, Source::Id { .. }))
            .or_else(|| cands.iter().position(|(_, _, dynamic)| *dynamic))
            .or((!cands.is_empty()).then_some(0));
        let Some(p) = pick else { return (Source::Kind(kind), join_and(conj)) };
        let (i, mut src, dynamic) = cands.swap_remove(p);
        if let Source::Index { kind, slot, also, .. } = &mut src {
            // A constant key only goes along with another constant key.
            also.extend(cands.into_iter().filter(|(_, _, d)| *d || !dynamic).filter_map(|(_, alt, _)| match alt {
                Source::Index { slot, key, .. } => Some((slot, *key)),
                _ => None,
            }));
            self.index_keys.insert((*kind, *slot));
            self.index_keys.extend(also.iter().map(|(s, _)| (*kind, *s)));
        }
        // With alternatives, any one of them may drive the loop, so every condition stays tested.
        if !matches!(&src, Source::Index { also, .. } if !also.is_empty()) {
            conj.remove(i);
        }
        (src, join_and(conj))
    }
}

/// `(field access on var, key, is_list_membership)` for a conjunct usable as a join.
fn join_key(c: &Ir, slot: usize) -> Option<(Option<FieldAcc>, &Ir, bool)> {
    let c = c.unwrapped();
    let on_var = |x: &Ir| match x.unwrapped() {
        Ir::Field(b, acc) if matches!(**b, Ir::Var(s) if s == slot) => Some(acc.clone()),
        _ => None,
    };
    match c {
        Ir::Bin(BinOp::Eq, a, b) => {
            if let Some(acc) = on_var(a) {
                Some((Some(acc), b, false))
            } else {
                on_var(b).map(|acc| (Some(acc), &**a, false))
            }
        }
        Ir::Bin(BinOp::In, a, b) => on_var(b).map(|acc| (Some(acc), &**a, true)),
        _ => None,
    }
}

fn split_and(ir: Ir, out: &mut Vec<Ir>) {
    match ir {
        Ir::At(_, inner) if matches!(*inner, Ir::Bin(BinOp::And, ..)) => split_and(*inner, out),
        Ir::Bin(BinOp::And, a, b) => {
            split_and(*a, out);
            split_and(*b, out);
        }
        other => out.push(other),
    }
}

fn join_and(mut conj: Vec<Ir>) -> Option<Ir> {
    let first = if conj.is_empty() { return None } else { conj.remove(0) };
    Some(conj.into_iter().fold(first, |acc, c| Ir::Bin(BinOp::And, Box::new(acc), Box::new(c))))
}

/// Records compare with references by id.
fn coerce_id(ir: Ir, ty: &Type) -> Ir {
    if matches!(ty, Type::Record(_)) { Ir::IdOf(Box::new(ir)) } else { ir }
}

fn source_name(e: &ast::Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Member(b, f) => format!("{}.{}", source_name(b), f.name),
        ExprKind::Lit(Literal::Str(s)) => s.clone(),
        _ => "expression".into(),
    }
}

fn literal(l: &Literal) -> Typed {
    match l {
        Literal::Str(s) => (Ir::Const(Value::str(&crate::compile::resolve::unescape_template(s))), Type::Str),
        Literal::Int(i) => (Ir::Const(Value::Int(*i)), Type::Int),
        Literal::Num(n) => (Ir::Const(Value::Num(*n)), Type::Num),
        Literal::Percent(p) => (Ir::Const(Value::Percent(*p)), Type::Percent),
        Literal::Date(d) => (Ir::Const(Value::Date(*d)), Type::Date),
        Literal::DateTime(t) => (Ir::Const(Value::datetime(*t, jiff::tz::Offset::UTC)), Type::DateTime),
        Literal::Duration(d) => (Ir::Const(Value::Duration(*d)), Type::Duration),
        Literal::Bool(b) => (Ir::Const(Value::Bool(*b)), Type::Bool),
        Literal::None => (Ir::Const(Value::None), Type::None),
    }
}

/// The type of the audit period object.
pub fn period_type() -> Type {
    Type::Object(Arc::from(vec![
        FieldType { name: "from".into(), ty: Type::Date, optional: false, doc: None, secret: false },
        FieldType { name: "to".into(), ty: Type::Date, optional: false, doc: None, secret: false },
    ]))
}

/// Result type of arithmetic, `None` if not allowed.
fn arith_type(op: BinOp, a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (op, a, b) {
        (_, Any, _) | (_, _, Any) => Any,
        (BinOp::Add | BinOp::Sub, Int, Int) | (BinOp::Mul, Int, Int) => Int,
        (BinOp::Add | BinOp::Sub, Percent, Percent) => Percent,
        (BinOp::Mul | BinOp::Div, Percent, Int | Num) => Percent,
        (BinOp::Mul, Int | Num, Percent) => Num,
        (BinOp::Div, Percent, Percent) => Num,
        (_, x, y) if x.is_numeric() && y.is_numeric() && !matches!(x, Percent) && !matches!(y, Percent) => Num,
        (BinOp::Add | BinOp::Sub, Date, Duration) => Date,
        (BinOp::Add | BinOp::Sub, DateTime, Duration) => DateTime,
        (BinOp::Sub, Date | DateTime, Date | DateTime) => Duration,
        (BinOp::Add | BinOp::Sub, Duration, Duration) => Duration,
        (BinOp::Mul | BinOp::Div, Duration, Int | Num) => Duration,
        (BinOp::Div, Duration, Duration) => Num,
        _ => return Option::None,
    })
}
