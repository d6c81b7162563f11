//! Partial evaluation: a compiled expression simplified for what is already known about one
//! variable — some fields of the record it is bound to. The stream checks use it once per
//! column of an export (`file`, `column` known; `value` not), so that what depends only on the
//! column (`forall m in policy.mask where c.column in m.fields`) is decided once per column
//! rather than once per cell.
//!
//! The result has the same truth value as the original for every binding consistent with what
//! is known. It is only ever used to decide that a check holds; a check that may fail is
//! evaluated again in full, so messages still see every variable bound as usual.
//!
//! What is folded: known fields become constants; a sub-expression that reads no unknown
//! variable and no stream kind is evaluated once; `and`/`or`/`implies`/`if`/`not` with a
//! constant side are simplified; a quantifier over a known, short list (declarations, an index
//! lookup with a known key) is unrolled into `and`/`or` of its instances.

use crate::base::value::{KindId, Value};
use crate::eval::interp::Ctx;
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::syntax::ast::{BinOp, Quant};

/// Quantifiers over more elements than this are left as they are.
const MAX_UNROLL: usize = 256;

/// What is known about one variable: it is bound to a record of `kind` whose fields at these
/// slots have these values.
pub struct Known<'k> {
    /// The variable's slot.
    pub var: usize,
    /// Its record kind.
    pub kind: KindId,
    /// Known fields: (field slot, value).
    pub fields: &'k [(usize, Value)],
}

/// Simplifies `ir` for what `known` says. `slots` is the number of variable slots of the check.
pub fn specialize(ctx: &Ctx, ir: &Ir, known: &Known, slots: usize) -> Ir {
    let mut f = Folder { ctx, known, bound: vec![None; slots.max(known.var + 1)], shadowed: 0 };
    f.fold(ir)
}

struct Folder<'c, 'a, 'k> {
    ctx: &'c Ctx<'a>,
    known: &'k Known<'k>,
    /// Variables bound to a constant while an unrolled quantifier is folded.
    bound: Vec<Option<Value>>,
    /// How many binders of the known variable's slot enclose the node (then it is another
    /// variable, and nothing is known about it).
    shadowed: usize,
}

