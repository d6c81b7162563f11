//! Binary operators: logic, `matches`, `??`, membership (`in`), comparisons and arithmetic.
//! Comparisons also check string literals against the enum or the declared names they are
//! compared with (`"运营经里" in p.roles` is an error, not a condition that never holds).

use super::{Compiler, Typed, any, coerce_id, source_name};
use crate::base::diag::suggest;
use crate::base::source::Loc;
use crate::base::value::Value;
use crate::compile::error::PolicyErrorKind as K;
use crate::policy::ir::Ir;
use crate::policy::types::Type;
use crate::syntax::ast::{self, BinOp, ExprKind, Literal};

impl Compiler<'_> {
    /// `a op b`.
    pub(super) fn binary(&mut self, op: BinOp, a: &ast::Expr, b: &ast::Expr, loc: Loc) -> Typed {
        match op {
            BinOp::And | BinOp::Or | BinOp::Implies => {
                let x = self.condition(a);
                let y = self.condition(b);
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            BinOp::Matches => {
                let (x, t) = self.expr(a);
                if !(t.is_stringy() || t.is_numeric()) {
                    let d = format!("`matches` needs a string, found `{}`", self.show(&t));
                    self.mismatch(a.loc, d, "match strings against a named pattern");
                }
                let re = match &b.kind {
                    ExprKind::Name(n) => self.names.patterns.iter().find(|(p, _)| p == n).map(|(_, r)| r.clone()),
                    ExprKind::Lit(Literal::Str(s)) => match regex::Regex::new(s) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            self.err(K::BadRegex { reason: e.to_string() }, b.loc);
                            return any();
                        }
                    },
                    _ => None,
                };
                match re {
                    Some(r) => (Ir::Matches(Box::new(x), Box::new(r)), Type::Bool),
                    None => {
                        let names: Vec<&str> = self.names.patterns.iter().map(|(p, _)| p.as_str()).collect();
                        let e = self.err(K::UnknownReference { kind: "pattern".into(), name: source_name(b) }, b.loc);
                        e.help = Some(format!(
                            "declared patterns: {}",
                            if names.is_empty() { "none".into() } else { names.join(", ") }
                        ));
                        any()
                    }
                }
            }
            BinOp::Coalesce => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                let t = if tx == Type::None || tx == Type::Any { ty } else { tx };
                (Ir::Bin(op, Box::new(x), Box::new(y)), t)
            }
            BinOp::In | BinOp::NotIn => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                let x = match &ty {
                    Type::List(el) => {
                        self.check_comparable(&tx, el, &x, &Ir::Const(Value::None), loc, "in");
                        if matches!(**el, Type::Ref(_) | Type::Str | Type::Name(_) | Type::Enum(_)) {
                            coerce_id(x, &tx)
                        } else {
                            x
                        }
                    }
                    Type::Str | Type::Any => x,
                    Type::Window => {
                        if !matches!(tx, Type::Date | Type::DateTime | Type::Any) {
                            let d = format!("only dates are in a window, found `{}`", self.show(&tx));
                            self.mismatch(a.loc, d, "write `t.date in w`");
                        }
                        x
                    }
                    other => {
                        let d = format!(
                            "`{}` needs a list, string or window on the right, found `{}`",
                            op.symbol(),
                            self.show(other)
                        );
                        self.mismatch(b.loc, d, "write `x in [a, b]` or `x in p.roles`");
                        x
                    }
                };
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            _ if op.is_comparison() => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                self.check_comparable(&tx, &ty, &x, &y, loc, op.symbol());
                let (x, y) = match (&tx, &ty) {
                    (Type::Record(_), Type::Record(_)) => (x, y),
                    (Type::Record(_), _) => (coerce_id(x, &tx), y),
                    (_, Type::Record(_)) => (x, coerce_id(y, &ty)),
                    _ => (x, y),
                };
                (Ir::Bin(op, Box::new(x), Box::new(y)), Type::Bool)
            }
            _ => {
                let (x, tx) = self.expr(a);
                let (y, ty) = self.expr(b);
                match arith_type(op, &tx, &ty) {
                    Some(t) => (Ir::Bin(op, Box::new(x), Box::new(y)), t),
                    None => {
                        let d =
                            format!("cannot apply `{}` to `{}` and `{}`", op.symbol(), self.show(&tx), self.show(&ty));
                        self.mismatch(loc, d, "arithmetic works on numbers, percentages, dates and durations");
                        any()
                    }
                }
            }
        }
    }

    /// Reports incomparable types, and string literals that are not members of an enum or not
    /// declared names of the right kind (`"运营经里" in p.roles`).
    fn check_comparable(&mut self, tx: &Type, ty: &Type, x: &Ir, y: &Ir, loc: Loc, op: &str) {
        if !tx.comparable(ty) {
            let d = format!("cannot compare `{}` with `{}` using `{op}`", self.show(tx), self.show(ty));
            self.mismatch(loc, d, "both sides must be numbers, strings, dates, durations or records of one kind");
            return;
        }
        self.literal_member(tx, y, loc);
        self.literal_member(ty, x, loc);
    }

    fn literal_member(&mut self, ty: &Type, lit: &Ir, loc: Loc) {
        let values: Vec<&str> = match lit {
            Ir::Const(Value::Str(s)) => vec![s],
            Ir::Const(Value::List(l)) => l.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        for v in values {
            match ty {
                Type::Enum(set) if !set.iter().any(|x| x == v) => {
                    let d = format!("`{v}` is not one of {}", set.join(", "));
                    let help = suggest(v, set.iter().map(String::as_str)).map(|s| format!("did you mean `{s}`?"));
                    self.mismatch(loc, d, help.as_deref().unwrap_or("use one of the listed values"));
                }
                Type::Name(kind) if !self.names.declared.get(v).is_some_and(|ks| ks.contains(&kind.as_str())) => {
                    let cands: Vec<&str> = self
                        .names
                        .declared
                        .iter()
                        .filter(|(_, ks)| ks.contains(&kind.as_str()))
                        .map(|(n, _)| n.as_str())
                        .collect();
                    let help = suggest(v, cands.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                    let e = self.err(K::UnknownReference { kind: kind.clone(), name: v.to_string() }, loc);
                    e.help = help.or(Some(format!("declare it with `{kind} {v} {{ … }}`")));
                    e.label = Some("not declared".into());
                }
                _ => {}
            }
        }
    }
}

/// Result type of arithmetic, `None` if not allowed.
fn arith_type(op: BinOp, a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (op, a, b) {
        (_, Any, _) | (_, _, Any) => Any,
        (BinOp::Add | BinOp::Sub, Int, Int) | (BinOp::Mul, Int, Int) => Int,
        (BinOp::Add | BinOp::Sub, Percent, Percent) => Percent,
        (BinOp::Mul | BinOp::Div, Percent, Int | Num) => Percent,
        (BinOp::Mul, Int | Num, Percent) => Num,
        (BinOp::Div, Percent, Percent) => Num,
        (_, x, y) if x.is_numeric() && y.is_numeric() && !matches!(x, Percent) && !matches!(y, Percent) => Num,
        (BinOp::Add | BinOp::Sub, Date, Duration) => Date,
        (BinOp::Add | BinOp::Sub, DateTime, Duration) => DateTime,
        (BinOp::Sub, Date | DateTime, Date | DateTime) => Duration,
        (BinOp::Add | BinOp::Sub, Duration, Duration) => Duration,
        (BinOp::Mul | BinOp::Div, Duration, Int | Num) => Duration,
        (BinOp::Div, Duration, Duration) => Num,
        _ => return Option::None,
    })
}
