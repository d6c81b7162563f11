//! Workbooks (`.xlsx`, `.xlsm`, and the `.xls` and `.ods` formats calamine reads too), read
//! with `calamine`: a sheet named after a record kind
//! (`person`, `人员` if that is an alias), or the one sheet with data of a workbook named after
//! one (`person.xlsx`), is read as a CSV file of that kind — same dotted headers, `;` lists —
//! by the CSV loader itself: the sheet's rows are written as CSV lines, which become the
//! workbook's text, and [`SheetRows`] maps each line back to its sheet row, so findings name
//! the cell (`people.xlsx:person!C12`). A sheet with data that names no kind is a `DATA-KIND`
//! finding, as an unknown CSV file is; an empty sheet (`Sheet2`) is nothing.
//!
//! Cells: text as it is; numbers as written (`3`, not `3.0`); dates (cells with a date format)
//! as `2026-05-01` (with the time if it has one); formulas by their cached value; a merged
//! range's value in every cell of the range (as it shows). A cell holding an Excel error
//! (`#DIV/0!`), a formula with no cached value (never calculated), a corrupt workbook or a
//! sheet past the limits stops the run with the cell named (exit 2): never a guess. An `.ods`
//! file's merged ranges are not filled (calamine does not give them): a cell they cover is
//! empty, so a required field there is reported missing, not guessed.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, DataRef, Ods, Range, Reader, Xls, Xlsx};

use super::csv_file::{self, Cells};
use super::error::DataError;
use super::{Parsed, issue::Issue, kind_for, location};
use crate::base::source::{FileId, Loc, SheetRows, SourceMap, column_letters};
use crate::base::value::KindId;
use crate::policy::Schema;

/// What one workbook may hold: cells with a value (merged ranges counted cell by cell) and
/// bytes of the CSV text made of its sheets. A zip of a few kilobytes can unpack to a sheet of
/// billions of cells; past these it is refused rather than read until memory runs out.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub(super) cells: usize,
    pub(super) text: usize,
}

impl Limits {
    /// The limits of a run: far more than an HR export holds, far less than memory.
    pub(super) const DEFAULT: Limits = Limits { cells: 20_000_000, text: 1 << 30 };
}

/// One sheet's cells with a value: (0-based row, 0-based column, text).
type Grid = Vec<(u32, u32, String)>;

/// Reads workbook `bytes` (file `file`, at `rel` in the org dir) into records.
pub(super) fn parse(
    file: FileId,
    bytes: &[u8],
    rel: &Path,
    schema: &Schema,
    sources: &SourceMap,
    cells: &mut Cells,
) -> Result<Parsed, DataError> {
    parse_limited(file, bytes, rel, schema, sources, cells, Limits::DEFAULT)
}

/// [`parse`] with the given limits (tests use small ones).
pub(super) fn parse_limited(
    file: FileId,
    bytes: &[u8],
    rel: &Path,
    schema: &Schema,
    sources: &SourceMap,
    cells: &mut Cells,
    limits: Limits,
) -> Result<Parsed, DataError> {
    let f = sources.get(file);
    let read = read_sheets(file, &f.name, bytes, limits);
    let sheets = match read {
        Ok(s) => s,
        Err(e) => {
            // A diagnostic must not quote the workbook's bytes as text.
            f.set_text("".into());
            return Err(e);
        }
    };
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    // The one sheet with data of `person.xlsx` is `person`, whatever it is called (`Sheet1`),
    // unless its own name is a kind.
    let with_data: Vec<&(String, Grid)> = sheets.iter().filter(|(_, g)| !g.is_empty()).collect();
    let by_stem = match with_data.as_slice() {
        [(name, _)] if kind_for(schema, name).is_none() => kind_for(schema, stem).map(|k| (name.as_str(), k)),
        _ => None,
    };
    let mut text = String::new();
    let mut rows = Vec::new();
    let mut plan: Vec<(KindId, usize, usize)> = Vec::new();
    let mut unknown: Vec<(&str, usize)> = Vec::new();
    for (name, grid) in &sheets {
        if grid.is_empty() {
            continue;
        }
        let start = text.len();
        let kind = kind_for(schema, name).or_else(|| by_stem.filter(|(n, _)| n == name).map(|(_, k)| k));
        match kind {
            Some(kind) => {
                rows.push(render(name, grid, &mut text, limits).map_err(|message| {
                    f.set_text("".into());
                    DataError::Workbook { at: format!("{}:{name}", f.name), message, loc: Loc::new(file, 0, 0) }
                })?);
                plan.push((kind, start, text.len()));
            }
            None => {
                // One line, so the finding names the sheet.
                rows.push(SheetRows { name: name.clone(), starts: vec![start as u32], rows: vec![1], first_col: 1 });
                text.push('\n');
                unknown.push((name, start));
            }
        }
    }
    f.set_text(text.into());
    f.set_sheets(rows);
    let text = f.text().clone();
    let mut out = Parsed::default();
    for (name, start) in unknown {
        let msg = super::unknown_kind(schema, name, "工作表名", "the sheet name");
        out.issues.push(Issue::new(
            "DATA-KIND",
            None,
            msg,
            location(sources, Loc::new(file, start, start), None, None),
        ));
    }
    for (kind, start, end) in plan {
        let csv = text.get(start..end).unwrap_or("");
        let p = csv_file::parse_kind(file, csv, start, kind, schema, sources, cells, true)?;
        out.issues.extend(p.issues);
        for (k, data) in p.kinds.into_iter().enumerate() {
            out.kind(KindId(k as u32)).append(data);
        }
    }
    Ok(out)
}

