//! A simplified check decided for many subjects at once, node by node over a batch of records
//! of its kind (`a.total - (a.scores.上级评价 * 40% + …) <= 0.5` for 256 appraisals): each
//! node of the lowered expression is visited once per batch, not once per subject, and reads
//! its field of every record in the batch in one loop.
//!
//! Only what is decided without doubt is decided here: conditions built of `and`, `or`,
//! `implies`, `not`, plain reads, comparisons and memberships of plain reads (or of a built-in
//! of one, `len(x.roles)`), and comparisons of arithmetic over numbers ([`super::num`]), about
//! the subject's own fields, constants and the run's invariants.
//! A subject is [`Tri::Unknown`] wherever the subject-by-subject evaluation would not decide
//! it the same way at once (a read that is not where a record keeps it, an operand that turns
//! out not to be a number): that subject is evaluated as before. None of these nodes binds a
//! variable or keeps a verdict, so deciding a node for the whole batch changes nothing the
//! subject-by-subject evaluation would see; `a and b` is false where either is known false, as
//! both are pure.

use std::borrow::Cow;

use super::Op;
use super::eval::linked;
use super::num::{Ins, N, NumOp, Prog, arith, compare, decided};
use crate::base::store::NONE;
use crate::base::value::{KindId, Value, compare_op, str_equal};
use crate::eval::builtins::{self, Builtin};
use crate::eval::interp::Ctx;
use crate::policy::ir::FieldAcc;
use crate::syntax::ast::BinOp;

/// Subjects per batch: enough to pay for visiting each node once per batch, few enough that a
/// batch's reads stay in the processor's cache.
pub(in crate::eval) const BATCH: usize = 256;

/// What a batch knows of a condition for one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tri {
    /// Known false.
    False,
    /// Known true.
    True,
    /// Not decided here: evaluate the subject as before.
    Unknown,
}

impl Tri {
    fn of(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    /// Whether this says nothing false of a condition whose value is `b` (for tests: a batch's
    /// answer against the interpreter's).
    #[cfg(test)]
    pub(crate) fn admits(self, b: bool) -> bool {
        self == Tri::Unknown || (self == Tri::True) == b
    }
}

/// The subjects of a batch: records of `kind` bound to variable `slot`; the variables `fixed`
/// hold the run's invariants, in `env`.
pub(in crate::eval) struct Subjects<'e> {
    pub slot: usize,
    pub kind: KindId,
    pub fixed: std::ops::Range<usize>,
    pub env: &'e [Value],
}

/// What a batch has read and computed, for the nodes after: the subject's fields read (by
/// field), and the numbers of shared computations ([`NumOp::Shared`], [`Ins::Keep`], by slot).
#[derive(Default)]
struct Scratch<'e> {
    reads: Vec<(usize, Vec<Option<&'e Value>>)>,
    kept: Vec<(usize, Vec<Option<N>>)>,
}

impl<'a> Op<'a> {
    /// Whether [`Op::test_batch`] can decide this condition for `s`'s subjects.
    pub(in crate::eval) fn batchable(&self, s: &Subjects) -> bool {
        match self {
            Op::Const(_) => true,
            Op::Logic(BinOp::And | BinOp::Or | BinOp::Implies, a, b) => a.batchable(s) && b.batchable(s),
            Op::Not(a) => a.batchable(s),
            Op::Compare(_, a, b) | Op::Member(_, a, b) => a.operand(s) && b.operand(s),
            Op::NumCompare(_, a, b, _) => a.batchable(s) && b.batchable(s),
            // A field as a condition (`t.encrypted`).
            op => op.readable(s),
        }
    }

    /// Whether this is an operand [`Op::operand_batch`] gives for `s`'s subjects: a plain read,
    /// or a built-in of one (`len(x.roles)`).
    fn operand(&self, s: &Subjects) -> bool {
        match self {
            Op::Call(b, args) => {
                !matches!(b, Builtin::Cyclic { .. }) && matches!(args.as_slice(), [a] if a.readable(s))
            }
            op => op.readable(s),
        }
    }

