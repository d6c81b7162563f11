//! Evaluating a lowered expression: what the interpreter computes for the original, with the
//! decisions made at lowering time.

use std::borrow::Cow;

use super::{Fold, KeyRef, Memo, Op, num};
use crate::base::store::{Column, NO_LINK, NONE};
use crate::base::value::{RecordRef, Value, compare_op, str_equal};
use crate::eval::builtins::{self, Builtin};
use crate::eval::interp::{Ctx, arith, decides, simple};
use crate::policy::ir::{FieldAcc, Source};
use crate::syntax::ast::{BinOp, Quant};

impl<'a> Op<'a> {
    /// The value, as the interpreter computes it for the original expression.
    pub(in crate::eval) fn eval(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo) -> Value {
        match self {
            Op::Const(v) => v.clone(),
            Op::Logic(..) | Op::Not(_) | Op::Compare(..) | Op::NumCompare(..) | Op::Member(..) | Op::Quant { .. } => {
                Value::Bool(self.test(ctx, env, memo))
            }
            Op::NumArith(num, generic) => match num.num(ctx, env, memo) {
                Some(n) => {
                    num::decided();
                    n.value()
                }
                None => generic.eval(ctx, env, memo),
            },
            Op::Coalesce(a, b) => match a.eval(ctx, env, memo) {
                Value::None => b.eval(ctx, env, memo),
                v => v,
            },
            Op::Arith(op, a, b) => {
                let (x, y) = operands(ctx, a, b, env, memo);
                arith(*op, &x, &y)
            }
            Op::Interp(ir) => ctx.eval(ir, env),
            Op::If(c, t, f) => {
                if c.test(ctx, env, memo) {
                    t.eval(ctx, env, memo)
                } else {
                    f.eval(ctx, env, memo)
                }
            }
            Op::Index(a, i) => {
                let a = a.eval(ctx, env, memo);
                let i = i.eval(ctx, env, memo);
                ctx.index(&a, &i)
            }
            Op::Call(b, args) => {
                // One argument read where it is kept (`len(x.roles)`): the built-in reads it
                // there, with no list of arguments made and no reference count touched
                // ([`Ctx::call`] does the same, but for `cyclic`, which needs the context).
                if let [a] = args.as_slice()
                    && !matches!(b, Builtin::Cyclic { .. })
                    && let Some(v) = a.direct(env)
                {
                    return builtins::call(*b, std::slice::from_ref(v));
                }
                let vals = args.iter().map(|a| a.eval(ctx, env, memo)).collect();
                ctx.call(*b, vals)
            }
            Op::Fold { fold, slot, src, filter, body, items, clears } => {
                let (mut n, mut total, mut out) = (0i64, Value::Int(0), Vec::new());
                let step = |ctx: &Ctx<'a>, env: &mut [Value], item: Cow<'_, Value>| {
                    bind(env, *slot, clears, item.into_owned());
                    if filter.as_ref().is_none_or(|f| f.test(ctx, env, memo)) {
                        match (fold, body) {
                            (Fold::Count, _) => n += 1,
                            (Fold::Sum, Some(b)) => {
                                let v = b.eval(ctx, env, memo);
                                if !v.is_none() {
                                    total = arith(BinOp::Add, &total, &v);
                                }
                            }
                            (Fold::Comp, Some(b)) => out.push(b.eval(ctx, env, memo)),
                            (Fold::Sum | Fold::Comp, None) => {}
                        }
                    }
                    true
                };
                elements(ctx, src, items.as_deref(), env, step);
                if let Some(x) = env.get_mut(*slot) {
                    *x = Value::None;
                }
                match fold {
                    Fold::Count => Value::Int(n),
                    Fold::Sum => total,
                    Fold::Comp => Value::list(out),
                }
            }
            Op::Shared { slot, op } => match env.get(*slot) {
                Some(v) if !v.is_none() => v.clone(),
                _ => {
                    let v = op.eval(ctx, env, memo);
                    if let Some(x) = env.get_mut(*slot) {
                        *x = v.clone();
                    }
                    v
                }
            },
            Op::Field(base, acc) if !base.reads() => {
                let b = base.eval(ctx, env, memo);
                ctx.field(&b, acc)
            }
            // What the id is read from is evaluated where it is not a plain read.
            Op::ById { ir, .. } if !self.reads() => match self.kept(env) {
                Some(v) => v.cloned().unwrap_or_default(),
                None => ctx.eval(ir, env),
            },
            Op::Var(_) | Op::Slot { .. } | Op::Linked { .. } | Op::ById { .. } | Op::Field(..) => {
                self.peek(ctx, env).into_owned()
            }
        }
    }

