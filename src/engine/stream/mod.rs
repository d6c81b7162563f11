//! Checks over stream kinds: records produced while the files of a directory are read, one at a
//! time (`exports/**/*.csv` → one record per cell: `file`, `row`, `column`, `value`, `line`).
//! Each file is read once for all the checks over its stream; files are read in parallel; memory
//! stays constant whatever their size. Per column, each check gets a [`plan::Plan`] that decides
//! most cells from their text alone; a cell a check may fail on is evaluated in full, as a record.

use rayon::prelude::*;

use crate::base::csvio::Rows;
use crate::base::exports::{Charset, open};
use crate::base::lang::Text;
use crate::base::store::{Record, Store};
use crate::base::value::{KindId, RecordRef, Str, Value};
use crate::data::{Issue, OrgData};
use crate::engine::stream_kind;
use crate::eval::interp::Ctx;
use crate::eval::run::violation;
use crate::findings::{Builder, Failed, Finding, Location, Subject};
use crate::policy::Policy;
use crate::policy::ir::Ir;
use crate::syntax::ast::{BinOp, Quant};

mod plan;

use plan::Plan;

/// One check over a stream kind: a rule version's check (see [`Failed`]).
pub type Job<'a> = Failed<'a>;

/// What the stream jobs found.
pub struct Streamed {
    /// Findings of every job.
    pub findings: Vec<Finding>,
    /// Cells checked by each job (the cells its filter admits), indexed like the jobs.
    pub subjects: Vec<usize>,
}

/// Runs every stream job: each file of a stream is read once, for all the jobs over it.
pub fn run_all(policy: &Policy, org: &OrgData, ctx: &Ctx, build: &Builder, jobs: &[Job]) -> Streamed {
    let mut kinds: Vec<KindId> = jobs.iter().filter_map(|j| stream_kind(policy, &j.rule.checks[j.check])).collect();
    kinds.sort();
    kinds.dedup();
    let mut work: Vec<(KindId, &std::path::PathBuf)> = Vec::new();
    for k in kinds {
        let dir = policy.schema.kind(k).stream.clone().unwrap_or_default();
        work.extend(org.exports.iter().filter(|p| p.starts_with(&dir)).map(|p| (k, p)));
    }
    let known = export_categories(policy);
    let per_file: Vec<FileResult> = work
        .par_iter()
        .map(|(k, rel)| {
            let mine: Vec<(usize, &Job)> = jobs
                .iter()
                .enumerate()
                .filter(|(_, j)| stream_kind(policy, &j.rule.checks[j.check]) == Some(*k))
                .collect();
            run_file(policy, org, ctx, build, (*k, &known), rel, &mine)
        })
        .collect();
    let mut out = Streamed { findings: Vec::new(), subjects: vec![0; jobs.len()] };
    for (findings, counts) in per_file {
        out.findings.extend(findings);
        for (job, n) in counts {
            if let Some(total) = out.subjects.get_mut(job) {
                *total += n;
            }
        }
    }
    out
}

/// The findings of one file, and (job index, cells checked) per job.
type FileResult = (Vec<Finding>, Vec<(usize, usize)>);