    /// For each subject at the positions `idx`, the value of an [`Op::operand`]: as
    /// [`Op::direct`] reads it, or as [`Op::eval`] calls a built-in on a read (`None` where the
    /// read gives nothing: evaluated as written).
    fn operand_batch<'e>(
        &'e self,
        s: &Subjects<'e>,
        idx: &[u32],
        scratch: &mut Scratch<'e>,
    ) -> Vec<Option<Cow<'e, Value>>> {
        match self {
            Op::Call(b, args) if let [a] = args.as_slice() => a
                .read_batch(s, idx, scratch)
                .into_iter()
                .map(|v| v.map(|v| Cow::Owned(builtins::call(*b, std::slice::from_ref(v)))))
                .collect(),
            op => op.read_batch(s, idx, scratch).into_iter().map(|v| v.map(Cow::Borrowed)).collect(),
        }
    }

    /// Whether this is a plain read [`Op::read_batch`] reads for `s`'s subjects as
    /// [`Op::direct`] reads it for one.
    fn readable(&self, s: &Subjects) -> bool {
        match self {
            Op::Const(_) => true,
            Op::Var(v) => s.fixed.contains(v),
            Op::Slot { var, kind, .. } => *var == s.slot && *kind == s.kind,
            Op::Linked { var, from, .. } => *var == s.slot && *from == s.kind,
            Op::Field(base, FieldAcc::Name(_)) => base.readable(s),
            Op::Coalesce(a, b) => a.readable(s) && b.readable(s),
            _ => false,
        }
    }

    /// For each subject at the positions `idx`, whether this condition holds, as
    /// [`Op::test`] finds it, where that is decided at once ([`Tri`]). Only for a
    /// [`Op::batchable`] condition (anything else is [`Tri::Unknown`]).
    pub(in crate::eval) fn test_batch<'e>(&'e self, ctx: &Ctx<'a>, s: &Subjects<'e>, idx: &[u32], out: &mut Vec<Tri>) {
        self.test_kept(ctx, s, idx, &mut Scratch::default(), out);
    }

    fn test_kept<'e>(
        &'e self,
        ctx: &Ctx<'a>,
        s: &Subjects<'e>,
        idx: &[u32],
        kept: &mut Scratch<'e>,
        out: &mut Vec<Tri>,
    ) {
        out.clear();
        match self {
            Op::Const(v) => out.resize(idx.len(), Tri::of(v.truthy())),
            Op::Logic(op @ (BinOp::And | BinOp::Or | BinOp::Implies), a, b) => {
                a.test_kept(ctx, s, idx, kept, out);
                let mut other = Vec::with_capacity(idx.len());
                b.test_kept(ctx, s, idx, kept, &mut other);
                for (x, &y) in out.iter_mut().zip(&other) {
                    *x = logic(*op, *x, y);
                }
            }
            Op::Not(a) => {
                a.test_kept(ctx, s, idx, kept, out);
                out.iter_mut().for_each(|x| *x = not(*x));
            }
            Op::Compare(op, a, b) => {
                let (x, y) = (a.operand_batch(s, idx, kept), b.operand_batch(s, idx, kept));
                out.extend(x.iter().zip(&y).map(|pair| match pair {
                    (Some(x), Some(y)) => Tri::of(compare_op(*op, x, y)),
                    _ => Tri::Unknown,
                }));
            }
            Op::Member(op, a, b) => {
                let (x, y) = (a.operand_batch(s, idx, kept), b.operand_batch(s, idx, kept));
                out.extend(x.iter().zip(&y).map(|pair| match pair {
                    // As `Op::test` compares a string with a list's items.
                    (Some(x), Some(y)) if let (Value::Str(x), Value::List(list)) = (&**x, &**y) => {
                        let found = list.iter().any(|v| matches!(v, Value::Str(s) if str_equal(s, x)));
                        Tri::of(found == (*op == BinOp::In))
                    }
                    (Some(x), Some(y)) => Tri::of(ctx.member(*op, Cow::Borrowed(&**x), y)),
                    _ => Tri::Unknown,
                }));
            }
            Op::NumCompare(op, a, b, _) => {
                let (mut x, mut y) = (Vec::with_capacity(idx.len()), Vec::with_capacity(idx.len()));
                a.num_batch(s, idx, kept, &mut x);
                b.num_batch(s, idx, kept, &mut y);
                out.extend(x.iter().zip(&y).map(|pair| match pair {
                    (Some(x), Some(y)) => {
                        decided();
                        Tri::of(compare(*op, *x, *y))
                    }
                    _ => Tri::Unknown,
                }));
            }
            // A read as a condition: whether its value is true, as `Op::test` evaluates it.
            op if op.readable(s) => {
                out.extend(
                    op.read_batch(s, idx, kept).into_iter().map(|v| v.map_or(Tri::Unknown, |v| Tri::of(v.truthy()))),
                );
            }
            _ => out.resize(idx.len(), Tri::Unknown),
        }
    }

    /// For each subject at the positions `idx`, what [`Op::direct`] gives with that subject
    /// bound (`None` where it gives nothing: read as written). Only for an [`Op::readable`]
    /// read.
    fn read_batch<'e>(&'e self, s: &Subjects<'e>, idx: &[u32], scratch: &mut Scratch<'e>) -> Vec<Option<&'e Value>> {
        match self {
            Op::Const(v) => vec![Some(v); idx.len()],
            Op::Var(v) => vec![Some(s.env.get(*v).unwrap_or(&NONE)); idx.len()],
            // A field read twice in the batch (`a.scores.上级评价`, `a.scores.同事评价`) is read once.
            Op::Slot { col, acc, .. } => {
                let field = match acc {
                    FieldAcc::Slot(_, f) => Some(*f),
                    _ => None,
                };
                if let Some((_, got)) = scratch.reads.iter().find(|(f, _)| Some(*f) == field) {
                    return got.clone();
                }
                let mut got = Vec::with_capacity(idx.len());
                col.get_many(idx, |v| got.push(Some(v.unwrap_or(&NONE))));
                if let Some(f) = field {
                    scratch.reads.push((f, got.clone()));
                }
                got
            }
            Op::Linked { links, col, .. } => {
                idx.iter().map(|&i| linked(links, col, i).map(|v| v.unwrap_or(&NONE))).collect()
            }
            Op::Field(base, FieldAcc::Name(key)) => {
                let mut keys = Keys::default();
                let mut got = base.read_batch(s, idx, scratch);
                for v in got.iter_mut() {
                    *v = match *v {
                        Some(Value::Object(o)) => Some(keys.get(o, key).unwrap_or(&NONE)),
                        _ => None,
                    };
                }
                got
            }
            Op::Coalesce(a, b) => {
                let mut got = a.read_batch(s, idx, scratch);
                if got.iter().any(|v| matches!(v, Some(Value::None))) {
                    let other = b.read_batch(s, idx, scratch);
                    for (v, w) in got.iter_mut().zip(other) {
                        if matches!(v, Some(Value::None)) {
                            *v = w;
                        }
                    }
                }
                got
            }
            _ => vec![None; idx.len()],
        }
    }
}