/// One sheet of a workbook export as CSV text, for the stream checks (MASK-2) that scan exports.
#[derive(Debug)]
pub struct SheetCsv {
    /// Sheet name.
    pub name: String,
    /// Its rows as CSV lines, from its first column with a value.
    pub text: String,
    /// The sheet row (1-based) of each line.
    pub rows: Vec<u32>,
    /// The sheet column (1-based) of each line's first field.
    pub first_col: u32,
}

/// Every sheet with a value of the workbook export `bytes` (named `name`) as CSV text, so an
/// export saved as `.xlsx` is scanned cell by cell as a CSV one is; `Err` says why it cannot be
/// read (the cell, for an error cell or a formula without a value).
pub fn sheets_as_csv(name: &str, bytes: &[u8]) -> Result<Vec<SheetCsv>, String> {
    let limits = Limits::DEFAULT;
    let why = |e: DataError| match e {
        DataError::Workbook { at, message, .. } => format!("{at}: {message}"),
        other => other.to_string(),
    };
    let sheets = read_sheets(FileId::default(), name, bytes, limits).map_err(why)?;
    let mut out = Vec::new();
    for (sheet, grid) in sheets.iter().filter(|(_, g)| !g.is_empty()) {
        let mut text = String::new();
        let rows = render(sheet, grid, &mut text, limits).map_err(|m| format!("{name}:{sheet}: {m}"))?;
        out.push(SheetCsv { name: sheet.clone(), text, rows: rows.rows, first_col: rows.first_col });
    }
    Ok(out)
}

/// Every sheet's cells with a value, in the workbook's order of sheets.
fn read_sheets(file: FileId, name: &str, bytes: &[u8], limits: Limits) -> Result<Vec<(String, Grid)>, DataError> {
    let fail = |at: String, message: String| DataError::Workbook { at, message, loc: Loc::new(file, 0, 0) };
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "xls" {
        let mut book: Xls<_> = Xls::new(Cursor::new(bytes))
            .map_err(|e| fail(name.to_string(), format!("not a readable .xls workbook ({e})")))?;
        let merged = |b: &Xls<_>, sheet: &str| b.merge_cells_by_sheet_name(sheet).unwrap_or_default();
        return read_ranges(&mut book, merged, (file, name), limits);
    }
    if ext == "ods" {
        let mut book: Ods<_> = Ods::new(Cursor::new(bytes))
            .map_err(|e| fail(name.to_string(), format!("not a readable .ods spreadsheet ({e})")))?;
        return read_ranges(&mut book, |_: &Ods<_>, _: &str| Vec::new(), (file, name), limits);
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| fail(name.to_string(), format!("not a readable .xlsx workbook ({e})")))?;
    let mut out = Vec::new();
    let mut total = 0usize;
    for sheet in book.sheet_names() {
        let at = |row: u32, col: u32| format!("{name}:{sheet}!{}{}", column_letters(col as usize + 1), row + 1);
        let mut grid: Grid = Vec::new();
        let mut reader =
            book.worksheet_cells_reader(&sheet).map_err(|e| fail(format!("{name}:{sheet}"), e.to_string()))?;
        loop {
            let cell = match reader.next_cell_with_formula_metadata() {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(fail(format!("{name}:{sheet}"), e.to_string())),
            };
            let (row, col) = cell.pos;
            let value = match cell.value {
                DataRef::Empty if cell.formula.is_some() => {
                    return Err(fail(at(row, col), NO_VALUE.into()));
                }
                DataRef::Error(e) => return Err(fail(at(row, col), format!("the cell holds the Excel error {e}"))),
                v => text_of(&v),
            };
            if !keep(&mut grid, &mut total, limits, (row, col, value)) {
                return Err(too_many(file, name, limits));
            }
        }
        drop(reader);
        let merged =
            book.merge_cells_by_sheet_name(&sheet).map_err(|e| fail(format!("{name}:{sheet}"), e.to_string()))?;
        fill_merged(&mut grid, &merged, &mut total, limits).map_err(|()| too_many(file, name, limits))?;
        out.push((sheet, grid));
    }
    Ok(out)
}

