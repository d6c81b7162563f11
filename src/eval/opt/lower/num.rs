//! Arithmetic and comparisons over numbers, lowered to a tree of numeric operations
//! (`a.total - (a.scores.上级评价 * 40% + …) <= 0.5`): the generic evaluator's work at each node
//! (are both operands plain reads? borrow or evaluate them, match the pair of values against
//! every kind of arithmetic, make a value, drop it) made once, where the lowerer sees the shape.
//! A number is an int, a number or a percentage, exactly as [`arith`](crate::eval::interp::arith)
//! and [`compare_op`](crate::base::value::compare_op) treat them; an operand that is anything
//! else at run time (`none`, a duration, an overflow, a division by zero) gives up, and the
//! expression is evaluated again the generic way (it binds nothing, so the second evaluation
//! sees what the first did). Built only where the schema does not already say a leaf is not a
//! number (a date field, a duration constant), so that giving up stays the exception.

use super::{Lowerer, Memo, Op, shareable};
use crate::base::value::{CmpOp, Value};
use crate::eval::interp::Ctx;
use crate::policy::ir::{FieldAcc, Ir};
use crate::policy::types::Type;
use crate::syntax::ast::BinOp;

/// A number as arithmetic sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::eval) enum N {
    Int(i64),
    Num(f64),
    Percent(f64),
}

impl N {
    /// The number a value is, if it is one.
    #[inline]
    pub(in crate::eval) fn of(v: &Value) -> Option<N> {
        match *v {
            Value::Int(i) => Some(N::Int(i)),
            Value::Num(x) => Some(N::Num(x)),
            Value::Percent(x) => Some(N::Percent(x)),
            _ => None,
        }
    }

    /// The value.
    pub(in crate::eval) fn value(self) -> Value {
        match self {
            N::Int(i) => Value::Int(i),
            N::Num(x) => Value::Num(x),
            N::Percent(x) => Value::Percent(x),
        }
    }

    /// As [`Value::as_f64`].
    #[inline]
    fn f64(self) -> f64 {
        match self {
            N::Int(i) => i as f64,
            N::Num(x) | N::Percent(x) => x,
        }
    }
}

/// [`arith`](crate::eval::interp::arith) on numbers, arm for arm; `None` where it gives `none`.
#[inline(always)]
pub(in crate::eval) fn arith(op: BinOp, a: N, b: N) -> Option<N> {
    use N::*;
    let div = |x: f64, y: f64| (y != 0.0).then(|| x / y);
    Some(match (op, a, b) {
        (BinOp::Add, Int(x), Int(y)) => Int(x.checked_add(y)?),
        (BinOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(y)?),
        (BinOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(y)?),
        (BinOp::Add, Percent(x), Percent(y)) => Percent(x + y),
        (BinOp::Sub, Percent(x), Percent(y)) => Percent(x - y),
        (BinOp::Add, Int(0), Percent(y)) => Percent(y),
        (BinOp::Mul, Percent(x), Int(_) | Num(_)) => Percent(x * b.f64()),
        (BinOp::Div, Percent(x), Int(_) | Num(_)) => Percent(div(x, b.f64())?),
        (BinOp::Mul, Int(_) | Num(_), Percent(y)) => Num(a.f64() * y / 100.0),
        (BinOp::Div, Percent(x), Percent(y)) => Num(div(x, y)?),
        (op, a, b) => {
            let (x, y) = (a.f64(), b.f64());
            match op {
                BinOp::Add => Num(x + y),
                BinOp::Sub => Num(x - y),
                BinOp::Mul => Num(x * y),
                BinOp::Div => Num(div(x, y)?),
                _ => return None,
            }
        }
    })
}

/// [`compare_op`](crate::base::value::compare_op) on numbers: equal within 1e-9.
#[inline]
pub(in crate::eval) fn compare(op: CmpOp, a: N, b: N) -> bool {
    use std::cmp::Ordering::*;
    let (x, y) = (a.f64(), b.f64());
    let close = (x - y).abs() < 1e-9;
    let order = if close { Some(Equal) } else { x.partial_cmp(&y) };
    match op {
        CmpOp::Eq => close,
        CmpOp::Ne => !close,
        _ => order.is_some_and(|o| op.holds(o)),
    }
}