/// `a and b`, `a or b`, `a implies b` where either may be unknown: known wherever every value
/// the unknown sides may take gives the same result.
fn logic(op: BinOp, a: Tri, b: Tri) -> Tri {
    // `a implies b` is `not a or b`.
    let a = if op == BinOp::Implies { not(a) } else { a };
    match (op, a, b) {
        (BinOp::And, Tri::False, _) | (BinOp::And, _, Tri::False) => Tri::False,
        (BinOp::And, Tri::True, Tri::True) => Tri::True,
        (BinOp::And, ..) => Tri::Unknown,
        (_, Tri::True, _) | (_, _, Tri::True) => Tri::True,
        (_, Tri::False, Tri::False) => Tri::False,
        _ => Tri::Unknown,
    }
}

/// A condition negated (unknown stays unknown).
fn not(t: Tri) -> Tri {
    match t {
        Tri::False => Tri::True,
        Tri::True => Tri::False,
        Tri::Unknown => Tri::Unknown,
    }
}

/// Where the last object read kept a key: objects read from one file share their list of
/// keys, so the key is found once per list, not searched for in every object.
#[derive(Default)]
struct Keys {
    /// The list of keys (its address), and the key's position in it.
    last: Option<(*const crate::base::value::Str, usize)>,
}

impl Keys {
    /// The value of `key` in `o`, as [`crate::base::value::Object::get`] finds it (the first
    /// field with that key).
    fn get<'o>(&mut self, o: &'o crate::base::value::Object, key: &str) -> Option<&'o Value> {
        let keys = o.keys();
        let at = match self.last {
            Some((list, at)) if std::ptr::eq(list, keys.as_ptr()) => at,
            _ => {
                let at = keys.iter().position(|k| crate::base::value::same_text(k, key))?;
                self.last = Some((keys.as_ptr(), at));
                at
            }
        };
        o.values().get(at)
    }
}

