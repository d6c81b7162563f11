//! The built-in functions of the rule language: names, arities and type signatures. Their
//! implementations are the evaluator's (`crate::eval::builtins`).

use crate::policy::types::Type;

/// A built-in function. `Cyclic` carries the field slot it follows (resolved when compiled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `len(x)`.
    Len,
    /// `distinct(list)`.
    Distinct,
    /// `min(list)`.
    Min,
    /// `max(list)`.
    Max,
    /// `ascending(list)`.
    Ascending,
    /// `has(obj, key)`.
    Has,
    /// `meets(value, target)`.
    Meets,
    /// `is_target(x)`.
    IsTarget,
    /// `windows(period, every)`.
    Windows,
    /// `label(date, every)`.
    Label,
    /// `shift(label, n)`.
    Shift,
    /// `date(datetime)`.
    Date,
    /// `days(duration)`.
    Days,
    /// `hours(duration)`.
    Hours,
    /// `year(date)`.
    Year,
    /// `month(date)`.
    Month,
    /// `year_start(date)`: 1 January of the date's year.
    YearStart,
    /// `cyclic(record, "field")`.
    Cyclic {
        /// Slot of the reference-list field followed.
        slot: usize,
    },
    /// `is_province(s)`.
    IsProvince,
    /// `is_age_band(s)`.
    IsAgeBand,
    /// `is_sha256(s)`.
    IsSha256,
    /// `looks_like_cn_id(s)`.
    LooksLikeCnId,
    /// `looks_like_cn_mobile(s)`.
    LooksLikeCnMobile,
    /// `looks_like_age(s)`: an exact age (`45`, `45岁`), not a band.
    LooksLikeAge,
    /// `looks_like_id(s)`: a raw identifier token (`U10086`), not a hash.
    LooksLikeId,
    /// `glob(text, patterns)`: `text` matches one of the header patterns (`*ID`).
    Glob,
    /// Not written by packs: the compiler's reading of a dated value (`from DATE …`),
    /// `(day, fallback day, change dates, values)` → the value in force on `day` (a date, a
    /// datetime or a cycle label; else the fallback, `as_of`). `values` holds the undated value
    /// first, then one per change date; the dates are sorted, so the lookup is a binary search.
    InForce,
    /// Not written by packs: a dated attribute read from a declaration that is not named in the
    /// pack's text (`forall p in policy.param: … p.value`), `(undated, id, day, fallback day,
    /// names, dates per name, values per name)` → [`Builtin::InForce`] of the declaration's own
    /// history, found by its id among `names`; the undated value for a declaration without one.
    InForceOf,
}

/// Names of all built-ins, for "did you mean" and docs.
pub const NAMES: &[&str] = &[
    "len",
    "distinct",
    "min",
    "max",
    "ascending",
    "has",
    "meets",
    "is_target",
    "windows",
    "label",
    "shift",
    "date",
    "days",
    "hours",
    "year_start",
    "year",
    "month",
    "cyclic",
    "is_province",
    "is_age_band",
    "is_sha256",
    "looks_like_cn_id",
    "looks_like_cn_mobile",
    "looks_like_age",
    "looks_like_id",
    "glob",
];

/// Looks up a built-in by name (`cyclic` gets its slot later) and its arity.
pub fn lookup(name: &str) -> Option<(Builtin, usize)> {
    use Builtin::*;
    Some(match name {
        "len" => (Len, 1),
        "distinct" => (Distinct, 1),
        "min" => (Min, 1),
        "max" => (Max, 1),
        "ascending" => (Ascending, 1),
        "has" => (Has, 2),
        "meets" => (Meets, 2),
        "is_target" => (IsTarget, 1),
        "windows" => (Windows, 2),
        "label" => (Label, 2),
        "shift" => (Shift, 2),
        "date" => (Date, 1),
        "days" => (Days, 1),
        "hours" => (Hours, 1),
        "year" => (Year, 1),
        "month" => (Month, 1),
        "year_start" => (YearStart, 1),
        "cyclic" => (Cyclic { slot: 0 }, 2),
        "is_province" => (IsProvince, 1),
        "is_age_band" => (IsAgeBand, 1),
        "is_sha256" => (IsSha256, 1),
        "looks_like_cn_id" => (LooksLikeCnId, 1),
        "looks_like_cn_mobile" => (LooksLikeCnMobile, 1),
        "looks_like_age" => (LooksLikeAge, 1),
        "looks_like_id" => (LooksLikeId, 1),
        "glob" => (Glob, 2),
        _ => return None,
    })
}

