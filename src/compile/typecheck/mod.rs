//! Type checking and compilation of rule expressions: AST → typed [`Ir`].
//!
//! Every error is collected (the compiler continues with an `any`-typed placeholder), so one run
//! reports all type errors of a pack. This module holds the compiler's state, the dispatch over
//! expression forms, names and quantifier bindings; the other parts live beside it:
//!
//! - `access.rs`: member access, fields and indexing;
//! - `operators.rs`: binary operators, comparisons and the types of arithmetic;
//! - `calls.rs`: calls of built-in functions;
//! - `join.rs`: join planning, `exists y in K where y.f == x.g` as an index lookup;
//! - `trace.rs`: the traced compilation `explain` reads (sub-conditions marked by location).

mod access;
mod calls;
mod dated;
mod join;
mod operators;
mod trace;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::base::diag::suggest;
use crate::base::source::Loc;
use crate::base::value::{KindId, Value};
use crate::compile::error::{PolicyError, PolicyErrorKind as K};
use crate::policy::ir::{Ir, Source, VarInfo};
use crate::policy::types::{FieldType, Type};
use crate::policy::{KindOrigin, Param, Schema};
use crate::syntax::ast::{self, ExprKind, Literal, Quant, UnOp};

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
    /// Dated declaration values (`from DATE …`).
    pub histories: &'a [crate::policy::History],
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
    /// Wrap sub-conditions in [`Ir::At`] so `explain` can name the one that failed (`trace.rs`).
    trace: bool,
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
        (self.mark(e, ir), ty)
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
            if let Some(k) = self.names.schema.decl_kind("param")
                && let Some(ir) = self.dated(k, n, "value")
            {
                return (ir, p.ty.clone());
            }
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
        let plan = join::plan(self.names.schema, slot, coll, filter);
        self.index_keys.extend(plan.index_keys);
        (slot, plan.src, plan.filter.map(Box::new))
    }

    /// Ends the scope of the innermost quantifier variable.
    fn unbind(&mut self) {
        self.scope.pop();
    }
}

/// Records compare with references by id.
fn coerce_id(ir: Ir, ty: &Type) -> Ir {
    if matches!(ty, Type::Record(_)) { Ir::IdOf(Box::new(ir)) } else { ir }
}

/// How an expression is named in messages: a name or path, a string, else "expression".
fn source_name(e: &ast::Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Member(b, f) => format!("{}.{}", source_name(b), f.name),
        ExprKind::Lit(Literal::Str(s)) => s.clone(),
        _ => "expression".into(),
    }
}

/// A literal as a constant.
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
    Type::Object(Arc::from(vec![FieldType::new("from", Type::Date), FieldType::new("to", Type::Date)]))
}
