//! Running a compiled check: one violation per failing subject, with its message rendered.

use rayon::prelude::*;

use super::hoist;
use super::interp::Ctx;
use super::ir::{Ir, Source};
use super::value::{RecordRef, Value};
use crate::policy::{Check, Policy};
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
pub fn run_check(policy: &Policy, ctx: &Ctx, check: &Check) -> Vec<Violation> {
    run_check_counted(policy, ctx, check).0
}

/// Like [`run_check`], and also returns the number of subjects checked: for `forall x in C
/// where P: Q` the elements of `C` with `P`; 1 for any other check (the organisation as a whole).
///
/// Invariant sub-expressions are evaluated once ([`super::hoist`]); a top-level `forall` over a
/// large kind is split into chunks evaluated in parallel, and the results concatenated in order.
pub fn run_check_counted(policy: &Policy, ctx: &Ctx, check: &Check) -> (Vec<Violation>, usize) {
    let printed = printed_slots(check);
    let plan = hoist::hoist(&check.ir, check.slots.max(1), &printed);
    let mut env = vec![Value::None; plan.slots()];
    for (i, c) in plan.consts.iter().enumerate() {
        let v = ctx.eval(c, &mut env);
        env[plan.base + i] = v;
    }
    let base = plan.base;
    if let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = plan.ir.unwrapped() {
        // One subject: bind it (resetting the check's own variables), filter, test.
        let one = |env: &mut [Value], item: Value, out: &mut Vec<Violation>, subjects: &mut usize| {
            env[..base].iter_mut().for_each(|v| *v = Value::None);
            let subject = match item {
                Value::Record(r) => Some(r),
                _ => None,
            };
            if let Some(x) = env.get_mut(*slot) {
                *x = item;
            }
            if let Some(f) = filter
                && !ctx.eval(f, env).truthy()
            {
                return;
            }
            *subjects += 1;
            if !ctx.eval(body, env).truthy() {
                out.push(violation(policy, ctx, check, subject, env));
            }
        };
        if let Source::Kind(k) = src {
            let n = ctx.store(*k).kind(*k).len() as u32;
            let record = |idx: u32| Value::Record(RecordRef { kind: *k, idx });
            let chunks: Vec<std::ops::Range<u32>> =
                (0..n).step_by(CHUNK as usize).map(|from| from..(from + CHUNK).min(n)).collect();
            let parts: Vec<(Vec<Violation>, usize)> = chunks
                .into_par_iter()
                .map(|range| {
                    let (mut env, mut out, mut subjects) = (env.clone(), Vec::new(), 0);
                    for idx in range {
                        one(&mut env, record(idx), &mut out, &mut subjects);
                    }
                    (out, subjects)
                })
                .collect();
            let subjects = parts.iter().map(|(_, n)| n).sum();
            return (parts.into_iter().flat_map(|(v, _)| v).collect(), subjects);
        }
        let (mut out, mut subjects) = (Vec::new(), 0);
        if let Value::List(items) = ctx.eval(&source_list(src), &mut env) {
            for item in items.iter() {
                one(&mut env, item.clone(), &mut out, &mut subjects);
            }
        }
        return (out, subjects);
    }
    let mut out = Vec::new();
    if !ctx.eval(&plan.ir, &mut env).truthy() {
        out.push(violation(policy, ctx, check, None, &mut env));
    }
    (out, 1)
}

/// Subjects per parallel chunk of a top-level `forall` over a kind.
const CHUNK: u32 = 16 * 1024;

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

fn violation(policy: &Policy, ctx: &Ctx, check: &Check, subject: Option<RecordRef>, env: &mut [Value]) -> Violation {
    let message = policy.render_message(&check.message, ctx, env);
    let message_en = check.message_en.as_ref().map(|m| policy.render_message(m, ctx, env));
    Violation { subject, message, message_en }
}

/// The elements of a quantifier source as a list expression.
fn source_list(src: &super::ir::Source) -> Ir {
    use super::ir::Source;
    match src {
        Source::Kind(k) => Ir::Kind(*k),
        Source::Expr(e) => (**e).clone(),
        // Top-level sources never depend on variables, so lookups can be materialised.
        Source::Index { .. } | Source::Id { .. } => {
            Ir::Comp { slot: 0, src: src.clone(), filter: None, body: Box::new(Ir::Var(0)) }
        }
    }
}
