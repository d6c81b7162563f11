//! Runtime values shared by declarations, org records and rule evaluation.
//! (Over 500 lines: the value type with its comparison, equality and display, which must agree.)

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::base::lang::Lang;

use jiff::civil::Date;

/// Shared immutable string: a thin pointer (8 bytes in a [`Value`]; the length sits with the
/// text), equal strings that share an allocation compare by pointer.
pub type Str = arcstr::ArcStr;

/// Shared immutable list of values: a thin pointer (8 bytes in a [`Value`]), the length with
/// the items.
#[derive(Clone)]
pub struct List(triomphe::ThinArc<(), Value>);

impl std::ops::Deref for List {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.0.slice
    }
}

impl From<Vec<Value>> for List {
    fn from(items: Vec<Value>) -> List {
        List(triomphe::ThinArc::from_header_and_iter((), items.into_iter()))
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An instant plus the offset it was written with (kept behind a pointer: a [`Value`] stays
/// 16 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instant {
    /// The instant.
    pub at: jiff::Timestamp,
    /// The offset it was written with.
    pub offset: jiff::tz::Offset,
}

/// A calendar-aware duration: whole months plus seconds (`6 months`, `4h`, `2 weeks`). Packed
/// to 12 bytes, so that a [`Value`] holding one stays 16.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(C, packed(4))]
pub struct Duration {
    /// Calendar months (a year is 12).
    pub months: i32,
    /// Seconds (a day is 86 400).
    pub secs: i64,
}

impl Duration {
    /// The longest duration in seconds a literal may give (7 304 484 days, 19 998 years): the
    /// span between the first and the last date a calendar date can hold, as jiff counts it.
    pub const MAX_SECS: u64 = 7_304_484 * 86_400;

    /// Builds a duration from a number and a unit word as written in policies.
    pub fn from_unit(n: f64, unit: &str) -> Option<Duration> {
        let secs = |k: f64| Some(Duration { months: 0, secs: (n * k).round() as i64 });
        let months =
            |k: i32| (n.fract() == 0.0 && n.abs() < 10_000.0).then(|| Duration { months: n as i32 * k, secs: 0 });
        match unit {
            "min" | "minute" | "minutes" | "分钟" => secs(60.0),
            "h" | "hour" | "hours" | "小时" => secs(3600.0),
            "d" | "day" | "days" | "天" | "日" => secs(86_400.0),
            "w" | "week" | "weeks" | "周" => secs(604_800.0),
            "month" | "months" | "个月" | "月" => months(1),
            "y" | "year" | "years" | "年" => months(12),
            _ => None,
        }
    }

    /// Length in seconds, counting a month as 30 days (for comparisons only).
    pub fn approx_secs(&self) -> i64 {
        self.months as i64 * 30 * 86_400 + self.secs
    }

    /// Frequency wording of a duration as a period: `每周`, `每月`, `每季度`, `每半年`, `每年`,
    /// else `每2周`.
    pub fn every_zh(&self) -> String {
        match (self.months, self.secs) {
            (0, 86_400) => "每天".into(),
            (0, 604_800) => "每周".into(),
            (1, 0) => "每月".into(),
            (3, 0) => "每季度".into(),
            (6, 0) => "每半年".into(),
            (12, 0) => "每年".into(),
            _ => format!("每{}", self.to_zh()),
        }
    }

    /// Chinese rendering used in messages and documents: `4小时`, `2周`, `6个月`, `1年`.
    pub fn to_zh(&self) -> String {
        let mut parts = Vec::new();
        if self.months != 0 {
            if self.months % 12 == 0 {
                parts.push(format!("{}年", self.months / 12));
            } else {
                parts.push(format!("{}个月", self.months));
            }
        }
        let s = self.secs;
        if s != 0 || parts.is_empty() {
            let text = if s % 604_800 == 0 && s != 0 {
                format!("{}周", s / 604_800)
            } else if s % 86_400 == 0 {
                format!("{}天", s / 86_400)
            } else if s % 3600 == 0 {
                format!("{}小时", s / 3600)
            } else {
                format!("{}分钟", s / 60)
            };
            parts.push(text);
        }
        parts.join("")
    }

    /// Canonical source form: `4h`, `2 weeks`, `6 months`.
    pub fn to_source(&self) -> String {
        let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
        if self.secs == 0 {
            return if self.months % 12 == 0 && self.months != 0 {
                plural(self.months as i64 / 12, "year")
            } else {
                plural(self.months as i64, "month")
            };
        }
        let s = self.secs;
        if s % 604_800 == 0 {
            plural(s / 604_800, "week")
        } else if s % 86_400 == 0 {
            plural(s / 86_400, "day")
        } else if s % 3600 == 0 {
            format!("{}h", s / 3600)
        } else {
            format!("{}min", s / 60)
        }
    }
}

/// A comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=`): what values are compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CmpOp {
    /// The operator as written in the rule language.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether values ordered `o` stand in this relation.
    #[inline]
    pub fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        }
    }
}

