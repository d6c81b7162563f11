//! Running a compiled check: one violation per failing subject, with its message rendered.

use rayon::prelude::*;

use super::interp::Ctx;
use super::opt::hoist;
use super::opt::lower::{BATCH, Lowerer, Memo, Op, Subjects, Tri};
use super::opt::specialize::{Known, specialize};
use crate::base::lang::Lang;
use crate::base::value::{RecordRef, Value};
use crate::policy::Check;
use crate::policy::ir::{Ir, Source};
use crate::syntax::ast::Quant;

/// One failing subject of a check.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The record the finding is about (`None` for a check that is not `forall x in …`).
    pub subject: Option<RecordRef>,
    /// The rendered message.
    pub message: String,
    /// The rendered English message, if the rule has one.
    pub message_en: Option<String>,
}

/// Evaluates a check. `forall x in C where P: Q` yields one violation per `x` with `P` and not
/// `Q`; any other check yields one violation when it is false.
pub fn run_check(ctx: &Ctx, check: &Check) -> Vec<Violation> {
    run_check_counted(ctx, check).0
}

/// Like [`run_check`], and also returns the number of subjects checked: for `forall x in C
/// where P: Q` the elements of `C` with `P`; 1 for any other check (the organisation as a whole).
///
/// Invariant sub-expressions are evaluated once ([`super::opt::hoist`]); a top-level `forall` is split
/// into chunks evaluated in parallel, and the results concatenated in order. Over records of a
/// kind, each subject is first tried with the check simplified for the run ([`Quick`]); one
/// that fails is evaluated again as written, lowered so that it leaves bound what the
/// interpreter leaves bound for the messages ([`Quick::full`]), with its own kept verdicts.
pub fn run_check_counted(ctx: &Ctx, check: &Check) -> (Vec<Violation>, usize) {
    let printed = printed_slots(check);
    let plan = hoist::hoist(&check.ir, check.slots.max(1), &printed);
    let mut env = plan.env(ctx);
    let base = plan.base;
    if let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = plan.ir.unwrapped() {
        // One subject in full (lowered, or by the interpreter): a failing one is reported with
        // the variables it left bound. Lowered when the first subject fails (most checks have
        // none), once for the run; each thread keeps its own slots and verdicts (`kept`).
        let full = std::sync::OnceLock::new();
        let invariants = env.clone();
        let one = |kept: &mut Option<(Vec<Value>, Memo)>,
                   env: &mut Vec<Value>,
                   item: Value,
                   out: &mut Vec<Violation>,
                   subjects: &mut usize| {
            let subject = match item {
                Value::Record(r) => Some(r),
                _ => None,
            };
            let (got, env) = match full.get_or_init(|| Quick::full(ctx, &plan, invariants.clone(), &printed)) {
                Some(f) => {
                    let (env, memo) = kept.get_or_insert_with(|| (f.env.clone(), f.memo.clone()));
                    (f.holds(ctx, env, memo, item), env)
                }
                None => (verdict(ctx, filter.as_deref(), body, *slot, base, env, item), env),
            };
            match got {
                Some(false) => {}
                Some(true) => *subjects += 1,
                None => {
                    *subjects += 1;
                    out.push(violation(ctx, check, subject, env));
                }
            }
        };
        // The subjects: all records of a kind, or the list the source gives.
        let listed = match src {
            Source::Kind(_) => None,
            _ => match ctx.eval(&source_list(src), &mut env) {
                Value::List(items) => Some(items),
                _ => return (Vec::new(), 0),
            },
        };
        let n = match (src, &listed) {
            (Source::Kind(k), _) => ctx.store(*k).kind(*k).len(),
            (_, Some(items)) => items.len(),
            (_, None) => 0,
        };
        let item = |i: usize| match (src, &listed) {
            (Source::Kind(k), _) => Value::Record(RecordRef { kind: *k, idx: i as u32 }),
            (_, Some(items)) => items.get(i).cloned().unwrap_or_default(),
            (_, None) => Value::None,
        };
        let quick = Quick::new(ctx, check);
        let batched = match (src, &quick) {
            (Source::Kind(k), Some(q)) => Batched::new(q, *k),
            _ => None,
        };
        let chunks: Vec<std::ops::Range<usize>> =
            (0..n).step_by(CHUNK).map(|from| from..(from + CHUNK).min(n)).collect();
        let parts: Vec<(Vec<Violation>, usize)> = chunks
            .into_par_iter()
            .map(|range| {
                let (mut env, mut out, mut subjects) = (env.clone(), Vec::new(), 0);
                let mut quick_env = quick.as_ref().map(|q| q.env.clone()).unwrap_or_default();
                let mut memo = quick.as_ref().map(|q| q.memo.clone()).unwrap_or_default();
                let mut kept = None;
                let mut each = |i: usize, known: Decided| {
                    let got = match known {
                        Decided::Out => Some(Some(false)),
                        Decided::Holds => Some(Some(true)),
                        Decided::Kept => quick.as_ref().map(|q| q.holds_kept(ctx, &mut quick_env, &mut memo, item(i))),
                        Decided::Nothing => quick.as_ref().map(|q| q.holds(ctx, &mut quick_env, &mut memo, item(i))),
                    };
                    match got {
                        Some(Some(false)) => {}
                        Some(Some(true)) => subjects += 1,
                        // Failing (or not simplified): the full check binds what the message reads.
                        Some(None) | None => one(&mut kept, &mut env, item(i), &mut out, &mut subjects),
                    }
                };
                match &batched {
                    // Decided a batch at a time where that is known at once; the rest one by one.
                    Some(b) => {
                        let (mut idx, mut decided) = (Vec::with_capacity(BATCH), Vec::new());
                        for from in range.clone().step_by(BATCH) {
                            idx.clear();
                            idx.extend((from..(from + BATCH).min(range.end)).map(|i| i as u32));
                            b.decide(ctx, &idx, &mut decided);
                            for (&i, &d) in idx.iter().zip(&decided) {
                                each(i as usize, d);
                            }
                        }
                    }
                    None => range.for_each(|i| each(i, Decided::Nothing)),
                }
                (out, subjects)
            })
            .collect();
        let subjects = parts.iter().map(|(_, n)| n).sum();
        return (parts.into_iter().flat_map(|(v, _)| v).collect(), subjects);
    }
    let mut out = Vec::new();
    if !ctx.eval(&plan.ir, &mut env).truthy() {
        out.push(violation(ctx, check, None, &mut env));
    }
    (out, 1)
}