impl Folder<'_, '_, '_> {
    fn fold(&mut self, ir: &Ir) -> Ir {
        match ir {
            Ir::At(_, e) => self.fold(e),
            Ir::Const(_) => ir.clone(),
            Ir::Var(s) => match self.bound.get(*s) {
                Some(Some(v)) => Ir::Const(v.clone()),
                _ => ir.clone(),
            },
            Ir::Field(base, acc) => {
                if let (Ir::Var(v), FieldAcc::Slot(k, s)) = (base.unwrapped(), acc)
                    && *v == self.known.var
                    && *k == self.known.kind
                    && self.shadowed == 0
                    && self.bound.get(*v).is_none_or(Option::is_none)
                {
                    return match self.known.fields.iter().find(|(slot, _)| slot == s) {
                        Some((_, value)) => Ir::Const(value.clone()),
                        None => Ir::Field(Box::new(Ir::Var(*v)), acc.clone()),
                    };
                }
                let b = self.fold(base);
                self.eval_if_const(Ir::Field(Box::new(b), acc.clone()))
            }
            Ir::Quant { q, slot, src, filter, body } => {
                if let Some(flat) = flatten_comprehension(*q, *slot, src, filter.as_deref(), body.as_deref()) {
                    return self.fold(&flat);
                }
                let src = self.fold_source(src);
                if let Some(items) = self.items(&src, *slot) {
                    return self.unroll(*q, *slot, items, filter.as_deref(), body.as_deref());
                }
                let (filter, body) = self.under(*slot, |f| {
                    (filter.as_ref().map(|x| Box::new(f.fold(x))), body.as_ref().map(|x| Box::new(f.fold(x))))
                });
                self.eval_if_closed(Ir::Quant { q: *q, slot: *slot, src, filter, body })
            }
            Ir::Count { slot, src, filter } => {
                let src = self.fold_source(src);
                let filter = self.under(*slot, |f| filter.as_ref().map(|x| Box::new(f.fold(x))));
                self.eval_if_closed(Ir::Count { slot: *slot, src, filter })
            }
            Ir::Sum { slot, src, filter, body } => {
                let src = self.fold_source(src);
                let (filter, body) =
                    self.under(*slot, |f| (filter.as_ref().map(|x| Box::new(f.fold(x))), Box::new(f.fold(body))));
                self.eval_if_closed(Ir::Sum { slot: *slot, src, filter, body })
            }
            Ir::Comp { slot, src, filter, body } => {
                let src = self.fold_source(src);
                let (filter, body) =
                    self.under(*slot, |f| (filter.as_ref().map(|x| Box::new(f.fold(x))), Box::new(f.fold(body))));
                self.eval_if_closed(Ir::Comp { slot: *slot, src, filter, body })
            }
            Ir::Bin(op @ (BinOp::And | BinOp::Or | BinOp::Implies), a, b) => {
                let (a, b) = (self.fold(a), self.fold(b));
                logic(*op, a, b)
            }
            Ir::If(c, t, e) => match self.fold(c) {
                Ir::Const(v) => {
                    if v.truthy() {
                        self.fold(t)
                    } else {
                        self.fold(e)
                    }
                }
                c => Ir::If(Box::new(c), Box::new(self.fold(t)), Box::new(self.fold(e))),
            },
            Ir::Bin(op, a, b) => {
                let n = Ir::Bin(*op, Box::new(self.fold(a)), Box::new(self.fold(b)));
                self.eval_if_const(n)
            }
            Ir::Not(e) => {
                let n = Ir::Not(Box::new(self.fold(e)));
                self.eval_if_const(n)
            }
            Ir::Neg(e) => {
                let n = Ir::Neg(Box::new(self.fold(e)));
                self.eval_if_const(n)
            }
            Ir::Deref(k, e) => {
                let n = Ir::Deref(*k, Box::new(self.fold(e)));
                self.eval_if_const(n)
            }
            Ir::IdOf(e) => {
                let n = Ir::IdOf(Box::new(self.fold(e)));
                self.eval_if_const(n)
            }
            Ir::Index(a, i) => {
                let n = Ir::Index(Box::new(self.fold(a)), Box::new(self.fold(i)));
                self.eval_if_const(n)
            }
            Ir::Matches(e, re) => {
                let n = Ir::Matches(Box::new(self.fold(e)), re.clone());
                self.eval_if_const(n)
            }
            Ir::Target(op, e) => {
                let n = Ir::Target(*op, Box::new(self.fold(e)));
                self.eval_if_const(n)
            }
            Ir::Call(b, args) => {
                let n = Ir::Call(*b, args.iter().map(|a| self.fold(a)).collect());
                self.eval_if_const(n)
            }
            Ir::List(items) => {
                let n = Ir::List(items.iter().map(|a| self.fold(a)).collect());
                self.eval_if_const(n)
            }
            Ir::AsOf | Ir::Period | Ir::Kind(_) => self.eval_if_closed(ir.clone()),
        }
    }

    /// Folds `f` with variable `slot` unknown (a quantifier that is not unrolled binds it).
    fn under<T>(&mut self, slot: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.bound.get_mut(slot).and_then(Option::take);
        let shadow = (slot == self.known.var) as usize;
        self.shadowed += shadow;
        let out = f(self);
        self.shadowed -= shadow;
        if let (Some(b), Some(v)) = (self.bound.get_mut(slot), saved) {
            *b = Some(v);
        }
        out
    }

    fn fold_source(&mut self, src: &Source) -> Source {
        match src {
            Source::Kind(k) => Source::Kind(*k),
            Source::Index { kind, slot, key, also } => Source::Index {
                kind: *kind,
                slot: *slot,
                key: Box::new(self.fold(key)),
                also: also.iter().map(|(s, k)| (*s, self.fold(k))).collect(),
            },
            Source::Id { kind, key } => Source::Id { kind: *kind, key: Box::new(self.fold(key)) },
            Source::Expr(e) => Source::Expr(Box::new(self.fold(e))),
        }
    }

    /// The elements of a source that reads nothing unknown, if there are few enough.
    fn items(&self, src: &Source, slot: usize) -> Option<Vec<Value>> {
        if let Source::Kind(k) = src
            && self.ctx.store(*k).kind(*k).len() > MAX_UNROLL
        {
            return None;
        }
        let comp = Ir::Comp { slot, src: src.clone(), filter: None, body: Box::new(Ir::Var(slot)) };
        match self.eval_if_closed(comp) {
            Ir::Const(Value::List(l)) if l.len() <= MAX_UNROLL => Some(l.to_vec()),
            _ => None,
        }
    }

    /// `forall`/`exists` over known elements, as `and`/`or` of the instances that remain.
    fn unroll(&mut self, q: Quant, slot: usize, items: Vec<Value>, filter: Option<&Ir>, body: Option<&Ir>) -> Ir {
        let saved = self.bound.get(slot).cloned().flatten();
        let mut parts = Vec::new();
        let mut decided = None;
        for item in items {
            if let Some(b) = self.bound.get_mut(slot) {
                *b = Some(item);
            }
            let f = filter.map(|f| self.fold(f));
            if matches!(&f, Some(Ir::Const(v)) if !v.truthy()) {
                continue;
            }
            let b = body.map_or(Ir::Const(Value::Bool(true)), |b| self.fold(b));
            let part = match (f, q) {
                (None | Some(Ir::Const(_)), _) => b,
                (Some(f), Quant::Forall) => logic(BinOp::Implies, f, b),
                (Some(f), Quant::Exists) => logic(BinOp::And, f, b),
            };
            match (&part, q) {
                (Ir::Const(v), Quant::Forall) if !v.truthy() => decided = Some(false),
                (Ir::Const(v), Quant::Exists) if v.truthy() => decided = Some(true),
                (Ir::Const(_), _) => continue,
                _ => parts.push(part),
            }
            if decided.is_some() {
                break;
            }
        }
        if let Some(b) = self.bound.get_mut(slot) {
            *b = saved;
        }
        if let Some(d) = decided {
            return Ir::Const(Value::Bool(d));
        }
        let op = if q == Quant::Forall { BinOp::And } else { BinOp::Or };
        let mut parts = parts.into_iter().rev();
        match parts.next() {
            None => Ir::Const(Value::Bool(q == Quant::Forall)),
            Some(last) => parts.fold(as_bool(last), |acc, p| Ir::Bin(op, Box::new(p), Box::new(acc))),
        }
    }

    /// Evaluates a node whose operands are all constants.
    fn eval_if_const(&self, n: Ir) -> Ir {
        let is_const = |x: &Ir| matches!(x, Ir::Const(_));
        let ready = match &n {
            Ir::Field(b, _) | Ir::Not(b) | Ir::Neg(b) | Ir::IdOf(b) | Ir::Matches(b, _) | Ir::Target(_, b) => {
                is_const(b)
            }
            Ir::Deref(k, b) => is_const(b) && !self.is_stream(*k),
            Ir::Bin(_, a, b) | Ir::Index(a, b) => is_const(a) && is_const(b),
            Ir::Call(_, args) | Ir::List(args) => args.iter().all(is_const),
            _ => return self.eval_if_closed(n),
        };
        if ready { self.eval(&n) } else { n }
    }

    /// Evaluates a node that reads no free variable and no stream kind.
    fn eval_if_closed(&self, n: Ir) -> Ir {
        if self.closed(&n, &mut Vec::new()) { self.eval(&n) } else { n }
    }

    fn eval(&self, n: &Ir) -> Ir {
        let mut env = vec![Value::None; self.bound.len()];
        Ir::Const(self.ctx.eval(n, &mut env))
    }

    fn is_stream(&self, k: KindId) -> bool {
        self.ctx.schema.kinds.get(k.0 as usize).is_none_or(|s| s.stream.is_some())
    }

    /// Whether `ir` reads only constants, variables it binds itself (`inner`), and kinds that
    /// are not streams.
    fn closed(&self, ir: &Ir, inner: &mut Vec<usize>) -> bool {
        let src_closed = |f: &Self, s: &Source, inner: &mut Vec<usize>| match s {
            Source::Kind(k) => !f.is_stream(*k),
            Source::Index { kind, key, also, .. } => {
                !f.is_stream(*kind) && f.closed(key, inner) && also.iter().all(|(_, k)| f.closed(k, inner))
            }
            Source::Id { kind, key } => !f.is_stream(*kind) && f.closed(key, inner),
            Source::Expr(e) => f.closed(e, inner),
        };
        let bind = |f: &Self, slot: usize, parts: &[Option<&Ir>], inner: &mut Vec<usize>| {
            inner.push(slot);
            let ok = parts.iter().flatten().all(|p| f.closed(p, inner));
            inner.pop();
            ok
        };
        match ir {
            Ir::Const(_) | Ir::AsOf | Ir::Period => true,
            Ir::Var(s) => inner.contains(s),
            Ir::Kind(k) => !self.is_stream(*k),
            Ir::Deref(k, e) => !self.is_stream(*k) && self.closed(e, inner),
            Ir::Field(e, _) | Ir::IdOf(e) | Ir::Not(e) | Ir::Neg(e) | Ir::Matches(e, _) | Ir::Target(_, e) => {
                self.closed(e, inner)
            }
            Ir::At(_, e) => self.closed(e, inner),
            Ir::Index(a, b) | Ir::Bin(_, a, b) => self.closed(a, inner) && self.closed(b, inner),
            Ir::Call(_, args) | Ir::List(args) => args.iter().all(|a| self.closed(a, inner)),
            Ir::If(a, b, c) => self.closed(a, inner) && self.closed(b, inner) && self.closed(c, inner),
            Ir::Quant { slot, src, filter, body, .. } => {
                src_closed(self, src, inner) && bind(self, *slot, &[filter.as_deref(), body.as_deref()], inner)
            }
            Ir::Count { slot, src, filter } => {
                src_closed(self, src, inner) && bind(self, *slot, &[filter.as_deref()], inner)
            }
            Ir::Sum { slot, src, filter, body } | Ir::Comp { slot, src, filter, body } => {
                src_closed(self, src, inner) && bind(self, *slot, &[filter.as_deref(), Some(body)], inner)
            }
        }
    }
}

