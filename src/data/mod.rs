//! Org data: walking the org dir, reading `zhidu.toml`, TOML, CSV and `.xlsx` record files into the
//! record [`Store`], with schema validation as `DATA-…` issues. Every record keeps its
//! location. Malformed files stop the run with a located diagnostic.

pub mod coerce;
pub mod config;
mod csv_file;
pub mod error;
mod intern;
mod issue;
mod record;
mod toml_fast;
mod toml_file;
mod validate;
mod vocab;
pub mod walk;
mod xlsx_file;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::OrgConfig;
use error::DataError;

use crate::base::diag::Diagnostics;
use crate::base::lang::Text;
use crate::base::source::{FileId, Loc, Location, SourceMap};
use crate::base::store::{KindData, Record, Store};
use crate::base::value::KindId;
use crate::policy::{KindOrigin, Schema};
pub use issue::Issue;
pub(crate) use record::{RawField, Slotted, finish_record, synthetic_id_from};
pub use vocab::Unknown;
pub use xlsx_file::{SheetCsv, sheets_as_csv};

/// An organisation's data, loaded and validated.
#[derive(Debug)]
pub struct OrgData {
    /// The org dir.
    pub dir: PathBuf,
    /// Settings from `zhidu.toml`.
    pub config: OrgConfig,
    /// Text of every record file (for locations and snippets).
    pub sources: SourceMap,
    /// Records by kind.
    pub store: Store,
    /// Problems found in the data (`DATA-…`).
    pub issues: Vec<Issue>,
    /// Records holding words no vocabulary declares, and in which fields (checks reading those
    /// fields do not evaluate them).
    pub unknown: Unknown,
    /// CSV files under `exports/` (checked by the desensitisation rules).
    pub exports: Vec<PathBuf>,
    /// Every input file read, relative to the org dir, sorted.
    pub inputs: Vec<PathBuf>,
    /// What each loading stage cost (for `--timings`).
    pub stages: crate::base::timings::Stages,
}

/// Reads `zhidu.toml` of an org dir, with nothing given on the command line.
pub fn read_config(dir: &Path, today: jiff::civil::Date) -> Result<OrgConfig, Diagnostics> {
    read_config_given(dir, today, &config::Given::default())
}

/// Reads `zhidu.toml` of an org dir; what `given` holds (`--as-of`, `--period`) wins over it.
/// Without `zhidu.toml`, both must be given. `today` is used only where the config asks for it
/// (`as_of = "today"`).
pub fn read_config_given(
    dir: &Path,
    today: jiff::civil::Date,
    given: &config::Given,
) -> Result<OrgConfig, Diagnostics> {
    let path = dir.join("zhidu.toml");
    if !dir.is_dir() {
        let mut sources = SourceMap::default();
        let id = sources.add(dir.display().to_string(), "");
        let mut d = Diagnostics::default();
        let reason = "not a directory".to_string();
        d.push(DataError::Unreadable { path: dir.display().to_string(), reason, loc: Loc::new(id, 0, 0) }, &sources);
        return Err(d);
    }
    // Only a config that is not there at all means "defaults": one that cannot be read (a
    // FIFO, a directory, a link to nothing, no permission) is an error, never silently ignored.
    if std::fs::symlink_metadata(&path).is_err() {
        return config::from_given(dir, given).ok_or_else(|| {
            let mut sources = SourceMap::default();
            let id = sources.add(dir.display().to_string(), "");
            let mut d = Diagnostics::default();
            d.push(DataError::NoConfig { dir: dir.display().to_string(), loc: Loc::new(id, 0, 0) }, &sources);
            d
        });
    }
    let bytes = match crate::base::files::read(&path) {
        Ok(b) => b,
        Err(e) => {
            let mut sources = SourceMap::default();
            let id = sources.add("zhidu.toml", "");
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                "it is a link to a file that does not exist".to_string()
            } else {
                e.to_string()
            };
            let mut d = Diagnostics::default();
            d.push(DataError::Unreadable { path: "zhidu.toml".into(), reason, loc: Loc::new(id, 0, 0) }, &sources);
            return Err(d);
        }
    };
    let mut sources = SourceMap::default();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let id = sources.add("zhidu.toml", "");
            let mut d = Diagnostics::default();
            let _ = e;
            d.push(DataError::NotUtf8 { path: "zhidu.toml".into(), loc: Loc::new(id, 0, 0) }, &sources);
            return Err(d);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    match config::parse(&text, dir, today, given) {
        Ok(c) => Ok(c),
        Err((message, span)) => {
            let id = sources.add("zhidu.toml", text.as_str());
            let span = span.unwrap_or(0..0);
            let mut d = Diagnostics::default();
            d.push(DataError::Config { message, loc: Loc::new(id, span.start, span.end) }, &sources);
            Err(d)
        }
    }
}