/// A top-level `forall x in kind where P: Q` simplified for what is known before any subject is
/// bound ([`specialize`]): loops over declarations unrolled, with each declaration's fields
/// constants, and conditions on them decided once. It has the same truth values as the check,
/// but binds none of the variables a message reads, so it only answers "subject filtered out"
/// and "subject holds"; a subject it finds failing is evaluated again in full.
///
/// The simplified check is lowered for the run ([`lower`]) before any subject is tried.
struct Quick<'a> {
    filter: Option<Op<'a>>,
    body: Op<'a>,
    slot: usize,
    base: usize,
    /// Variable slots with the simplified check's invariant parts evaluated.
    env: Vec<Value>,
    /// Empty tables for its memoised quantifiers (each thread starts from a copy).
    memo: Memo,
    /// The slots of values shared within one subject's evaluation.
    shared: std::ops::Range<usize>,
}

impl<'a> Quick<'a> {
    /// The simplified check, for a top-level `forall` over records of a kind.
    fn new(ctx: &Ctx<'a>, check: &crate::policy::Check) -> Option<Quick<'a>> {
        let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = check.ir.unwrapped() else {
            return None;
        };
        let (Source::Kind(kind) | Source::Index { kind, .. } | Source::Id { kind, .. }) = src else { return None };
        let (slot, kind, filter) = (*slot, *kind, filter.as_deref());
        let slots = check.slots.max(1);
        let known = Known { var: slot, kind, fields: &[] };
        let simplified = Ir::Quant {
            q: Quant::Forall,
            slot,
            src: src.clone(),
            filter: filter.map(|f| Box::new(specialize(ctx, f, &known, slots))),
            body: Some(Box::new(specialize(ctx, body, &known, slots))),
        };
        let plan = hoist::hoist(&simplified, slots, &Default::default());
        Quick::lowered(ctx, &plan, plan.env(ctx), None)
    }

    /// The check as written (`plan`, its invariants hoisted) lowered so that a failing subject
    /// leaves bound what the interpreter leaves bound for the variables its messages print
    /// (`printed`): the full evaluation of a failing subject, with memoised verdicts where that
    /// binds nothing a message reads (an element's verdict is not found again for every failing
    /// subject, from records of a kind that grows with the org).
    fn full(
        ctx: &Ctx<'a>,
        plan: &hoist::Hoisted,
        env: Vec<Value>,
        printed: &rustc_hash::FxHashSet<usize>,
    ) -> Option<Quick<'a>> {
        Quick::lowered(ctx, plan, env, Some(printed))
    }

