//! The fast path for TOML record files: the `toml` crate's own lexer and push parser
//! (`toml_parser`) feed events straight into records, with no intermediate document tree.
//!
//! It reads the shape record files have — `[[kind]]` headers, each followed by `key = value`
//! lines with scalars, arrays and inline tables. Anything else (a syntax error, a `[table]`,
//! dotted or duplicate keys, an unknown kind) makes it give up, and the caller parses the file
//! with the full `toml` document parser, which handles every shape and reports every error
//! exactly as before. So the fast path changes speed, never results.

use std::borrow::Cow;

use super::intern::{Share, Strings};
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::{EventReceiver, RecursionGuard, ValidateWhitespace};
use toml_parser::{ErrorSink, ParseError, Raw, Source, Span};

use super::csv_file::SHARED_LIST_BYTES;
use super::{Parsed, Slotted, finish_record, kind_for};
use crate::base::source::{FileId, Loc, SourceMap};
use crate::base::value::{KindId, Object, Str, Value};
use crate::policy::{KindSchema, Schema};

/// Nesting limit, as in the `toml` crate.
const DEPTH: u32 = 80;

/// Bytes lexed at a time: record files are split before a `[[` line once a piece is this long,
/// so the token buffer stays small (a token is 24 bytes; a whole 50k-record file would need
/// hundreds of megabytes of them).
const CHUNK: usize = 256 * 1024;

/// Parses a record file, or returns `None` when the file needs the full parser.
/// Repeated strings are shared through `strings` (which a loader keeps across the files one
/// thread reads).
pub(super) fn parse(
    file: FileId,
    text: &str,
    schema: &Schema,
    sources: &SourceMap,
    strings: &mut Strings,
) -> Option<Parsed> {
    parse_in_pieces(file, text, schema, sources, strings, CHUNK)
}

fn parse_in_pieces(
    file: FileId,
    text: &str,
    schema: &Schema,
    sources: &SourceMap,
    strings: &mut Strings,
    size: usize,
) -> Option<Parsed> {
    let mut reader = Reader::new(file, text, schema, sources, strings);
    let mut tokens = Vec::new();
    // A piece that ends inside a value (a multi-line string or array whose next line starts with
    // `[[`) is left unterminated, which is a syntax error: the file then goes to the full parser.
    for (base, piece) in pieces(text, size) {
        let source = Source::new(piece);
        tokens.clear();
        tokens.extend(source.lex());
        reader.text = piece;
        reader.base = base;
        let mut failed = false;
        {
            let mut sink = |_: ParseError| failed = true;
            let mut guard = RecursionGuard::new(&mut reader, DEPTH);
            let mut receiver = ValidateWhitespace::new(&mut guard, source);
            toml_parser::parser::parse_document(&tokens, &mut receiver, &mut sink);
        }
        if failed || reader.gave_up {
            return None;
        }
    }
    reader.finish_record();
    (!reader.gave_up).then_some(reader.out)
}

/// Splits `text` into pieces of at least `size` bytes, each ending just before a line that
/// starts with `[[` (or at the end of the text), with each piece's offset.
fn pieces(text: &str, size: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let from = start + size;
        let end = if from >= text.len() {
            text.len()
        } else {
            memchr::memmem::find_iter(&text.as_bytes()[from..], b"\n[[").next().map_or(text.len(), |i| from + i + 1)
        };
        let piece = (start, &text[start..end]);
        start = end;
        Some(piece)
    })
}

/// A container being filled: an array or an inline table.
enum Frame {
    Array { start: usize, items: Vec<Value> },
    Table { start: usize, fields: Vec<(Str, Value)>, key: Option<Str> },
}

/// The record being read.
struct Current<'s> {
    kind: KindId,
    schema: &'s KindSchema,
    header: Span,
    slots: Slotted,
    /// The key of the `key = value` being read: its slot, or its name if undeclared.
    key: Option<Result<usize, Str>>,
    /// How the current value's strings are shared.
    share: Share,
}

