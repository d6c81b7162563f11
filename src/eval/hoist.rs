//! Loop-invariant hoisting: a sub-expression of a check that reads no variable bound outside it
//! (`[d.name for d in policy.role]`, `policy.appraisal["绩效考核"].weights["上级评价"]`) has the same
//! value for every subject, so it is evaluated once per run and read from a variable slot.
//!
//! Evaluation is pure (no effects, no errors: a failed operation yields `none`), so evaluating
//! such an expression once up front gives the same result as evaluating it wherever it stood.
//! Sub-expressions that bind a variable a message prints are left alone: messages read the
//! variables the evaluation left bound (a `forall` keeps its counterexample).

use rustc_hash::FxHashSet as HashSet;

use super::ir::{Ir, Source};

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

    fn source(&mut self, src: &mut Source) {
        match src {
            Source::Index { key, also, .. } => {
                self.node(key);
                also.iter_mut().for_each(|(_, k)| self.node(k));
            }
            Source::Id { key, .. } => self.node(key),
            Source::Expr(e) => self.node(e),
            Source::Kind(_) => {}
        }
    }

    fn children(&mut self, ir: &mut Ir) {
        match ir {
            Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Kind(_) => {}
            Ir::Field(e, _)
            | Ir::Deref(_, e)
            | Ir::IdOf(e)
            | Ir::Not(e)
            | Ir::Neg(e)
            | Ir::Matches(e, _)
            | Ir::Target(_, e)
            | Ir::At(_, e) => self.node(e),
            Ir::Index(a, b) | Ir::Bin(_, a, b) => {
                self.node(a);
                self.node(b);
            }
            Ir::Call(_, args) | Ir::List(args) => args.iter_mut().for_each(|a| self.node(a)),
            Ir::If(a, b, c) => {
                self.node(a);
                self.node(b);
                self.node(c);
            }
            Ir::Quant { src, filter, body, .. } => {
                self.source(src);
                filter.iter_mut().for_each(|x| self.node(x));
                body.iter_mut().for_each(|x| self.node(x));
            }
            Ir::Count { src, filter, .. } => {
                self.source(src);
                filter.iter_mut().for_each(|x| self.node(x));
            }
            Ir::Sum { src, filter, body, .. } | Ir::Comp { src, filter, body, .. } => {
                self.source(src);
                filter.iter_mut().for_each(|x| self.node(x));
                self.node(body);
            }
        }
    }
}

/// Whether evaluating once saves work: not for leaves, and not for a whole kind as a list (it
/// is as cheap to build as to copy).
fn worth_hoisting(ir: &Ir) -> bool {
    !matches!(ir, Ir::Const(_) | Ir::Var(_) | Ir::AsOf | Ir::Period | Ir::Kind(_))
}

/// Whether `ir` binds one of `slots` (in a quantifier, count, sum or comprehension).
fn binds_any(ir: &Ir, slots: &HashSet<usize>) -> bool {
    let mut found = false;
    ir.visit(&mut |x| {
        if let Ir::Quant { slot, .. } | Ir::Count { slot, .. } | Ir::Sum { slot, .. } | Ir::Comp { slot, .. } = x {
            found |= slots.contains(slot);
        }
    });
    found
}

/// The variables `ir` reads that it does not bind itself.
fn free(ir: &Ir) -> HashSet<usize> {
    let mut out = HashSet::default();
    free_into(ir, &mut out);
    out
}

fn free_into(ir: &Ir, out: &mut HashSet<usize>) {
    let source = |s: &Source, out: &mut HashSet<usize>| match s {
        Source::Index { key, also, .. } => {
            free_into(key, out);
            also.iter().for_each(|(_, k)| free_into(k, out));
        }
        Source::Id { key, .. } => free_into(key, out),
        Source::Expr(e) => free_into(e, out),
        Source::Kind(_) => {}
    };
    // Variables read under a binder, minus the bound one.
    let scoped = |slot: usize, parts: &[Option<&Ir>], out: &mut HashSet<usize>| {
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
        Ir::Const(_) | Ir::AsOf | Ir::Period | Ir::Kind(_) => {}
        Ir::Field(e, _)
        | Ir::Deref(_, e)
        | Ir::IdOf(e)
        | Ir::Not(e)
        | Ir::Neg(e)
        | Ir::Matches(e, _)
        | Ir::Target(_, e)
        | Ir::At(_, e) => free_into(e, out),
        Ir::Index(a, b) | Ir::Bin(_, a, b) => {
            free_into(a, out);
            free_into(b, out);
        }
        Ir::Call(_, args) | Ir::List(args) => args.iter().for_each(|a| free_into(a, out)),
        Ir::If(a, b, c) => {
            free_into(a, out);
            free_into(b, out);
            free_into(c, out);
        }
        Ir::Quant { slot, src, filter, body, .. } => {
            source(src, out);
            scoped(*slot, &[filter.as_deref(), body.as_deref()], out);
        }
        Ir::Count { slot, src, filter } => {
            source(src, out);
            scoped(*slot, &[filter.as_deref()], out);
        }
        Ir::Sum { slot, src, filter, body } | Ir::Comp { slot, src, filter, body } => {
            source(src, out);
            scoped(*slot, &[filter.as_deref(), Some(body)], out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::value::{KindId, Value};
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
            body: Box::new(Ir::Field(var(1), crate::eval::ir::FieldAcc::Slot(KindId(1), 0))),
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
            Box::new(Ir::Field(var(0), crate::eval::ir::FieldAcc::Slot(KindId(0), 1))),
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
