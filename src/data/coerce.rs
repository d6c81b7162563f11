//! Turning raw data values (TOML values, CSV cells) into typed values of the record schema.

use std::sync::Arc;

use crate::base::value::{Duration, Object, Str, Target, Value};
use crate::policy::types::{FieldType, Type};

/// Why a value does not fit its field type (never contains the value itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// What was expected, in words.
    pub expected: String,
    /// The same in English.
    pub expected_en: String,
    /// Nested field path below the field, if any (`approvals[1].date`).
    pub path: String,
}

fn expect(ty: &Type) -> Mismatch {
    let (expected, expected_en) = words(ty);
    Mismatch { expected, expected_en, path: String::new() }
}

/// What a type expects, in Chinese and in English.
fn words(ty: &Type) -> (String, String) {
    let (zh, en) = match ty {
        Type::Str | Type::Any | Type::Name(_) => ("字符串", "a string"),
        Type::Ref(_) => ("编号（字符串）", "an id (string)"),
        Type::Enum(v) => return (format!("以下之一：{}", v.join("、")), format!("one of {}", v.join(", "))),
        Type::Int => ("整数", "a whole number"),
        Type::Num => ("数值", "a number"),
        Type::Percent => ("百分比（0–100 或 \"20%\"）", "a percentage (0–100 or \"20%\")"),
        Type::Bool => ("true 或 false", "true or false"),
        Type::Date => ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
        Type::DateTime => {
            ("带时区的日期时间（2026-03-01T09:30:00+08:00）", "a datetime with offset (2026-03-01T09:30:00+08:00)")
        }
        Type::Duration => ("时长（\"3 months\"、\"4h\"）", "a duration (\"3 months\", \"4h\")"),
        Type::Target => ("目标值（\">= 500\"）", "a target (\">= 500\")"),
        Type::List(_) => ("列表", "a list"),
        Type::Object(_) => ("表", "a table"),
        _ => ("值", "a value"),
    };
    (zh.to_string(), en.to_string())
}

/// Coerces a raw value to `ty`. Strings (CSV cells) are parsed; lists in a string are
/// `;`-separated.
pub fn coerce(raw: Value, ty: &Type) -> Result<Value, Mismatch> {
    if raw.is_none() {
        return Ok(Value::None);
    }
    match ty {
        Type::Any | Type::None | Type::Record(_) | Type::Window => Ok(raw),
        Type::Str | Type::Name(_) | Type::Ref(_) => match raw {
            Value::Str(_) => Ok(raw),
            Value::Int(i) => Ok(Value::str(&i.to_string())),
            _ => Err(expect(ty)),
        },
        Type::Enum(set) => match &raw {
            Value::Str(s) if set.iter().any(|x| x.as_str() == &**s) => Ok(raw),
            _ => Err(expect(ty)),
        },
        Type::Int
        | Type::Num
        | Type::Percent
        | Type::Bool
        | Type::Date
        | Type::DateTime
        | Type::Duration
        | Type::Target => match &raw {
            Value::Str(s) => from_text(s, ty).ok_or_else(|| expect(ty)),
            Value::Int(_) if matches!(ty, Type::Int | Type::Num) => Ok(raw),
            Value::Num(_) if matches!(ty, Type::Num) => Ok(raw),
            Value::Int(_) | Value::Num(_) if matches!(ty, Type::Percent) => {
                Ok(Value::Percent(raw.as_f64().unwrap_or(0.0)))
            }
            Value::Percent(_) if matches!(ty, Type::Percent) => Ok(raw),
            Value::Bool(_) if matches!(ty, Type::Bool) => Ok(raw),
            Value::Date(_) if matches!(ty, Type::Date) => Ok(raw),
            Value::DateTime(..) if matches!(ty, Type::Date) => raw.as_date().map(Value::Date).ok_or_else(|| expect(ty)),
            Value::DateTime(..) if matches!(ty, Type::DateTime) => Ok(raw),
            Value::Duration(_) if matches!(ty, Type::Duration) => Ok(raw),
            _ => Err(expect(ty)),
        },
        Type::List(inner) => {
            // Most lists already hold values of the item type: keep them, shared, as they are.
            if let Value::List(l) = &raw
                && l.iter().all(|v| fits(v, inner))
            {
                return Ok(raw);
            }
            let items: Vec<Value> = match raw {
                Value::List(l) => l.to_vec(),
                Value::Str(s) if !matches!(**inner, Type::Object(_)) => {
                    s.split(';').map(str::trim).filter(|x| !x.is_empty()).map(Value::str).collect()
                }
                _ => return Err(expect(ty)),
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, it) in items.into_iter().enumerate() {
                out.push(coerce(it, inner).map_err(|mut m| {
                    m.path = format!("[{}]{}", i + 1, m.path);
                    m
                })?);
            }
            Ok(Value::list(out))
        }
        Type::Object(fields) => match raw {
            Value::Object(o) => coerce_object(&o, fields).map(Value::Object),
            _ => Err(expect(ty)),
        },
    }
}