fn run_file(
    policy: &Policy,
    org: &OrgData,
    ctx: &Ctx,
    build: &Builder,
    (kind, known): (KindId, &[String]),
    rel: &std::path::Path,
    jobs: &[(usize, &Job)],
) -> FileResult {
    let ks = policy.schema.kind(kind);
    let mut out = Vec::new();
    let mut counts: Vec<(usize, usize)> = jobs.iter().map(|(i, _)| (*i, 0)).collect();
    // Shared by the locations of the file's findings.
    let file = Str::from(rel.to_string_lossy().replace('\\', "/"));
    // Field slots the stream fills, resolved once.
    let slot = |name: &str| ks.slot(name);
    let (s_file, s_row, s_line, s_column, s_col, s_value) =
        (slot("file"), slot("row"), slot("line"), slot("column"), slot("col"), slot("value"));
    let s_category = slot("category");
    let file_v = Value::str(&file);
    // The file's data category (`none`: checked as the strictest, every mask applying).
    let category_v = match s_category {
        Some(_) => file_category(policy, org, build, (rel, &file), known, &mut out),
        None => Value::None,
    };
    let slots = jobs.iter().map(|(_, j)| j.rule.checks[j.check].slots).max().unwrap_or(1).max(1);
    let mut env = vec![Value::None; slots];
    let mut scratch = Store::with_kinds(policy.schema.kinds.len());
    scratch.kind_mut(kind).add(Record {
        id: None,
        loc: Default::default(),
        fields: vec![Value::None; ks.fields.len()].into(),
        extra: Vec::new(),
    });
    // Each job's per-record condition, and per column a plan for each job (made when the
    // column is first seen).
    let conds: Vec<Option<(usize, Ir)>> = jobs.iter().map(|(_, j)| condition(&j.rule.checks[j.check].ir)).collect();
    // Each job's outer `where`, planned per column too: cells it admits are the subjects checked.
    let filters: Vec<Option<(usize, Ir)>> =
        jobs.iter().map(|(_, j)| outer_filter(&j.rule.checks[j.check].ir)).collect();
    // Plans one condition per job for a column whose fixed fields are `known`; a job without
    // a condition (not a `forall` over the stream, or no `where`) always holds.
    let plan_all = |conds: &[Option<(usize, Ir)>], known: &[(usize, Value)]| -> Vec<Plan> {
        conds
            .iter()
            .zip(jobs)
            .map(|(c, (_, j))| match c {
                Some((var, cond)) => {
                    let cell = plan::Cell { var: *var, kind, value: s_value };
                    plan::plan(ctx, cond, j.rule.checks[j.check].slots, &cell, known)
                }
                None => Plan::Holds,
            })
            .collect()
    };
    // The parts scanned: a CSV export is one; a workbook export one per sheet with data, its
    // lines mapped back to the sheet's rows and columns.
    let parts: Vec<(Box<dyn std::io::Read + Send>, Option<Sheet>)> = if is_workbook(rel) {
        let read = std::fs::read(org.dir.join(rel)).map_err(|e| e.to_string());
        match read.and_then(|bytes| crate::data::sheets_as_csv(&file, &bytes)) {
            Ok(sheets) => sheets
                .into_iter()
                .map(|s| {
                    let sheet = Sheet { name: arcstr::ArcStr::from(s.name), rows: s.rows, first_col: s.first_col };
                    let reader: Box<dyn std::io::Read + Send> = Box::new(std::io::Cursor::new(s.text.into_bytes()));
                    (reader, Some(sheet))
                })
                .collect(),
            Err(e) => return (vec![unreadable(build, &file, 1, &e)], counts),
        }
    } else {
        match open(&org.dir.join(rel), Charset::Auto) {
            Ok(o) => vec![(o.reader, None)],
            Err(e) => return (vec![unreadable(build, &file, 1, &e.to_string())], counts),
        }
    };
    for (reader, sheet) in parts {
        // Records are bounded (`csvio::MAX_RECORD_BYTES`): a file with no line break is reported
        // as unreadable, at the line its overlong record starts on, not read whole into memory.
        let mut rows = Rows::new(reader);
        let headers: Vec<Str> = match rows.next_row() {
            Ok(h) => h.map(|h| h.fields().map(|x| Str::from(x.trim())).collect()).unwrap_or_default(),
            Err(e) if sheet.is_none() => {
                return (vec![unreadable(build, &file, rows.record_line(), &e.to_string())], counts);
            }
            Err(e) => {
                out.push(unreadable(build, &file, rows.record_line(), &e.to_string()));
                continue;
            }
        };
        // A file without a header row would have its first row of data taken for column names,
        // unchecked: it cannot be scanned.
        if let Some(why) = crate::base::exports::header_problem(headers.iter().map(|h| &**h)) {
            let Some(sh) = &sheet else { return (vec![unreadable(build, &file, 1, &why)], counts) };
            out.push(unreadable(build, &file, 1, &format!("sheet {}: {why}", sh.name)));
            continue;
        }
        let mut plans: Vec<ColumnPlans> = Vec::new();
        let column_name = |ci: usize| headers.get(ci).cloned().unwrap_or_else(|| Str::from(format!("#{}", ci + 1)));
        let mut row = 0i64;
        loop {
            let record = match rows.next_row() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                // A row that is not UTF-8 is reported where it is, and the rest of the file is
                // scanned: one bad byte must not take the file's other rows out of the check.
                Err(e) if crate::base::csvio::is_utf8_error(&e) => {
                    row += 1;
                    let line = usize::try_from(rows.record_line()).unwrap_or(0);
                    let at = Location {
                        file: file.clone(),
                        line: line.max(1),
                        column: 1,
                        row: usize::try_from(row).ok(),
                        field: None,
                        sheet: None,
                        loc: None,
                    };
                    let message = Text::new(
                        format!("导出文件 {file} 第 {row} 行不是 UTF-8 文本，该行未能检查（其余行照常检查）"),
                        format!("export {file}, row {row} is not UTF-8 text and was not checked (the other rows were)"),
                    );
                    out.push(build.builtin(&Issue::new("DATA-SHAPE", None, message, Some(at))));
                    continue;
                }
                Err(e) => {
                    out.push(unreadable(build, &file, rows.record_line(), &e.to_string()));
                    break;
                }
            };
            row += 1;
            // A sheet's line is its row in the sheet.
            let line = match &sheet {
                Some(sh) => {
                    sh.rows.get((record.line as usize).wrapping_sub(1)).map_or(record.line as i64, |r| i64::from(*r))
                }
                None => record.line as i64,
            };
            for (ci, cell) in record.fields().enumerate() {
                while plans.len() <= ci {
                    let column = column_name(plans.len());
                    let col = Value::Int(plans.len() as i64 + 1);
                    let known: Vec<(usize, Value)> = [
                        (s_file, file_v.clone()),
                        (s_column, Value::Str(column)),
                        (s_col, col),
                        (s_category, category_v.clone()),
                    ]
                    .into_iter()
                    .filter_map(|(s, v)| Some((s?, v)))
                    .collect();
                    let filters = plan_all(&filters, &known);
                    plans.push(ColumnPlans {
                        countable: filters.iter().all(|f| !matches!(f, Plan::Full)),
                        checks: plan_all(&conds, &known),
                        filters,
                    });
                }
                let Some(col) = plans.get(ci) else { continue };
                let mut number = None;
                if col.countable && col.checks.iter().all(|p| p.holds(cell, &mut number)) {
                    // Every check holds here; count the cells each one's `where` admits.
                    for (f, (_, checked)) in col.filters.iter().zip(counts.iter_mut()) {
                        if f.holds(cell, &mut number) {
                            *checked += 1;
                        }
                    }
                    continue;
                }
                // Some check may fail: evaluate in full, as for any record (whose id is the cell's).
                let column = column_name(ci);
                let id = match &sheet {
                    Some(sh) => format!("{file}:{}#{row}/{column}", sh.name),
                    None => format!("{file}#{row}/{column}"),
                };
                scratch.kind_mut(kind).set_id(0, Some(Str::from(id.as_str())));
                if let Some(fields) = scratch.kind_mut(kind).fields_mut(0) {
                    for (s, v) in [
                        (s_file, file_v.clone()),
                        (s_row, Value::Int(row)),
                        (s_line, Value::Int(line)),
                        (s_column, Value::Str(column.clone())),
                        (s_col, Value::Int(ci as i64 + 1)),
                        (s_category, category_v.clone()),
                        (s_value, Value::str(cell)),
                    ] {
                        if let Some(x) = s.and_then(|s| fields.get_mut(s)) {
                            *x = v;
                        }
                    }
                }
                let c = ctx.with_stream(&scratch);
                for ((_, job), (_, checked)) in jobs.iter().zip(counts.iter_mut()) {
                    let check = &job.rule.checks[job.check];
                    let Ir::Quant { q: Quant::Forall, slot, filter, body: Some(body), .. } = check.ir.unwrapped()
                    else {
                        continue;
                    };
                    env.iter_mut().for_each(|v| *v = Value::None);
                    if let Some(x) = env.get_mut(*slot) {
                        *x = Value::Record(RecordRef { kind, idx: 0 });
                    }
                    if filter.as_ref().is_some_and(|f| !c.eval(f, &mut env).truthy()) {
                        continue;
                    }
                    *checked += 1;
                    if c.eval(body, &mut env).truthy() {
                        continue;
                    }
                    let record = RecordRef { kind, idx: 0 };
                    let v = violation(&c, check, Some(record), &mut env);
                    let location = Location {
                        file: file.clone(),
                        line: usize::try_from(line).unwrap_or(0).max(1),
                        column: ci + sheet.as_ref().map_or(1, |sh| sh.first_col as usize),
                        row: usize::try_from(row).ok(),
                        field: Some(column.to_string()),
                        sheet: sheet.as_ref().map(|sh| sh.name.clone()),
                        loc: None,
                    };
                    let about = Subject::Cell { id: id.clone(), location, record };
                    out.push(build.rule(**job, &c, about, v));
                }
            }
        }
    }
    (out, counts)
}

