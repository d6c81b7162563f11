//! A check's expression lowered for one run: the decisions the interpreter makes at every node
//! (is this operand a plain read? which store holds this kind? is this reference field
//! resolved, and to which kind?) are made once, when the run's data is known, and field reads
//! point straight at the kind's records. The simplified checks ([`super::run`]) evaluate every
//! subject with this; anything it does not lower is evaluated by the interpreter, so the two
//! always agree (a test holds them to it, subject by subject).
//! (Over 500 lines: the lowering of every IR node is one match; its evaluation is `lower/eval.rs`.)

use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::hoist;
use crate::base::store::{Column, KindData};
use crate::base::value::{CmpOp, KindId, Value};
use crate::eval::builtins::Builtin;
use crate::eval::index::{ByDate, Index};
use crate::eval::interp::Ctx;
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::syntax::ast::{BinOp, Quant};

/// A lowered expression. `'a` is the run's data.
#[derive(Debug)]
pub(in crate::eval) enum Op<'a> {
    /// A constant.
    Const(Value),
    /// A variable slot.
    Var(usize),
    /// A field (`col`, at `acc`) of the record of `kind` bound to variable `var`.
    Slot { var: usize, kind: KindId, col: Column<'a>, acc: FieldAcc },
    /// A field (`col`) of the record that the resolved reference field `link` of the record of
    /// `from` bound to `var` names (`g.person.roles`): positions, no ids.
    Linked { var: usize, from: KindId, links: &'a [u32], col: Column<'a>, ir: Ir },
    /// A field (`col`) of the record of `kind` that the id `of` reads names, where no resolved
    /// reference field gives its position (`a.by.roles`, `a` an approval of a change;
    /// `policy.approval[c.tier].requires`): the id looked up in the records of `kind`
    /// ([`KindData::position`]), as [`Ctx::deref`](crate::eval::interp::Ctx) looks it up, and
    /// the field read where the record keeps it. `ir` is the read as written.
    ById { of: Box<Op<'a>>, kind: KindId, data: &'a KindData, col: Column<'a>, ir: Ir },
    /// Any other field access.
    Field(Box<Op<'a>>, FieldAcc),
    /// `and`, `or`, `implies`.
    Logic(BinOp, Box<Op<'a>>, Box<Op<'a>>),
    /// `not`.
    Not(Box<Op<'a>>),
    /// `a ?? b`.
    Coalesce(Box<Op<'a>>, Box<Op<'a>>),
    /// A comparison.
    Compare(CmpOp, Box<Op<'a>>, Box<Op<'a>>),
    /// `in`, `not in`.
    Member(BinOp, Box<Op<'a>>, Box<Op<'a>>),
    /// Arithmetic.
    Arith(BinOp, Box<Op<'a>>, Box<Op<'a>>),
    /// `forall`/`exists` (elements as the interpreter finds them, or narrowed by `dates`).
    Quant {
        q: Quant,
        slot: usize,
        src: Source,
        filter: Option<Box<Op<'a>>>,
        body: Option<Box<Op<'a>>>,
        dates: Option<Box<Dates<'a>>>,
        /// Where each element's verdict is kept, when it depends on the element alone.
        memo: Option<usize>,
        /// For an index source, per lookup (its first key, then the others in order): the
        /// condition it stands for, where the filter states it plainly.
        joins: Vec<Option<Join<'a>>>,
        /// Slots of kept computations that read the variable (cleared when it is bound).
        clears: Vec<usize>,
        /// For an id source whose key is a resolved reference field (`exists d in dataset
        /// where d.id == g.dataset`): the record is the one the reference names, by position.
        by_link: Option<ByLink<'a>>,
        /// For a list source that is a field of a record (`r in p.roles`): the field, read
        /// where the record keeps it, so its items are visited without copying the list or
        /// them (their reference counts are shared by both threads).
        items: Option<Box<Op<'a>>>,
        /// Whether a kept verdict binds its element too ([`Lowerer::keeping`]).
        bind_kept: bool,
        /// For an index source: its lookups, lowered.
        lookups: Option<Box<Lookups<'a>>>,
    },
    /// A computation written more than once (`a.total - S <= t and S - a.total <= t`):
    /// computed once per binding of what it reads, kept in `slot` (`none` there: not yet
    /// computed, or computed as `none` and so computed again).
    Shared { slot: usize, op: Box<Op<'a>> },
    /// A comparison of numeric expressions ([`num`]), with its generic lowering for operands
    /// that turn out not to be numbers.
    NumCompare(CmpOp, Box<num::NumOp<'a>>, Box<num::NumOp<'a>>, Box<Op<'a>>),
    /// Arithmetic on numbers ([`num`]), with its generic lowering likewise.
    NumArith(Box<num::NumOp<'a>>, Box<Op<'a>>),
    /// `if c then t else f`.
    If(Box<Op<'a>>, Box<Op<'a>>, Box<Op<'a>>),
    /// `a[i]` ([`Ctx::index`]).
    Index(Box<Op<'a>>, Box<Op<'a>>),
    /// A call of a built-in on its arguments' values ([`Ctx::call`]).
    Call(Builtin, Vec<Op<'a>>),
    /// `count`, `sum` or a list comprehension: its elements as the interpreter finds them (or,
    /// for a list field of a record, where the record keeps it, as [`Op::Quant`]'s `items`).
    Fold {
        fold: Fold,
        slot: usize,
        src: Source,
        filter: Option<Box<Op<'a>>>,
        /// The summand or the item made (none for `count`).
        body: Option<Box<Op<'a>>>,
        items: Option<Box<Op<'a>>>,
        /// Slots of kept computations that read the variable (cleared when it is bound).
        clears: Vec<usize>,
    },
    /// Evaluated by the interpreter.
    Interp(Ir),
}

/// What a [`Op::Fold`] makes of its elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::eval) enum Fold {
    /// How many pass the filter.
    Count,
    /// The sum of the body's values that are not `none`.
    Sum,
    /// The list of the body's values.
    Comp,
}

/// The record an id source names, found through a resolved reference field: field `links`
/// of the record of `from` bound to `var` names the record of `kind` at that position.
#[derive(Debug)]
pub(in crate::eval) struct ByLink<'a> {
    var: usize,
    from: KindId,
    links: &'a [u32],
    kind: KindId,
    /// The records of `kind`, and the slot of their `id` field.
    data: &'a KindData,
    id: usize,
}

impl ByLink<'_> {
    /// Whether the record at `idx` is the one `y.id == key` names: its `id` field holds its id
    /// (a record without one is known by a made-up id, `#n`, which a reference may name).
    fn has_id(&self, idx: u32) -> bool {
        matches!(self.data.field(idx as usize, self.id), Some(Value::Str(_)))
    }
}

/// An index lookup whose filter bounds a date field of the records (`c.date >= w.from and
/// c.date <= w.to`): the lookup's run is searched for the range in a copy of the index sorted
/// by that date, rather than filtered record by record. The filter still tests every record
/// found, so this only has to find a superset of the records in range.
#[derive(Debug)]
pub(in crate::eval) struct Dates<'a> {
    index: &'a Index,
    sorted: Arc<ByDate>,
    from: Option<Op<'a>>,
    to: Option<Op<'a>>,
}

pub(crate) use batch::Tri;
pub(in crate::eval) use batch::{BATCH, Subjects};
use lookup::Lookups;
pub(in crate::eval) use memo::{KeyRef, Memo};

/// Lowers `ir` alone (slots from `base` on are fixed for the run; `subject`'s value is fixed
/// while it is evaluated); see [`Lowerer`]. Also returns the number of variable slots it needs.
#[cfg(test)]
pub(in crate::eval) fn lower<'a>(ctx: &Ctx<'a>, ir: &Ir, base: usize, subject: Option<usize>) -> (Op<'a>, Memo, usize) {
    let mut l = Lowerer::new(ctx, base, base, subject);
    l.share(&[ir]);
    let op = l.lower(ir);
    (op, l.memo(), l.slots())
}

/// For differential tests outside `eval`: `ir` lowered alone ([`lower`], slots from `base` on
/// fixed for the run) and evaluated once per subject, each bound to `subject` in fresh slots
/// (one memo table for all of them, as a thread of a run keeps it). With no subject slot,
/// evaluated once.
#[cfg(test)]
pub(crate) fn lowered_values(
    ctx: &Ctx,
    ir: &Ir,
    base: usize,
    subject: Option<usize>,
    subjects: &[Value],
) -> Vec<Value> {
    let (op, mut memo, slots) = lower(ctx, ir, base, subject);
    let fresh = |item: Option<&Value>| {
        let mut env = vec![Value::None; slots.max(base).max(1)];
        if let (Some(s), Some(v)) = (subject, item)
            && let Some(slot) = env.get_mut(s)
        {
            *slot = v.clone();
        }
        env
    };
    match subject {
        Some(_) => subjects.iter().map(|v| op.eval(ctx, &mut fresh(Some(v)), &mut memo)).collect(),
        None => vec![op.eval(ctx, &mut fresh(None), &mut memo)],
    }
}

/// A lookup's condition in a quantifier's filter (`a.person == p.id`, `p.id in t.attendees`):
/// every record the lookup finds for a string key meets it, so they are filtered by the rest.
#[derive(Debug)]
pub(in crate::eval) struct Join<'a> {
    /// The lookup's key.
    key: Op<'a>,
    /// The filter without the condition (`None`: nothing else).
    rest: Option<Box<Op<'a>>>,
}

/// Lowers expressions for the run `ctx` reads.
pub(in crate::eval) struct Lowerer<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// Variable slots from here on hold values fixed for the run (hoisted invariants).
    base: usize,
    /// Memoised quantifiers so far.
    memos: usize,
    /// The variable bound to the subject (fixed while one subject is evaluated).
    subject: Option<usize>,
    /// Computations written more than once (by their printed form), and the slot each is
    /// kept in.
    repeated: HashMap<String, usize>,
    /// The slots of the kept computations that read a quantifier's variable, by variable:
    /// cleared when it is bound.
    owned: HashMap<usize, Vec<usize>>,
    /// The next free variable slot.
    next: usize,
    /// Whether lowering is inside a shared sub-expression (not shared again).
    sharing: bool,
    /// Whether lowering the generic form a numeric expression falls back on (not lowered to
    /// numbers again).
    generic: bool,
    /// The variables a message prints, when the lowered expression must leave them bound as
    /// the interpreter does ([`Lowerer::keeping`]).
    printed: Option<HashSet<usize>>,
}

