//! Trace compilation, for `explain`. A check is compiled twice: the plain IR runs, and a traced
//! copy wraps every sub-condition in [`Ir::At`] with its source location, so an explanation can
//! name the part of the check that failed and show its operands. The marks are inert for
//! planning (`join.rs` looks through them), so both copies enumerate records the same way.

use super::{Compiler, Names};
use crate::policy::ir::Ir;
use crate::syntax::ast::{self, ExprKind, UnOp};

impl<'a> Compiler<'a> {
    /// A compiler that marks sub-conditions with their locations (the traced copy of a check).
    pub fn tracing(names: &'a Names<'a>) -> Self {
        let mut c = Compiler::new(names);
        c.trace = true;
        c
    }

    /// `ir`, compiled from `e`, marked with `e`'s location when tracing and `e` is a part an
    /// explanation names.
    pub(super) fn mark(&self, e: &ast::Expr, ir: Ir) -> Ir {
        if self.trace && is_traced(&e.kind) { Ir::At(e.loc, Box::new(ir)) } else { ir }
    }
}

/// The forms an explanation names: operators, negation, quantifiers, calls and conditionals.
/// Names, literals and field accesses are not marked: their values are shown as the operands
/// of the condition around them.
fn is_traced(kind: &ExprKind) -> bool {
    matches!(
        kind,
        ExprKind::Binary(..)
            | ExprKind::Unary(UnOp::Not, _)
            | ExprKind::Quant(..)
            | ExprKind::Call(..)
            | ExprKind::If(..)
    )
}