/// Only the `policy` of `dir/zhidu.toml` (`None` if it names none), the file checked as
/// strictly as [`read_config_given`] checks it. For the commands that read no org data.
pub fn read_config_policy(dir: &Path) -> Result<Option<PathBuf>, Diagnostics> {
    let fail = |e: DataError, sources: &SourceMap| {
        let mut d = Diagnostics::default();
        d.push(e, sources);
        d
    };
    let mut sources = SourceMap::default();
    let bytes = crate::base::files::read(&dir.join("zhidu.toml")).map_err(|e| {
        let id = sources.add("zhidu.toml", "");
        fail(
            DataError::Unreadable { path: "zhidu.toml".into(), reason: e.to_string(), loc: Loc::new(id, 0, 0) },
            &sources,
        )
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        let id = sources.add("zhidu.toml", "");
        return Err(fail(DataError::NotUtf8 { path: "zhidu.toml".into(), loc: Loc::new(id, 0, 0) }, &sources));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    config::policy_of(&text, dir).map_err(|(message, span)| {
        let id = sources.add("zhidu.toml", text.as_str());
        let span = span.unwrap_or(0..0);
        fail(DataError::Config { message, loc: Loc::new(id, span.start, span.end) }, &sources)
    })
}

/// Files at least this big give their text back after parsing (read again on demand).
const EVICT_BYTES: usize = 1 << 20;

/// Reads a record file into `buf` (emptied first, its room kept: a loader reuses one buffer for
/// many files, so the kernel does not hand out and zero fresh pages for every file) and returns
/// its text: UTF-8, without a byte-order mark. A CSV file that is not UTF-8 is decoded when
/// its encoding is detected as exports' is ([`crate::base::exports::detect`]: GBK/GB18030 as
/// Excel writes it, UTF-16 with a byte-order mark), never guessed: UTF-8 with a few bad bytes
/// stays UTF-8 and its first bad byte is reported where it is. An unreadable or non-UTF-8 file
/// is an error located in it.
fn read_text<'b>(
    file: &crate::base::source::SourceFile,
    id: FileId,
    buf: &'b mut Vec<u8>,
    csv: bool,
) -> Result<&'b str, DataError> {
    read_bytes(file, id, buf)?;
    let utf8 = simdutf8::basic::from_utf8(buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buf)).is_ok();
    if !utf8
        && csv
        && let Ok(encoding) = crate::base::exports::detect(buf, true)
        && encoding != encoding_rs::UTF_8
    {
        let (decoded, _, errors) = encoding.decode(buf);
        if !errors {
            let decoded = decoded.into_owned();
            // Kept whatever its size: a diagnostic must not read the file again as UTF-8.
            file.set_text(decoded.as_str().into());
            buf.clear();
            buf.extend_from_slice(decoded.as_bytes());
            return std::str::from_utf8(buf)
                .map_err(|_| DataError::NotUtf8 { path: file.name.to_string(), loc: Loc::new(id, 0, 0) });
        }
    }
    let bytes = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buf);
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        // A file whose text is given back after parsing keeps its line index: a finding in it
        // is located without reading it again.
        if text.len() >= EVICT_BYTES {
            file.index_lines(bytes, (buf.len() - bytes.len()) as u64);
        }
        return Ok(text);
    }
    // Locate the first bad byte (the slow, exact check), as a character position of the
    // lossy text kept for the diagnostic.
    let good = std::str::from_utf8(bytes).err().map_or(0, |e| e.valid_up_to());
    let lossy = String::from_utf8_lossy(bytes).into_owned();
    let at = lossy.char_indices().nth(String::from_utf8_lossy(&bytes[..good]).chars().count());
    let start = at.map_or(0, |(i, _)| i);
    file.set_text(lossy.into());
    Err(DataError::NotUtf8 { path: file.name.to_string(), loc: Loc::new(id, start, start + 1) })
}

