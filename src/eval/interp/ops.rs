//! Operators: logic, comparison, membership and arithmetic.

use std::borrow::Cow;

use jiff::civil::Date;

use super::Ctx;
use crate::base::value::{Duration, Value, compare_op, values_equal};
use crate::policy::ir::Ir;
use crate::syntax::ast::BinOp;

impl Ctx<'_> {
    /// A binary operator's value: logic evaluates the right operand only when it decides;
    /// comparisons, membership and arithmetic read both operands (borrowed where they can be).
    pub(super) fn binary(&self, op: BinOp, a: &Ir, b: &Ir, env: &mut [Value]) -> Value {
        match op {
            BinOp::And => Value::Bool(self.eval(a, env).truthy() && self.eval(b, env).truthy()),
            BinOp::Or => Value::Bool(self.eval(a, env).truthy() || self.eval(b, env).truthy()),
            BinOp::Implies => Value::Bool(!self.eval(a, env).truthy() || self.eval(b, env).truthy()),
            BinOp::Coalesce => match self.eval(a, env) {
                Value::None => self.eval(b, env),
                v => v,
            },
            BinOp::In | BinOp::NotIn => {
                let (x, y) = self.operands(a, b, env);
                Value::Bool(self.member(op, x, &y))
            }
            _ => {
                let (x, y) = self.operands(a, b, env);
                match op.comparison() {
                    Some(c) => Value::Bool(compare_op(c, &x, &y)),
                    None => arith(op, &x, &y),
                }
            }
        }
    }

    /// `x in y` (`op` is `In`) or `x not in y`: a record is looked for by its id in a list
    /// of ids.
    pub(in crate::eval) fn member(&self, op: BinOp, x: Cow<'_, Value>, y: &Value) -> bool {
        let x = match &*x {
            Value::Record(r) if matches!(y, Value::List(_)) && !list_has_records(y) => {
                Cow::Owned(self.id_of(*r).map_or(Value::None, Value::Str))
            }
            _ => x,
        };
        let found = contains(y, &x);
        if op == BinOp::In { found } else { !found }
    }
}

fn list_has_records(v: &Value) -> bool {
    matches!(v, Value::List(l) if l.first().is_some_and(|x| matches!(x, Value::Record(_))))
}

fn contains(hay: &Value, needle: &Value) -> bool {
    match hay {
        Value::List(l) => l.iter().any(|v| values_equal(v, needle)),
        Value::Str(s) => needle.as_str().is_some_and(|n| s.contains(n)),
        Value::Window(w) => needle.as_date().is_some_and(|d| d >= w.from && d <= w.to),
        Value::Object(o) => needle.as_str().is_some_and(|n| o.get(n).is_some()),
        _ => false,
    }
}

