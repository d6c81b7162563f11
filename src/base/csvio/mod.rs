//! CSV for data exports, read and written fast and exactly as the `csv` crate does it (default
//! dialect, flexible): [`Rows`] gives the same records, positions and errors as `csv::Reader`,
//! [`Writer`] the same bytes as `csv::Writer`. Property tests hold both to that.

mod reader;

use std::io::Write;

pub use reader::{Row, Rows};

/// The longest record [`Rows`] reads: 16 MiB of input, its line end included. A longer one is
/// an error that names the line it starts on, not a buffer grown without bound: an input with no
/// line break (`/dev/zero`, a binary file named `.csv`) would otherwise be read whole into
/// memory, and abort the process when that fails. No export has records anywhere near this long
/// (Excel's own cell limit is 32 767 characters), and the reader's buffers stay within a small
/// multiple of it.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// The most fields [`Rows`] reads in one record: 65 536, four times Excel's 16 384 columns.
/// Within [`MAX_RECORD_BYTES`] a record could hold millions of one-byte fields, and what reads a
/// stream keeps something per column (the checks plan each column of an export once: eight
/// million columns took 24 s and 2.7 GB).
pub const MAX_RECORD_FIELDS: usize = 1 << 16;

/// Where a record starts, as `csv::Position` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Bytes of input before the record (and before blank lines that precede it).
    pub byte: u64,
    /// 1-based line: one more than the `\n` before the record.
    pub line: u64,
    /// Records before this one, the header included.
    pub record: u64,
}

/// The error `csv` reports for a record that is not UTF-8 (the first bad field, and how far it
/// is valid), in the same words.
fn utf8_error<'a>(fields: impl Iterator<Item = &'a [u8]>, pos: Position) -> csv::Error {
    let (field, valid_up_to) = fields
        .enumerate()
        .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
        .unwrap_or((0, 0));
    let msg = format!(
        "CSV parse error: record {} (line {}, field: {field}, byte: {}): invalid utf-8: invalid UTF-8 in field \
         {field} near byte index {valid_up_to}",
        pos.record, pos.line, pos.byte
    );
    csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, NotUtf8Row(msg)))
}

/// A record that is not UTF-8 (the reader has moved past it: the next record can be read).
#[derive(Debug)]
struct NotUtf8Row(String);

impl std::fmt::Display for NotUtf8Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotUtf8Row {}

/// Whether an error of [`Rows::next_row`] is a record that is not UTF-8, after which reading
/// can go on (any other error ends the file).
pub fn is_utf8_error(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<NotUtf8Row>()))
}

/// Writes records as `csv::Writer` does: fields quoted only when they hold a comma, quote,
/// `\r` or `\n` (quotes doubled), a record of no bytes written `""`, `\n` after each record.
pub struct Writer<W: Write> {
    inner: W,
    buf: Vec<u8>,
    /// Where the current record starts in `buf`.
    record_start: usize,
    /// Whether a field of the current record was written.
    in_record: bool,
}

/// Bytes gathered before they are handed to the underlying writer.
const CHUNK: usize = 1 << 20;

impl<W: Write> Writer<W> {
    /// A writer with a 1 MiB buffer.
    pub fn new(inner: W) -> Self {
        Writer { inner, buf: Vec::with_capacity(CHUNK + 4096), record_start: 0, in_record: false }
    }

    /// Writes one record.
    pub fn write_record<F: AsRef<[u8]>>(&mut self, fields: impl IntoIterator<Item = F>) -> std::io::Result<()> {
        for f in fields {
            self.write_field(f.as_ref());
        }
        self.end_record()
    }

    /// Writes one field of the current record, quoted if it needs to be.
    pub fn write_field(&mut self, f: &[u8]) {
        self.delimit();
        // No early exit: the test over the whole field is vectorised.
        if f.iter().fold(false, |q, &b| q | matches!(b, b',' | b'"' | b'\r' | b'\n')) {
            self.buf.push(b'"');
            for &b in f {
                if b == b'"' {
                    self.buf.push(b'"');
                }
                self.buf.push(b);
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(f);
        }
    }

    /// Writes a field of a row that [`Row::is_plain`], unchanged: it needs no quotes.
    pub fn write_plain_field(&mut self, f: &str) {
        self.delimit();
        self.buf.extend_from_slice(f.as_bytes());
    }

    fn delimit(&mut self) {
        if self.in_record {
            self.buf.push(b',');
        }
        self.in_record = true;
    }

    /// Ends the current record.
    pub fn end_record(&mut self) -> std::io::Result<()> {
        if self.buf.len() == self.record_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.push(b'\n');
        self.in_record = false;
        if self.buf.len() >= CHUNK {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.record_start = self.buf.len();
        Ok(())
    }

    /// Writes out everything buffered and flushes the underlying writer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.record_start = 0;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