/// Reads a workbook's bytes into `buf` (emptied first); an unreadable file is an error located
/// in it, whose text is then empty (a diagnostic must not quote the bytes).
fn read_bytes<'b>(
    file: &crate::base::source::SourceFile,
    id: FileId,
    buf: &'b mut Vec<u8>,
) -> Result<&'b [u8], DataError> {
    use std::io::Read;
    buf.clear();
    let read = std::fs::File::open(file.path().unwrap_or(Path::new(""))).and_then(|mut f| f.read_to_end(buf));
    if let Err(e) = read {
        file.set_text("".into());
        return Err(DataError::Unreadable {
            path: file.name.to_string(),
            reason: e.to_string(),
            loc: Loc::new(id, 0, 0),
        });
    }
    Ok(buf)
}

/// What one file contributed: its records by kind, stored as the store keeps them, so merging
/// moves whole arrays rather than records.
#[derive(Default)]
struct Parsed {
    kinds: Vec<KindData>,
    issues: Vec<Issue>,
}

impl Parsed {
    fn push(&mut self, kind: KindId, rec: Record) {
        self.kind(kind).add(rec);
    }

    /// The records of a kind read so far.
    fn kind(&mut self, kind: KindId) -> &mut KindData {
        let k = kind.0 as usize;
        if self.kinds.len() <= k {
            self.kinds.resize_with(k + 1, KindData::default);
        }
        &mut self.kinds[k]
    }
}

/// Loads every record file of an org dir against the schema.
pub fn load(dir: &Path, config: OrgConfig, schema: &Schema) -> Result<OrgData, Diagnostics> {
    load_except(dir, config, schema, &[])
}

/// Like [`load`], but skips the given files (relative to the org dir), e.g. a test case's
/// `expected.toml`.
pub fn load_except(dir: &Path, config: OrgConfig, schema: &Schema, skip: &[&Path]) -> Result<OrgData, Diagnostics> {
    load_edited(dir, config, schema, skip, &Edited::default())
}

/// Texts that replace files on disk (an editor's unsaved buffers), by path relative to the
/// org dir.
pub type Edited = std::collections::HashMap<PathBuf, std::sync::Arc<str>>;