/// A comparison target such as `>= 500` or `>= 3%`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The comparison.
    pub op: CmpOp,
    /// The bound.
    pub value: Value,
}

impl Target {
    /// Whether `v` satisfies the target.
    pub fn accepts(&self, v: &Value) -> bool {
        compare_op(self.op, v, &self.value)
    }

    /// Parses `">= 500"`, `"≥3%"`, `"<= 4h"` as found in data.
    pub fn parse(s: &str) -> Option<Target> {
        let s = s.trim();
        let (op, rest) = [
            (">=", CmpOp::Ge),
            ("≥", CmpOp::Ge),
            ("<=", CmpOp::Le),
            ("≤", CmpOp::Le),
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            (">", CmpOp::Gt),
            ("<", CmpOp::Lt),
            ("=", CmpOp::Eq),
        ]
        .iter()
        .find_map(|(p, op)| s.strip_prefix(p).map(|r| (*op, r.trim())))?;
        let value = if let Some(p) = rest.strip_suffix('%') {
            Value::Percent(p.trim().parse().ok()?)
        } else {
            Value::Num(rest.parse().ok()?)
        };
        Some(Target { op, value })
    }
}

impl Target {
    /// The operator as printed for readers (`≥`, `≤`, `≠`, …).
    pub fn sign(&self) -> &'static str {
        match self.op {
            CmpOp::Ge => "≥",
            CmpOp::Le => "≤",
            CmpOp::Gt => ">",
            CmpOp::Lt => "<",
            CmpOp::Ne => "≠",
            CmpOp::Eq => "=",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.sign(), self.value)
    }
}

/// A calendar window of an audit period.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
    /// Cycle label (`2026-03`, `2026-Q1`, `2026-H1`, `2026`).
    pub label: Str,
}

/// Index of a record kind (org kinds and declaration kinds share one numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KindId(pub u32);

/// A record in the [`Store`](crate::base::store::Store): kind and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    /// Kind.
    pub kind: KindId,
    /// Position within the kind.
    pub idx: u32,
}

/// A small ordered map (objects in data, sub-declarations): a thin shared pointer to one
/// allocation holding its values, with its keys in another that every object with the same
/// keys in the same order shares. Data holds an object per record of some kinds (an
/// appraisal's `scores`: two million at a million people): one allocation each, without the
/// keys (30 MB less at a million people than with a key beside each value).
#[derive(Clone)]
pub struct Object(triomphe::ThinArc<Keys, Value>);

/// The keys of objects, in order, shared ([`Object`]).
#[derive(Clone)]
struct Keys(triomphe::ThinArc<(), Str>);

/// Key lists made lately by this thread, by hash of their keys (a direct-mapped cache: the
/// objects of a file mostly repeat one or a few key lists).
const KEY_LISTS: usize = 64;

thread_local! {
    static RECENT_KEYS: std::cell::RefCell<Vec<Option<Keys>>> = std::cell::RefCell::new(vec![None; KEY_LISTS]);
}

