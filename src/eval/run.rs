//! Running a compiled check: one violation per failing subject, with its message rendered.

use super::interp::Ctx;
use super::ir::Ir;
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
pub fn run_check_counted(policy: &Policy, ctx: &Ctx, check: &Check) -> (Vec<Violation>, usize) {
    let mut env = vec![Value::None; check.slots.max(1)];
    let mut out = Vec::new();
    let mut subjects = 0;
    if let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = check.ir.unwrapped() {
        let items = ctx.eval(&source_list(src), &mut env);
        if let Value::List(items) = items {
            for item in items.iter() {
                env.iter_mut().for_each(|v| *v = Value::None);
                if let Some(x) = env.get_mut(*slot) {
                    *x = item.clone();
                }
                if let Some(f) = filter
                    && !ctx.eval(f, &mut env).truthy()
                {
                    continue;
                }
                subjects += 1;
                if !ctx.eval(body, &mut env).truthy() {
                    let subject = match item {
                        Value::Record(r) => Some(*r),
                        _ => None,
                    };
                    out.push(violation(policy, ctx, check, subject, &mut env));
                }
            }
        }
        return (out, subjects);
    }
    if !ctx.eval(&check.ir, &mut env).truthy() {
        out.push(violation(policy, ctx, check, None, &mut env));
    }
    (out, 1)
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
