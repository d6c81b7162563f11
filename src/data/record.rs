//! Building a record from its raw field values: placing them in the kind's slots, coercing
//! each to its schema type (reporting missing and mistyped fields, never their values), and
//! the ids of kinds without an `id` field.

use super::{Issue, coerce, location, subject};
use crate::base::lang::Text;
use crate::base::source::{Loc, SourceMap};
use crate::base::store::Record;
use crate::base::value::{Str, Value};
use crate::policy::KindSchema;
use crate::policy::types::Type;

/// One field's raw value and where it was written.
pub(crate) struct RawField {
    pub name: String,
    pub value: Value,
    pub loc: Loc,
    /// The value holds an integer outside the 64-bit range TOML allows (reported as such,
    /// never as a missing field).
    pub out_of_range: bool,
}

/// A record's raw values placed in their schema slots, before coercion.
pub(crate) struct Slotted {
    /// Values by slot (`none` where absent).
    pub values: Vec<Value>,
    /// Where each value was written.
    pub locs: Vec<Option<Loc>>,
    /// Fields the schema does not declare.
    pub extra: Vec<(Str, Value)>,
    /// Slots whose value holds an integer out of range.
    pub out_of_range: Vec<usize>,
}

impl Slotted {
    /// Empty slots for a kind.
    pub fn new(kind: &KindSchema) -> Self {
        Slotted {
            values: vec![Value::None; kind.fields.len()],
            locs: vec![None; kind.fields.len()],
            extra: Vec::new(),
            out_of_range: Vec::new(),
        }
    }

    /// Raw fields placed in their slots by name.
    pub fn from_raw(kind: &KindSchema, raw: Vec<RawField>) -> Self {
        let mut slotted = Slotted::new(kind);
        for f in raw {
            match kind.slot(&f.name) {
                Some(s) => {
                    slotted.values[s] = f.value;
                    slotted.locs[s] = Some(f.loc);
                    if f.out_of_range {
                        slotted.out_of_range.push(s);
                    }
                }
                None => slotted.extra.push((Str::from(f.name.as_str()), f.value)),
            }
        }
        slotted
    }
}

/// Builds a record from its slotted raw values: coerces each to its schema type, reporting
/// missing and mistyped fields (never their values). `row` is the CSV data row.
pub(crate) fn finish_record(
    kind: &KindSchema,
    raw: Slotted,
    loc: Loc,
    row: Option<usize>,
    ordinal: usize,
    sources: &SourceMap,
    findings: &mut Vec<Issue>,
) -> Record {
    let Slotted { values: mut fields, locs, extra, out_of_range } = raw;
    let id = match kind.id_slot().map(|s| &fields[s]) {
        Some(Value::Str(s)) => Some(s.clone()),
        Some(Value::Int(i)) => Some(Str::from(i.to_string())),
        _ if !kind.has_id => Some(synthetic_id(kind, &fields, ordinal)),
        _ => None,
    };
    // The subject is only spelled out when there is something to report.
    let subj = || Some(subject(&kind.name, id.as_deref().unwrap_or(&format!("#{ordinal}"))));
    for (s, ft) in kind.fields.iter().enumerate() {
        let value = std::mem::take(&mut fields[s]);
        if out_of_range.contains(&s) {
            let at = locs[s].unwrap_or(loc);
            let msg = Text::new(
                format!(
                    "{} 记录的字段 `{}` 含超出范围的整数（整数须在 ±9223372036854775807 以内）",
                    kind.name, ft.name
                ),
                format!(
                    "field `{}` of a {} record holds an integer out of range (integers lie within ±9223372036854775807)",
                    ft.name, kind.name
                ),
            );
            findings.push(Issue::new("DATA-TYPE", subj(), msg, location(sources, at, row, Some(&ft.name))));
            continue;
        }
        if value.is_none() {
            if !ft.optional {
                // An undeclared field that stands for this one (`role` for `roles`) is named.
                let alone = extra.len() == 1;
                let near = extra.iter().find(|(e, _)| {
                    super::vocab::near_field(e, &kind.fields, alone, |s| locs.get(s).is_none_or(Option::is_none))
                        .as_deref()
                        == Some(ft.name.as_str())
                });
                let (near_zh, near_en) = match near {
                    Some((e, _)) => (
                        format!("；是否把字段（列）`{e}` 写错了？"),
                        format!("; is the field (column) `{e}` misspelt?"),
                    ),
                    None => (String::new(), String::new()),
                };
                let msg = Text::new(
                    format!("{} 记录缺少必填字段 `{}`{near_zh}", kind.name, ft.name),
                    format!("{} record lacks the required field `{}`{near_en}", kind.name, ft.name),
                );
                findings.push(Issue::new("DATA-MISSING", subj(), msg, location(sources, loc, row, Some(&ft.name))));
            }
            continue;
        }
        match coerce::coerce(value, &ft.ty) {
            Ok(v) => fields[s] = v,
            Err(m) => {
                let at = locs[s].unwrap_or(loc);
                let field = format!("{}{}", ft.name, m.path);
                let msg = Text::new(
                    format!("{} 记录的字段 `{field}` 应为 {}", kind.name, m.expected),
                    format!("field `{field}` of a {} record must be {}", kind.name, m.expected_en),
                );
                findings.push(Issue::new("DATA-TYPE", subj(), msg, location(sources, at, row, Some(&ft.name))));
            }
        }
    }
    let id = id.or_else(|| Some(Str::from(format!("#{ordinal}"))));
    Record { id, loc, fields: fields.into(), extra }
}

/// A stable id for a record of a kind without `id`: its first scalar fields joined by `/`.
fn synthetic_id(kind: &KindSchema, fields: &[Value], ordinal: usize) -> Str {
    synthetic_id_from(kind, ordinal, |s, out| match fields.get(s).filter(|v| !v.is_none()) {
        Some(v) => {
            use std::fmt::Write as _;
            // Ids have always been written in the Chinese form (`是`, `2周`); they must not change.
            let _ = write!(out, "{}", v.shown(crate::base::lang::Lang::Zh));
            true
        }
        None => false,
    })
}

/// [`synthetic_id`] from the text of each slot's raw value (`None` where absent).
pub(crate) fn synthetic_id_from(
    kind: &KindSchema,
    ordinal: usize,
    mut text: impl FnMut(usize, &mut String) -> bool,
) -> Str {
    // Written into one buffer: a synthetic id is made for each record of such a kind.
    let mut id = String::with_capacity(48);
    let mut parts = 0;
    for (s, _) in kind.fields.iter().enumerate().filter(|(_, f)| !matches!(f.ty, Type::List(_) | Type::Object(_))) {
        if parts == 3 {
            break;
        }
        let mark = id.len();
        if parts > 0 {
            id.push('/');
        }
        if text(s, &mut id) {
            parts += 1;
        } else {
            id.truncate(mark);
        }
    }
    if parts == 0 { Str::from(format!("#{ordinal}")) } else { Str::from(id) }
}