impl<'a> NumOp<'a> {
    /// Whether [`NumOp::num_batch`] computes this for `s`'s subjects.
    fn batchable(&self, s: &Subjects) -> bool {
        match self {
            NumOp::Const(_) => true,
            NumOp::Read(op) => op.readable(s),
            NumOp::Eval(_) => false,
            NumOp::Arith(_, a, b) => a.batchable(s) && b.batchable(s),
            NumOp::Shared { op, .. } => op.batchable(s),
            NumOp::Flat(prog) => prog.0.iter().all(|ins| match ins {
                Ins::Read(op) => op.readable(s),
                Ins::Eval(_) => false,
                Ins::Const(_) | Ins::Arith(_) | Ins::ArithConst(..) | Ins::Kept { .. } | Ins::Keep(_) => true,
            }),
        }
    }

    /// For each subject at the positions `idx`, what [`NumOp::num`] gives with that subject
    /// bound (`None` where it gives up). Only for a batchable expression.
    fn num_batch<'e>(&'e self, s: &Subjects<'e>, idx: &[u32], kept: &mut Scratch<'e>, out: &mut Vec<Option<N>>) {
        out.clear();
        match self {
            NumOp::Const(n) => out.resize(idx.len(), Some(*n)),
            NumOp::Read(op) => read_num(op, s, idx, kept, out),
            NumOp::Eval(_) => out.resize(idx.len(), None),
            NumOp::Arith(op, a, b) => {
                a.num_batch(s, idx, kept, out);
                let mut other = Vec::with_capacity(idx.len());
                b.num_batch(s, idx, kept, &mut other);
                arith_all(*op, out, |i| other.get(i).copied().flatten());
            }
            NumOp::Shared { slot, op } => match kept.kept.iter().find(|(k, _)| k == slot) {
                Some((_, v)) => out.extend_from_slice(v),
                None => {
                    op.num_batch(s, idx, kept, out);
                    kept.kept.push((*slot, out.clone()));
                }
            },
            NumOp::Flat(prog) => prog.run_batch(s, idx, kept, out),
        }
    }
}

/// `a[i] op b(i)` for each number of `a` (`None` where either is `none`, or [`arith`] gives
/// up), with a loop for each operation: the operation is decided once, not for each number.
fn arith_all(op: BinOp, a: &mut [Option<N>], b: impl Fn(usize) -> Option<N>) {
    #[inline(always)]
    fn each(a: &mut [Option<N>], b: impl Fn(usize) -> Option<N>, f: impl Fn(N, N) -> Option<N>) {
        for (i, x) in a.iter_mut().enumerate() {
            *x = match (*x, b(i)) {
                (Some(x), Some(y)) => f(x, y),
                _ => None,
            };
        }
    }
    match op {
        BinOp::Add => each(a, b, |x, y| arith(BinOp::Add, x, y)),
        BinOp::Sub => each(a, b, |x, y| arith(BinOp::Sub, x, y)),
        BinOp::Mul => each(a, b, |x, y| arith(BinOp::Mul, x, y)),
        BinOp::Div => each(a, b, |x, y| arith(BinOp::Div, x, y)),
        op => each(a, b, |x, y| arith(op, x, y)),
    }
}