struct Reader<'a> {
    file: FileId,
    /// The piece being parsed, and where it starts in the file.
    text: &'a str,
    base: usize,
    schema: &'a Schema,
    sources: &'a SourceMap,
    out: Parsed,
    /// No record was read yet.
    first_kind: bool,
    /// Lines of the file that start with `[[` (an estimate of its records).
    text_headers: usize,
    gave_up: bool,
    /// A `[[` header is open: its name once read.
    header: Option<(usize, Option<String>)>,
    current: Option<Current<'a>>,
    stack: Vec<Frame>,
    /// Records read so far per kind (the ordinal of the next one).
    counts: Vec<usize>,
    /// The table name each kind was written under.
    names: Vec<Option<String>>,
    /// Repeated strings of the file (unit ids, role names, enum values) share one allocation.
    strings: &'a mut Strings,
    /// Repeated short lists of strings (roles, operations) share one allocation too.
    lists: hashbrown::HashTable<Value>,
}

impl<'a> Reader<'a> {
    fn new(file: FileId, text: &'a str, schema: &'a Schema, sources: &'a SourceMap, strings: &'a mut Strings) -> Self {
        Reader {
            file,
            text,
            base: 0,
            schema,
            sources,
            out: Parsed::default(),
            first_kind: true,
            text_headers: memchr::memmem::find_iter(text.as_bytes(), b"\n[[").count() + 1,
            gave_up: false,
            header: None,
            current: None,
            stack: Vec::new(),
            counts: vec![0; schema.kinds.len()],
            names: vec![None; schema.kinds.len()],
            strings,
            lists: hashbrown::HashTable::new(),
        }
    }

    fn give_up(&mut self) {
        self.gave_up = true;
    }