    /// Whether the value is `true` (what a filter or a condition asks), without making it.
    pub(in crate::eval) fn test(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo) -> bool {
        match self {
            Op::Logic(BinOp::And, a, b) => a.test(ctx, env, memo) && b.test(ctx, env, memo),
            Op::Logic(BinOp::Or, a, b) => a.test(ctx, env, memo) || b.test(ctx, env, memo),
            Op::Logic(_, a, b) => !a.test(ctx, env, memo) || b.test(ctx, env, memo),
            Op::Not(e) => !e.test(ctx, env, memo),
            // Most comparisons are of a field with a constant (`p.level == "新人"`): both taken
            // straight where they are kept.
            Op::Compare(op, a, b) => match (a.direct(env), b.direct(env)) {
                // Dates (`p.joined <= w.from`), the most compared after strings: ordered in
                // place, as `compare_op` orders them.
                (Some(Value::Date(x)), Some(Value::Date(y))) => op.holds(x.cmp(y)),
                (Some(x), Some(y)) => compare_op(*op, x, y),
                _ => {
                    let (x, y) = operands(ctx, a, b, env, memo);
                    compare_op(*op, &x, &y)
                }
            },
            Op::Member(op, a, b) => match (a.direct(env), b.direct(env)) {
                // A string in a list (`"运营专员" in g.person.roles`, `r in ["查看", "导出"]`):
                // compared in place, as [`Ctx::member`] compares them (an item that is not a
                // string never equals one).
                (Some(Value::Str(x)), Some(Value::List(list))) => {
                    let found = list.iter().any(|v| matches!(v, Value::Str(s) if str_equal(s, x)));
                    found == (*op == BinOp::In)
                }
                (Some(x), Some(y)) => ctx.member(*op, Cow::Borrowed(x), y),
                _ => {
                    let (x, y) = operands(ctx, a, b, env, memo);
                    ctx.member(*op, x, &y)
                }
            },
            Op::NumCompare(op, a, b, generic) => {
                match a.num(ctx, env, memo).and_then(|x| Some((x, b.num(ctx, env, memo)?))) {
                    Some((x, y)) => {
                        num::decided();
                        num::compare(*op, x, y)
                    }
                    None => generic.test(ctx, env, memo),
                }
            }
            Op::Quant {
                q,
                slot,
                src,
                filter,
                body,
                dates,
                memo: kept,
                joins,
                clears,
                by_link,
                items,
                bind_kept,
                lookups,
            } => {
                let mut result = *q == Quant::Forall;
                let date = |b: &Option<Op<'a>>, env: &mut [Value], memo: &mut Memo| match b
                    .as_ref()
                    .map(|b| b.eval(ctx, env, memo))
                {
                    None => Some(None),
                    Some(Value::Date(d)) => Some(Some(d)),
                    Some(_) => None,
                };
                let range = dates.as_deref().map(|d| (d, date(&d.from, env, memo), date(&d.to, env, memo)));
                // The elements of an index source, and the filter they still need.
                let mut filter = filter.as_deref();
                let hits = match (src, lookups) {
                    (Source::Index { kind, .. }, Some(lookups)) => {
                        let (hits, by) = lookups.hits(ctx, env).unwrap_or((Cow::Borrowed(&[]), usize::MAX));
                        // The lookup that found them held its own condition for each.
                        if let Some(Some(join)) = joins.get(by)
                            && matches!(*join.key.peek(ctx, env), Value::Str(_))
                        {
                            filter = join.rest.as_deref();
                        }
                        Some((*kind, hits))
                    }
                    _ => None,
                };
                // An element's verdict: filtered out (`None`), holds, fails.
                let verdict = |ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo, item: Cow<'a, Value>| {
                    // A string of the run's data (borrowed for the run: an item of a record's
                    // list) is first looked for by its address.
                    let stored = match (kept, &item) {
                        (Some(m), Cow::Borrowed(Value::Str(s))) => Some((*m, s.as_ptr() as usize)),
                        _ => None,
                    };
                    if let Some((m, at)) = stored
                        && let Some(v) = memo.get_stored(m, at)
                    {
                        if *bind_kept {
                            bind(env, *slot, clears, item.into_owned());
                        }
                        return v;
                    }
                    // Looked up borrowed; the key is made only for an element not seen yet.
                    let key = match kept.zip(KeyRef::of(&item)) {
                        Some((m, k)) => match memo.get(m, &k) {
                            Some(v) => {
                                if let Some((m, at)) = stored {
                                    memo.keep_stored(m, at, v);
                                }
                                // Bound as an evaluation would bind it where a message prints it.
                                if *bind_kept {
                                    bind(env, *slot, clears, item.into_owned());
                                }
                                return v;
                            }
                            None => Some((m, k.owned())),
                        },
                        None => None,
                    };
                    bind(env, *slot, clears, item.into_owned());
                    let v = if filter.is_some_and(|f| !f.test(ctx, env, memo)) {
                        None
                    } else {
                        Some(body.as_ref().is_none_or(|b| b.test(ctx, env, memo)))
                    };
                    if let Some((m, k)) = key {
                        memo.put(m, k, v);
                    }
                    if let Some((m, at)) = stored {
                        memo.keep_stored(m, at, v);
                    }
                    v
                };
                let mut visit =
                    |ctx: &Ctx<'a>, env: &mut [Value], item: Cow<'a, Value>| match verdict(ctx, env, memo, item) {
                        Some(holds) if decides(*q, holds) => {
                            result = holds;
                            false
                        }
                        _ => true,
                    };
                match (hits, range) {
                    // Searched when the run is one of the sorted index's (not another
                    // condition's, which had fewer records).
                    (Some((kind, hits)), Some((d, Some(from), Some(to))))
                        if let Some(run) = d.index.in_dates(&d.sorted, &hits, from, to) =>
                    {
                        for &(idx, _) in run {
                            if !visit(ctx, env, Cow::Owned(Value::Record(RecordRef { kind, idx }))) {
                                break;
                            }
                        }
                    }
                    (Some((kind, hits)), _) => {
                        for &idx in hits.iter() {
                            if !visit(ctx, env, Cow::Owned(Value::Record(RecordRef { kind, idx }))) {
                                break;
                            }
                        }
                    }
                    (None, _) => {
                        // An id named by a resolved reference: its record by position, no hashing.
                        // A reference that names no record (dangling, or absent: a `none` key
                        // names the records without an id) or a record without an id in its
                        // field is looked up as the interpreter does.
                        let linked = by_link.as_ref().and_then(|l| match env.get(l.var) {
                            Some(Value::Record(r)) if r.kind == l.from => {
                                let t = *l.links.get(r.idx as usize)?;
                                (t != NO_LINK && l.has_id(t)).then_some((l.kind, t))
                            }
                            _ => None,
                        });
                        match linked {
                            Some((kind, idx)) => {
                                visit(ctx, env, Cow::Owned(Value::Record(RecordRef { kind, idx })));
                            }
                            None => elements(ctx, src, items.as_deref(), env, visit),
                        }
                    }
                }
                if result == (*q == Quant::Forall)
                    && let Some(x) = env.get_mut(*slot)
                {
                    *x = Value::None;
                }
                result
            }
            _ => self.eval(ctx, env, memo).truthy(),
        }
    }

    /// The value of a field read from a record where the record keeps it (`Some(None)`: the
    /// field is absent, or the reference names no record); `None` when it is not such a read
    /// (the variable is not a record of the kind, the reference was not resolved), to be
    /// evaluated as written.
    #[inline(always)]
    pub(super) fn kept(&self, env: &[Value]) -> Option<Option<&'a Value>> {
        match self {
            Op::Slot { var, kind, col, .. } => match env.get(*var) {
                Some(Value::Record(r)) if r.kind == *kind => Some(col.get(r.idx as usize)),
                _ => None,
            },
            Op::Linked { var, from, links, col, .. } => match env.get(*var) {
                Some(Value::Record(r)) if r.kind == *from => linked(links, col, r.idx),
                _ => None,
            },
            // The id's record, where there is one (`Some(None)`: an id that names no record, or
            // `none`, which names none either); a record of another kind is read as written.
            Op::ById { of, kind, data, col, .. } => match of.direct(env)? {
                Value::Str(id) => Some(data.position(id).and_then(|i| col.get(i as usize))),
                Value::Record(r) if r.kind == *kind => Some(col.get(r.idx as usize)),
                Value::Record(_) => None,
                _ => Some(None),
            },
            _ => None,
        }
    }

    /// The value of a constant, a variable, a field read where the record keeps it or a `??` of
    /// those, as evaluating it gives it; `None` for anything else (to be read or evaluated as
    /// written).
    #[inline]
    pub(super) fn direct<'e>(&'e self, env: &'e [Value]) -> Option<&'e Value> {
        match self {
            Op::Const(v) => Some(v),
            Op::Var(s) => Some(env.get(*s).unwrap_or(&NONE)),
            Op::Slot { .. } | Op::Linked { .. } | Op::ById { .. } => self.kept(env).map(|v| v.unwrap_or(&NONE)),
            // `p.left ?? as_of`: the first that is not `none`, as evaluating it gives.
            Op::Coalesce(a, b) => match a.direct(env)? {
                Value::None => b.direct(env),
                v => Some(v),
            },
            // `a.role` of an object (`a in c.approvals`): its key, as reading it gives
            // ([`Ctx::field_ref`]); of anything else, read as written.
            Op::Field(base, FieldAcc::Name(key)) => match base.direct(env)? {
                Value::Object(o) => Some(o.get(key).unwrap_or(&NONE)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether this only reads (then [`Op::peek`] borrows what it reads).
    pub(super) fn reads(&self) -> bool {
        match self {
            Op::Const(_) | Op::Var(_) | Op::Slot { .. } | Op::Linked { .. } => true,
            Op::ById { of, .. } => of.reads(),
            Op::Field(b, _) => b.reads(),
            Op::Interp(ir) => simple(ir),
            _ => false,
        }
    }

    /// The value of a plain read ([`Op::reads`]), borrowed where it is kept (`none` for
    /// anything else: callers ask only reads).
    pub(super) fn peek<'e>(&'e self, ctx: &'e Ctx<'a>, env: &'e [Value]) -> Cow<'e, Value> {
        let none = || Cow::Owned(Value::None);
        match self {
            Op::Const(v) => Cow::Borrowed(v),
            Op::Var(s) => env.get(*s).map_or_else(none, Cow::Borrowed),
            Op::Slot { var, acc, .. } => match self.kept(env) {
                Some(v) => v.map_or_else(none, Cow::Borrowed),
                None => env.get(*var).map_or_else(none, |b| ctx.field_ref(b, acc)),
            },
            Op::Linked { ir, .. } | Op::ById { ir, .. } => match self.kept(env) {
                Some(v) => v.map_or_else(none, Cow::Borrowed),
                None => ctx.peek(ir, env),
            },
            Op::Field(base, acc) => ctx.field_of(base.peek(ctx, env), acc),
            Op::Interp(ir) => ctx.peek(ir, env),
            _ => none(),
        }
    }
}

/// The field (`col`) of the record that the resolved reference `links` of the record at `idx`
/// names, as [`Op::Linked`] reads it: `Some(None)` where the reference names no record, `None`
/// where `idx` has no reference (read as written).
#[inline]
pub(super) fn linked<'a>(links: &[u32], col: &Column<'a>, idx: u32) -> Option<Option<&'a Value>> {
    match links.get(idx as usize) {
        Some(&NO_LINK) => Some(None),
        Some(&t) => Some(col.get(t as usize)),
        None => None,
    }
}

/// Visits the elements of a quantifier's or a fold's source until `visit` says stop (returns
/// `false`): for a list field of a record (`items`), its items where the record keeps them,
/// borrowed for the run (anything else there is no list, and has no elements); otherwise as
/// the interpreter finds them, owned.
fn elements<'a>(
    ctx: &Ctx<'a>,
    src: &Source,
    items: Option<&Op<'a>>,
    env: &mut [Value],
    mut visit: impl FnMut(&Ctx<'a>, &mut [Value], Cow<'a, Value>) -> bool,
) {
    match items.map(|i| i.kept(env)) {
        Some(Some(found)) => {
            if let Some(Value::List(list)) = found {
                for item in list.iter() {
                    if !visit(ctx, env, Cow::Borrowed(item)) {
                        break;
                    }
                }
            }
        }
        _ => ctx.each(src, env, |ctx, env, item| visit(ctx, env, Cow::Owned(item))),
    }
}

/// Binds a quantifier's element to `slot`, clearing the kept computations that read it.
fn bind(env: &mut [Value], slot: usize, clears: &[usize], item: Value) {
    if let Some(x) = env.get_mut(slot) {
        *x = item;
    }
    for &c in clears {
        if let Some(x) = env.get_mut(c) {
            *x = Value::None;
        }
    }
}

/// Two operands, borrowed when both only read (as the interpreter's `operands`).
fn operands<'e, 'a>(
    ctx: &'e Ctx<'a>,
    a: &'e Op<'a>,
    b: &'e Op<'a>,
    env: &'e mut [Value],
    memo: &mut Memo,
) -> (Cow<'e, Value>, Cow<'e, Value>) {
    if a.reads() && b.reads() {
        let env = &*env;
        (a.peek(ctx, env), b.peek(ctx, env))
    } else {
        let x = a.eval(ctx, env, memo);
        let y = b.eval(ctx, env, memo);
        (Cow::Owned(x), Cow::Owned(y))
    }
}