/// Counts an expression decided by numbers alone (for tests: the differential test checks
/// that its random checks reach this path); nothing outside tests.
#[inline(always)]
pub(in crate::eval) fn decided() {
    #[cfg(test)]
    DECIDED.with(|n| n.set(n.get() + 1));
}

#[cfg(test)]
thread_local! {
    static DECIDED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many expressions this thread has decided by numbers alone ([`decided`]).
#[cfg(test)]
pub(crate) fn decided_count() -> usize {
    DECIDED.with(std::cell::Cell::get)
}

/// A lowered numeric expression.
#[derive(Debug)]
pub(in crate::eval) enum NumOp<'a> {
    /// A constant number.
    Const(N),
    /// A plain read ([`Op::peek`]): a field, a variable.
    Read(Op<'a>),
    /// Anything else (a shared lookup a field is read from), evaluated.
    Eval(Op<'a>),
    /// Arithmetic.
    Arith(BinOp, Box<NumOp<'a>>, Box<NumOp<'a>>),
    /// A computation written more than once ([`Op::Shared`]): kept in `slot` as a value.
    Shared { slot: usize, op: Box<NumOp<'a>> },
    /// Arithmetic made a flat program ([`NumOp::flat`]).
    Flat(Prog<'a>),
}

impl<'a> NumOp<'a> {
    /// The number, or `None` where the generic evaluation is needed (see the module's doc).
    pub(in crate::eval) fn num(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo) -> Option<N> {
        match self {
            NumOp::Const(n) => Some(*n),
            NumOp::Read(op) => read(op, ctx, env),
            NumOp::Eval(op) => N::of(&op.eval(ctx, env, memo)),
            NumOp::Arith(op, a, b) => {
                let x = a.num(ctx, env, memo)?;
                let y = b.num(ctx, env, memo)?;
                arith(*op, x, y)
            }
            NumOp::Shared { slot, op } => match env.get(*slot) {
                Some(v) if !v.is_none() => N::of(v),
                _ => {
                    let n = op.num(ctx, env, memo)?;
                    if let Some(x) = env.get_mut(*slot) {
                        *x = n.value();
                    }
                    Some(n)
                }
            },
            NumOp::Flat(prog) => prog.run(ctx, env, memo),
        }
    }

    /// This expression as a flat program ([`Prog`]) where it is arithmetic that fits the
    /// program's stack; as it is otherwise (a leaf is read as fast either way).
    pub(in crate::eval) fn flat(self) -> NumOp<'a> {
        let depth = self.depth();
        if !matches!(self, NumOp::Arith(..) | NumOp::Shared { .. }) || depth > DEPTH {
            return self;
        }
        let mut code = Vec::new();
        self.emit(&mut code);
        NumOp::Flat(Prog(code.into(), depth))
    }

    /// The most numbers the program of this expression holds at once.
    fn depth(&self) -> usize {
        match self {
            NumOp::Const(_) | NumOp::Read(_) | NumOp::Eval(_) => 1,
            NumOp::Arith(_, a, b) => match **b {
                NumOp::Const(_) => a.depth(),
                _ => a.depth().max(1 + b.depth()),
            },
            NumOp::Shared { op, .. } => op.depth(),
            NumOp::Flat(p) => p.1,
        }
    }

    /// Appends the program of this expression: what it computes left on the stack.
    fn emit(self, code: &mut Vec<Ins<'a>>) {
        match self {
            NumOp::Const(n) => code.push(Ins::Const(n)),
            NumOp::Read(op) => code.push(Ins::Read(op)),
            NumOp::Eval(op) => code.push(Ins::Eval(op)),
            NumOp::Arith(op, a, b) => {
                a.emit(code);
                match *b {
                    NumOp::Const(n) => code.push(Ins::ArithConst(op, n)),
                    b => {
                        b.emit(code);
                        code.push(Ins::Arith(op));
                    }
                }
            }
            NumOp::Shared { slot, op } => {
                let at = code.len();
                code.push(Ins::Kept { slot, skip: 0 });
                op.emit(code);
                code.push(Ins::Keep(slot));
                let n = code.len() - at - 1;
                if let Some(Ins::Kept { skip, .. }) = code.get_mut(at) {
                    *skip = n;
                }
            }
            NumOp::Flat(p) => code.extend(p.0.into_vec()),
        }
    }
}

/// A read as a number ([`NumOp::Read`]).
#[inline(always)]
fn read<'a>(op: &Op<'a>, ctx: &Ctx<'a>, env: &[Value]) -> Option<N> {
    match op {
        // A record's field, or a key of a record's object field (`a.scores.上级评价`): read
        // where the record keeps it, without the generic read's borrowed-or-owned value (what
        // `peek` gives for these, taken straight).
        Op::Field(base, FieldAcc::Name(key)) if let Some(Some(Value::Object(o))) = base.kept(env) => {
            o.get(key).and_then(N::of)
        }
        _ => match op.direct(env) {
            Some(v) => N::of(v),
            None => N::of(&op.peek(ctx, env)),
        },
    }
}

/// The most numbers a [`Prog`] holds at once (a sum of products written left to right holds
/// two); a deeper expression stays a tree.
const DEPTH: usize = 8;

/// A numeric expression as a flat program over a small stack, operands before their
/// operation (`a.total - (a.scores.上级评价 * 40% + …)`): evaluated in one loop, where the tree
/// costs a call, a match and a returned `Option` per node. It computes what the tree computes,
/// in the same order, and gives up where the tree gives up. Also holds its depth.
#[derive(Debug)]
pub(in crate::eval) struct Prog<'a>(pub(super) Box<[Ins<'a>]>, pub(super) usize);