    fn raw(&self, span: Span, encoding: Option<Encoding>) -> Raw<'a> {
        Raw::new_unchecked(&self.text[span.start()..span.end()], encoding, span)
    }

    /// The location of a span of the current piece.
    fn loc(&self, start: usize, end: usize) -> Loc {
        Loc::new(self.file, self.base + start, self.base + end)
    }

    fn finish_record(&mut self) {
        let Some(mut c) = self.current.take() else { return };
        if c.key.is_some() || !self.stack.is_empty() {
            self.gave_up = true;
            return;
        }
        c.slots.extra.sort_by(|a, b| a.0.cmp(&b.0));
        // An undeclared key given twice is a duplicate key, which the document parser reports.
        // Looked for once the keys are sorted, not per key: a record may have tens of thousands.
        if has_duplicates(&c.slots.extra) {
            self.gave_up = true;
            return;
        }
        let n = &mut self.counts[c.kind.0 as usize];
        *n += 1;
        let ordinal = *n;
        // The header span is kept in file offsets: the record may end in a later piece.
        let loc = Loc::new(self.file, c.header.start(), c.header.end());
        let rec = finish_record(c.schema, c.slots, loc, None, ordinal, self.sources, &mut self.out.issues);
        // A record file usually holds one kind: its arrays are sized for every `[[` header of
        // the file at the first record, rather than grown by doubling (the spare room of a
        // mixed file is given back once it is parsed).
        if self.first_kind {
            self.first_kind = false;
            let headers = self.text_headers;
            self.out.kind(c.kind).reserve(c.schema.fields.len(), headers);
        }
        self.out.push(c.kind, rec);
    }

    fn string(&mut self, s: Cow<'_, str>, share: Share) -> Str {
        self.strings.make(&s, share)
    }

    /// A list value: shared with an equal earlier list of the file where it holds only a few
    /// short strings (as a CSV file's list cells are).
    fn list(&mut self, items: Vec<Value>) -> Value {
        let bytes: Option<usize> = items.iter().map(|v| v.as_str().map(str::len)).sum();
        if !self.current.as_ref().is_some_and(|c| c.share.repeats()) || bytes.is_none_or(|b| b > SHARED_LIST_BYTES) {
            return Value::list(items);
        }
        // Lists of strings, hashed and compared by their strings.
        fn hash(items: &[Value]) -> u64 {
            use std::hash::{BuildHasher, Hash, Hasher};
            let mut h = rustc_hash::FxBuildHasher.build_hasher();
            items.iter().for_each(|x| x.as_str().hash(&mut h));
            h.finish()
        }
        let same = |v: &Value| {
            v.as_list()
                .is_some_and(|l| l.len() == items.len() && l.iter().zip(&items).all(|(a, b)| a.as_str() == b.as_str()))
        };
        if let Some(v) = self.lists.find(hash(&items), same) {
            return v.clone();
        }
        let v = Value::list(items);
        let h = v.as_list().map_or(0, hash);
        self.lists.insert_unique(h, v.clone(), |x| x.as_list().map_or(0, hash));
        v
    }

    /// Places a finished value: into the open container, or into the record's field.
    fn deliver(&mut self, value: Value, start: usize, end: usize) {
        match self.stack.last_mut() {
            Some(Frame::Array { items, .. }) => items.push(value),
            // Duplicate keys are looked for when the table closes.
            Some(Frame::Table { fields, key, .. }) => match key.take() {
                Some(k) => fields.push((k, value)),
                None => self.gave_up = true,
            },
            None => {
                let loc = self.loc(start, end);
                let Some(c) = self.current.as_mut() else { return self.give_up() };
                match c.key.take() {
                    Some(Ok(slot)) if c.slots.locs[slot].is_none() => {
                        c.slots.values[slot] = value;
                        c.slots.locs[slot] = Some(loc);
                    }
                    // Duplicates are looked for when the record ends.
                    Some(Err(name)) => c.slots.extra.push((name, value)),
                    _ => self.gave_up = true,
                }
            }
        }
    }

    fn scalar_value(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) -> Value {
        let raw = self.raw(span, encoding);
        let mut decoded = Cow::Borrowed("");
        let kind = raw.decode_scalar(&mut decoded, error);
        match kind {
            ScalarKind::String => {
                let share = self.current.as_ref().map_or(Share::File, |c| c.share);
                Value::Str(self.string(decoded, share))
            }
            ScalarKind::Boolean(b) => Value::Bool(b),
            ScalarKind::Integer(radix) => match integer(&decoded, radix.value()) {
                Some(n) => Value::Int(n),
                // Out of range: the document parser's path reports it.
                None => {
                    self.gave_up = true;
                    Value::None
                }
            },
            ScalarKind::Float => decoded.replace('_', "").parse::<f64>().map_or(Value::None, Value::Num),
            ScalarKind::DateTime => {
                // A plain date is the common case; anything else goes through toml's own type.
                if decoded.len() == 10
                    && let Ok(d) = decoded.parse::<jiff::civil::Date>()
                {
                    return Value::Date(d);
                }
                match decoded.parse::<toml::value::Datetime>() {
                    Ok(d) if d.time.is_none() => {
                        let s = d.to_string();
                        s.parse().map_or(Value::str(&s), Value::Date)
                    }
                    Ok(d) => {
                        let s = d.to_string();
                        super::coerce::parse_datetime(&s).unwrap_or_else(|| Value::str(&s))
                    }
                    Err(_) => {
                        self.gave_up = true;
                        Value::None
                    }
                }
            }
        }
    }
}