/// Checks argument types and gives the result type; `Err` names the expected argument types.
pub fn signature(b: Builtin, args: &[Type]) -> Result<Type, &'static str> {
    use Builtin::*;
    let list = |t: &Type| matches!(t, Type::List(_) | Type::Any);
    let stringy = |t: &Type| t.is_stringy();
    let date = |t: &Type| matches!(t, Type::Date | Type::DateTime | Type::Any);
    let dur = |t: &Type| matches!(t, Type::Duration | Type::Any);
    let period = |t: &Type| matches!(t, Type::Object(_) | Type::Window | Type::Any);
    match b {
        Len if list(&args[0]) || stringy(&args[0]) => Ok(Type::Int),
        Len => Err("a list or string"),
        Distinct if list(&args[0]) => Ok(args[0].clone()),
        Min | Max if list(&args[0]) => Ok(args[0].element().unwrap_or(Type::Any)),
        Distinct | Min | Max | Ascending if !list(&args[0]) => Err("a list"),
        Distinct | Min | Max => Ok(Type::Any),
        Ascending => Ok(Type::Bool),
        Has if matches!(args[0], Type::Object(_) | Type::Any | Type::Record(_) | Type::List(_))
            && stringy(&args[1]) =>
        {
            Ok(Type::Bool)
        }
        Has => Err("an object and a key string"),
        Meets
            if (args[0].is_numeric() || matches!(args[0], Type::Duration))
                && matches!(args[1], Type::Target | Type::Str | Type::Any) =>
        {
            Ok(Type::Bool)
        }
        Meets => Err("a number and a target"),
        IsTarget => Ok(Type::Bool),
        Windows if period(&args[0]) && dur(&args[1]) => Ok(Type::List(Box::new(Type::Window))),
        Windows => Err("a period and a duration"),
        Label if date(&args[0]) && dur(&args[1]) => Ok(Type::Str),
        Label => Err("a date and a duration"),
        Shift if stringy(&args[0]) && args[1].is_numeric() => Ok(Type::Str),
        Shift => Err("a cycle label and a number"),
        Date if date(&args[0]) => Ok(Type::Date),
        Year | Month if date(&args[0]) => Ok(Type::Int),
        YearStart if date(&args[0]) => Ok(Type::Date),
        Date | Year | Month | YearStart => Err("a date or datetime"),
        Days | Hours if dur(&args[0]) => Ok(Type::Num),
        Days | Hours => Err("a duration"),
        Cyclic { .. } => Ok(Type::Bool),
        IsProvince | IsAgeBand | IsSha256 | LooksLikeCnId | LooksLikeCnMobile | LooksLikeAge | LooksLikeId
            if stringy(&args[0]) || args[0].is_numeric() =>
        {
            Ok(Type::Bool)
        }
        IsProvince | IsAgeBand | IsSha256 | LooksLikeCnId | LooksLikeCnMobile | LooksLikeAge | LooksLikeId => {
            Err("a string")
        }
        Glob if stringy(&args[0]) && (stringy(&args[1]) || list(&args[1])) => Ok(Type::Bool),
        Glob => Err("a string and a pattern or list of patterns"),
        InForce | InForceOf => Ok(Type::Any),
    }
}