/// `forall r in [e for d in S where f] where g: b` as `forall d in S where f and g[r := e]:
/// b[r := e]` (and so for `exists`), when `e` is a plain read: the same elements in the same
/// order, but over `S`, which may then be unrolled (a comprehension over declarations is). The
/// compiler gives every binder its own slot, so `e` means the same wherever it is put.
fn flatten_comprehension(q: Quant, slot: usize, src: &Source, filter: Option<&Ir>, body: Option<&Ir>) -> Option<Ir> {
    let Source::Expr(list) = src else { return None };
    let Ir::Comp { slot: inner, src: from, filter: keep, body: elem } = list.unwrapped() else { return None };
    if !crate::eval::interp::simple(elem) {
        return None;
    }
    let put = |ir: &Ir| {
        let mut ir = ir.clone();
        substitute(&mut ir, slot, elem);
        ir
    };
    let filter = match (keep.as_deref(), filter.map(put)) {
        (Some(k), Some(f)) => Some(Ir::Bin(BinOp::And, Box::new(k.clone()), Box::new(f))),
        (Some(k), None) => Some(k.clone()),
        (None, f) => f,
    };
    Some(Ir::Quant {
        q,
        slot: *inner,
        src: from.clone(),
        filter: filter.map(Box::new),
        body: body.map(put).map(Box::new),
    })
}

