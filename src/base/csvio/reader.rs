//! [`Rows`]: the records of a CSV stream, as `csv::Reader` (flexible, default dialect) reads
//! them, with the same positions and errors, but faster: a line with no quote and no carriage
//! return — nearly every line of a data export — is split at its commas by hand; any other
//! record (and the first, where `csv_core` strips a byte-order mark) goes through `csv_core`.
//! Both paths consume exactly the bytes `csv_core` would, so positions stay the same.

use std::io::Read;

use super::{MAX_RECORD_BYTES, MAX_RECORD_FIELDS, Position, utf8_error};

/// Where the fields of the current row are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// In the input buffer: a line split by hand, `buf[at..at + len]`.
    Line { at: usize, len: usize },
    /// In `data`: a record decoded by `csv_core`.
    Decoded,
}

/// Reads the records of a CSV stream one at a time into reused buffers.
pub struct Rows<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    first: bool,
    core: csv_core::Reader,
    data: Vec<u8>,
    ends: Vec<usize>,
    /// Field bounds of the current row, relative to its text.
    bounds: Vec<(usize, usize)>,
    held: Held,
    /// Where the next quote or `\r` is at or after `start` (`end` if none, `usize::MAX` if
    /// not known): a line before it can be split by hand.
    special: usize,
    /// The line the current record starts on (blank lines and line ends before it skipped).
    record_line: u64,
    /// Position after the bytes consumed so far.
    pos: Position,
    /// The most bytes a record may take ([`MAX_RECORD_BYTES`]; smaller in tests).
    limit: usize,
    /// The most fields a record may have ([`MAX_RECORD_FIELDS`]; fewer in tests).
    max_fields: usize,
}

/// One record: its fields as text (checked as UTF-8 in one pass), and where it starts.
pub struct Row<'a> {
    text: &'a str,
    bounds: &'a [(usize, usize)],
    simple: bool,
    /// Where the record starts, as `csv` reports it.
    pub position: Position,
    /// The 1-based line the record's first byte is on. `position.line` is the line `csv`
    /// reports, which is one less after a `\r\n` (it counts the `\n` only once past it).
    pub line: u64,
}

impl<'a> Row<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the row has no field (never the case for a row read from CSV).
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The fields.
    pub fn fields(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let text = self.text;
        self.bounds.iter().map(move |&(s, e)| text.get(s..e).unwrap_or_default())
    }

    /// Whether the row was a plain line (no quotes, no carriage return): then none of its
    /// fields holds a comma, quote, `\r` or `\n`, and each is written as it is.
    pub fn is_plain(&self) -> bool {
        self.simple
    }
}

impl<R: Read> Rows<R> {
    /// Reads from `src` with a 1 MiB buffer.
    pub fn new(src: R) -> Self {
        Self::with_capacity(src, 1 << 20)
    }

    /// Reads from `src`, starting with a buffer of `cap` bytes (it grows for longer records).
    pub fn with_capacity(src: R, cap: usize) -> Self {
        Rows {
            src,
            buf: vec![0; cap.max(1)],
            start: 0,
            end: 0,
            eof: false,
            first: true,
            core: csv_core::Reader::new(),
            data: vec![0; 1024],
            ends: vec![0; 64],
            bounds: Vec::new(),
            held: Held::Decoded,
            special: usize::MAX,
            pos: Position { byte: 0, line: 1, record: 0 },
            record_line: 1,
            limit: MAX_RECORD_BYTES,
            max_fields: MAX_RECORD_FIELDS,
        }
    }

    /// The same reader with other bounds on a record's bytes and fields (tests use small ones).
    pub fn with_limits(mut self, bytes: usize, fields: usize) -> Self {
        self.limit = bytes.max(1);
        self.max_fields = fields.max(1);
        self
    }

    /// The line the record being read (or that could not be read) starts on.
    pub fn record_line(&self) -> u64 {
        self.record_line
    }

    /// The error for a record longer than the limit.
    fn too_long(&self) -> csv::Error {
        let limit = if self.limit.is_multiple_of(1 << 20) {
            format!("{} MiB", self.limit >> 20)
        } else {
            format!("{} bytes", self.limit)
        };
        self.refused(&format!(
            "is longer than {limit}, the most read as one record (the input has no line break there, or a \
             quote that is never closed)"
        ))
    }

    /// The error for a record with more fields than the limit.
    fn too_many_fields(&self) -> csv::Error {
        self.refused(&format!("has more than {} fields, the most read in one record", self.max_fields))
    }