impl EventReceiver for Reader<'_> {
    fn std_table_open(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.give_up();
    }

    fn array_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        self.finish_record();
        self.header = Some((span.start(), None));
    }

    fn array_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        let Some((start, Some(name))) = self.header.take() else { return self.give_up() };
        let Some(kind) = kind_for(self.schema, &name) else { return self.give_up() };
        // Two names of one kind (`person`, `people`) are two arrays to the document parser, each
        // numbered from 1: leave such files to it.
        match &mut self.names[kind.0 as usize] {
            Some(first) if *first != name => return self.give_up(),
            slot @ None => *slot = Some(name),
            Some(_) => {}
        }
        let ks = self.schema.kind(kind);
        self.current = Some(Current {
            kind,
            schema: ks,
            header: Span::new_unchecked(self.base + start, self.base + span.end()),
            slots: Slotted::new(ks),
            key: None,
            share: Share::File,
        });
    }

    fn inline_table_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.stack.push(Frame::Table { start: span.start(), fields: Vec::new(), key: None });
        true
    }

    fn inline_table_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Frame::Table { start, mut fields, key: None }) => {
                // The document parser's tables are sorted by key; keep its order.
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                if has_duplicates(&fields) {
                    return self.give_up();
                }
                self.deliver(Value::Object(Object::new(fields)), start, span.end());
            }
            _ => self.give_up(),
        }
    }

    fn array_open(&mut self, span: Span, _error: &mut dyn ErrorSink) -> bool {
        self.stack.push(Frame::Array { start: span.start(), items: Vec::new() });
        true
    }

    fn array_close(&mut self, span: Span, _error: &mut dyn ErrorSink) {
        match self.stack.pop() {
            Some(Frame::Array { start, items }) => {
                let list = self.list(items);
                self.deliver(list, start, span.end())
            }
            _ => self.give_up(),
        }
    }

    fn simple_key(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        let raw = self.raw(span, encoding);
        let mut key = Cow::Borrowed("");
        raw.decode_key(&mut key, error);
        if let Some((_, name)) = &mut self.header {
            // `[[a.b]]` is not a record header.
            if name.is_some() {
                return self.give_up();
            }
            *name = Some(key.into_owned());
            return;
        }
        let in_table = matches!(self.stack.last(), Some(Frame::Table { key: None, .. }));
        if in_table {
            // Keys of inline tables repeat in every record: share them.
            let k = self.string(key, Share::File);
            if let Some(Frame::Table { key: slot, .. }) = self.stack.last_mut() {
                *slot = Some(k);
            }
            return;
        }
        match self.stack.last_mut() {
            Some(_) => self.give_up(),
            None => {
                let Some(c) = self.current.as_mut() else { return self.give_up() };
                if c.key.is_some() {
                    return self.give_up();
                }
                let slot = c.schema.slot(&key);
                // Every value but the record's own id may repeat (references, enum values,
                // names): strings are shared within the file; a record's id and references
                // to records, across the org.
                c.share = Share::of(c.schema, c.kind, slot);
                match slot {
                    Some(s) => c.key = Some(Ok(s)),
                    None => {
                        let name = self.string(key, Share::File);
                        if let Some(c) = self.current.as_mut() {
                            c.key = Some(Err(name));
                        }
                    }
                }
            }
        }
    }

    fn key_sep(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        // Dotted keys build nested tables: the full parser's job.
        self.give_up();
    }

    fn scalar(&mut self, span: Span, encoding: Option<Encoding>, error: &mut dyn ErrorSink) {
        if self.gave_up {
            return;
        }
        let v = self.scalar_value(span, encoding, error);
        self.deliver(v, span.start(), span.end());
    }

    fn error(&mut self, _span: Span, _error: &mut dyn ErrorSink) {
        self.give_up();
    }
}

/// Whether fields sorted by name name one twice (a duplicate key).
fn has_duplicates(sorted: &[(Str, Value)]) -> bool {
    sorted.windows(2).any(|w| w[0].0 == w[1].0)
}

/// A TOML integer's value (`1_000`, `0x7f`, `-5`); `None` outside the 64-bit range.
pub(super) fn integer(text: &str, radix: u32) -> Option<i64> {
    let digits = text.replace('_', "");
    let digits = digits.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
    i64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests;
