//! TOML record files: arrays of tables, the table name is the record kind.

use toml::de::{DeTable, DeValue};

use super::error::DataError;
use super::intern::{Share, Strings};
use super::{Parsed, RawField, Slotted, finish_record, issue::Issue, kind_for, location};
use crate::base::lang::Text;
use crate::base::source::{FileId, Loc, SourceMap};
use crate::base::value::{Object, Str, Value};
use crate::policy::Schema;

/// Parses one TOML file into records.
pub(super) fn parse(
    file: FileId,
    text: &str,
    schema: &Schema,
    sources: &SourceMap,
    strings: &mut Strings,
) -> Result<Parsed, DataError> {
    if let Some(parsed) = super::toml_fast::parse(file, text, schema, sources, strings) {
        return Ok(parsed);
    }
    parse_document(file, text, schema, sources, strings)
}

/// Parses one TOML file through the `toml` crate's document tree: every shape TOML allows, and
/// its syntax errors. A record's id and its references to records are the org's shared strings
/// (as on the fast path: [`Strings::id`], [`Strings::name`]).
pub(super) fn parse_document(
    file: FileId,
    text: &str,
    schema: &Schema,
    sources: &SourceMap,
    strings: &mut Strings,
) -> Result<Parsed, DataError> {
    let doc = DeTable::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        DataError::Toml { message: e.message().to_string(), loc: Loc::new(file, span.start, span.end) }
    })?;
    let mut out = Parsed::default();
    for (key, value) in doc.get_ref().iter() {
        let name: &str = key.get_ref();
        let kloc = Loc::new(file, key.span().start, key.span().end);
        let Some(kind) = kind_for(schema, name) else {
            let msg = super::unknown_kind(schema, name, "表名", "the table name");
            out.issues.push(Issue::new("DATA-KIND", None, msg, location(sources, kloc, None, None)));
            continue;
        };
        let ks = schema.kind(kind);
        let tables: Vec<(&DeTable, Loc)> = match value.get_ref() {
            DeValue::Array(items) => {
                let mut v = Vec::new();
                for it in items.iter() {
                    let loc = Loc::new(file, it.span().start, it.span().end);
                    match it.get_ref() {
                        DeValue::Table(t) => v.push((t, loc)),
                        _ => {
                            let msg = Text::new(
                                format!("`{name}` 应为表数组（[[{name}]]），其中有非表的元素"),
                                format!(
                                    "`{name}` must be an array of tables ([[{name}]]); it holds a non-table element"
                                ),
                            );
                            out.issues.push(Issue::new("DATA-SHAPE", None, msg, location(sources, loc, None, None)));
                        }
                    }
                }
                v
            }
            DeValue::Table(t) => vec![(t, Loc::new(file, value.span().start, value.span().end))],
            _ => {
                let msg = Text::new(
                    format!("`{name}` 应为表数组（[[{name}]]）"),
                    format!("`{name}` must be an array of tables ([[{name}]])"),
                );
                out.issues.push(Issue::new("DATA-SHAPE", None, msg, location(sources, kloc, None, None)));
                continue;
            }
        };
        for (i, (t, loc)) in tables.into_iter().enumerate() {
            // The span of an array-of-tables element is its `[[kind]]` header.
            let rloc = loc;
            let raw: Vec<RawField> = t
                .iter()
                .map(|(k, v)| {
                    let mut out_of_range = false;
                    let name = k.get_ref();
                    // Ids and references are the org's shared strings; other strings their own.
                    let share = Share::of(ks, kind, ks.slot(name));
                    let mut string = |s: &str| match share {
                        Share::File => Str::from(s),
                        share => strings.make(s, share),
                    };
                    RawField {
                        name: name.to_string(),
                        value: raw_value(v.get_ref(), &mut out_of_range, &mut string),
                        loc: Loc::new(file, v.span().start, v.span().end),
                        out_of_range,
                    }
                })
                .collect();
            let rec = finish_record(ks, Slotted::from_raw(ks, raw), rloc, None, i + 1, sources, &mut out.issues);
            out.push(kind, rec);
        }
    }
    Ok(out)
}

/// A TOML value as an untyped value (typed later against the schema), its strings made by
/// `string`. An integer out of the 64-bit range sets `out_of_range` (and is `none`).
fn raw_value(v: &DeValue, out_of_range: &mut bool, string: &mut dyn FnMut(&str) -> Str) -> Value {
    match v {
        DeValue::String(s) => Value::Str(string(s)),
        DeValue::Integer(i) => match super::toml_fast::integer(i.as_str(), i.radix()) {
            Some(n) => Value::Int(n),
            None => {
                *out_of_range = true;
                Value::None
            }
        },
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().map_or(Value::None, Value::Num),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => {
            let s = d.to_string();
            if d.time.is_none() {
                s.parse().map_or(Value::str(&s), Value::Date)
            } else {
                super::coerce::parse_datetime(&s).unwrap_or_else(|| Value::str(&s))
            }
        }
        DeValue::Array(items) => {
            Value::list(items.iter().map(|x| raw_value(x.get_ref(), out_of_range, string)).collect())
        }
        DeValue::Table(t) => Value::Object(Object::new(
            t.iter()
                .map(|(k, v)| (Str::from(k.get_ref().as_ref()), raw_value(v.get_ref(), out_of_range, string)))
                .collect(),
        )),
    }
}
