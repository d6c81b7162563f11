//! Checks over stream kinds: records produced while the files of a directory are read, one at a
//! time (`exports/**/*.csv` → one record per cell: `file`, `row`, `column`, `value`, `line`).
//! Memory stays constant whatever the size of the exports.

use std::sync::Arc;

use crate::check::stream_kind;
use crate::data::{OrgData, data_finding, subject};
use crate::eval::interp::Ctx;
use crate::eval::ir::Ir;
use crate::eval::store::{KindData, Record, Store};
use crate::eval::value::{RecordRef, Str, Value};
use crate::exports::{Charset, open};
use crate::finding::{Finding, Location};
use crate::policy::{Policy, Rule};
use crate::syntax::ast::{Quant, Severity};

/// Runs check `i` of `rule` (a `forall` over a stream kind) over every file of the stream.
pub fn run(
    policy: &Policy,
    org: &OrgData,
    ctx: &Ctx,
    rule: &Rule,
    i: usize,
    pending: Option<jiff::civil::Date>,
    _explain: bool,
) -> Vec<Finding> {
    let check = &rule.checks[i];
    let Some(kind) = stream_kind(policy, check) else { return Vec::new() };
    let Ir::Quant { q: Quant::Forall, slot, filter, body: Some(body), .. } = check.ir.unwrapped() else {
        return Vec::new();
    };
    let ks = policy.schema.kind(kind);
    let dir = ks.stream.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut scratch = Store::with_kinds(policy.schema.kinds.len());
    let mut env = vec![Value::None; check.slots.max(1)];
    for rel in org.exports.iter().filter(|p| p.starts_with(&dir)) {
        let file = rel.to_string_lossy().replace('\\', "/");
        let opened = match open(&org.dir.join(rel), Charset::Auto) {
            Ok(o) => o,
            Err(e) => {
                out.push(unreadable(&file, &e.to_string()));
                continue;
            }
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(opened.reader);
        let headers: Vec<Str> = match rdr.headers() {
            Ok(h) => h.iter().map(|x| Str::from(x.trim())).collect(),
            Err(e) => {
                out.push(unreadable(&file, &e.to_string()));
                continue;
            }
        };
        let file_v = Value::str(&file);
        let mut row = 0i64;
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    out.push(unreadable(&file, &e.to_string()));
                    break;
                }
            }
            row += 1;
            let line = record.position().map_or(0, |p| p.line()) as i64;
            for (ci, cell) in record.iter().enumerate() {
                let column = headers.get(ci).cloned().unwrap_or_else(|| Str::from(format!("#{}", ci + 1)));
                let fields: Vec<Value> = ks
                    .fields
                    .iter()
                    .map(|f| match f.name.as_str() {
                        "file" => file_v.clone(),
                        "row" => Value::Int(row),
                        "line" => Value::Int(line),
                        "column" => Value::Str(column.clone()),
                        "col" => Value::Int(ci as i64 + 1),
                        "value" => Value::str(cell),
                        _ => Value::None,
                    })
                    .collect();
                let id: Str = Arc::from(format!("{file}#{row}/{column}"));
                let data = scratch.kind_mut(kind);
                *data = KindData::default();
                data.push(Record {
                    id: Some(id.clone()),
                    loc: Default::default(),
                    fields: fields.into(),
                    extra: Vec::new(),
                });
                let c = ctx.with_stream(&scratch);
                env.iter_mut().for_each(|v| *v = Value::None);
                if let Some(x) = env.get_mut(*slot) {
                    *x = Value::Record(RecordRef { kind, idx: 0 });
                }
                if filter.as_ref().is_some_and(|f| !c.eval(f, &mut env).truthy()) {
                    continue;
                }
                if c.eval(body, &mut env).truthy() {
                    continue;
                }
                let message = policy.render_message(&check.message, &c, &mut env);
                out.push(Finding {
                    rule: rule.id.clone(),
                    severity: if pending.is_some() { Severity::Warning.min(rule.severity) } else { rule.severity },
                    title: rule.title.clone(),
                    subject: Some(subject(&ks.name, &id)),
                    message,
                    source: rule.source.clone(),
                    location: Some(Location {
                        file: file.clone(),
                        line: line.max(1) as usize,
                        column: ci + 1,
                        row: Some(row as usize),
                        field: Some(column.to_string()),
                        loc: None,
                    }),
                    advisory: rule.advisory,
                    pending: pending.map(|d| d.to_string()),
                    explanation: Vec::new(),
                    fingerprint: String::new(),
                    waiver: None,
                    check: i,
                });
            }
        }
    }
    out
}

fn unreadable(file: &str, reason: &str) -> Finding {
    let loc = Location { file: file.to_string(), line: 1, column: 1, row: None, field: None, loc: None };
    data_finding("DATA-SHAPE", None, format!("导出文件 {file} 无法读取：{reason}"), Some(loc))
}