/// Parses the text of a scalar of type `ty` (a CSV cell, a TOML string): numbers, percentages
/// (`20%`), booleans (`true`, `是`), dates, datetimes, durations and targets. `None` for other
/// types and for text that does not parse.
pub fn from_text(s: &str, ty: &Type) -> Option<Value> {
    match ty {
        Type::Int => s.trim().parse::<i64>().ok().map(Value::Int),
        Type::Num => s.trim().parse::<f64>().ok().map(Value::Num),
        Type::Percent => {
            let t = s.trim();
            t.strip_suffix('%').unwrap_or(t).trim().parse::<f64>().ok().map(Value::Percent)
        }
        Type::Bool => match s.trim() {
            "true" | "TRUE" | "True" | "yes" | "是" | "1" => Some(Value::Bool(true)),
            "false" | "FALSE" | "False" | "no" | "否" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        Type::Date => parse_date(s).map(Value::Date),
        Type::DateTime => parse_datetime(s),
        Type::Duration => parse_duration(s).map(Value::Duration),
        Type::Target => Target::parse(s).map(|t| Value::Target(Arc::new(t))),
        _ => None,
    }
}

/// Whether a value already has the form `coerce` gives values of `ty` (so it would be kept).
fn fits(v: &Value, ty: &Type) -> bool {
    match (ty, v) {
        (Type::Str | Type::Name(_) | Type::Ref(_), Value::Str(_)) => true,
        (Type::Enum(set), Value::Str(s)) => set.iter().any(|x| x.as_str() == &**s),
        (Type::Int, Value::Int(_)) | (Type::Bool, Value::Bool(_)) | (Type::Date, Value::Date(_)) => true,
        (Type::Num, Value::Int(_) | Value::Num(_)) => true,
        (Type::DateTime, Value::DateTime(..)) | (Type::Duration, Value::Duration(_)) => true,
        (Type::Any, _) => true,
        _ => false,
    }
}

/// Coerces the fields of a table; missing required fields are mismatches; unknown ones kept.
pub fn coerce_object(o: &Object, fields: &[FieldType]) -> Result<Object, Mismatch> {
    let mut out = Vec::with_capacity(o.fields().len());
    for f in fields {
        match o.fields().find(|(k, _)| **k == *f.name) {
            Some((k, v)) if !v.is_none() => {
                let v = coerce(v.clone(), &f.ty).map_err(|mut m| {
                    m.path = format!(".{}{}", f.name, m.path);
                    m
                })?;
                // The data's key is the same text; sharing it saves an allocation per field.
                out.push((k.clone(), v));
            }
            _ if !f.optional => {
                // A key the table does not declare that stands for this field (`approver` for `by`).
                let empty = |s: usize| fields.get(s).is_none_or(|x| o.get(&x.name).is_none_or(Value::is_none));
                let undeclared = || o.fields().map(|(k, _)| k).filter(|k| !fields.iter().any(|x| *x.name == ***k));
                let alone = undeclared().nth(1).is_none();
                let near = undeclared()
                    .find(|k| super::vocab::near_field(k, fields, alone, empty).as_deref() == Some(f.name.as_str()));
                let (zh, en) = match near {
                    Some(k) => (
                        format!("必填值（是否把 `{k}` 写错了？）"),
                        format!("a value (the field is required; is `{k}` misspelt?)"),
                    ),
                    None => ("必填值".into(), "a value (the field is required)".into()),
                };
                return Err(Mismatch { expected: zh, expected_en: en, path: format!(".{}", f.name) });
            }
            _ => out.push((Str::from(f.name.as_str()), Value::None)),
        }
    }
    for (k, v) in o.fields() {
        if !fields.iter().any(|f| *f.name == **k) {
            out.push((k.clone(), v.clone()));
        }
    }
    Ok(Object::new(out))
}

/// Parses `2026-03-01` (also `2026/3/1`).
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let s = s.trim();
    if let Ok(d) = s.parse() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.']).collect();
    if let [y, m, d] = parts.as_slice() {
        return jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    None
}

/// Parses an ISO 8601 datetime with offset.
pub fn parse_datetime(s: &str) -> Option<Value> {
    let z: jiff::Zoned = s.trim().parse::<jiff::Timestamp>().ok().map(|t| t.to_zoned(jiff::tz::TimeZone::UTC))?;
    let offset = offset_of(s.trim()).unwrap_or(jiff::tz::Offset::UTC);
    Some(Value::datetime(z.timestamp(), offset))
}

fn offset_of(s: &str) -> Option<jiff::tz::Offset> {
    if s.ends_with('Z') || s.ends_with('z') {
        return Some(jiff::tz::Offset::UTC);
    }
    let tail = &s[s.len().checked_sub(6)?..];
    let sign = match tail.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = tail.get(1..3)?.parse().ok()?;
    let m: i32 = tail.get(4..6)?.parse().ok()?;
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Parses `3 months`, `4h`, `2 weeks`, `3个月`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (n, unit) = s.split_at(split);
    Duration::from_unit(n.parse().ok()?, unit.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_parse_by_type() {
        assert_eq!(coerce(Value::str("2026-03-01"), &Type::Date).unwrap(), Value::Date(jiff::civil::date(2026, 3, 1)));
        assert_eq!(coerce(Value::str("20%"), &Type::Percent).unwrap(), Value::Percent(20.0));
        assert_eq!(coerce(Value::Int(20), &Type::Percent).unwrap(), Value::Percent(20.0));
        assert_eq!(
            coerce(Value::str("a; b;"), &Type::List(Box::new(Type::Str))).unwrap(),
            Value::list(vec![Value::str("a"), Value::str("b")])
        );
        assert!(coerce(Value::str("2026-13-01"), &Type::Date).is_err());
        assert!(coerce(Value::str("x"), &Type::Enum(vec!["a".to_string()].into())).is_err());
        assert_eq!(parse_duration("3 months"), Some(Duration { months: 3, secs: 0 }));
        let dt = parse_datetime("2026-03-01T09:30:00+08:00").unwrap();
        assert_eq!(dt.as_date(), Some(jiff::civil::date(2026, 3, 1)));
    }
}
