//! The implementations of the rule language's built-in functions (their names and signatures
//! are the policy model's: [`crate::policy::builtin`]).

use std::sync::Arc;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::base::value::{Duration, Object, Str, Target, Value, Window, compare};

pub use crate::policy::builtin::Builtin;

/// Evaluates a pure built-in (`Cyclic` is handled by the interpreter, which has the store).
pub fn call(b: Builtin, args: &[Value]) -> Value {
    use Builtin::*;
    // Strings are read in place: the detectors run once per cell of an export.
    fn text(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
        match v {
            Value::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            Value::Int(i) => Some(std::borrow::Cow::Owned(i.to_string())),
            _ => None,
        }
    }
    // The type checker gives each built-in its arguments; one missing here is `none`.
    let (x, y) = match args {
        [x, y, ..] => (x, y),
        [x] => (x, NONE),
        [] => (NONE, NONE),
    };
    match b {
        Len => match x {
            Value::List(l) => Value::Int(l.len() as i64),
            Value::Str(s) => Value::Int(s.chars().count() as i64),
            _ => Value::None,
        },
        Distinct => match x {
            Value::List(l) => {
                let mut out: Vec<Value> = Vec::new();
                for v in l.iter() {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Value::list(out)
            }
            _ => Value::None,
        },
        Min | Max => match x {
            Value::List(l) => {
                let want = if b == Min { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater };
                let mut best: Option<&Value> = None;
                for v in l.iter().filter(|v| !v.is_none()) {
                    if best.is_none_or(|c| compare(v, c) == Some(want)) {
                        best = Some(v);
                    }
                }
                best.cloned().unwrap_or_default()
            }
            _ => Value::None,
        },
        Ascending => match x {
            Value::List(l) => Value::Bool(
                l.iter()
                    .zip(l.iter().skip(1))
                    .all(|(p, q)| compare(p, q).is_some_and(|o| o != std::cmp::Ordering::Greater)),
            ),
            _ => Value::None,
        },
        Has => {
            let key = match y {
                Value::Str(s) => s.clone(),
                _ => return Value::Bool(false),
            };
            match x {
                Value::Object(o) => Value::Bool(o.get(&key).is_some_and(non_empty)),
                Value::List(l) => Value::Bool(named_item(l, &key).is_some_and(|v| non_empty(&v))),
                // Records are handled by the interpreter, which can read their fields.
                _ => Value::Bool(false),
            }
        }
        Meets => {
            let target = match y {
                Value::Target(t) => Some((**t).clone()),
                Value::Str(s) => Target::parse(s),
                _ => None,
            };
            match target {
                Some(t) if !x.is_none() => Value::Bool(t.accepts(x)),
                _ => Value::None,
            }
        }
        IsTarget => Value::Bool(match x {
            Value::Target(_) => true,
            Value::Str(s) => Target::parse(s).is_some(),
            _ => false,
        }),
        Windows => match (period_bounds(x), y) {
            (Some((from, to)), Value::Duration(d)) => windows_value(from, to, *d),
            _ => Value::None,
        },
        Label => match (x.as_date(), y) {
            (Some(d), Value::Duration(every)) => window_of(d, *every).map_or(Value::None, |w| Value::Str(w.label)),
            _ => Value::None,
        },
        Shift => match (x, y.as_f64()) {
            (Value::Str(l), Some(n)) => shift_label(l, n as i32).map_or(Value::None, |s| Value::str(&s)),
            _ => Value::None,
        },
        Date => x.as_date().map_or(Value::None, Value::Date),
        Year => x.as_date().map_or(Value::None, |d| Value::Int(d.year() as i64)),
        Month => x.as_date().map_or(Value::None, |d| Value::Int(d.month() as i64)),
        YearStart => {
            x.as_date().and_then(|d| jiff::civil::Date::new(d.year(), 1, 1).ok()).map_or(Value::None, Value::Date)
        }
        Days => match x {
            Value::Duration(d) => Value::Num(d.approx_secs() as f64 / 86_400.0),
            _ => Value::None,
        },
        Hours => match x {
            Value::Duration(d) => Value::Num(d.approx_secs() as f64 / 3600.0),
            _ => Value::None,
        },
        Cyclic { .. } => Value::None,
        InForce => in_force(args),
        InForceOf => in_force_of(args),
        IsProvince | IsAgeBand | IsSha256 | LooksLikeCnId | LooksLikeCnMobile | LooksLikeAge | LooksLikeId => {
            text(x).and_then(|s| string_test(b, &s)).map_or(Value::None, Value::Bool)
        }
        Glob => match (x, y) {
            (Value::Str(s), Value::Str(p)) => Value::Bool(crate::base::glob::matches(p, s)),
            (Value::Str(s), Value::List(ps)) => {
                Value::Bool(crate::base::glob::matches_any(ps.iter().filter_map(Value::as_str), s))
            }
            (Value::Str(_), Value::None) => Value::Bool(false),
            _ => Value::None,
        },
    }
}

/// A missing argument.
const NONE: &Value = &Value::None;

/// The string tests (`is_province`, `is_age_band`, `is_sha256`, `looks_like_cn_id`,
/// `looks_like_cn_mobile`) on a string; `None` for any other built-in. [`call`] answers with
/// this for a string argument, and so does the stream's per-cell fast path.
pub fn string_test(b: Builtin, s: &str) -> Option<bool> {
    string_test_with(b, s, &mut None)
}

/// [`string_test`], sharing between calls on the same string the answer of the detectors'
/// prefilter ([`crate::base::detect::may_contain_number`]): `number` holds it once asked.
pub fn string_test_with(b: Builtin, s: &str, number: &mut Option<bool>) -> Option<bool> {
    use crate::base::detect;
    let mut may_hold_number = || *number.get_or_insert_with(|| detect::may_contain_number(s.as_bytes()));
    Some(match b {
        Builtin::IsProvince => detect::is_province(s),
        Builtin::IsAgeBand => detect::is_age_band(s),
        Builtin::IsSha256 => detect::is_sha256(s),
        Builtin::LooksLikeCnId => may_hold_number() && detect::id_token(s),
        Builtin::LooksLikeCnMobile => may_hold_number() && detect::mobile_match(s),
        Builtin::LooksLikeAge => detect::is_exact_age(s),
        Builtin::LooksLikeId => detect::is_raw_id(s),
        _ => return None,
    })
}

/// The item of a list of named objects whose `name` is `key`; for a `{name, value}` pair, its value.
pub fn named_item(l: &[Value], key: &str) -> Option<Value> {
    l.iter().find_map(|v| match v {
        Value::Object(o) if o.get("name").and_then(Value::as_str) == Some(key) => {
            Some(match (o.fields().len(), o.get("value")) {
                (2, Some(val)) => val.clone(),
                _ => v.clone(),
            })
        }
        _ => None,
    })
}

fn non_empty(v: &Value) -> bool {
    match v {
        Value::None => false,
        Value::Str(s) => !s.trim().is_empty(),
        Value::List(l) => !l.is_empty(),
        _ => true,
    }
}

/// `(from, to)` of a period object or window.
pub fn period_bounds(v: &Value) -> Option<(Date, Date)> {
    match v {
        Value::Window(w) => Some((w.from, w.to)),
        Value::Object(o) => Some((o.get("from")?.as_date()?, o.get("to")?.as_date()?)),
        _ => None,
    }
}

/// The windows of a period as a list value. A check asks for the same few (the audit period
/// cut by each cadence) once per person, so each thread keeps the lists it has made.
fn windows_value(from: Date, to: Date, every: Duration) -> Value {
    type Made = Vec<((Date, Date, Duration), Value)>;
    thread_local! {
        static MADE: std::cell::RefCell<Made> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let key = (from, to, every);
    MADE.with(|made| {
        let mut made = made.borrow_mut();
        if let Some((_, v)) = made.iter().find(|(k, _)| *k == key) {
            return v.clone();
        }
        let v = Value::list(windows(from, to, every).into_iter().map(|w| Value::Window(Arc::new(w))).collect());
        // A handful of cadences per pack: a small cache, emptied if a run ever asks for many.
        if made.len() >= 64 {
            made.clear();
        }
        made.push((key, v.clone()));
        v
    })
}

/// The period object `{from, to}`.
pub fn period_value(from: Date, to: Date) -> Value {
    Value::Object(Object::new(vec![(Str::from("from"), Value::Date(from)), (Str::from("to"), Value::Date(to))]))
}

/// The calendar window of length `every` that contains `d`.
pub fn window_of(d: Date, every: Duration) -> Option<Window> {
    if every.months > 0 && every.secs == 0 {
        let m = every.months;
        let idx = (d.month() as i32 - 1) / m.min(12);
        let start_month = if m >= 12 { 1 } else { idx * m + 1 };
        let from = Date::new(d.year(), start_month as i8, 1).ok()?;
        let to = from.checked_add(super::interp::ops::span_months(i64::from(m))?).ok()?.checked_sub(1.day()).ok()?;
        let label = match m {
            1 => format!("{:04}-{:02}", d.year(), d.month()),
            3 => format!("{:04}-Q{}", d.year(), idx + 1),
            6 => format!("{:04}-H{}", d.year(), idx + 1),
            12 => format!("{:04}", d.year()),
            _ => format!("{from}..{to}"),
        };
        return Some(Window { from, to, label: Str::from(label) });
    }
    if every.months == 0 && every.secs == 604_800 {
        let iso = d.iso_week_date();
        let from = d.checked_sub((iso.weekday().to_monday_zero_offset() as i64).days()).ok()?;
        let to = from.checked_add(6.days()).ok()?;
        return Some(Window { from, to, label: Str::from(format!("{:04}-W{:02}", iso.year(), iso.week())) });
    }
    if every.months == 0 && every.secs == 86_400 {
        return Some(Window { from: d, to: d, label: Str::from(d.to_string()) });
    }
    None
}

/// Calendar windows of length `every` lying wholly inside `from..=to`. Month-based lengths align
/// to the calendar year, weeks to ISO weeks; other lengths step from `from`.
pub fn windows(from: Date, to: Date, every: Duration) -> Vec<Window> {
    let mut out = Vec::new();
    if every.months <= 0 && every.secs <= 0 {
        return out;
    }
    let aligned = window_of(from, every).is_some();
    let mut cursor = from;
    // Bounded: a window is at least a day and periods are at most a few years.
    for _ in 0..20_000 {
        if cursor > to {
            break;
        }
        let w = if aligned {
            match window_of(cursor, every) {
                Some(w) => w,
                None => break,
            }
        } else {
            use super::interp::ops::{span_months, span_seconds};
            let (Some(months), Some(secs)) = (span_months(i64::from(every.months)), span_seconds(every.secs)) else {
                break;
            };
            let end = cursor.checked_add(months).and_then(|d| d.checked_add(secs));
            let Ok(end) = end.and_then(|d| d.checked_sub(1.day())) else { break };
            Window { from: cursor, to: end, label: Str::from(format!("{cursor}..{end}")) }
        };
        let Ok(next) = w.to.checked_add(1.day()) else { break };
        if w.from >= from && w.to <= to {
            out.push(w);
        }
        cursor = next;
    }
    out
}

/// `InForce(day, fallback, dates, values)`: the value in force on `day` (see [`Builtin::InForce`]).
fn in_force(args: &[Value]) -> Value {
    let [day, fallback, Value::List(dates), Value::List(values)] = args else { return Value::None };
    let day_of = |v: &Value| match v {
        Value::Str(s) => label_start(s),
        other => other.as_date(),
    };
    let Some(day) = day_of(day).or_else(|| fallback.as_date()) else { return Value::None };
    // The number of changes in force on `day`; values[0] is the undated value.
    let n = dates.partition_point(|d| d.as_date().is_some_and(|d| d <= day));
    values.get(n).cloned().unwrap_or_default()
}

/// `InForceOf(undated, id, day, fallback, names, dates, values)`: the value in force on `day`
/// of the declaration `id` (see [`Builtin::InForceOf`]); `names` is sorted.
fn in_force_of(args: &[Value]) -> Value {
    let [undated, id, day, fallback, Value::List(names), Value::List(dates), Value::List(values)] = args else {
        return Value::None;
    };
    let Some(id) = id.as_str() else { return undated.clone() };
    match names.binary_search_by(|n| n.as_str().unwrap_or_default().cmp(id)) {
        Ok(i) => match (dates.get(i), values.get(i)) {
            (Some(d), Some(v)) => in_force(&[day.clone(), fallback.clone(), d.clone(), v.clone()]),
            _ => undated.clone(),
        },
        Err(_) => undated.clone(),
    }
}

/// The first day of a cycle label: `2026` → 2026-01-01, `2026-Q3` and `2026-H2` → 2026-07-01,
/// `2026-03` → 2026-03-01.
pub fn label_start(label: &str) -> Option<Date> {
    let (year, rest) = label.split_at_checked(4)?;
    let year: i16 = year.parse().ok()?;
    let month: i8 = if rest.is_empty() {
        1
    } else {
        let rest = rest.strip_prefix('-')?;
        if let Some(q) = rest.strip_prefix('Q') {
            let q: i8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            (q - 1) * 3 + 1
        } else if let Some(h) = rest.strip_prefix('H') {
            let h: i8 = h.parse().ok().filter(|h| (1..=2).contains(h))?;
            (h - 1) * 6 + 1
        } else if rest.len() == 2 {
            rest.parse().ok()?
        } else {
            return None;
        }
    };
    Date::new(year, month, 1).ok()
}

/// The label `n` cycles after `label` (`2026-03` → `2026-02` for -1; `2026-Q1`, `2026-H2`, `2026`).
pub fn shift_label(label: &str, n: i32) -> Option<String> {
    let (year, rest) = label.split_at_checked(4)?;
    let year: i32 = year.parse().ok()?;
    let step = |idx: i32, per_year: i32| {
        let total = year * per_year + (idx - 1) + n;
        (total.div_euclid(per_year), total.rem_euclid(per_year) + 1)
    };
    if rest.is_empty() {
        return Some(format!("{:04}", year + n));
    }
    let rest = rest.strip_prefix('-')?;
    if let Some(q) = rest.strip_prefix('Q') {
        let (y, i) = step(q.parse().ok()?, 4);
        return Some(format!("{y:04}-Q{i}"));
    }
    if let Some(h) = rest.strip_prefix('H') {
        let (y, i) = step(h.parse().ok()?, 2);
        return Some(format!("{y:04}-H{i}"));
    }
    if rest.len() == 2 {
        let (y, i) = step(rest.parse().ok()?, 12);
        return Some(format!("{y:04}-{i:02}"));
    }
    None
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn months(m: i32) -> Duration {
        Duration { months: m, secs: 0 }
    }

    #[test]
    fn cycle_labels_start_on_their_first_day() {
        assert_eq!(label_start("2026"), Some(date(2026, 1, 1)));
        assert_eq!(label_start("2026-Q3"), Some(date(2026, 7, 1)));
        assert_eq!(label_start("2026-H2"), Some(date(2026, 7, 1)));
        assert_eq!(label_start("2026-03"), Some(date(2026, 3, 1)));
        assert_eq!(label_start("2026-13"), None);
        assert_eq!(label_start("2026-Q5"), None);
        assert_eq!(label_start("soon"), None);
    }

    #[test]
    fn the_value_in_force_is_the_last_change_on_or_before_the_day() {
        let dates = Value::list(vec![Value::Date(date(2026, 7, 1)), Value::Date(date(2027, 1, 1))]);
        let values = Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
        let on = |day: Value| in_force(&[day, Value::Date(date(2026, 12, 31)), dates.clone(), values.clone()]);
        assert_eq!(on(Value::Date(date(2026, 6, 30))), Value::Int(1));
        assert_eq!(on(Value::Date(date(2026, 7, 1))), Value::Int(2));
        assert_eq!(on(Value::str("2026-Q3")), Value::Int(2));
        assert_eq!(on(Value::str("2027")), Value::Int(3));
        // A record without a date is judged by the value in force on `as_of`.
        assert_eq!(on(Value::None), Value::Int(2));
    }

    #[test]
    fn half_years_inside_a_period() {
        let w = windows(date(2025, 11, 23), date(2026, 11, 22), months(6));
        assert_eq!(w.iter().map(|w| w.label.to_string()).collect::<Vec<_>>(), vec!["2026-H1"]);
        let m = windows(date(2026, 1, 1), date(2026, 6, 30), months(1));
        assert_eq!(m.len(), 6);
        assert_eq!(m[1].from, date(2026, 2, 1));
        assert_eq!(m[1].to, date(2026, 2, 28));
    }

    #[test]
    fn iso_weeks() {
        let w = windows(date(2026, 1, 1), date(2026, 1, 31), Duration { months: 0, secs: 604_800 });
        assert_eq!(w[0].label.as_str(), "2026-W02");
        assert_eq!(w[0].from, date(2026, 1, 5));
        assert_eq!(w.len(), 3);
    }

    /// A built-in given fewer arguments than it takes (the type checker does not let a rule do
    /// that) reads the missing ones as `none` instead of panicking.
    #[test]
    fn missing_arguments_are_none() {
        for name in crate::policy::builtin::NAMES {
            let (b, arity) = crate::policy::builtin::lookup(name).expect("a built-in");
            let one = [Value::str("2026-Q1")];
            for args in [&[][..], &one[..]].into_iter().filter(|a| a.len() < arity) {
                assert!(matches!(call(b, args), Value::None | Value::Bool(false)), "{name}{args:?}");
            }
        }
    }

    #[test]
    fn labels_shift() {
        assert_eq!(shift_label("2026-01", -1).as_deref(), Some("2025-12"));
        assert_eq!(shift_label("2026-Q4", 1).as_deref(), Some("2027-Q1"));
        assert_eq!(shift_label("2026-H1", -1).as_deref(), Some("2025-H2"));
        assert_eq!(shift_label("2026", 2).as_deref(), Some("2028"));
        assert_eq!(shift_label("soon", 1), None);
    }
}
