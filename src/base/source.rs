//! Source files and locations shared by every stage.
//!
//! A [`Loc`] is a file id plus a byte range; it is `Copy`, cheap to store on every AST node and
//! value, and is turned into a miette span only when a diagnostic is rendered.

use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// The file.
    pub file: FileId,
    /// Start byte offset.
    pub start: u32,
    /// End byte offset (exclusive).
    pub end: u32,
}

impl Loc {
    /// A location covering `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Loc { file, start: start as u32, end: end as u32 }
    }

    /// The miette span of this location.
    pub fn span(&self) -> SourceSpan {
        SourceSpan::new((self.start as usize).into(), (self.end - self.start) as usize)
    }

    /// The smallest location covering both (same file assumed).
    pub fn to(&self, other: Loc) -> Loc {
        Loc { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// One loaded file: its display name and full text.
///
/// A large data file added by path ([`SourceMap::add_path`]) need not keep its text once its
/// records are read; it is read again from disk only if a location or snippet in it is asked for.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to users (relative to the policy or org dir where possible); shared with
    /// every [`Location`] in the file.
    pub name: arcstr::ArcStr,
    /// Full text (absent until set or read).
    text: std::sync::OnceLock<Arc<str>>,
    /// Where to read the text when it is not held.
    path: Option<std::path::PathBuf>,
    /// Byte offsets of line starts, built on first use.
    lines: std::sync::OnceLock<Vec<u32>>,
    /// For a file whose text is not held: every [`SPARSE`]th line start, built on first use.
    sparse: std::sync::OnceLock<Sparse>,
    /// The text as diagnostics quote it, when it has control characters to escape; built on
    /// first use (a diagnostic or a snippet in this file).
    shown: std::sync::OnceLock<Option<Shown>>,
    /// Unique in the process (see [`read_at`]).
    serial: u64,
    /// For a workbook: its sheets, whose rows its (made) text holds as CSV lines.
    sheets: std::sync::OnceLock<Vec<SheetRows>>,
}

/// Where a sheet of a workbook is in the text made of it: the workbook's text is its sheets'
/// rows as CSV lines, sheet after sheet, so a record's [`Loc`] works as in a CSV file and is
/// shown as the cell it came from (`people.xlsx:person!C12`).
#[derive(Debug, Default, Clone)]
pub struct SheetRows {
    /// The sheet's name.
    pub name: String,
    /// Byte offset in the text of each line made of a row.
    pub starts: Vec<u32>,
    /// The 1-based sheet row of each line (empty rows are not made lines).
    pub rows: Vec<u32>,
    /// The 1-based sheet column of the lines' first column.
    pub first_col: u32,
}

/// A cell of a workbook's sheet (see [`SourceFile::cell`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    /// The sheet's name.
    pub sheet: &'a str,
    /// 1-based sheet row.
    pub row: usize,
    /// 1-based sheet column of the line's first column.
    pub first_col: usize,
    /// The row counted from the sheet's header row (0), as CSV rows are.
    pub data_row: usize,
}

