//! CSV record files: the header row names the fields of the kind given by the file stem; lists
//! are `;`-separated, nested fields are dotted headers (`scores.上级评价`).

use std::path::Path;
use std::sync::Arc;

use super::error::DataError;
use rustc_hash::FxHashSet as HashSet;

use super::{Parsed, Slotted, data_finding, finish_record, kind_for, location};
use crate::eval::value::{Object, Str, Value};
use crate::i18n::tr;
use crate::policy::Schema;
use crate::source::{FileId, Loc, SourceMap};

/// Parses one CSV file into records.
pub(super) fn parse(
    file: FileId,
    text: &str,
    rel: &Path,
    schema: &Schema,
    sources: &SourceMap,
) -> Result<Parsed, DataError> {
    let mut out = Parsed::default();
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let Some(kind) = kind_for(schema, stem) else {
        let msg = tr(
            format!("未知的数据类型 `{stem}`：CSV 文件名不是策略声明的记录类型，文件被忽略"),
            format!(
                "unknown record kind `{stem}`: the CSV file name is no kind the policy declares; the file is ignored"
            ),
        );
        out.findings.push(data_finding("DATA-KIND", None, msg, location(sources, Loc::new(file, 0, 0), None, None)));
        return Ok(out);
    };
    let ks = schema.kind(kind);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => return Err(csv_error(file, text, e)),
    };
    // header → (field, nested key)
    let columns: Vec<(String, Option<String>)> = headers
        .iter()
        .map(|h| match h.split_once('.') {
            Some((a, b)) if ks.slot(h).is_none() => (a.to_string(), Some(b.to_string())),
            _ => (h.clone(), None),
        })
        .collect();
    // Where each column's cells go, decided once: a slot, an undeclared field, or a key of an
    // object field (`scores.上级评价`).
    let targets: Vec<(Target, Option<Str>)> = columns
        .iter()
        .map(|(field, sub)| {
            let target = ks.slot(field).map_or_else(|| Target::Extra(Str::from(field.as_str())), Target::Slot);
            (target, sub.as_deref().map(Str::from))
        })
        .collect();
    let id_slot = ks.id_slot();
    // Cells repeat (unit ids, roles, enum values): within a file they share one string. Ids
    // are unique, so they are not looked up.
    let mut strings: HashSet<Str> = HashSet::default();
    let mut intern = |cell: &str| -> Str {
        if let Some(s) = strings.get(cell) {
            return s.clone();
        }
        let s = Str::from(cell);
        strings.insert(s.clone());
        s
    };
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, text, e)),
        }
        row += 1;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let loc = Loc::new(file, start, end);
        let mut slots = Slotted::new(ks);
        for (i, cell) in record.iter().enumerate() {
            let Some((target, sub)) = targets.get(i) else { continue };
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let text =
                if matches!(target, Target::Slot(s) if Some(*s) == id_slot) { Str::from(cell) } else { intern(cell) };
            let value = Value::Str(text);
            let place: &mut Value = match target {
                Target::Slot(s) => {
                    slots.locs[*s] = Some(loc);
                    &mut slots.values[*s]
                }
                Target::Extra(name) => {
                    let at = match slots.extra.iter().position(|(n, _)| n == name) {
                        Some(at) if sub.is_some() => at,
                        _ => {
                            slots.extra.push((name.clone(), Value::None));
                            slots.extra.len() - 1
                        }
                    };
                    &mut slots.extra[at].1
                }
            };
            match sub {
                None => *place = value,
                Some(key) => match place {
                    Value::Object(o) => Arc::make_mut(o).fields.push((key.clone(), value)),
                    _ => *place = Value::Object(Arc::new(Object { fields: vec![(key.clone(), value)] })),
                },
            }
        }
        let rec = finish_record(ks, slots, loc, Some(row), row, sources, &mut out.findings);
        out.push(kind, rec);
    }
    // CSV locations name the column of the field.
    for f in out.findings.iter_mut() {
        if let Some(l) = f.location.as_mut()
            && let Some(field) = &l.field
            && let Some(col) = columns.iter().position(|(c, _)| c == field)
        {
            l.column = col + 1;
        }
    }
    Ok(out)
}

/// Where a column's cells go.
enum Target {
    Slot(usize),
    Extra(Str),
}

fn csv_error(file: FileId, text: &str, e: csv::Error) -> DataError {
    let (pos, message) = match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
            (pos.as_ref().map(|p| p.byte() as usize), format!("row has {len} field(s), the header has {expected_len}"))
        }
        csv::ErrorKind::Utf8 { pos, .. } => (pos.as_ref().map(|p| p.byte() as usize), "invalid UTF-8".into()),
        _ => (e.position().map(|p| p.byte() as usize), e.to_string()),
    };
    let start = pos.unwrap_or(0).min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |x| start + x);
    DataError::Csv { message, loc: Loc::new(file, start, end) }
}