/// Like [`load_except`], with `edited` read instead of the files on disk (`zhidu lsp`). A
/// workbook cannot be edited as text: its entry is ignored.
pub fn load_edited(
    dir: &Path,
    config: OrgConfig,
    schema: &Schema,
    skip: &[&Path],
    edited: &Edited,
) -> Result<OrgData, Diagnostics> {
    let mut stages = crate::base::timings::Stages::start();
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let mut files: Vec<(FileId, PathBuf, FileFormat)> = Vec::new();
    let mut sizes: Vec<u64> = Vec::new();
    let mut exports = Vec::new();
    let mut inputs = Vec::new();
    let walked = walk::walk(dir);
    for (path, reason) in walked.problems {
        let id = sources.add(path.clone(), "");
        diags.push(DataError::Unreadable { path, reason, loc: Loc::new(id, 0, 0) }, &sources);
    }
    for input in walked.files {
        let walk::Input { rel, path, size } = input;
        let Some(format) = file_format(&rel) else { continue };
        let is_csv = format == FileFormat::Csv;
        if skip.contains(&rel.as_path()) {
            continue;
        }
        inputs.push(rel.clone());
        // Exports, CSV or workbook, are scanned by the stream checks (a workbook sheet by sheet).
        if rel.starts_with("exports") && (is_csv || format == FileFormat::Xlsx) {
            exports.push(rel);
            continue;
        }
        // An export's sidecar (`a.csv.toml`, `a.xlsx.toml`: its data category) is read with the
        // export, by the stream (`base::exports::category`), not as records.
        if rel.starts_with("exports")
            && format == FileFormat::Toml
            && rel.file_stem().is_some_and(|s| file_format(Path::new(s)).is_some_and(|f| f != FileFormat::Toml))
        {
            continue;
        }
        if rel == Path::new("zhidu.toml") || skip.contains(&rel.as_path()) {
            continue;
        }
        let name = rel.to_string_lossy().replace('\\', "/");
        let id = sources.add_path(name, &path);
        if let Some(text) = edited.get(&rel).filter(|_| format != FileFormat::Xlsx) {
            sources.get(id).set_text(text.clone());
        }
        files.push((id, rel, format));
        sizes.push(size);
    }
    stages.lap("walk");
    // Read and parse files in parallel; merge in path order so the result is deterministic.
    // Records own their values, so a big file's text is dropped once parsed (and read again
    // only if a location in it is shown): the org is never held in memory twice.
    let names = intern::Names::new(schema);
    let results: Vec<Result<Parsed, DataError>> =
        largest_first(&files, &sizes, |scratch: &mut Scratch, (id, rel, format)| {
            let file = sources.get(*id);
            if scratch.cells.strings.names.is_none() {
                scratch.cells.strings.names = Some(names.clone());
            }
            if *format == FileFormat::Xlsx {
                let bytes = read_bytes(file, *id, &mut scratch.buf)?;
                let mut parsed = xlsx_file::parse(*id, bytes, rel, schema, &sources, &mut scratch.cells)?;
                parsed.kinds.iter_mut().for_each(KindData::shrink_to_fit);
                return Ok(parsed);
            }
            let is_csv = format == &FileFormat::Csv;
            let text = match edited.get(rel) {
                Some(t) => &**t,
                None => read_text(file, *id, &mut scratch.buf, is_csv)?,
            };
            // Only a file small enough to keep is copied into a shared text.
            if text.len() < EVICT_BYTES {
                file.set_text(text.into());
            }
            let mut parsed = if is_csv {
                csv_file::parse(*id, text, rel, schema, &sources, &mut scratch.cells)
            } else {
                toml_file::parse(*id, text, schema, &sources, &mut scratch.cells.strings)
            }?;
            parsed.kinds.iter_mut().for_each(KindData::shrink_to_fit);
            Ok(parsed)
        });
    // The records hold the names now.
    drop(names);
    stages.lap("read, parse and validate records");
    let mut store = Store::with_kinds(schema.kinds.len());
    let mut findings = Vec::new();
    for r in results {
        match r {
            Ok(p) => {
                findings.extend(p.issues);
                for (k, data) in p.kinds.into_iter().enumerate() {
                    store.kind_mut(KindId(k as u32)).append(data);
                }
            }
            Err(e) => diags.push(e, &sources),
        }
    }
    // Index ids per kind, in parallel; a repeated id is reported at its later occurrence.
    let dups: Vec<Vec<(u32, u32)>> = store.kinds.par_iter_mut().map(crate::base::store::KindData::index_ids).collect();
    for (k, dups) in dups.into_iter().enumerate() {
        let ks = schema.kind(KindId(k as u32));
        // Kinds without an `id` field get synthetic ids, which may repeat legitimately.
        if !ks.has_id {
            continue;
        }
        let records = &store.kinds[k];
        for (later, first) in dups {
            let (Some(rec), Some(first)) = (records.get(later as usize), records.get(first as usize)) else { continue };
            let id = rec.id_str().unwrap_or_default();
            let kind = &ks.name;
            let first = describe(&sources, first.loc);
            let msg = Text::new(
                format!("{kind} 编号 `{id}` 重复，首次出现在 {first}"),
                format!("duplicate {kind} id `{id}`, first at {first}"),
            );
            findings.push(Issue::new(
                "DATA-DUP",
                Some(subject(kind, id)),
                msg,
                location(&sources, rec.loc, None, None),
            ));
        }
    }
    if diags.error_count() > 0 {
        diags.sort();
        return Err(diags);
    }
    stages.lap("merge, id index, duplicate ids");
    findings.extend(validate::resolve_refs(schema, &mut store, &sources));
    stages.lap("references");
    let (closed_world, unknown) = vocab::check(schema, &store, &sources);
    findings.extend(closed_world);
    stages.lap("vocabularies, undeclared fields");
    // An org with no record and no export to scan would pass having checked nothing.
    if store.kinds.iter().all(|k| k.is_empty()) && exports.is_empty() {
        let unknown: Vec<String> =
            findings.iter().filter(|i| i.code == "DATA-KIND").map(|i| format!("\n  {}", i.message.en)).collect();
        let detail = if unknown.is_empty() { String::new() } else { format!(":{}", unknown.concat()) };
        let id = sources.add(dir.display().to_string(), "");
        let mut d = Diagnostics::default();
        d.push(DataError::NoRecords { dir: dir.display().to_string(), detail, loc: Loc::new(id, 0, 0) }, &sources);
        return Err(d);
    }
    Ok(OrgData { dir: dir.to_path_buf(), config, sources, store, issues: findings, unknown, exports, inputs, stages })
}