/// A column's letters in a sheet's A1 notation (`1` → `A`, `27` → `AA`).
pub fn column_letters(mut column: usize) -> String {
    let mut out = Vec::new();
    while column > 0 {
        let d = (column - 1) % 26;
        out.push(b'A' + d as u8);
        column = (column - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A file's text with its control characters escaped, shared by the diagnostics that quote it.
#[derive(Debug)]
struct Shown {
    text: Arc<str>,
    map: crate::base::visible::Source,
}

/// Lines between two entries of a file's sparse line index.
const SPARSE: usize = 64;

/// A line index of a file on disk: the offset (in the text, without a byte-order mark) of every
/// [`SPARSE`]th line start, and the length of the mark.
#[derive(Debug, Default)]
struct Sparse {
    starts: Vec<u32>,
    bom: u64,
}

impl SourceFile {
    /// A file with its name and text.
    pub fn new(name: impl Into<arcstr::ArcStr>, text: Arc<str>) -> Self {
        SourceFile {
            name: name.into(),
            text: std::sync::OnceLock::from(text),
            path: None,
            lines: std::sync::OnceLock::new(),
            sparse: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
            serial: serial(),
            sheets: std::sync::OnceLock::new(),
        }
    }

    /// Records the sheets of a workbook whose text is made of them (no effect if set).
    pub fn set_sheets(&self, sheets: Vec<SheetRows>) {
        let _ = self.sheets.set(sheets);
    }

    /// The cell of a workbook's sheet at byte `offset` of its text; `None` for other files.
    pub fn cell(&self, offset: usize) -> Option<Cell<'_>> {
        let sheets = self.sheets.get()?;
        let offset = offset as u32;
        let at = sheets.partition_point(|s| s.starts.first().is_none_or(|&x| x <= offset)).checked_sub(1)?;
        let sheet = sheets.get(at)?;
        let line = sheet.starts.partition_point(|&x| x <= offset).checked_sub(1)?;
        let row = *sheet.rows.get(line)? as usize;
        let header = *sheet.rows.first()? as usize;
        Some(Cell { sheet: &sheet.name, row, first_col: sheet.first_col as usize, data_row: row - header })
    }

    /// Sets the text of a file added by path (no effect if it has one).
    pub fn set_text(&self, text: Arc<str>) {
        let _ = self.text.set(text);
    }

    /// The file's path on disk, if it was added with one.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// The full text (read from disk if it is not held; a byte-order mark is dropped,
    /// as when it was first read).
    pub fn text(&self) -> &Arc<str> {
        self.text.get_or_init(|| {
            let bytes = self.path.as_ref().and_then(|p| std::fs::read(p).ok()).unwrap_or_default();
            let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
            Arc::from(String::from_utf8_lossy(bytes).as_ref())
        })
    }

    /// 1-based line and column (in characters) of a byte offset. Uses a line index, so
    /// locating many findings in a big file stays cheap. A file whose text is not held is not
    /// read back into memory: a sparse line index is built by streaming it once, and each
    /// lookup reads the few lines before the offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        if self.text.get().is_none()
            && let Some(path) = &self.path
            && let Some(lc) = self.line_col_on_disk(path, offset)
        {
            return lc;
        }
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let lines = self.lines.get_or_init(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32)).collect()
        });
        let line = lines.partition_point(|&start| start as usize <= offset).max(1);
        let start = lines[line - 1] as usize;
        let col = text[start..offset].chars().count() + 1;
        (line, col)
    }

    /// Indexes the lines of a file whose text is not held, from its text as it was read (`bom`:
    /// the length of the byte-order mark before it on disk), while that text is at hand: a
    /// location in the file is then found without reading the whole file again to count its
    /// lines (no effect if the index is built).
    pub fn index_lines(&self, text: &[u8], bom: u64) {
        let mut sparse = Sparse { starts: vec![0], bom };
        sparse.scan(text, 0, &mut 0);
        let _ = self.sparse.set(sparse);
    }

    /// The sparse line index of the file on disk, built on first use.
    fn sparse(&self, path: &std::path::Path) -> &Sparse {
        self.sparse.get_or_init(|| sparse_index(path).unwrap_or_default())
    }

    fn line_col_on_disk(&self, path: &std::path::Path, offset: usize) -> Option<(usize, usize)> {
        let sparse = self.sparse(path);
        let block = sparse.starts.partition_point(|&s| s as usize <= offset).checked_sub(1)?;
        let from = sparse.starts[block] as usize;
        let buf = read_at(self.serial, path, from as u64 + sparse.bom, offset - from)?;
        let newlines = memchr::memchr_iter(b'\n', &buf).count();
        let line_start = memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1);
        // Characters, not bytes: count the bytes that start one.
        let col = buf[line_start..].iter().filter(|&&b| (b as i8) >= -0x40).count() + 1;
        Some((block * SPARSE + newlines + 1, col))
    }

    /// The text a location covers, read from disk if the file's text is not held (so showing a
    /// few records of a big file does not bring it all back into memory).
    pub fn read_range(&self, start: usize, end: usize) -> Option<String> {
        if let Some(text) = self.text.get() {
            return text.get(start..end.min(text.len())).map(str::to_string);
        }
        let Some(path) = &self.path else { return Some(String::new()) };
        let bom = self.sparse(path).bom;
        String::from_utf8(read_at(self.serial, path, start as u64 + bom, end.saturating_sub(start))?).ok()
    }

    /// A miette source for this file, as a diagnostic quotes it: a line of a data file may hold
    /// anything, and a raw `\x1b[2J` or `\r` in a quoted line would act on the terminal, so
    /// control characters are escaped (`\u{1b}`; see [`crate::base::visible`]). Point into it
    /// with [`SourceFile::span`], which accounts for the escapes.
    pub fn named(&self) -> NamedSource<Arc<str>> {
        let text = self.shown().map_or_else(|| self.text().clone(), |s| s.text.clone());
        NamedSource::new(crate::base::visible::line(&self.name), text).with_language("zhidu")
    }

    /// The span in [`SourceFile::named`] of bytes `start..end` of the file.
    pub fn span(&self, start: usize, end: usize) -> SourceSpan {
        let (start, end) = match self.shown() {
            Some(s) => (s.map.offset(start), s.map.offset(end)),
            None => (start, end),
        };
        SourceSpan::new(start.into(), end.saturating_sub(start))
    }

    /// The escaped text, if the file has anything to escape.
    fn shown(&self) -> Option<&Shown> {
        self.shown
            .get_or_init(|| {
                crate::base::visible::Source::of(self.text()).map(|mut map| {
                    // The map keeps only its offsets; the text moves to the shared copy.
                    let text = Arc::from(std::mem::take(&mut map.text));
                    Shown { text, map }
                })
            })
            .as_ref()
    }
}