impl Keys {
    /// These keys, shared with the objects made before with the same ones.
    fn shared<'k>(keys: impl Iterator<Item = &'k Str> + Clone) -> Keys {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        keys.clone().for_each(|k| k.as_str().hash(&mut h));
        let at = h.finish() as usize % KEY_LISTS;
        RECENT_KEYS.with(|recent| {
            let mut recent = recent.borrow_mut();
            if let Some(Some(k)) = recent.get(at)
                && k.0.slice.iter().map(Str::as_str).eq(keys.clone().map(Str::as_str))
            {
                return k.clone();
            }
            let made = Keys(triomphe::ThinArc::from_header_and_iter((), keys.cloned().collect::<Vec<_>>().into_iter()));
            if let Some(slot) = recent.get_mut(at) {
                *slot = Some(made.clone());
            }
            made
        })
    }
}

impl Object {
    /// An object of these fields, in this order.
    pub fn new(fields: Vec<(Str, Value)>) -> Object {
        let keys = Keys::shared(fields.iter().map(|(k, _)| k));
        Object(triomphe::ThinArc::from_header_and_iter(keys, fields.into_iter().map(|(_, v)| v)))
    }

    /// Keys in order.
    pub fn keys(&self) -> &[Str] {
        &self.0.header.header.0.slice
    }

    /// Values in the order of the keys.
    pub fn values(&self) -> &[Value] {
        &self.0.slice
    }

    /// Fields (key, value) in order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&Str, &Value)> + Clone + '_ {
        self.keys().iter().zip(self.values())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.values().len()
    }

    /// Whether the object has no field.
    pub fn is_empty(&self) -> bool {
        self.values().is_empty()
    }

    /// Value of a field, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields().find(|(k, _)| same_text(k, key)).map(|(_, v)| v)
    }

    /// This object with one more field at the end (a copy: objects are immutable).
    pub fn with(&self, key: Str, value: Value) -> Object {
        let mut fields: Vec<(Str, Value)> = self.fields().map(|(k, v)| (k.clone(), v.clone())).collect();
        fields.push((key, value));
        Object::new(fields)
    }
}

impl Default for Object {
    fn default() -> Object {
        Object::new(Vec::new())
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.keys() == other.keys() && self.values() == other.values()
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&Str, &Value)> = self.fields().collect();
        f.debug_struct("Object").field("fields", &fields).finish()
    }
}

/// A runtime value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Absent.
    #[default]
    None,
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Decimal.
    Num(f64),
    /// Percentage in percent points.
    Percent(f64),
    /// String.
    Str(Str),
    /// Calendar date.
    Date(Date),
    /// Instant plus the offset it was written with.
    DateTime(Arc<Instant>),
    /// Duration.
    Duration(Duration),
    /// Comparison target.
    Target(Arc<Target>),
    /// List.
    List(List),
    /// Object.
    Object(Object),
    /// A record of the store.
    Record(RecordRef),
    /// A calendar window.
    Window(Arc<Window>),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Str::from(s))
    }

    /// A datetime value.
    pub fn datetime(at: jiff::Timestamp, offset: jiff::tz::Offset) -> Value {
        Value::DateTime(Arc::new(Instant { at, offset }))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items.into())
    }

    /// Truthiness: only `true` is true (none and non-booleans are false).
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// Whether this is `none`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Numeric view (integers, decimals and percent points).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Num(n) | Value::Percent(n) => Some(*n),
            _ => None,
        }
    }

    /// String view.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// List view.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Date view (a datetime gives its date at its own offset).
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            Value::DateTime(i) => Some(i.offset.to_datetime(i.at).date()),
            _ => None,
        }
    }

    /// Name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Num(_) => "number",
            Value::Percent(_) => "percent",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::DateTime(..) => "datetime",
            Value::Duration(_) => "duration",
            Value::Target(_) => "target",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Record(_) => "record",
            Value::Window(_) => "window",
        }
    }
}

