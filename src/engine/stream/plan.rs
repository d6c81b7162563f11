//! Per-column plans for the stream checks. For each column of a file and each check, the check's
//! per-record condition (`where` ⇒ body) is specialised for what the column fixes — `file`,
//! `column`, `col` — and, when what remains reads only the cell's value through string tests,
//! compiled to a [`CellTest`] that runs on the cell's text with no record, value or allocation.
//!
//! A plan only ever says that a check holds; when it cannot say so, the stream evaluates the
//! check in full, exactly as without plans (and so with its usual message).

use crate::base::value::{KindId, Str, Value};
use crate::eval::builtins::{Builtin, string_test, string_test_with};
use crate::eval::interp::Ctx;
use crate::eval::opt::specialize::{Known, specialize};
use crate::policy::ir::{FieldAcc, Ir};
use crate::syntax::ast::BinOp;

/// How one check is decided for the cells of one column.
#[derive(Debug)]
pub enum Plan {
    /// It holds whatever the cell holds.
    Holds,
    /// It holds when the test passes on the cell's text (else: evaluate in full).
    Test(CellTest),
    /// Evaluate in full.
    Full,
}

impl Plan {
    /// Whether the check surely holds for a cell with this text. `number` carries the
    /// detectors' prefilter answer between the plans of one cell (start with `None`).
    pub fn holds(&self, value: &str, number: &mut Option<bool>) -> bool {
        match self {
            Plan::Holds => true,
            Plan::Test(t) => t.holds(value, number),
            Plan::Full => false,
        }
    }
}

/// A condition on a cell's text, equivalent to the specialised check (by truth value).
#[derive(Debug)]
pub enum CellTest {
    /// A constant.
    Const(bool),
    /// `not`.
    Not(Box<CellTest>),
    /// `and`, `or`, `implies`.
    Logic(BinOp, Box<CellTest>, Box<CellTest>),
    /// `if … then … else …`.
    If(Box<CellTest>, Box<CellTest>, Box<CellTest>),
    /// `value == text` (or `!=` when the flag is false).
    Eq(Str, bool),
    /// A string test built-in on the value.
    Call(Builtin),
    /// `value matches /…/`.
    Matches(Box<regex::Regex>),
}

impl CellTest {
    /// Evaluates the test on a cell's text (`number`: see [`Plan::holds`]).
    pub fn holds(&self, v: &str, number: &mut Option<bool>) -> bool {
        match self {
            CellTest::Const(b) => *b,
            CellTest::Not(t) => !t.holds(v, number),
            CellTest::Logic(BinOp::And, a, b) => a.holds(v, number) && b.holds(v, number),
            CellTest::Logic(BinOp::Or, a, b) => a.holds(v, number) || b.holds(v, number),
            CellTest::Logic(_, a, b) => !a.holds(v, number) || b.holds(v, number),
            CellTest::If(c, t, e) => {
                if c.holds(v, number) {
                    t.holds(v, number)
                } else {
                    e.holds(v, number)
                }
            }
            CellTest::Eq(s, eq) => (v == &**s) == *eq,
            CellTest::Call(b) => string_test_with(*b, v, number).unwrap_or(false),
            CellTest::Matches(re) => re.is_match(v),
        }
    }
}

/// The stream variable: its slot and kind, and the slot of the field holding the cell's text.
pub struct Cell {
    /// Slot of the variable.
    pub var: usize,
    /// Stream kind.
    pub kind: KindId,
    /// Field slot of the cell's text, if the kind has one.
    pub value: Option<usize>,
}

/// The plan for one check (`cond`: its `where` ⇒ body) on one column, knowing `fields` of the
/// stream record.
pub fn plan(ctx: &Ctx, cond: &Ir, slots: usize, cell: &Cell, fields: &[(usize, Value)]) -> Plan {
    let known = Known { var: cell.var, kind: cell.kind, fields };
    match specialize(ctx, cond, &known, slots) {
        Ir::Const(v) if v.truthy() => Plan::Holds,
        residual => compile(&residual, cell).map_or(Plan::Full, Plan::Test),
    }
}

/// A test equivalent to `ir` by truth value, when `ir` reads nothing but the cell's text.
fn compile(ir: &Ir, cell: &Cell) -> Option<CellTest> {
    let is_value = |x: &Ir| match x.unwrapped() {
        Ir::Field(base, FieldAcc::Slot(k, s)) => {
            matches!(base.unwrapped(), Ir::Var(v) if *v == cell.var) && *k == cell.kind && Some(*s) == cell.value
        }
        _ => false,
    };
    let b = |x: &Ir| compile(x, cell).map(Box::new);
    Some(match ir.unwrapped() {
        Ir::Const(v) => CellTest::Const(v.truthy()),
        Ir::Not(e) => CellTest::Not(b(e)?),
        Ir::Bin(op @ (BinOp::And | BinOp::Or | BinOp::Implies), x, y) => CellTest::Logic(*op, b(x)?, b(y)?),
        Ir::If(c, t, e) => CellTest::If(b(c)?, b(t)?, b(e)?),
        // The value is always a string: it equals a string constant when the texts are equal.
        Ir::Bin(op @ (BinOp::Eq | BinOp::Ne), x, y) => {
            let other = if is_value(x) {
                y
            } else if is_value(y) {
                x
            } else {
                return None;
            };
            match other.unwrapped() {
                Ir::Const(Value::Str(s)) => CellTest::Eq(s.clone(), *op == BinOp::Eq),
                _ => return None,
            }
        }
        Ir::Call(f, args) if args.len() == 1 && is_value(&args[0]) && string_test(*f, "").is_some() => {
            CellTest::Call(*f)
        }
        Ir::Matches(e, re) if is_value(e) => CellTest::Matches(re.clone()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