thread_local! {
    /// The file [`read_at`] read last on this thread, kept open: the findings of a check come
    /// record after record, mostly from one file, and opening it again for each of hundreds of
    /// thousands of them cost more than reading (one descriptor a thread, never more).
    /// Keyed by the [`SourceFile`]'s serial number, unique in the process: a file of another
    /// run at the same path (rewritten in between) is opened anew.
    static LAST_READ: std::cell::RefCell<Option<(u64, std::fs::File)>> = const { std::cell::RefCell::new(None) };
}

/// A number no other [`SourceFile`] of the process has.
fn serial() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Up to `len` bytes of the file `path` (of the [`SourceFile`] numbered `serial`) from byte
/// `offset`.
fn read_at(serial: u64, path: &std::path::Path, offset: u64, len: usize) -> Option<Vec<u8>> {
    use std::io::{Read, Seek};
    LAST_READ.with(|last| {
        let mut last = last.try_borrow_mut().ok()?;
        if last.as_ref().is_none_or(|(s, _)| *s != serial) {
            *last = None;
            *last = Some((serial, std::fs::File::open(path).ok()?));
        }
        let mut file: &std::fs::File = &last.as_ref()?.1;
        file.seek(std::io::SeekFrom::Start(offset)).ok()?;
        let mut buf = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut buf).ok()?;
        Some(buf)
    })
}

/// Streams a file once to index every [`SPARSE`]th line start.
fn sparse_index(path: &std::path::Path) -> Option<Sparse> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 20];
    let mut sparse = Sparse { starts: vec![0], bom: 0 };
    let (mut pos, mut line, mut first) = (0u64, 0usize, true);
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return Some(sparse);
        }
        let mut chunk = &buf[..n];
        if first {
            first = false;
            if let Some(rest) = chunk.strip_prefix(b"\xef\xbb\xbf") {
                sparse.bom = 3;
                chunk = rest;
            }
        }
        sparse.scan(chunk, pos, &mut line);
        pos += chunk.len() as u64;
    }
}