/// What a thread keeps across the files it reads: one read buffer (a fresh buffer per file had
/// the kernel hand out and zero new pages each time) and its caches of the strings and lists it
/// has made (`Cells`), which the TOML and CSV files it reads share.
#[derive(Default)]
struct Scratch {
    buf: Vec<u8>,
    cells: csv_file::Cells,
}

/// `f` of every item, in the items' order, run on every thread of the pool: each thread takes
/// the largest item not yet taken, so the last file to finish is a small one and no thread
/// waits long for another (splitting the list in halves can leave one thread parsing the
/// biggest file alone at the end). Each thread passes one state `S` to all its items.
fn largest_first<T: Sync, R: Send, S: Default>(
    items: &[T],
    sizes: &[u64],
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes.get(i).copied().unwrap_or(0)));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = rayon::broadcast(|_| {
        let mut state = S::default();
        let mut mine = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            mine.push((i, f(&mut state, &items[i])));
        }
        mine
    })
    .into_iter()
    .flatten()
    .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The formats of org data files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// `.toml`.
    Toml,
    /// `.csv`.
    Csv,
    /// A workbook: `.xlsx`, `.xlsm`, `.xls`, `.ods`.
    Xlsx,
}

/// The format of an org data file by its extension, in any case (`USERS.CSV` is CSV: a file a
/// spreadsheet saved in capitals must not go unread).
pub fn file_format(path: &Path) -> Option<FileFormat> {
    let ext = path.extension()?.to_str()?;
    if ext.eq_ignore_ascii_case("toml") {
        Some(FileFormat::Toml)
    } else if ext.eq_ignore_ascii_case("csv") {
        Some(FileFormat::Csv)
    } else if ["xlsx", "xlsm", "xls", "ods"].iter().any(|x| ext.eq_ignore_ascii_case(x)) {
        Some(FileFormat::Xlsx)
    } else {
        None
    }
}