/// Replaces every read of variable `slot` in `ir` by `with`.
fn substitute(ir: &mut Ir, slot: usize, with: &Ir) {
    if matches!(ir, Ir::Var(s) if *s == slot) {
        *ir = with.clone();
        return;
    }
    ir.children_mut(&mut |c| substitute(c, slot, with));
}

/// `and`/`or`/`implies` of two folded operands, simplified when one is a constant. Each
/// evaluates to a boolean, as the interpreter's operators do.
fn logic(op: BinOp, a: Ir, b: Ir) -> Ir {
    let t = |x: &Ir| match x {
        Ir::Const(v) => Some(v.truthy()),
        _ => None,
    };
    let c = |v: bool| Ir::Const(Value::Bool(v));
    match (op, t(&a), t(&b)) {
        (BinOp::And, Some(x), Some(y)) => c(x && y),
        (BinOp::Or, Some(x), Some(y)) => c(x || y),
        (BinOp::Implies, Some(x), Some(y)) => c(!x || y),
        (BinOp::And, Some(false), _) | (BinOp::And, _, Some(false)) => c(false),
        (BinOp::And, Some(true), _) => as_bool(b),
        (BinOp::And, _, Some(true)) => as_bool(a),
        (BinOp::Or, Some(true), _) | (BinOp::Or, _, Some(true)) => c(true),
        (BinOp::Or, Some(false), _) => as_bool(b),
        (BinOp::Or, _, Some(false)) => as_bool(a),
        (BinOp::Implies, Some(false), _) | (BinOp::Implies, _, Some(true)) => c(true),
        (BinOp::Implies, Some(true), _) => as_bool(b),
        (BinOp::Implies, _, Some(false)) => Ir::Not(Box::new(a)),
        _ => Ir::Bin(op, Box::new(a), Box::new(b)),
    }
}

/// An expression with the value `Bool(truthy(x))`: `x` itself when it already evaluates to a
/// boolean, else `not not x`.
fn as_bool(x: Ir) -> Ir {
    match &x {
        Ir::Const(v) => Ir::Const(Value::Bool(v.truthy())),
        Ir::Not(_) | Ir::Quant { .. } => x,
        Ir::Bin(BinOp::And | BinOp::Or | BinOp::Implies | BinOp::In | BinOp::NotIn, ..) => x,
        Ir::Bin(op, ..) if op.is_comparison() => x,
        _ => Ir::Not(Box::new(Ir::Not(Box::new(x)))),
    }
}

#[cfg(test)]
mod tests;