/// An instruction of a [`Prog`].
#[derive(Debug)]
pub(in crate::eval) enum Ins<'a> {
    /// Push a number.
    Const(N),
    /// Push a read ([`NumOp::Read`]).
    Read(Op<'a>),
    /// Push a value evaluated ([`NumOp::Eval`]).
    Eval(Op<'a>),
    /// Pop `b`, then `a`; push `a op b`.
    Arith(BinOp),
    /// Pop `a`; push `a op n` (`x * 40%`).
    ArithConst(BinOp, N),
    /// If `slot` keeps a value ([`NumOp::Shared`]), push it and skip the `skip` instructions
    /// that compute it.
    Kept { slot: usize, skip: usize },
    /// Keep the top of the stack in `slot`.
    Keep(usize),
}

impl<'a> Prog<'a> {
    /// The number, or `None` where the generic evaluation is needed, as [`NumOp::num`].
    fn run(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo) -> Option<N> {
        let mut stack = [N::Int(0); DEPTH];
        let mut sp = 0usize;
        let mut pc = 0usize;
        while let Some(ins) = self.0.get(pc) {
            pc += 1;
            let push = match ins {
                Ins::Const(n) => *n,
                Ins::Read(op) => read(op, ctx, env)?,
                Ins::Eval(op) => N::of(&op.eval(ctx, env, memo))?,
                Ins::Arith(op) => {
                    sp = sp.checked_sub(1)?;
                    let b = *stack.get(sp)?;
                    let a = stack.get_mut(sp.checked_sub(1)?)?;
                    *a = arith(*op, *a, b)?;
                    continue;
                }
                Ins::ArithConst(op, n) => {
                    let a = stack.get_mut(sp.checked_sub(1)?)?;
                    *a = arith(*op, *a, *n)?;
                    continue;
                }
                Ins::Kept { slot, skip } => match env.get(*slot) {
                    Some(v) if !v.is_none() => {
                        pc += skip;
                        N::of(v)?
                    }
                    _ => continue,
                },
                Ins::Keep(slot) => {
                    let top = *stack.get(sp.checked_sub(1)?)?;
                    if let Some(x) = env.get_mut(*slot) {
                        *x = top.value();
                    }
                    continue;
                }
            };
            *stack.get_mut(sp)? = push;
            sp += 1;
        }
        match sp {
            1 => stack.first().copied(),
            _ => None,
        }
    }
}

impl<'a> Lowerer<'_, 'a> {
    /// `a OP b` (a comparison or arithmetic) lowered to numbers, with the generic lowering to
    /// fall back on; `None` where it is not arithmetic over what may be numbers.
    pub(super) fn numeric(&mut self, ir: &Ir, a: &Ir, b: &Ir, cmp: Option<CmpOp>) -> Option<Op<'a>> {
        if self.generic || !(self.may_be_number(a) && self.may_be_number(b)) {
            return None;
        }
        // Worth it only where there is arithmetic: a comparison of two reads costs as much either way.
        if cmp.is_some() && !(has_arith(a) || has_arith(b)) {
            return None;
        }
        let num = |l: &mut Self, e: &Ir| l.lower_num(e).map(|n| Box::new(n.flat()));
        let (x, y) = (num(self, a)?, num(self, b)?);
        self.generic = true;
        let fallback = Box::new(self.lower(ir));
        self.generic = false;
        Some(match (cmp, ir.unwrapped()) {
            (Some(c), _) => Op::NumCompare(c, x, y, fallback),
            (None, Ir::Bin(op, ..)) => Op::NumArith(Box::new(NumOp::Arith(*op, x, y).flat()), fallback),
            (None, _) => return None,
        })
    }

    /// `ir` as a numeric expression (shared where [`Lowerer::lower`] shares it).
    fn lower_num(&mut self, ir: &Ir) -> Option<NumOp<'a>> {
        if !self.sharing
            && shareable(ir)
            && !self.repeated.is_empty()
            && let Some(slot) = self.repeated.get(&format!("{ir:?}")).copied()
        {
            self.sharing = true;
            let op = self.lower_num(ir);
            self.sharing = false;
            return Some(NumOp::Shared { slot, op: Box::new(op?) });
        }
        Some(match ir {
            Ir::At(_, e) => return self.lower_num(e),
            Ir::Const(v) => NumOp::Const(N::of(v)?),
            Ir::Bin(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), a, b) => {
                NumOp::Arith(*op, Box::new(self.lower_num(a)?), Box::new(self.lower_num(b)?))
            }
            Ir::Var(_) | Ir::Field(..) => {
                let op = self.lower(ir);
                if op.reads() { NumOp::Read(op) } else { NumOp::Eval(op) }
            }
            _ => return None,
        })
    }

    /// Whether `ir` is arithmetic over constant numbers, variables and fields the schema does
    /// not say are something else.
    fn may_be_number(&self, ir: &Ir) -> bool {
        match ir {
            Ir::At(_, e) => self.may_be_number(e),
            Ir::Const(v) => N::of(v).is_some(),
            Ir::Var(_) => true,
            Ir::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, a, b) => {
                self.may_be_number(a) && self.may_be_number(b)
            }
            Ir::Field(..) => self.field_type(ir).is_none_or(Type::is_numeric),
            _ => false,
        }
    }

    /// The type of a field read, where the schema says it (a record's field, a key of an object
    /// field).
    fn field_type(&self, ir: &Ir) -> Option<&'a Type> {
        let schema = self.ctx.schema;
        match ir.unwrapped() {
            Ir::Field(_, FieldAcc::Slot(k, s)) => Some(&schema.kinds.get(k.0 as usize)?.fields.get(*s)?.ty),
            Ir::Field(base, FieldAcc::Name(n)) => match self.field_type(base)? {
                Type::Object(fields) => fields.iter().find(|f| f.name == n.as_str()).map(|f| &f.ty),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether `ir` has arithmetic in it.
fn has_arith(ir: &Ir) -> bool {
    match ir {
        Ir::At(_, e) => has_arith(e),
        Ir::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, ..) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::value::compare_op;
    use crate::eval::interp::arith as generic;

    fn numbers() -> Vec<N> {
        let mut v = Vec::new();
        for i in [0, 1, -3, 7, i64::MAX, i64::MIN, 1 << 53] {
            v.push(N::Int(i));
        }
        for x in [0.0, -0.0, 2.5, -1e-10, 1e-10, 40.0, 1e300, f64::INFINITY, f64::NAN] {
            v.push(N::Num(x));
            v.push(N::Percent(x));
        }
        v
    }

    #[test]
    fn numeric_arithmetic_is_the_interpreters() {
        for op in [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div] {
            for a in numbers() {
                for b in numbers() {
                    let want = generic(op, &a.value(), &b.value());
                    let got = arith(op, a, b).map_or(Value::None, N::value);
                    assert_eq!(format!("{got:?}"), format!("{want:?}"), "{a:?} {op:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn numeric_comparisons_are_the_interpreters() {
        for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge] {
            for a in numbers() {
                for b in numbers() {
                    assert_eq!(compare(op, a, b), compare_op(op, &a.value(), &b.value()), "{a:?} {op:?} {b:?}");
                }
            }
        }
    }
}
