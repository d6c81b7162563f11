//! CSV record files: the header row names the fields of the kind given by the file stem; lists
//! are `;`-separated, nested fields are dotted headers (`scores.上级评价`).

use std::path::Path;
use std::sync::Arc;

use super::error::DataError;
use super::{Parsed, RawField, Slotted, data_finding, finish_record, kind_for, location};
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
        let mut raw: Vec<RawField> = Vec::with_capacity(columns.len());
        for (i, cell) in record.iter().enumerate() {
            let Some((field, sub)) = columns.get(i) else { continue };
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match sub {
                None => raw.push(RawField { name: field.clone(), value: Value::str(cell), loc }),
                Some(key) => {
                    let pair = (Str::from(key.as_str()), Value::str(cell));
                    match raw.iter_mut().find(|f| &f.name == field) {
                        Some(RawField { value: Value::Object(o), .. }) => Arc::make_mut(o).fields.push(pair),
                        _ => raw.push(RawField {
                            name: field.clone(),
                            value: Value::Object(Arc::new(Object { fields: vec![pair] })),
                            loc,
                        }),
                    }
                }
            }
        }
        let rec = finish_record(ks, Slotted::from_raw(ks, raw), loc, Some(row), row, sources, &mut out.findings);
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