impl Sparse {
    /// Indexes the line starts in `chunk`, the text from offset `pos` on; `line` counts the
    /// lines before it.
    fn scan(&mut self, chunk: &[u8], pos: u64, line: &mut usize) {
        for i in memchr::memchr_iter(b'\n', chunk) {
            *line += 1;
            if line.is_multiple_of(SPARSE) {
                self.starts.push((pos + i as u64 + 1) as u32);
            }
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Clone for SourceFile {
    fn clone(&self) -> Self {
        let mut f = SourceFile::new(self.name.clone(), self.text().clone());
        f.path = self.path.clone();
        if let Some(sheets) = self.sheets.get() {
            f.set_sheets(sheets.clone());
        }
        f
    }
}

/// All files of one run, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        FileId((self.files.len() - 1) as u32)
    }

    /// Adds a file by path; its text is read on first use or set with [`SourceFile::set_text`].
    pub fn add_path(&mut self, name: impl Into<String>, path: &std::path::Path) -> FileId {
        self.files.push(SourceFile {
            name: name.into().into(),
            text: std::sync::OnceLock::new(),
            path: Some(path.to_path_buf()),
            lines: std::sync::OnceLock::new(),
            sparse: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
            serial: serial(),
            sheets: std::sync::OnceLock::new(),
        });
        FileId((self.files.len() - 1) as u32)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// `file:line:col` of a location (`file:Sheet!C12` in a workbook).
    pub fn describe(&self, loc: Loc) -> String {
        let f = self.get(loc.file);
        if let Some(cell) = f.cell(loc.start as usize) {
            return format!("{}:{}!{}{}", f.name, cell.sheet, column_letters(cell.first_col), cell.row);
        }
        let (l, c) = f.line_col(loc.start as usize);
        format!("{}:{l}:{c}", f.name)
    }

    /// The source text a location covers.
    pub fn slice(&self, loc: Loc) -> &str {
        let t = self.get(loc.file).text();
        t.get(loc.start as usize..loc.end as usize).unwrap_or("")
    }
}

/// Where a finding points in the org data.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// File, relative to the org dir (shared with the file's other locations).
    pub file: arcstr::ArcStr,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// For CSV files: the 1-based data row (the header is row 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The field (TOML key or CSV column header), when the finding is about one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a workbook (`.xlsx`): the sheet; `line` and `column` are then the cell's sheet row
    /// and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<arcstr::ArcStr>,
    /// Byte span in the run's source map (for snippets); not serialised.
    #[serde(skip)]
    pub loc: Option<Loc>,
}

impl Location {
    /// Where it is, as people read it: `file:line:column`, or `file:Sheet!C12` in a workbook.
    pub fn at(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("{}:{sheet}!{}{}", self.file, column_letters(self.column), self.line),
            None => format!("{}:{}:{}", self.file, self.line, self.column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_of_a_workbook() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(16384), "XFD");
        let f = SourceFile::new("w.xlsx", Arc::from("\nid,name\nP1,a\nP2,b\n"));
        f.set_sheets(vec![
            SheetRows { name: "notes".into(), starts: vec![0], rows: vec![1], first_col: 1 },
            SheetRows { name: "person".into(), starts: vec![1, 9, 14], rows: vec![3, 4, 7], first_col: 2 },
        ]);
        assert_eq!(f.cell(0).map(|c| (c.sheet, c.row)), Some(("notes", 1)));
        let c = f.cell(15).expect("a cell");
        assert_eq!((c.sheet, c.row, c.first_col, c.data_row), ("person", 7, 2, 4));
        let mut map = SourceMap::default();
        let id = map.add("w.xlsx", "\nid\nP1\n");
        map.get(id).set_sheets(vec![SheetRows {
            name: "人员".into(),
            starts: vec![1, 4],
            rows: vec![2, 3],
            first_col: 3,
        }]);
        assert_eq!(map.describe(Loc::new(id, 4, 6)), "w.xlsx:人员!C3");
    }

    #[test]
    fn line_and_column() {
        let f = SourceFile::new("x", Arc::from("ab\n中文c\n\nd"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(9), (2, 3), "columns count characters");
        assert_eq!(f.line_col(11), (3, 1));
        assert_eq!(f.line_col(12), (4, 1));
        assert_eq!(f.line_col(99), (4, 2));
    }

    #[test]
    fn line_and_column_of_a_file_not_held() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("第{i}行 line {i}\n"));
        }
        let held = SourceFile::new("x", Arc::from(text.as_str()));
        for (name, bytes) in
            [("plain", text.clone().into_bytes()), ("bom", [b"\xef\xbb\xbf", text.as_bytes()].concat())]
        {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            // The index built by reading the file, and the one given while the text was read.
            for given in [false, true] {
                let mut map = SourceMap::default();
                let id = map.add_path(name, &path);
                let f = map.get(id);
                if given {
                    f.index_lines(text.as_bytes(), if name == "bom" { 3 } else { 0 });
                }
                // Every character, and past the end.
                for offset in text.char_indices().map(|(i, _)| i).chain([text.len(), text.len() + 5]) {
                    let offset = floor_char_boundary(&text, offset.min(text.len()));
                    assert_eq!(f.line_col(offset), held.line_col(offset), "{name} at {offset}, given {given}");
                }
                assert_eq!(f.read_range(0, 8).as_deref(), Some("第0行 "), "{name}");
                assert!(f.text.get().is_none(), "the text is not read back");
            }
        }
    }
}