/// One sheet of a workbook export: its name, the sheet row of each CSV line, its first column.
struct Sheet {
    name: arcstr::ArcStr,
    rows: Vec<u32>,
    first_col: u32,
}

/// Whether an export is a workbook (scanned sheet by sheet) rather than a CSV file.
fn is_workbook(rel: &std::path::Path) -> bool {
    crate::data::file_format(rel) == Some(crate::data::FileFormat::Xlsx)
}

/// The plans of one column: each job's condition, and each job's outer `where`.
struct ColumnPlans {
    /// Per job: whether the check holds for a cell.
    checks: Vec<Plan>,
    /// Per job: whether its `where` admits a cell (for the subjects count).
    filters: Vec<Plan>,
    /// Every `where` can be decided on the cell's text alone, so the fast path can count.
    countable: bool,
}

/// The outer `where` of a stream check `forall x in STREAM where F: …`, with the variable's slot.
fn outer_filter(ir: &Ir) -> Option<(usize, Ir)> {
    match ir.unwrapped() {
        Ir::Quant { q: Quant::Forall, slot, filter: Some(f), body: Some(_), .. } => Some((*slot, (**f).clone())),
        _ => None,
    }
}

/// A stream check's condition on one record — its `where` ⇒ its body — and the slot of the
/// record's variable; `None` for a check that is not `forall x in STREAM: …` (never run).
fn condition(ir: &Ir) -> Option<(usize, Ir)> {
    let Ir::Quant { q: Quant::Forall, slot, filter, body: Some(body), .. } = ir.unwrapped() else {
        return None;
    };
    let cond = match filter {
        Some(f) => Ir::Bin(BinOp::Implies, f.clone(), body.clone()),
        None => (**body).clone(),
    };
    Some((*slot, cond))
}