    /// Lowers `forall x in … where filter: body` (invariants hoisted into `plan`, evaluated
    /// in `env`), keeping the `printed` variables bound as the interpreter does when given.
    fn lowered(
        ctx: &Ctx<'a>,
        plan: &hoist::Hoisted,
        mut env: Vec<Value>,
        printed: Option<&rustc_hash::FxHashSet<usize>>,
    ) -> Option<Quick<'a>> {
        let Ir::Quant { q: Quant::Forall, slot, filter, body: Some(body), .. } = plan.ir.unwrapped() else {
            return None;
        };
        let slot = *slot;
        let mut lowerer = Lowerer::new(ctx, plan.base, env.len(), Some(slot));
        if let Some(printed) = printed {
            lowerer = lowerer.keeping(printed);
        }
        lowerer.share(&[filter.as_deref(), Some(&**body)].into_iter().flatten().collect::<Vec<_>>());
        let filter = filter.as_deref().map(|f| lowerer.lower(f));
        let body = lowerer.lower(body);
        let shared = env.len()..lowerer.slots();
        env.resize(shared.end, Value::None);
        Some(Quick { filter, body, slot, base: plan.base, env, memo: lowerer.memo(), shared })
    }

    /// `Some(false)`: the subject is filtered out; `Some(true)`: it is checked and holds;
    /// `None`: it is checked and fails.
    fn holds(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo, item: Value) -> Option<bool> {
        self.bind(env, item);
        if let Some(f) = &self.filter
            && !f.test(ctx, env, memo)
        {
            return Some(false);
        }
        self.body.test(ctx, env, memo).then_some(true)
    }

    /// [`Quick::holds`] for a subject the filter is known to keep: the body alone.
    fn holds_kept(&self, ctx: &Ctx<'a>, env: &mut [Value], memo: &mut Memo, item: Value) -> Option<bool> {
        self.bind(env, item);
        self.body.test(ctx, env, memo).then_some(true)
    }

    /// Binds a subject, with the values shared within the last one's evaluation cleared.
    fn bind(&self, env: &mut [Value], item: Value) {
        bind(env, self.slot, self.base, item);
        if let Some(kept) = env.get_mut(self.shared.clone()) {
            kept.iter_mut().for_each(clear);
        }
    }
}

/// The simplified check decided for a batch of subjects at once ([`Op::test_batch`]), where its
/// filter (if any) can be: subjects it filters out are known at once, and, where the body can
/// be decided too, subjects for which it holds.
struct Batched<'q, 'a> {
    quick: &'q Quick<'a>,
    subjects: Subjects<'q>,
    /// Whether the body is decided in batches too.
    body: bool,
}

impl<'q, 'a> Batched<'q, 'a> {
    /// For `quick`, a check over the records of `kind`; `None` where a batch decides nothing.
    fn new(quick: &'q Quick<'a>, kind: crate::base::value::KindId) -> Option<Batched<'q, 'a>> {
        let subjects = Subjects { slot: quick.slot, kind, fixed: quick.base..quick.shared.start, env: &quick.env };
        let filter = quick.filter.as_ref().is_none_or(|f| f.batchable(&subjects));
        let body = quick.body.batchable(&subjects);
        (filter && (body || quick.filter.is_some())).then_some(Batched { quick, subjects, body })
    }

    /// For the records at positions `idx`, what is known at once of [`Quick::holds`]'s answer.
    fn decide(&self, ctx: &Ctx<'a>, idx: &[u32], decided: &mut Vec<Decided>) {
        let (filter, body) = self.tris(ctx, idx);
        decided.clear();
        decided.extend(filter.iter().zip(&body).map(|pair| match pair {
            (Tri::False, _) => Decided::Out,
            (Tri::True, Tri::True) => Decided::Holds,
            (Tri::True, _) => Decided::Kept,
            (Tri::Unknown, _) => Decided::Nothing,
        }));
    }

    /// For the records at positions `idx`: what is known of the filter, and of the body where
    /// the filter may keep the subject ([`Tri::Unknown`] where it does not, or the body is
    /// not decided in batches).
    fn tris(&self, ctx: &Ctx<'a>, idx: &[u32]) -> (Vec<Tri>, Vec<Tri>) {
        let mut filter = Vec::with_capacity(idx.len());
        match &self.quick.filter {
            Some(f) => f.test_batch(ctx, &self.subjects, idx, &mut filter),
            None => filter.resize(idx.len(), Tri::True),
        }
        let mut body = vec![Tri::Unknown; idx.len()];
        let kept: Vec<u32> = idx.iter().zip(&filter).filter(|(_, f)| **f != Tri::False).map(|(i, _)| *i).collect();
        if self.body && !kept.is_empty() {
            let mut got = Vec::with_capacity(kept.len());
            self.quick.body.test_batch(ctx, &self.subjects, &kept, &mut got);
            let mut got = got.into_iter();
            for (b, f) in body.iter_mut().zip(&filter) {
                if *f != Tri::False {
                    *b = got.next().unwrap_or(Tri::Unknown);
                }
            }
        }
        (filter, body)
    }
}