/// [`NumOp::Read`] of a readable op, for the batch: as [`super::num`]'s `read` gives it.
fn read_num<'e>(op: &'e Op, s: &Subjects<'e>, idx: &[u32], scratch: &mut Scratch<'e>, out: &mut Vec<Option<N>>) {
    out.extend(op.read_batch(s, idx, scratch).into_iter().map(|v| v.and_then(N::of)));
}

impl<'a> Prog<'a> {
    /// [`Prog`]'s run for each subject of the batch: the same instructions, each over the
    /// whole batch.
    fn run_batch<'e>(&'e self, s: &Subjects<'e>, idx: &[u32], kept: &mut Scratch<'e>, out: &mut Vec<Option<N>>) {
        let mut stack: Vec<Vec<Option<N>>> = Vec::with_capacity(self.1);
        let mut pc = 0usize;
        while let Some(ins) = self.0.get(pc) {
            pc += 1;
            match ins {
                Ins::Const(n) => stack.push(vec![Some(*n); idx.len()]),
                Ins::Read(op) => {
                    let mut v = Vec::with_capacity(idx.len());
                    read_num(op, s, idx, kept, &mut v);
                    stack.push(v);
                }
                Ins::Eval(_) => stack.push(vec![None; idx.len()]),
                Ins::Arith(op) => {
                    let (Some(b), Some(a)) = (stack.pop(), stack.last_mut()) else { break };
                    arith_all(*op, a, |i| b.get(i).copied().flatten());
                }
                Ins::ArithConst(op, n) => {
                    let Some(a) = stack.last_mut() else { break };
                    arith_all(*op, a, |_| Some(*n));
                }
                Ins::Kept { slot, skip } => {
                    if let Some((_, v)) = kept.kept.iter().find(|(k, _)| k == slot) {
                        stack.push(v.clone());
                        pc += skip;
                    }
                }
                Ins::Keep(slot) => {
                    if let Some(top) = stack.last() {
                        kept.kept.push((*slot, top.clone()));
                    }
                }
            }
        }
        // A program leaves one number (anything else gives up, as `Prog::run`).
        match (stack.pop(), stack.is_empty()) {
            (Some(top), true) => *out = top,
            _ => out.resize(idx.len(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_in_objects_whatever_their_keys() {
        use crate::base::value::{Object, Str};
        let object =
            |fields: &[(&str, i64)]| Object::new(fields.iter().map(|(k, v)| (Str::from(*k), Value::Int(*v))).collect());
        // Objects with the same keys share their list; other orders, other keys, a repeated key.
        let objects = [
            object(&[("a", 1), ("b", 2)]),
            object(&[("a", 3), ("b", 4)]),
            object(&[("b", 5), ("a", 6)]),
            object(&[("c", 7)]),
            object(&[("a", 8), ("b", 9)]),
            object(&[("b", 10), ("b", 11), ("a", 12)]),
            object(&[]),
            object(&[("b", 13), ("a", 14)]),
        ];
        for key in ["a", "b", "c", "d"] {
            let mut keys = Keys::default();
            for o in objects.iter().chain(objects.iter().rev()) {
                assert_eq!(keys.get(o, key), o.get(key), "{key} in {:?}", o.keys());
            }
        }
    }

    #[test]
    fn unknown_is_decided_only_where_the_other_side_decides() {
        let ts = [Tri::False, Tri::True, Tri::Unknown];
        for a in ts {
            for b in ts {
                for op in [BinOp::And, BinOp::Or, BinOp::Implies] {
                    // Every way of making the unknowns true or false agrees with a known result.
                    let values = |t: Tri| match t {
                        Tri::Unknown => vec![false, true],
                        t => vec![t == Tri::True],
                    };
                    let mut got = Vec::new();
                    for x in values(a) {
                        for y in values(b) {
                            got.push(match op {
                                BinOp::And => x && y,
                                BinOp::Or => x || y,
                                _ => !x || y,
                            });
                        }
                    }
                    let want = if got.iter().all(|&g| g) {
                        Tri::True
                    } else if got.iter().all(|&g| !g) {
                        Tri::False
                    } else {
                        Tri::Unknown
                    };
                    assert_eq!(logic(op, a, b), want, "{a:?} {op:?} {b:?}");
                }
            }
        }
    }
}