fn fmt_num(f: &mut fmt::Formatter<'_>, n: f64) -> fmt::Result {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        write!(f, "{}", n as i64)
    } else {
        let s = format!("{n:.4}");
        write!(f, "{}", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// A value as people read it in one language: `是`/`yes`, `2周`/`2 weeks`, lists joined by
/// `、` or `, `. What zhidu writes for people goes through this; [`Value`]'s own `Display` is
/// the language-neutral form.
pub struct Shown<'a> {
    value: &'a Value,
    lang: Lang,
}

impl Value {
    /// The value as people read it in `lang`.
    pub fn shown(&self, lang: Lang) -> Shown<'_> {
        Shown { value: self, lang }
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lang = self.lang;
        match self.value {
            Value::Bool(b) => f.write_str(match (lang, *b) {
                (Lang::Zh, true) => "是",
                (Lang::Zh, false) => "否",
                (Lang::En, true) => "yes",
                (Lang::En, false) => "no",
            }),
            Value::Duration(d) => f.write_str(&lang.pick(d.to_zh(), d.to_source())),
            Value::Target(t) => write!(f, "{}{}", t.sign(), t.value.shown(lang)),
            Value::List(l) => {
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(lang.pick("、", ", "))?;
                    }
                    write!(f, "{}", v.shown(lang))?;
                }
                Ok(())
            }
            Value::Object(o) => {
                write!(f, "{{")?;
                for (i, (k, v)) in o.fields().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {}", v.shown(lang))?;
                }
                write!(f, "}}")
            }
            other => write!(f, "{other}"),
        }
    }
}

/// The language-neutral form: as the rule language would write the value (`true`, `2 weeks`,
/// `[a, b]`), for logs, debugging and anything not meant for a reader of one language.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => write!(f, "-"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Num(n) => fmt_num(f, *n),
            Value::Percent(p) => {
                fmt_num(f, *p)?;
                write!(f, "%")
            }
            Value::Str(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(i) => write!(f, "{}", i.offset.to_datetime(i.at).strftime("%Y-%m-%d %H:%M")),
            Value::Duration(d) => write!(f, "{}", d.to_source()),
            Value::Target(t) => write!(f, "{t}"),
            Value::List(l) => {
                write!(f, "[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Object(o) => {
                write!(f, "{{")?;
                for (i, (k, v)) in o.fields().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
            Value::Record(r) => write!(f, "#{}", r.idx),
            Value::Window(w) => write!(f, "{}", w.label),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        values_equal(self, other)
    }
}

/// Equality across numeric kinds; strings, dates, lists and objects structurally.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => str_equal(x, y),
        (Value::Date(_) | Value::DateTime(..), Value::Date(_) | Value::DateTime(..)) => {
            compare(a, b) == Some(Ordering::Equal)
        }
        (Value::Duration(x), Value::Duration(y)) => x == y,
        (Value::Target(x), Value::Target(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => x == y,
        (Value::Record(x), Value::Record(y)) => x == y,
        (Value::Window(x), Value::Window(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => false,
        },
    }
}

/// Whether two strings are equal values: the same allocation, or the same text.
#[inline]
pub fn str_equal(a: &Str, b: &Str) -> bool {
    Str::ptr_eq(a, b) || same_text(a, b)
}

/// Whether two strings are the same text, as `a == b` says. The keys, codes and names compared
/// while rules run are mostly 4 to 16 bytes long (a Chinese word is 3 bytes a character): those
/// are compared as two machine words each, not by a call to `memcmp` (which `==` makes whenever
/// the lengths are equal, as they are for `上级评价` and `同事评价`).
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two words that overlap when the length is not twice a word: the first and the last.
    fn words<const W: usize>(s: &[u8]) -> Option<([u8; W], [u8; W])> {
        let first = s.get(..W)?.try_into().ok()?;
        let last = s.get(s.len().checked_sub(W)?..)?.try_into().ok()?;
        Some((first, last))
    }
    match n {
        8..=16 => words::<8>(a) == words::<8>(b),
        4..=7 => words::<4>(a) == words::<4>(b),
        _ => a == b,
    }
}

/// Ordering of comparable values; `None` when they cannot be ordered.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.at.cmp(&y.at)),
        (Value::Date(_), Value::DateTime(..)) | (Value::DateTime(..), Value::Date(_)) => {
            Some(a.as_date()?.cmp(&b.as_date()?))
        }
        (Value::Duration(x), Value::Duration(y)) => Some(x.approx_secs().cmp(&y.approx_secs())),
        _ => {
            let (x, y) = (a.as_f64()?, b.as_f64()?);
            if (x - y).abs() < 1e-9 { Some(Ordering::Equal) } else { x.partial_cmp(&y) }
        }
    }
}

