//! Loop-invariant hoisting: a sub-expression of a check that reads no variable bound outside it
//! (`[d.name for d in policy.role]`, `policy.appraisal["绩效考核"].weights["上级评价"]`) has the same
//! value for every subject, so it is evaluated once per run and read from a variable slot.
//!
//! Evaluation is pure (no effects, no errors: a failed operation yields `none`), so evaluating
//! such an expression once up front gives the same result as evaluating it wherever it stood.
//! Sub-expressions that bind a variable a message prints are left alone: messages read the
//! variables the evaluation left bound (a `forall` keeps its counterexample).

use rustc_hash::FxHashSet as HashSet;

use crate::base::value::Value;
use crate::policy::ir::{Ir, Source};

/// A check expression with its invariant parts taken out.
#[derive(Debug, Clone)]
pub struct Hoisted {
    /// The expression; hoisted parts read `Var(base + i)`.
    pub ir: Ir,
    /// The hoisted expressions, evaluated once into slots `base..base + consts.len()`.
    pub consts: Vec<Ir>,
    /// The first slot after the check's own variables.
    pub base: usize,
}

impl Hoisted {
    /// Variable slots for a run: the check's own empty, the hoisted expressions evaluated.
    pub fn env(&self, ctx: &crate::eval::interp::Ctx) -> Vec<Value> {
        let mut env = vec![Value::None; self.slots()];
        for (i, c) in self.consts.iter().enumerate() {
            let v = ctx.eval(c, &mut env);
            // `env` has a slot for each (`slots`).
            if let Some(x) = env.get_mut(self.base + i) {
                *x = v;
            }
        }
        env
    }

    /// Variable slots needed: the check's own and one per hoisted expression.
    pub fn slots(&self) -> usize {
        self.base + self.consts.len()
    }
}

/// Hoists the maximal invariant sub-expressions of `ir` (never `ir` itself). `slots` is the
/// number of variable slots the check uses; `printed` the slots its messages read.
pub fn hoist(ir: &Ir, slots: usize, printed: &HashSet<usize>) -> Hoisted {
    let mut h = Hoister { consts: Vec::new(), base: slots, printed };
    let mut ir = ir.clone();
    h.children(&mut ir);
    Hoisted { ir, consts: h.consts, base: slots }
}

/// The variable slots `ir` reads.
pub fn vars_read(ir: &Ir) -> HashSet<usize> {
    let mut out = HashSet::default();
    ir.visit(&mut |x| {
        if let Ir::Var(s) = x {
            out.insert(*s);
        }
    });
    out
}

struct Hoister<'a> {
    consts: Vec<Ir>,
    base: usize,
    printed: &'a HashSet<usize>,
}

impl Hoister<'_> {
    fn node(&mut self, ir: &mut Ir) {
        if worth_hoisting(ir) && free(ir).is_empty() && !binds_any(ir, self.printed) {
            let slot = self.base + self.consts.len();
            self.consts.push(std::mem::replace(ir, Ir::Var(slot)));
            return;
        }
        self.children(ir);
    }

    fn children(&mut self, ir: &mut Ir) {
        ir.children_mut(&mut |c| self.node(c));
    }
}

/// Whether evaluating once saves work: not for leaves, and not for a whole kind as a list (it
/// is as cheap to build as to copy).
fn worth_hoisting(ir: &Ir) -> bool {
    !matches!(ir, Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Kind(_))
}

/// Whether `ir` binds one of `slots` (in a quantifier, count, sum or comprehension).
pub(super) fn binds_any(ir: &Ir, slots: &HashSet<usize>) -> bool {
    let mut found = false;
    ir.visit(&mut |x| {
        if let Ir::Quant { slot, .. } | Ir::Count { slot, .. } | Ir::Sum { slot, .. } | Ir::Comp { slot, .. } = x {
            found |= slots.contains(slot);
        }
    });
    found
}