impl<'c, 'a> Lowerer<'c, 'a> {
    /// A lowerer for expressions whose slots from `base` on are fixed for the run, that use
    /// `slots` variable slots, evaluated with `subject` bound to one subject at a time.
    pub(in crate::eval) fn new(ctx: &'c Ctx<'a>, base: usize, slots: usize, subject: Option<usize>) -> Self {
        Lowerer {
            ctx,
            base,
            memos: 0,
            subject,
            repeated: HashMap::default(),
            owned: HashMap::default(),
            next: slots,
            sharing: false,
            generic: false,
            printed: None,
        }
    }

    /// Lowers so that the variables `printed` are left bound as the interpreter leaves them (a
    /// failing subject's message reads them): a quantifier whose filter or body binds one is
    /// not memoised (a kept verdict skips the evaluation that binds it), and one that binds or
    /// encloses one visits its elements in the interpreter's order (not by date: the first
    /// counterexample is the one named). A memoised quantifier binds its element on a kept
    /// verdict too, so its own variable may be printed.
    pub(in crate::eval) fn keeping(mut self, printed: &HashSet<usize>) -> Self {
        self.printed = Some(printed.clone());
        self
    }

    /// Whether a binder in `parts` (or, with `own`, that slot) is a variable a message prints.
    fn binds_printed(&self, own: Option<usize>, parts: &[Option<&Ir>]) -> bool {
        let Some(printed) = &self.printed else { return false };
        own.is_some_and(|s| printed.contains(&s)) || parts.iter().flatten().any(|p| hoist::binds_any(p, printed))
    }