/// Arithmetic on values; `none` when the operands do not fit.
pub fn arith(op: BinOp, a: &Value, b: &Value) -> Value {
    use Value::*;
    match (op, a, b) {
        (BinOp::Add, Int(x), Int(y)) => x.checked_add(*y).map_or(Value::None, Int),
        (BinOp::Sub, Int(x), Int(y)) => x.checked_sub(*y).map_or(Value::None, Int),
        (BinOp::Mul, Int(x), Int(y)) => x.checked_mul(*y).map_or(Value::None, Int),
        (BinOp::Add, Percent(x), Percent(y)) => Percent(x + y),
        (BinOp::Sub, Percent(x), Percent(y)) => Percent(x - y),
        (BinOp::Add, Int(_), Percent(y)) if a.as_f64() == Some(0.0) => Percent(*y),
        (BinOp::Mul, Percent(x), Int(_) | Num(_)) => Percent(x * b.as_f64().unwrap_or(0.0)),
        (BinOp::Div, Percent(x), Int(_) | Num(_)) => div(*x, b.as_f64().unwrap_or(0.0)).map_or(Value::None, Percent),
        (BinOp::Mul, Int(_) | Num(_), Percent(y)) => Num(a.as_f64().unwrap_or(0.0) * y / 100.0),
        (BinOp::Div, Percent(x), Percent(y)) => div(*x, *y).map_or(Value::None, Num),
        (BinOp::Add | BinOp::Sub, Date(d), Duration(du)) => {
            add_date(*d, *du, op == BinOp::Sub).map_or(Value::None, Date)
        }
        (BinOp::Add | BinOp::Sub, DateTime(i), Duration(du)) => {
            let (t, o) = (i.at, i.offset);
            let sign = if op == BinOp::Sub { -1 } else { 1 };
            let dt = o.to_datetime(t);
            span_months(i64::from(du.months) * i64::from(sign))
                .and_then(|m| dt.checked_add(m).ok())
                .and_then(|dt| dt.checked_add(span_seconds(du.secs.checked_mul(i64::from(sign))?)?).ok())
                .and_then(|dt| o.to_timestamp(dt).ok())
                .map_or(Value::None, |at| Value::datetime(at, o))
        }
        (BinOp::Sub, DateTime(x), DateTime(y)) => {
            Duration(self::Duration { months: 0, secs: x.at.as_second() - y.at.as_second() })
        }
        (BinOp::Sub, Date(_) | DateTime(..), Date(_) | DateTime(..)) => match (a.as_date(), b.as_date()) {
            (Some(x), Some(y)) => match x.since(y) {
                Ok(span) => Duration(self::Duration { months: 0, secs: span.get_days() as i64 * 86_400 }),
                Err(_) => Value::None,
            },
            _ => Value::None,
        },
        (BinOp::Add, Duration(x), Duration(y)) => {
            Duration(self::Duration { months: x.months + y.months, secs: x.secs + y.secs })
        }
        (BinOp::Sub, Duration(x), Duration(y)) => {
            Duration(self::Duration { months: x.months - y.months, secs: x.secs - y.secs })
        }
        (BinOp::Mul | BinOp::Div, Duration(x), Int(_) | Num(_)) => {
            let k = b.as_f64().unwrap_or(0.0);
            let k = if op == BinOp::Div { if k == 0.0 { return Value::None } else { 1.0 / k } } else { k };
            Duration(self::Duration {
                months: (x.months as f64 * k).round() as i32,
                secs: (x.secs as f64 * k).round() as i64,
            })
        }
        (BinOp::Div, Duration(x), Duration(y)) => {
            div(x.approx_secs() as f64, y.approx_secs() as f64).map_or(Value::None, Num)
        }
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => match op {
                BinOp::Add => Num(x + y),
                BinOp::Sub => Num(x - y),
                BinOp::Mul => Num(x * y),
                BinOp::Div => div(x, y).map_or(Value::None, Num),
                _ => Value::None,
            },
            _ => Value::None,
        },
    }
}

fn div(x: f64, y: f64) -> Option<f64> {
    (y != 0.0).then(|| x / y)
}

fn add_date(d: Date, du: Duration, sub: bool) -> Option<Date> {
    let sign: i64 = if sub { -1 } else { 1 };
    let days = (du.secs / 86_400).checked_mul(sign)?;
    d.checked_add(span_months(i64::from(du.months) * sign)?).ok()?.checked_add(span_days(days)?).ok()
}

// jiff's `ToSpan` (`n.days()`) panics when `n` is beyond what a span holds (a pack may write
// `99999999 days`); these give `None` instead, and the arithmetic evaluates to none.

/// A span of `n` months, if a span can hold it.
pub(in crate::eval) fn span_months(n: i64) -> Option<jiff::Span> {
    jiff::Span::new().try_months(n).ok()
}

/// A span of `n` days, if a span can hold it.
pub(in crate::eval) fn span_days(n: i64) -> Option<jiff::Span> {
    jiff::Span::new().try_days(n).ok()
}

/// A span of `n` seconds, if a span can hold it.
pub(in crate::eval) fn span_seconds(n: i64) -> Option<jiff::Span> {
    jiff::Span::new().try_seconds(n).ok()
}