    fn refused(&self, why: &str) -> csv::Error {
        let msg = format!("the CSV record that starts on line {} {why}", self.record_line);
        csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, msg))
    }

    /// The next record, or `None` at the end. An error is an I/O error or a record that is not
    /// UTF-8, worded as `csv` words it.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, csv::Error> {
        // `csv` reports the position before any blank lines that precede the record.
        let position = self.pos;
        if !self.read()? {
            return Ok(None);
        }
        self.pos.record += 1;
        let (bytes, simple) = match self.held {
            Held::Line { at, len } => (&self.buf[at..at + len], true),
            Held::Decoded => (&self.data[..self.bounds.last().map_or(0, |b| b.1)], false),
        };
        let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
            return Err(utf8_error(self.bounds.iter().map(|&(s, e)| &bytes[s..e]), position));
        };
        // Decoded fields lie end to end: a character may straddle two of them.
        if !self.bounds.iter().all(|&(s, e)| text.is_char_boundary(s) && text.is_char_boundary(e)) {
            return Err(utf8_error(self.bounds.iter().map(|&(s, e)| &bytes[s..e]), position));
        }
        Ok(Some(Row { text, bounds: &self.bounds, simple, position, line: self.record_line }))
    }

    /// Reads the next record into `bounds` (and `held`); false at the end.
    fn read(&mut self) -> Result<bool, csv::Error> {
        loop {
            if self.start == self.end && !self.fill()? {
                return Ok(false);
            }
            if self.first {
                // `csv_core` strips a byte-order mark from the very first bytes if it sees all
                // three at once, and takes an empty input for the end: give it a byte more.
                self.first = false;
                while self.end - self.start < 4 && self.fill()? {}
                self.record_line = self.pos.line;
                return self.decode();
            }
            // Blank lines (and the `\n` of a `\r\n`) between records are skipped.
            let b = self.buf[self.start];
            if b == b'\n' || b == b'\r' {
                self.consume(1, (b == b'\n') as u64);
                continue;
            }
            self.record_line = self.pos.line;
            // Split at commas up to the end of the line, in one pass.
            self.bounds.clear();
            let mut s = 0;
            let mut line_end = None;
            // Commas before the first quote or `\r` surely end fields; past one, only `csv_core`
            // can tell (a quoted field may hold any number of them).
            let special = self.next_special() - self.start;
            let mut too_many = false;
            for i in memchr::memchr2_iter(b',', b'\n', &self.buf[self.start..self.end]) {
                if self.buf[self.start + i] == b'\n' {
                    line_end = Some(i);
                    break;
                }
                self.bounds.push((s, i));
                s = i + 1;
                if self.bounds.len() >= self.max_fields {
                    too_many = true;
                    break;
                }
            }
            if too_many {
                // A field follows every comma: the record has more fields than the limit.
                return if special >= s { Err(self.too_many_fields()) } else { self.decode() };
            }
            let line_end = match line_end {
                Some(i) => self.start + i,
                None if !self.eof => {
                    // No line end yet: the record is at least this long.
                    let have = self.end - self.start;
                    if have > self.limit {
                        return Err(self.too_long());
                    }
                    // Read at least as much again before the line is split anew, so that a long
                    // line is scanned a few times, not once per read (a decoder hands over 8 KiB
                    // at a time); never more than it takes to see that it is too long.
                    let want = (have * 2).clamp(have + 1, self.limit + 1);
                    while self.end - self.start < want && self.fill()? {}
                    continue;
                }
                None => self.end,
            };
            // The record's bytes with its line end (none at the end of the input).
            if line_end - self.start + usize::from(line_end < self.end) > self.limit {
                return Err(self.too_long());
            }
            // A `\r` ends a record by itself; the `\n` of a `\r\n` is skipped before the next one.
            let cr = line_end > self.start && self.buf[line_end - 1] == b'\r';
            let len = line_end - self.start - cr as usize;
            if self.next_special() < self.start + len {
                return self.decode();
            }
            self.bounds.push((s, len));
            self.held = Held::Line { at: self.start, len };
            let newline = !cr && line_end < self.end;
            self.consume(len + cr as usize + newline as usize, newline as u64);
            return Ok(true);
        }
    }

    /// Decodes one record with `csv_core`; false if the input ended first.
    fn decode(&mut self) -> Result<bool, csv::Error> {
        use csv_core::ReadRecordResult::*;
        let (mut nout, mut nend) = (0, 0);
        // Input bytes of this record so far (for the first record, with any blank lines before
        // it), held to the limit: a quoted field may run on to the end of the input.
        let mut taken = 0usize;
        loop {
            let input = &self.buf[self.start..self.end];
            let (res, nin, o, e) = self.core.read_record(input, &mut self.data[nout..], &mut self.ends[nend..]);
            let lines = memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.consume(nin, lines);
            nout += o;
            nend += e;
            taken += nin;
            if taken > self.limit && !matches!(res, End) {
                return Err(self.too_long());
            }
            match res {
                InputEmpty => {
                    if !self.eof {
                        self.fill()?;
                    }
                }
                OutputFull => self.data.resize(self.data.len() * 2, 0),
                // Room for another field's end is asked for only when another field follows.
                OutputEndsFull if nend >= self.max_fields => return Err(self.too_many_fields()),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record if nend > self.max_fields => return Err(self.too_many_fields()),
                Record => {
                    self.bounds.clear();
                    let mut s = 0;
                    for &e in &self.ends[..nend] {
                        self.bounds.push((s, e));
                        s = e;
                    }
                    self.held = Held::Decoded;
                    return Ok(true);
                }
                End => return Ok(false),
            }
        }
    }

    /// Where the next quote or `\r` is (one search per buffer of plain lines).
    fn next_special(&mut self) -> usize {
        if self.special == usize::MAX || self.special < self.start {
            let rest = &self.buf[self.start..self.end];
            self.special = self.start + memchr::memchr2(b'"', b'\r', rest).unwrap_or(rest.len());
        }
        self.special
    }

    fn consume(&mut self, n: usize, lines: u64) {
        self.start += n;
        self.pos.byte += n as u64;
        self.pos.line += lines;
    }

    /// Reads more input after what is left; false at the end of the input.
    fn fill(&mut self) -> Result<bool, csv::Error> {
        if self.eof {
            return Ok(false);
        }
        self.special = usize::MAX;
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(csv::Error::from(e)),
            }
        }
    }
}