    /// The variable slots the lowered expressions need (shared values are kept after the
    /// expressions' own slots: clear them when the subject changes).
    pub(in crate::eval) fn slots(&self) -> usize {
        self.next
    }

    /// Finds the computations `parts` (lowered next) repeat within one binding of the variables
    /// they read, and gives each a slot: arithmetic, lookups (`policy.approval[c.tier]`,
    /// `a.by`), calls and comprehensions. One about the subject alone is kept while the subject
    /// is; one that reads a quantifier's variable is kept until that variable is bound again.
    pub(in crate::eval) fn share(&mut self, parts: &[&Ir]) {
        let Some(subject) = self.subject else { return };
        let mut seen: HashMap<String, (usize, Option<usize>)> = HashMap::default();
        for part in parts {
            self.count(part, subject, &mut Vec::new(), &mut seen);
        }
        let mut repeated: Vec<(String, Option<usize>)> =
            seen.into_iter().filter(|(_, (n, _))| *n > 1).map(|(k, (_, owner))| (k, owner)).collect();
        repeated.sort();
        for (key, owner) in repeated {
            if let Some(v) = owner {
                self.owned.entry(v).or_default().push(self.next);
            }
            self.repeated.insert(key, self.next);
            self.next += 1;
        }
    }

    /// Counts the shareable nodes of `ir`, with the variable each is kept for (`None`: the
    /// subject); `bound` are the variables of the quantifiers around it, innermost last.
    fn count(
        &self,
        ir: &Ir,
        subject: usize,
        bound: &mut Vec<usize>,
        seen: &mut HashMap<String, (usize, Option<usize>)>,
    ) {
        if shareable(ir) {
            let free: Vec<usize> = hoist::free(ir).into_iter().filter(|&s| s < self.base && s != subject).collect();
            let owner = bound.iter().rev().find(|b| free.contains(b)).copied();
            if free.iter().all(|s| bound.contains(s)) {
                seen.entry(format!("{ir:?}")).or_insert((0, owner)).0 += 1;
            }
        }
        let scoped = |slot: usize, src: &Source, parts: &[Option<&Ir>], bound: &mut Vec<usize>, seen: &mut _| {
            src.children(&mut |k| self.count(k, subject, bound, seen));
            bound.push(slot);
            for p in parts.iter().flatten() {
                self.count(p, subject, bound, seen);
            }
            bound.pop();
        };
        match ir {
            Ir::Quant { slot, src, filter, body, .. } => {
                scoped(*slot, src, &[filter.as_deref(), body.as_deref()], bound, seen)
            }
            Ir::Count { slot, src, filter } => scoped(*slot, src, &[filter.as_deref()], bound, seen),
            Ir::Sum { slot, src, filter, body } | Ir::Comp { slot, src, filter, body } => {
                scoped(*slot, src, &[filter.as_deref(), Some(body)], bound, seen)
            }
            other => other.children(&mut |c| self.count(c, subject, bound, seen)),
        }
    }