/// The data categories exports may declare: the words of the pack's `enum export_category`, and
/// every category a `mask` declaration names (sorted, without duplicates).
pub fn export_categories(policy: &Policy) -> Vec<String> {
    let words = |r, field: &str| -> Vec<String> {
        policy
            .decl_field(r, field)
            .and_then(Value::as_list)
            .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let mut out: Vec<String> = Vec::new();
    for r in policy.decls_of("enum") {
        if policy.decls.get(r).and_then(|d| d.id_str()) == Some(EXPORT_CATEGORY) {
            out.extend(words(r, "values"));
        }
    }
    for r in policy.decls_of("mask") {
        out.extend(words(r, "categories"));
    }
    out.sort();
    out.dedup();
    out
}

/// The `enum` whose words are the data categories of exports (besides those masks name).
const EXPORT_CATEGORY: &str = "export_category";

/// The category of one export (see [`crate::base::exports::category`]), as the value of the
/// stream's `category` field. An unknown category is an error finding; no category at all is a
/// notice, when the pack knows categories. Either way the file is then checked as the strictest
/// category (`none`: every mask applies).
fn file_category(
    policy: &Policy,
    org: &OrgData,
    build: &Builder,
    (rel, file): (&std::path::Path, &str),
    known: &[String],
    out: &mut Vec<Finding>,
) -> Value {
    use crate::base::exports::{CategoryError, CategorySource, category};
    // The folder right under the stream dir the file lies in, if any.
    let under = policy.schema.kinds.iter().filter_map(|k| k.stream.as_deref()).find(|d| rel.starts_with(d));
    let folder = under.and_then(|d| {
        let inner = rel.strip_prefix(d).ok()?;
        let mut parts = inner.components();
        let first = parts.next()?;
        parts.next().is_some().then(|| first.as_os_str().to_string_lossy().into_owned())
    });
    let at =
        |line: usize| Location { file: file.into(), line, column: 1, row: None, field: None, sheet: None, loc: None };
    let list = known.join("、");
    match category(&org.dir.join(rel), folder.as_deref(), known) {
        Ok(Some((c, _))) => Value::str(&c),
        Ok(None) => {
            if !known.is_empty() {
                let message = Text::new(
                    format!(
                        "导出文件 {file} 未声明数据类别（{list}），按最严类别检查：所有脱敏规则均适用；\
                         请放入以类别命名的目录（exports/<类别>/…）或写 {file}.toml：category = \"<类别>\""
                    ),
                    format!(
                        "export {file} declares no data category ({list}) and is checked as the strictest: every \
                         mask applies; put it in a folder named by its category (exports/<category>/…) or write \
                         {file}.toml: category = \"<category>\""
                    ),
                );
                out.push(build.builtin(&Issue::new("DATA-UNCATEGORIZED", None, message, Some(at(1)))));
            }
            Value::None
        }
        Err(CategoryError::Sidecar { path, reason }) => {
            let side = path.strip_prefix(&org.dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let message = Text::new(
                format!("导出文件的类别文件 {side} 无法读取：{reason}；该导出按最严类别检查"),
                format!("the category sidecar {side} cannot be read: {reason}; the export is checked as the strictest"),
            );
            out.push(build.builtin(&Issue::new("DATA-CATEGORY", None, message, Some(at(1)))));
            Value::None
        }
        Err(CategoryError::Unknown { word, source, suggestion }) => {
            let whence = match source {
                CategorySource::Folder => "目录名",
                CategorySource::Sidecar(_) => "类别文件",
            };
            let whence_en = match source {
                CategorySource::Folder => "folder name",
                CategorySource::Sidecar(_) => "sidecar",
            };
            let hint = suggestion.as_deref().map_or(String::new(), |s| format!("，是否应为「{s}」？"));
            let hint_en = suggestion.as_deref().map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            let message = Text::new(
                format!("导出文件 {file} 的{whence}「{word}」不是已知的数据类别（{list}）{hint}；该导出按最严类别检查"),
                format!(
                    "export {file}: the {whence_en} `{word}` is not a known data category ({list}){hint_en}; the \
                     export is checked as the strictest"
                ),
            );
            out.push(build.builtin(&Issue::new("DATA-CATEGORY", None, message, Some(at(1)))));
            Value::None
        }
    }
}

/// The finding for an export that cannot be read (from `line` on, the line of the record that
/// could not be read).
fn unreadable(build: &Builder, file: &str, line: u64, reason: &str) -> Finding {
    let line = usize::try_from(line).unwrap_or(usize::MAX).max(1);
    let loc = Location { file: file.into(), line, column: 1, row: None, field: None, sheet: None, loc: None };
    let message =
        Text::new(format!("导出文件 {file} 无法读取：{reason}"), format!("cannot read the export {file}: {reason}"));
    build.builtin(&Issue::new("DATA-SHAPE", None, message, Some(loc)))
}