/// `kind:id`.
pub fn subject(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

fn describe(sources: &SourceMap, loc: Loc) -> String {
    sources.describe(loc)
}

/// A location in a data file.
pub fn location(sources: &SourceMap, loc: Loc, row: Option<usize>, field: Option<&str>) -> Option<Location> {
    let f = sources.get(loc.file);
    let field = field.map(str::to_string);
    if let Some(cell) = f.cell(loc.start as usize) {
        // A workbook's row: the cell (sheet, row, column), and the row counted as CSV rows are.
        return Some(Location {
            file: f.name.clone(),
            line: cell.row,
            column: cell.first_col,
            row: Some(cell.data_row),
            field,
            sheet: Some(arcstr::ArcStr::from(cell.sheet)),
            loc: Some(loc),
        });
    }
    let (line, column) = f.line_col(loc.start as usize);
    Some(Location { file: f.name.clone(), line, column, row, field, sheet: None, loc: Some(loc) })
}

/// The message of a file or table that names no record kind: what was not read, and the
/// kind it may have meant (or the kinds there are).
fn unknown_kind(schema: &Schema, name: &str, what_zh: &str, what_en: &str) -> Text {
    let mut names: Vec<&str> = Vec::new();
    for (_, ks) in schema.record_kinds().filter(|(_, k)| k.stream.is_none()) {
        names.push(&ks.name);
        names.extend(ks.aliases.iter().map(String::as_str));
    }
    let lower = name.to_lowercase();
    let near = crate::base::diag::suggest(&lower, names.iter().copied())
        .and_then(|n| kind_for(schema, &n).map(|k| schema.kind(k).name.clone()));
    let kinds: Vec<&str> =
        schema.record_kinds().filter(|(_, k)| k.stream.is_none()).map(|(_, k)| k.name.as_str()).collect();
    let (zh, en) = match near {
        Some(k) => (format!("；是否应为 `{k}`？"), format!("; did you mean `{k}`?")),
        None => (format!("；记录类型有：{}", kinds.join("、")), format!("; the kinds are: {}", kinds.join(", "))),
    };
    Text::new(
        format!("未知的数据类型 `{name}`：{what_zh}不是策略声明的记录类型，其数据未被读取{zh}"),
        format!("unknown record kind `{name}`: {what_en} is no kind the policy declares, so its data was not read{en}"),
    )
}

/// The record kind a file stem or table name stands for: the kind, an alias, or a plural.
pub fn kind_for(schema: &Schema, name: &str) -> Option<KindId> {
    let is_record = |k: KindId| schema.kind(k).origin == KindOrigin::Record;
    if let Some(k) = schema.id(name).filter(|k| is_record(*k)) {
        return Some(k);
    }
    for (k, ks) in schema.record_kinds() {
        if ks.aliases.iter().any(|a| a == name) {
            return Some(k);
        }
    }
    for suffix in ["es", "s"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && let Some(k) = schema.id(stem).filter(|k| is_record(*k))
        {
            return Some(k);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::policy::Schema;

    /// A file's records (kind by kind, in order) and findings, as text to compare; findings
    /// sorted when their order does not count.
    pub(super) fn show(p: &super::Parsed, sort_findings: bool) -> String {
        let records: Vec<String> = p
            .kinds
            .iter()
            .enumerate()
            .flat_map(|(k, data)| data.iter().map(move |r| format!("({k}, {r:?})")))
            .collect();
        let mut findings: Vec<String> = p.issues.iter().map(|f| format!("{f:?}")).collect();
        if sort_findings {
            findings.sort();
        }
        format!("{records:#?}\n{findings:#?}")
    }

    /// The built-in pack's schema, loaded once for the loaders' tests.
    pub(super) fn schema() -> &'static Schema {
        static POLICY: std::sync::LazyLock<crate::policy::Policy> =
            std::sync::LazyLock::new(|| crate::compile::load_policy(None).expect("built-in pack").0);
        &POLICY.schema
    }

    /// A reference read from a file is the very string of the id it names, whichever files
    /// (CSV or TOML) and threads read the two: one allocation per name.
    #[test]
    fn references_are_the_strings_of_the_ids_they_name() {
        use crate::base::value::{Str, Value};
        use crate::policy::types::Type;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme");
        let config = super::read_config(&dir, jiff::civil::date(2026, 11, 23)).expect("config");
        let org = super::load(&dir, config, schema()).expect("acme loads");
        let (mut shared, mut kinds) = (0, std::collections::BTreeSet::new());
        for (k, ks) in schema().record_kinds() {
            for (slot, f) in ks.fields.iter().enumerate() {
                let Type::Ref(t) = f.ty else { continue };
                for r in org.store.kind(k).iter() {
                    let Some(Value::Str(name)) = r.fields.get(slot) else { continue };
                    let Some(target) = org.store.by_id(t, name).and_then(|at| org.store.get(at)) else { continue };
                    let id = target.id.expect("a named record has an id");
                    assert!(Str::ptr_eq(name, id), "{}.{} `{name}` is a copy", ks.name, f.name);
                    shared += 1;
                    kinds.insert(ks.name.as_str());
                }
            }
        }
        // appraisal.csv and coaching.csv (CSV), data-security.toml and people.toml (TOML).
        assert!(shared >= 50 && kinds.len() >= 4, "{shared} references of {kinds:?}");
    }

    #[test]
    fn largest_first_answers_in_item_order() {
        // Sizes out of order, ties, more items than threads: every item once, in its place.
        let items: Vec<u64> = (0..40).map(|i| (i * 7919) % 13).collect();
        let out = super::largest_first(&items, &items, |seen: &mut Vec<u64>, &x| {
            seen.push(x);
            x * 10
        });
        assert_eq!(out, items.iter().map(|x| x * 10).collect::<Vec<_>>());
        assert!(super::largest_first(&[] as &[u64], &[], |_: &mut (), &x| x).is_empty());
    }
}