    /// Empty tables for the quantifiers lowered so far, for one thread.
    pub(in crate::eval) fn memo(&self) -> Memo {
        Memo::new(self.memos)
    }

    /// Lowers `ir`.
    pub(in crate::eval) fn lower(&mut self, ir: &Ir) -> Op<'a> {
        if !self.sharing
            && shareable(ir)
            && !self.repeated.is_empty()
            && let Some(slot) = self.repeated.get(&format!("{ir:?}")).copied()
        {
            self.sharing = true;
            let op = Box::new(self.lower(ir));
            self.sharing = false;
            return Op::Shared { slot, op };
        }
        if let Ir::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, a, b) = ir
            && let Some(num) = self.numeric(ir, a, b, None)
        {
            return num;
        }
        if let Ir::Bin(op, a, b) = ir
            && let Some(c) = op.comparison()
            && let Some(num) = self.numeric(ir, a, b, Some(c))
        {
            return num;
        }
        let ctx = self.ctx;
        let mut sub = |e: &Ir| Box::new(self.lower(e));
        match ir {
            Ir::At(_, e) => self.lower(e),
            Ir::Const(v) => Op::Const(v.clone()),
            // The run's date and period, as the interpreter reads them.
            Ir::AsOf => Op::Const(Value::Date(ctx.as_of)),
            Ir::Period => Op::Const(ctx.period.clone()),
            Ir::Var(s) => Op::Var(*s),
            Ir::Field(base, acc) => match (base.unwrapped(), acc) {
                (Ir::Var(var), FieldAcc::Slot(kind, slot)) => Op::Slot {
                    var: *var,
                    kind: *kind,
                    col: ctx.store(*kind).kind(*kind).column(*slot),
                    acc: acc.clone(),
                },
                (Ir::Deref(to, link), FieldAcc::Slot(k, slot)) if k == to => match linked(ctx, *to, link) {
                    Some((var, from, links)) => {
                        Op::Linked { var, from, links, col: ctx.store(*to).kind(*to).column(*slot), ir: ir.clone() }
                    }
                    None if !resolved(ctx, link) => {
                        let data = ctx.store(*to).kind(*to);
                        Op::ById { of: sub(link), kind: *to, data, col: data.column(*slot), ir: ir.clone() }
                    }
                    None => Op::Field(sub(base), acc.clone()),
                },
                _ => Op::Field(sub(base), acc.clone()),
            },
            Ir::Not(e) => Op::Not(sub(e)),
            Ir::Bin(op @ (BinOp::And | BinOp::Or | BinOp::Implies), a, b) => Op::Logic(*op, sub(a), sub(b)),
            Ir::Bin(BinOp::Coalesce, a, b) => Op::Coalesce(sub(a), sub(b)),
            Ir::Bin(op @ (BinOp::In | BinOp::NotIn), a, b) => Op::Member(*op, sub(a), sub(b)),
            Ir::Bin(op, a, b) => match op.comparison() {
                Some(c) => Op::Compare(c, sub(a), sub(b)),
                None => Op::Arith(*op, sub(a), sub(b)),
            },
            Ir::Quant { q, slot, src, filter, body } => {
                let parts = [filter.as_deref(), body.as_deref()];
                let dates = filter
                    .as_deref()
                    .filter(|_| !self.binds_printed(Some(*slot), &parts))
                    .and_then(|f| self.dates(*slot, src, f))
                    .map(Box::new);
                let memo = (self.memoised(*slot, filter.as_deref(), body.as_deref())
                    && !self.binds_printed(None, &parts))
                .then(|| {
                    self.memos += 1;
                    self.memos - 1
                });
                let joins = match (src, filter.as_deref()) {
                    (Source::Index { kind, slot: key_slot, key, also }, Some(f)) => {
                        std::iter::once((*key_slot, &**key))
                            .chain(also.iter().map(|(s, k)| (*s, k)))
                            .map(|(field, key)| self.join(*slot, *kind, field, key, f))
                            .collect()
                    }
                    _ => Vec::new(),
                };
                // Not where ids repeat: then an id names several records, a reference only one.
                let by_link = match src {
                    Source::Id { kind, key } if !ctx.store(*kind).kind(*kind).repeated_ids => {
                        let (data, id) = (ctx.store(*kind).kind(*kind), ctx.schema.kind(*kind).id_slot());
                        linked(ctx, *kind, key).zip(id).map(|((var, from, links), id)| ByLink {
                            var,
                            from,
                            links,
                            kind: *kind,
                            data,
                            id,
                        })
                    }
                    _ => None,
                };
                let items = self.items(src);
                let lookups = Lookups::new(ctx, src, &mut |k| self.lower(k)).map(Box::new);
                Op::Quant {
                    items,
                    lookups,
                    bind_kept: self.printed.is_some(),
                    by_link,
                    clears: self.owned.get(slot).cloned().unwrap_or_default(),
                    joins,
                    memo,
                    q: *q,
                    slot: *slot,
                    src: src.clone(),
                    filter: filter.as_deref().map(|f| Box::new(self.lower(f))),
                    body: body.as_deref().map(|b| Box::new(self.lower(b))),
                    dates,
                }
            }
            Ir::If(c, t, f) => Op::If(sub(c), sub(t), sub(f)),
            Ir::Index(a, i) => Op::Index(sub(a), sub(i)),
            Ir::Call(b, args) => Op::Call(*b, args.iter().map(|a| self.lower(a)).collect()),
            Ir::Count { slot, src, filter } => self.fold(Fold::Count, *slot, src, filter.as_deref(), None),
            Ir::Sum { slot, src, filter, body } => self.fold(Fold::Sum, *slot, src, filter.as_deref(), Some(body)),
            Ir::Comp { slot, src, filter, body } => self.fold(Fold::Comp, *slot, src, filter.as_deref(), Some(body)),
            _ => Op::Interp(ir.clone()),
        }
    }

    /// `count`, `sum` or a comprehension over `src` binding `slot`.
    fn fold(&mut self, fold: Fold, slot: usize, src: &Source, filter: Option<&Ir>, body: Option<&Ir>) -> Op<'a> {
        Op::Fold {
            fold,
            slot,
            items: self.items(src),
            clears: self.owned.get(&slot).cloned().unwrap_or_default(),
            src: src.clone(),
            filter: filter.map(|f| Box::new(self.lower(f))),
            body: body.map(|b| Box::new(self.lower(b))),
        }
    }

    /// For a source that is a list field of a record (`r in p.roles`), the field, read where
    /// the record keeps it. Only a field read can lower to one (anything else is not lowered
    /// twice).
    fn items(&mut self, src: &Source) -> Option<Box<Op<'a>>> {
        match src {
            Source::Expr(e) if matches!(e.unwrapped(), Ir::Field(..)) => {
                Some(self.lower(e)).filter(|op| matches!(op, Op::Slot { .. } | Op::Linked { .. } | Op::ById { .. }))
            }
            _ => None,
        }
        .map(Box::new)
    }

    /// The condition `x.field == key` (or `key in x.field`) among the `and`s of `filter`, `x`
    /// being `slot`'s record of `kind`: the key and the filter without it, lowered.
    fn join(&mut self, slot: usize, kind: KindId, field: usize, key: &Ir, filter: &Ir) -> Option<Join<'a>> {
        let mut parts = Vec::new();
        conjuncts(filter, &mut |c| parts.push(c));
        let printed = format!("{:?}", key.unwrapped());
        let is_field = |x: &Ir| {
            matches!(x.unwrapped(), Ir::Field(v, FieldAcc::Slot(k, f))
                if *k == kind && *f == field && matches!(v.unwrapped(), Ir::Var(s) if *s == slot))
        };
        let is_key = |x: &Ir| format!("{:?}", x.unwrapped()) == printed;
        let at = parts.iter().position(|c| match c {
            Ir::Bin(BinOp::Eq, a, b) => (is_field(a) && is_key(b)) || (is_key(a) && is_field(b)),
            Ir::Bin(BinOp::In, a, b) => is_key(a) && is_field(b),
            _ => false,
        })?;
        parts.remove(at);
        let rest = parts.into_iter().cloned().reduce(|a, b| Ir::Bin(BinOp::And, Box::new(a), Box::new(b)));
        Some(Join { key: self.lower(key), rest: rest.map(|r| Box::new(self.lower(&r))) })
    }

    /// Whether a quantifier's verdict on an element depends on the element alone: its filter
    /// and body read no variable but its own and the run's invariants, and no stream kind (whose
    /// records change from one file to the next; stream checks run elsewhere today).
    fn memoised(&self, slot: usize, filter: Option<&Ir>, body: Option<&Ir>) -> bool {
        let mut ok = true;
        for part in filter.into_iter().chain(body) {
            ok &= hoist::free(part).iter().all(|&s| s == slot || s >= self.base);
            part.visit(&mut |n| {
                let kind = match n {
                    Ir::Kind(k) | Ir::Deref(k, _) => Some(*k),
                    Ir::Quant { src, .. } | Ir::Count { src, .. } | Ir::Sum { src, .. } | Ir::Comp { src, .. } => {
                        match src {
                            Source::Kind(k) | Source::Index { kind: k, .. } | Source::Id { kind: k, .. } => Some(*k),
                            Source::Expr(_) => None,
                        }
                    }
                    _ => None,
                };
                ok &= kind.is_none_or(|k| self.ctx.schema.kinds.get(k.0 as usize).is_some_and(|s| s.stream.is_none()));
            });
        }
        ok
    }

    /// For a lookup of `slot`'s records whose filter bounds one of their date fields, the index
    /// sorted by that field and the bounds.
    fn dates(&mut self, slot: usize, src: &Source, filter: &Ir) -> Option<Dates<'a>> {
        let Source::Index { kind, slot: key_slot, .. } = src else { return None };
        let mut bounds: Vec<(usize, BinOp, &Ir)> = Vec::new();
        conjuncts(filter, &mut |c| {
            if let Ir::Bin(op @ (BinOp::Ge | BinOp::Gt | BinOp::Le | BinOp::Lt), a, b) = c.unwrapped() {
                let field = |x: &Ir| match x.unwrapped() {
                    Ir::Field(v, FieldAcc::Slot(k, f))
                        if matches!(v.unwrapped(), Ir::Var(s) if *s == slot) && k == kind =>
                    {
                        Some(*f)
                    }
                    _ => None,
                };
                match (field(a), field(b)) {
                    (Some(f), None) if !b.uses_slot(slot) => bounds.push((f, *op, b)),
                    (None, Some(f)) if !a.uses_slot(slot) => bounds.push((f, flip(*op), a)),
                    _ => {}
                }
            }
        });
        let field = bounds.first()?.0;
        let ctx = self.ctx;
        let index = ctx.indexes.map.get(&(*kind, *key_slot))?;
        let data = ctx.store(*kind).kind(*kind);
        let sorted = index.sorted_by(field, |r| match data.field(r as usize, field) {
            Some(Value::Date(d)) => Ok(Some(*d)),
            Some(Value::None) | None => Ok(None),
            Some(_) => Err(()),
        })?;
        let mut bound = |ops: &[BinOp]| {
            bounds.iter().find(|(f, op, _)| *f == field && ops.contains(op)).map(|(_, _, e)| self.lower(e))
        };
        let from = bound(&[BinOp::Ge, BinOp::Gt]);
        let to = bound(&[BinOp::Le, BinOp::Lt]);
        Some(Dates { index, sorted, from, to })
    }
}