/// The variables `ir` reads that it does not bind itself.
pub(super) fn free(ir: &Ir) -> HashSet<usize> {
    let mut out = HashSet::default();
    free_into(ir, &mut out);
    out
}

fn free_into(ir: &Ir, out: &mut HashSet<usize>) {
    // A binder's source is read outside its scope; its filter and body inside.
    let scoped = |slot: usize, src: &Source, parts: &[Option<&Ir>], out: &mut HashSet<usize>| {
        src.children(&mut |k| free_into(k, out));
        let mut inner = HashSet::default();
        for p in parts.iter().flatten() {
            free_into(p, &mut inner);
        }
        inner.remove(&slot);
        out.extend(inner);
    };
    match ir {
        Ir::Var(s) => {
            out.insert(*s);
        }
        Ir::Quant { slot, src, filter, body, .. } => scoped(*slot, src, &[filter.as_deref(), body.as_deref()], out),
        Ir::Count { slot, src, filter } => scoped(*slot, src, &[filter.as_deref()], out),
        Ir::Sum { slot, src, filter, body } | Ir::Comp { slot, src, filter, body } => {
            scoped(*slot, src, &[filter.as_deref(), Some(body)], out);
        }
        other => other.children(&mut |c| free_into(c, out)),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests {
    use super::*;
    use crate::base::value::{KindId, Value};
    use crate::syntax::ast::{BinOp, Quant};

    fn var(s: usize) -> Box<Ir> {
        Box::new(Ir::Var(s))
    }

    /// `forall x in K: x.f in [d.name for d in D]` hoists the comprehension, not the quantifier.
    #[test]
    fn hoists_the_invariant_comprehension() {
        let comp = Ir::Comp {
            slot: 1,
            src: Source::Kind(KindId(1)),
            filter: None,
            body: Box::new(Ir::Field(var(1), crate::policy::ir::FieldAcc::Slot(KindId(1), 0))),
        };
        let body = Ir::Bin(BinOp::In, var(0), Box::new(comp.clone()));
        let ir = Ir::Quant {
            q: Quant::Forall,
            slot: 0,
            src: Source::Kind(KindId(0)),
            filter: None,
            body: Some(Box::new(body)),
        };
        let h = hoist(&ir, 2, &HashSet::default());
        assert_eq!(h.consts.len(), 1);
        assert!(matches!(h.consts[0], Ir::Comp { .. }));
        assert_eq!(h.slots(), 3);
        let Ir::Quant { body: Some(b), .. } = &h.ir else { panic!("root kept") };
        assert!(matches!(&**b, Ir::Bin(BinOp::In, _, r) if matches!(**r, Ir::Var(2))));
    }

    /// Nothing that reads the bound variable moves, and leaves stay where they are.
    #[test]
    fn keeps_dependent_and_trivial_expressions() {
        let body = Ir::Bin(
            BinOp::Eq,
            Box::new(Ir::Field(var(0), crate::policy::ir::FieldAcc::Slot(KindId(0), 1))),
            Box::new(Ir::Const(Value::Int(1))),
        );
        let ir = Ir::Quant {
            q: Quant::Forall,
            slot: 0,
            src: Source::Kind(KindId(0)),
            filter: None,
            body: Some(Box::new(body)),
        };
        assert!(hoist(&ir, 1, &HashSet::default()).consts.is_empty());
    }

    /// A closed quantifier whose variable a message prints is evaluated in place.
    #[test]
    fn keeps_quantifiers_whose_variable_is_printed() {
        let inner = Ir::Quant { q: Quant::Exists, slot: 1, src: Source::Kind(KindId(1)), filter: None, body: None };
        let ir = Ir::Quant {
            q: Quant::Forall,
            slot: 0,
            src: Source::Kind(KindId(0)),
            filter: None,
            body: Some(Box::new(inner)),
        };
        let printed: HashSet<usize> = [1].into_iter().collect();
        assert!(hoist(&ir, 2, &printed).consts.is_empty());
        assert_eq!(hoist(&ir, 2, &HashSet::default()).consts.len(), 1);
    }
}