/// Why a cell with a formula but no value is refused.
const NO_VALUE: &str = "a formula without a calculated value (the workbook was never opened in a spreadsheet program)";

/// Adds a cell that holds something to `grid`, counting it against the limit on cells; `false`
/// when that limit is passed. Blank cells are not kept and not counted.
fn keep(grid: &mut Grid, total: &mut usize, limits: Limits, cell: (u32, u32, String)) -> bool {
    if cell.2.trim().is_empty() {
        return true;
    }
    *total += 1;
    if *total > limits.cells {
        return false;
    }
    grid.push(cell);
    true
}

/// [`read_sheets`] for the formats calamine reads a whole sheet at a time (`.xls`, `.ods`): the
/// same cells, the same refusals (an error cell, a formula without a value, past the limits).
fn read_ranges<'b, R, M>(
    book: &mut R,
    merged: M,
    (file, name): (FileId, &str),
    limits: Limits,
) -> Result<Vec<(String, Grid)>, DataError>
where
    R: Reader<Cursor<&'b [u8]>>,
    R::Error: std::fmt::Display,
    M: Fn(&R, &str) -> Vec<calamine::Dimensions>,
{
    let fail = |at: String, message: String| DataError::Workbook { at, message, loc: Loc::new(file, 0, 0) };
    let mut out = Vec::new();
    let mut total = 0usize;
    for sheet in book.sheet_names() {
        let at = |row: u32, col: u32| format!("{name}:{sheet}!{}{}", column_letters(col as usize + 1), row + 1);
        let range: Range<Data> =
            book.worksheet_range(&sheet).map_err(|e| fail(format!("{name}:{sheet}"), e.to_string()))?;
        let formulas = book.worksheet_formula(&sheet).map_err(|e| fail(format!("{name}:{sheet}"), e.to_string()))?;
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                let value = range.get_value((row, col));
                if !f.is_empty() && value.is_none_or(|v| *v == Data::Empty) {
                    return Err(fail(at(row, col), NO_VALUE.into()));
                }
            }
        }
        let mut grid: Grid = Vec::new();
        if let Some((r0, c0)) = range.start() {
            for (r, c, v) in range.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                if let Data::Error(e) = v {
                    return Err(fail(at(row, col), format!("the cell holds the Excel error {e}")));
                }
                let value = text_of(&data_ref(v));
                if !keep(&mut grid, &mut total, limits, (row, col, value)) {
                    return Err(too_many(file, name, limits));
                }
            }
        }
        fill_merged(&mut grid, &merged(book, &sheet), &mut total, limits).map_err(|()| too_many(file, name, limits))?;
        out.push((sheet, grid));
    }
    Ok(out)
}