/// Whether a node is a computation worth keeping when it is written twice.
fn shareable(ir: &Ir) -> bool {
    match ir {
        Ir::Bin(op, ..) => {
            !op.is_comparison() && !matches!(op, BinOp::And | BinOp::Or | BinOp::Implies | BinOp::In | BinOp::NotIn)
        }
        Ir::Index(..) | Ir::Call(..) | Ir::Comp { .. } | Ir::Count { .. } | Ir::Sum { .. } | Ir::Deref(..) => true,
        _ => false,
    }
}

/// Calls `f` on each operand of a chain of `and`s.
fn conjuncts<'i>(ir: &'i Ir, f: &mut impl FnMut(&'i Ir)) {
    match ir.unwrapped() {
        Ir::Bin(BinOp::And, a, b) => {
            conjuncts(a, f);
            conjuncts(b, f);
        }
        other => f(other),
    }
}

/// The comparison with its operands swapped (`k <= x` is `x >= k`).
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Ge => BinOp::Le,
        BinOp::Gt => BinOp::Lt,
        BinOp::Le => BinOp::Ge,
        BinOp::Lt => BinOp::Gt,
        other => other,
    }
}

/// Whether `link` (what a reference is read from) is a field the loader resolved: then the
/// interpreter may follow its positions ([`Ctx::read`](crate::eval::interp::Ctx)) rather than
/// look its id up, and [`Op::ById`] (which looks ids up) does not stand for it.
fn resolved(ctx: &Ctx, link: &Ir) -> bool {
    match link.unwrapped() {
        Ir::Field(_, FieldAcc::Slot(from, slot)) => ctx.store(*from).kind(*from).link(*slot).is_some(),
        _ => false,
    }
}

/// For `Deref(to, v.f)` where `f` is a reference field to `to` that the loader resolved: the
/// variable, its kind and the field's links.
fn linked<'a>(ctx: &Ctx<'a>, to: KindId, link: &Ir) -> Option<(usize, KindId, &'a [u32])> {
    let Ir::Field(base, FieldAcc::Slot(from, slot)) = link.unwrapped() else { return None };
    let Ir::Var(var) = base.unwrapped() else { return None };
    let is_ref_to = matches!(ctx.schema.kind(*from).fields.get(*slot).map(|f| &f.ty),
        Some(crate::policy::types::Type::Ref(t)) if *t == to);
    let links = ctx.store(*from).kind(*from).link(*slot)?;
    is_ref_to.then_some((*var, *from, links))
}

mod batch;
mod eval;
mod lookup;
mod memo;
pub(crate) mod num;

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests;