/// What a batch knows of a subject ([`Batched::decide`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decided {
    /// The filter leaves it out.
    Out,
    /// It is checked and holds.
    Holds,
    /// It is checked (the filter keeps it); whether it holds is not known.
    Kept,
    /// Nothing.
    Nothing,
}

/// For differential tests outside `eval`: for the records at positions `idx` of a check over
/// all records of a kind, what a batch knows of the simplified check's filter and body
/// ([`Batched::tris`]); `None` when the check is not decided in batches.
#[cfg(test)]
pub(crate) fn batch_verdicts(ctx: &Ctx, check: &Check, idx: &[u32]) -> Option<Vec<(Tri, Tri)>> {
    let Ir::Quant { src: Source::Kind(kind), .. } = check.ir.unwrapped() else { return None };
    let quick = Quick::new(ctx, check)?;
    let batched = Batched::new(&quick, *kind)?;
    let mut out = Vec::new();
    for part in idx.chunks(BATCH) {
        let (filter, body) = batched.tris(ctx, part);
        out.extend(filter.into_iter().zip(body));
    }
    Some(out)
}

/// For differential tests outside `eval`: each item's answer from the check simplified for the
/// run ([`Quick`], with one copy of its slots and memo tables for all items, as a thread of a
/// run keeps them); `None` when the check has no simplified form.
#[cfg(test)]
pub(crate) fn quick_verdicts(ctx: &Ctx, check: &Check, items: &[Value]) -> Option<Vec<Option<bool>>> {
    let quick = Quick::new(ctx, check)?;
    let (mut env, mut memo) = (quick.env.clone(), quick.memo.clone());
    Some(items.iter().map(|item| quick.holds(ctx, &mut env, &mut memo, item.clone())).collect())
}

/// One subject of `forall x in C where filter: body`: binds it to `slot` (clearing the check's
/// own variables, those below `base`), then `Some(false)` if it is filtered out, `Some(true)` if
/// the body holds, `None` if it fails (with the variables the evaluation bound left in `env`).
fn verdict(
    ctx: &Ctx,
    filter: Option<&Ir>,
    body: &Ir,
    slot: usize,
    base: usize,
    env: &mut [Value],
    item: Value,
) -> Option<bool> {
    bind(env, slot, base, item);
    if let Some(f) = filter
        && !ctx.eval(f, env).truthy()
    {
        return Some(false);
    }
    ctx.eval(body, env).truthy().then_some(true)
}

/// Binds a subject to `slot`, clearing the check's own variables (those below `base`).
fn bind(env: &mut [Value], slot: usize, base: usize, item: Value) {
    env.iter_mut().take(base).for_each(clear);
    if let Some(x) = env.get_mut(slot) {
        *x = item;
    }
}

/// Clears a slot. Most slots are already clear at the next subject: those are not dropped
/// again (a call per slot, per subject).
#[inline]
fn clear(v: &mut Value) {
    if !v.is_none() {
        *v = Value::None;
    }
}

/// Subjects per parallel chunk of a top-level `forall` over a kind.
const CHUNK: usize = 16 * 1024;

/// The variable slots the check's messages print.
fn printed_slots(check: &Check) -> rustc_hash::FxHashSet<usize> {
    let mut slots = rustc_hash::FxHashSet::default();
    for part in check.message.iter().chain(check.message_en.iter().flatten()) {
        if let crate::policy::Part::Hole(ir) = part {
            slots.extend(hoist::vars_read(ir));
        }
    }
    slots
}

/// The violation of `check` by the subject whose variables `env` holds: its message rendered.
pub fn violation(ctx: &Ctx, check: &Check, subject: Option<RecordRef>, env: &mut [Value]) -> Violation {
    // `message` is in the pack's own language (Chinese), `message_en` in English.
    let message = super::message::render(&check.message, ctx, env, Lang::Zh);
    let message_en = check.message_en.as_ref().map(|m| super::message::render(m, ctx, env, Lang::En));
    Violation { subject, message, message_en }
}

/// The elements of a quantifier source as a list expression.
fn source_list(src: &crate::policy::ir::Source) -> Ir {
    use crate::policy::ir::Source;
    match src {
        Source::Kind(k) => Ir::Kind(*k),
        Source::Expr(e) => (**e).clone(),
        // Top-level sources never depend on variables, so lookups can be materialised.
        Source::Index { .. } | Source::Id { .. } => {
            Ir::Comp { slot: 0, src: src.clone(), filter: None, body: Box::new(Ir::Var(0)) }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests;
