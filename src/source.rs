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
    /// Path as shown to users (relative to the policy or org dir where possible).
    pub name: String,
    /// Full text (absent until set or read).
    text: std::sync::OnceLock<Arc<str>>,
    /// Where to read the text when it is not held.
    path: Option<std::path::PathBuf>,
    /// Byte offsets of line starts, built on first use.
    lines: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    /// A file with its name and text.
    pub fn new(name: String, text: Arc<str>) -> Self {
        SourceFile { name, text: std::sync::OnceLock::from(text), path: None, lines: std::sync::OnceLock::new() }
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
    /// locating many findings in a big file stays cheap.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
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

    /// A miette source for this file.
    pub fn named(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), self.text().clone()).with_language("zhidu")
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
            name: name.into(),
            text: std::sync::OnceLock::new(),
            path: Some(path.to_path_buf()),
            lines: std::sync::OnceLock::new(),
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

    /// `file:line:col` of a location.
    pub fn describe(&self, loc: Loc) -> String {
        let f = self.get(loc.file);
        let (l, c) = f.line_col(loc.start as usize);
        format!("{}:{l}:{c}", f.name)
    }

    /// The source text a location covers.
    pub fn slice(&self, loc: Loc) -> &str {
        let t = self.get(loc.file).text();
        t.get(loc.start as usize..loc.end as usize).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let f = SourceFile::new("x".into(), Arc::from("ab\n中文c\n\nd"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(9), (2, 3), "columns count characters");
        assert_eq!(f.line_col(11), (3, 1));
        assert_eq!(f.line_col(12), (4, 1));
        assert_eq!(f.line_col(99), (4, 2));
    }
}