/// A whole-sheet cell as the cell reader gives it, so both are read by one [`text_of`].
fn data_ref(v: &Data) -> DataRef<'_> {
    match v {
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(x) => DataRef::Float(*x),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

fn too_many(file: FileId, name: &str, limits: Limits) -> DataError {
    DataError::Workbook {
        at: name.to_string(),
        message: format!("more than {} cells with a value: split the workbook or save its sheets as CSV", limits.cells),
        loc: Loc::new(file, 0, 0),
    }
}

/// A cell's value as the text a CSV file would hold.
fn text_of(v: &DataRef) -> String {
    match v {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        // Whole numbers as written: a spreadsheet stores `3` as 3.0.
        DataRef::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        DataRef::Float(x) => x.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        DataRef::DateTime(d) => d.as_f64().to_string(),
        // An `.ods` date is `2026-05-01` or, with a time of midnight, `2026-05-01T00:00:00`.
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

/// Gives every cell of a merged range the value of its first cell (a merged `部门` over five
/// rows is the department of all five), counting them against the limit before making them.
fn fill_merged(grid: &mut Grid, merged: &[calamine::Dimensions], total: &mut usize, limits: Limits) -> Result<(), ()> {
    if merged.is_empty() {
        return Ok(());
    }
    grid.sort_by_key(|&(r, c, _)| (r, c));
    let mut added = Vec::new();
    for d in merged {
        let (r0, c0) = d.start;
        let (r1, c1) = d.end;
        let Ok(at) = grid.binary_search_by_key(&(r0, c0), |&(r, c, _)| (r, c)) else { continue };
        let area = (u64::from(r1.saturating_sub(r0)) + 1) * (u64::from(c1.saturating_sub(c0)) + 1);
        *total = total.saturating_add(usize::try_from(area).unwrap_or(usize::MAX));
        if *total > limits.cells {
            return Err(());
        }
        let value = grid[at].2.clone();
        for r in r0..=r1 {
            for c in c0..=c1 {
                if (r, c) != (r0, c0) {
                    added.push((r, c, value.clone()));
                }
            }
        }
    }
    // A cell of the range that has a value of its own keeps it.
    grid.extend(added);
    grid.sort_by_key(|&(r, c, _)| (r, c));
    grid.dedup_by_key(|x| (x.0, x.1));
    Ok(())
}

/// Writes a sheet's rows as CSV lines into `text`, from its first column with a value; a row
/// with no value is no line. Returns where the lines are.
fn render(name: &str, grid: &Grid, text: &mut String, limits: Limits) -> Result<SheetRows, String> {
    let mut sorted: Vec<&(u32, u32, String)> = grid.iter().collect();
    sorted.sort_by_key(|&&(r, c, _)| (r, c));
    let first = sorted.iter().map(|x| x.1).min().unwrap_or(0);
    let last = sorted.iter().map(|x| x.1).max().unwrap_or(0);
    let width = (last - first) as usize + 1;
    let mut out = SheetRows { name: name.to_string(), starts: Vec::new(), rows: Vec::new(), first_col: first + 1 };
    let mut line: Vec<&str> = vec![""; width];
    let mut i = 0;
    while let Some(&&(row, ..)) = sorted.get(i) {
        line.iter_mut().for_each(|x| *x = "");
        while let Some(&&(r, c, ref v)) = sorted.get(i)
            && r == row
        {
            if let Some(x) = line.get_mut((c - first) as usize) {
                *x = v.as_str();
            }
            i += 1;
        }
        out.starts.push(u32::try_from(text.len()).map_err(|_| "too much text".to_string())?);
        out.rows.push(row + 1);
        for (n, cell) in line.iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            push_field(text, cell);
        }
        text.push('\n');
        if text.len() > limits.text {
            return Err(format!(
                "more than {} bytes of cells: split the workbook or save its sheets as CSV",
                limits.text
            ));
        }
    }
    Ok(out)
}

/// One CSV field, quoted when it must be.
fn push_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_a_csv_file_would_hold_them() {
        let date = |v| DataRef::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(text_of(&DataRef::Float(3.0)), "3");
        assert_eq!(text_of(&DataRef::Float(2.5)), "2.5");
        assert_eq!(text_of(&DataRef::Int(-7)), "-7");
        assert_eq!(text_of(&DataRef::Bool(true)), "true");
        assert_eq!(text_of(&date(45_658.0)), "2025-01-01");
        assert_eq!(text_of(&date(45_658.5)), "2025-01-01T12:00:00");
        assert_eq!(text_of(&DataRef::SharedString("运营专员;数据分析员")), "运营专员;数据分析员");
    }

    #[test]
    fn rows_become_csv_lines_that_map_back_to_their_cells() {
        let grid: Grid =
            vec![(5, 2, "P1".into()), (2, 2, "id".into()), (2, 3, "name".into()), (5, 3, "a, \"b\"\nc".into())];
        let mut text = String::from("\n");
        let rows = render("person", &grid, &mut text, Limits::DEFAULT).expect("rendered");
        assert_eq!(text, "\nid,name\nP1,\"a, \"\"b\"\"\nc\"\n");
        assert_eq!((rows.starts, rows.rows, rows.first_col), (vec![1, 9], vec![3, 6], 3));
        let small = Limits { cells: 10, text: 8 };
        assert!(render("person", &grid, &mut String::new(), small).is_err(), "past the text limit");
    }

    #[test]
    fn merged_ranges_fill_their_cells_within_the_limit() {
        let range = |r0, c0, r1, c1| calamine::Dimensions { start: (r0, c0), end: (r1, c1) };
        let mut grid: Grid = vec![(1, 0, "U-1".into()), (2, 0, "own".into())];
        let mut total = 2;
        fill_merged(&mut grid, &[range(1, 0, 3, 0)], &mut total, Limits::DEFAULT).expect("filled");
        let cells: Vec<(u32, &str)> = grid.iter().map(|(r, _, v)| (*r, v.as_str())).collect();
        assert_eq!(cells, [(1, "U-1"), (2, "own"), (3, "U-1")]);
        let mut total = 0;
        let huge = fill_merged(&mut grid, &[range(1, 0, 1_048_575, 16_383)], &mut total, Limits::DEFAULT);
        assert!(huge.is_err(), "17 billion cells are refused before they are made");
    }
}