/// Applies a comparison operator; incomparable values compare false (and `!=` true).
pub fn compare_op(op: CmpOp, a: &Value, b: &Value) -> bool {
    match op {
        CmpOp::Eq => values_equal(a, b),
        CmpOp::Ne => !values_equal(a, b),
        _ => compare(a, b).is_some_and(|o| op.holds(o)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_is_string_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abce",
            "bbcd",
            "abcde",
            "abcdf",
            "上级",
            "上级评",
            "上级评价",
            "同事评价",
            "上级评价x",
            "上级评价y",
            "x上级评价",
            "0123456789abcdef",
            "0123456789abcdeF",
            "O123456789abcdef",
            "0123456789abcdefg",
            "0123456789abcdefh",
            "运营专员",
            "运营专家",
            "数据分析师",
            "数据分析员",
        ];
        for a in words {
            for b in words {
                assert_eq!(same_text(a, b), a == b, "{a:?} {b:?}");
            }
            // The same text in another allocation.
            assert!(same_text(a, &String::from(a)));
        }
    }

    #[test]
    fn values_are_shown_per_language_and_displayed_neutrally() {
        let weeks = Value::Duration(Duration { months: 0, secs: 2 * 604_800 });
        let list = Value::list(vec![Value::Bool(true), weeks.clone()]);
        assert_eq!(list.shown(Lang::Zh).to_string(), "是、2周");
        assert_eq!(list.shown(Lang::En).to_string(), "yes, 2 weeks");
        assert_eq!(list.to_string(), "[true, 2 weeks]");
        let target = Value::Target(Arc::new(Target { op: CmpOp::Le, value: weeks }));
        assert_eq!(target.shown(Lang::Zh).to_string(), "≤2周");
        assert_eq!(target.shown(Lang::En).to_string(), "≤2 weeks");
        assert_eq!(Value::Percent(2.5).shown(Lang::En).to_string(), "2.5%");
    }

    #[test]
    fn values_are_sixteen_bytes() {
        // Records keep their values in arrays: the size of a value is most of the store's.
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn durations_parse_and_print() {
        let d = Duration::from_unit(6.0, "months").unwrap();
        assert_eq!(d, Duration { months: 6, secs: 0 });
        assert_eq!(d.to_zh(), "6个月");
        assert_eq!(Duration::from_unit(4.0, "h").unwrap().to_zh(), "4小时");
        assert_eq!(Duration::from_unit(2.0, "weeks").unwrap().to_source(), "2 weeks");
        assert!(Duration::from_unit(1.5, "months").is_none());
    }

    #[test]
    fn targets_parse_from_data() {
        let t = Target::parse(">= 3%").unwrap();
        assert!(t.accepts(&Value::Percent(3.0)));
        assert!(!t.accepts(&Value::Percent(2.9)));
        assert!(Target::parse("≥500").unwrap().accepts(&Value::Int(500)));
        assert!(Target::parse("lots").is_none());
    }

    #[test]
    fn numbers_compare_across_kinds() {
        assert!(values_equal(&Value::Int(100), &Value::Percent(100.0)));
        assert!(compare_op(CmpOp::Lt, &Value::Num(1.5), &Value::Int(2)));
        assert!(!compare_op(CmpOp::Lt, &Value::str("a"), &Value::Int(2)));
    }
}
