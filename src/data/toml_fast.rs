//! The fast path for TOML record files: the `toml` crate's own lexer and push parser
//! (`toml_parser`) feed events straight into records, with no intermediate document tree.
//!
//! It reads the shape record files have — `[[kind]]` headers, each followed by `key = value`
//! lines with scalars, arrays and inline tables. Anything else (a syntax error, a `[table]`,
//! dotted or duplicate keys, an unknown kind) makes it give up, and the caller parses the file
//! with the full `toml` document parser, which handles every shape and reports every error
//! exactly as before. So the fast path changes speed, never results.

use std::borrow::Cow;
use std::sync::Arc;

use super::intern::Strings;
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
    /// Whether the current value's strings are worth sharing: every field's but the id's.
    intern: bool,
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

    fn string(&mut self, s: Cow<'_, str>, intern: bool) -> Str {
        if !intern {
            return Str::from(&*s);
        }
        self.strings.get(&s)
    }

    /// A list value: shared with an equal earlier list of the file where it holds only a few
    /// short strings (as a CSV file's list cells are).
    fn list(&mut self, items: Vec<Value>) -> Value {
        let bytes: Option<usize> = items.iter().map(|v| v.as_str().map(str::len)).sum();
        if !self.current.as_ref().is_some_and(|c| c.intern) || bytes.is_none_or(|b| b > SHARED_LIST_BYTES) {
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
            Some(Frame::Table { fields, key, .. }) => match key.take() {
                Some(k) if !fields.iter().any(|(x, _)| *x == k) => fields.push((k, value)),
                _ => self.gave_up = true,
            },
            None => {
                let loc = self.loc(start, end);
                let Some(c) = self.current.as_mut() else { return self.give_up() };
                match c.key.take() {
                    Some(Ok(slot)) if c.slots.locs[slot].is_none() => {
                        c.slots.values[slot] = value;
                        c.slots.locs[slot] = Some(loc);
                    }
                    Some(Err(name)) if !c.slots.extra.iter().any(|(x, _)| *x == name) => {
                        c.slots.extra.push((name, value));
                    }
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
                let intern = self.current.as_ref().is_some_and(|c| c.intern);
                Value::Str(self.string(decoded, intern))
            }
            ScalarKind::Boolean(b) => Value::Bool(b),
            ScalarKind::Integer(radix) => {
                let digits = decoded.replace('_', "");
                let digits = digits.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
                i64::from_str_radix(digits, radix.value()).map_or(Value::None, Value::Int)
            }
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
            intern: false,
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
                self.deliver(Value::Object(Arc::new(Object { fields })), start, span.end());
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
            let k = self.string(key, true);
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
                // names): strings are shared within the file.
                c.intern = slot.is_none_or(|s| Some(s) != c.schema.id_slot());
                match slot {
                    Some(s) => c.key = Some(Ok(s)),
                    None => {
                        let name = self.string(key, true);
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

#[cfg(test)]
mod tests {
    use super::super::toml_file;
    use super::*;
    use proptest::prelude::*;

    use super::super::tests::{schema, show};

    /// The fast path's records and findings, or `None`; and the document parser's.
    fn both(text: &str) -> (Option<String>, String) {
        let mut sources = SourceMap::default();
        let id = sources.add("t.toml", text);
        // Files are merged per kind and findings sorted, so only the order within a kind counts.
        let show = |p: &Parsed| show(p, true);
        let fast = parse(id, text, schema(), &sources, &mut Strings::default()).map(|p| show(&p));
        // Split before every `[[` line, the same records come out, unless a piece ends inside a
        // value, and then the file goes to the document parser.
        let tiny = parse_in_pieces(id, text, schema(), &sources, &mut Strings::default(), 1).map(|p| show(&p));
        assert!(tiny.is_none() || tiny == fast, "pieces differ: {text}");
        let slow =
            toml_file::parse_document(id, text, schema(), &sources).map_or_else(|e| format!("{e:?}"), |p| show(&p));
        (fast, slow)
    }

    fn same(text: &str) {
        let (fast, slow) = both(text);
        assert_eq!(fast.as_deref(), Some(slow.as_str()), "{text}");
    }

    fn falls_back(text: &str) {
        assert_eq!(both(text).0, None, "{text}");
    }

    #[test]
    fn reads_record_files_like_the_document_parser() {
        same("");
        same("# only a comment\n");
        same(concat!(
            "[[person]]\nid = \"P1\" # trailing comment\nname = '李 \\ 四'\nunit = \"U1\"\nroles = [\"运营经理\", \"运营专员\",]\n",
            "joined = 2024-01-01\nleft = 2026-05-31T18:00:00+08:00\nlevel = \"高级\"\nextra_field = { a = 1, \"b c\" = [1.5, 2_000, 0x1F] }\n\n",
            "[[unit]]\nid = \"U1\"\nname = \"运营部\"\ntype = \"dept\"\n\n",
            "  [[ person ]]\nid = \"P2\"\nname = \"\"\"多行\n名字\"\"\"\nunit = \"U1\"\nroles = []\njoined = \"2024-02-30\"\n",
            "[[appraisal]]\nid = \"A1\"\nperson = \"P1\"\ncycle = \"2026-05\"\ntotal = 85.5\nscores = { \"上级评价\" = 72, \"同事评价\" = 95 }\n",
            "[[change]]\nid = \"C1\"\ntitle = \"t\"\ntier = \"日常优化\"\nauthor = \"P1\"\nsubmitted = 2026-03-16\napprovals = [\n  { by = \"P2\", role = \"运营经理\", date = 2026-03-17, decision = \"approve\" },\n]\n",
            "[[person]]\nid = \"P1\"\nname = \"重复\"\nunit = \"U9\"\nroles = [\"不存在的岗位\"]\njoined = 1979-05-27T07:32:00Z\nactive = true\nscore = -1e3\n",
        ));
        for f in std::fs::read_dir("examples/acme").expect("acme").flatten() {
            let path = f.path();
            if path.extension().is_some_and(|x| x == "toml") && !path.ends_with("zhidu.toml") {
                let text = std::fs::read_to_string(&path).expect("read");
                let (fast, slow) = both(&text);
                assert_eq!(fast.as_deref(), Some(slow.as_str()), "{}", path.display());
            }
        }
    }

    #[test]
    fn repeated_short_lists_share_one_allocation() {
        let long = format!("[\"{}\"]", "长".repeat(30));
        let text = format!(
            "[[person]]\nid = \"P1\"\nroles = [\"运营专员\", \"运营经理\"]\ntags = {long}\n\
             [[person]]\nid = \"P2\"\nroles = [\"运营专员\", \"运营经理\"]\ntags = {long}\n\
             [[person]]\nid = \"P3\"\nroles = [\"运营专员\"]\n"
        );
        let mut sources = SourceMap::default();
        let id = sources.add("t.toml", text.as_str());
        let mut parsed = parse(id, &text, schema(), &sources, &mut Strings::default()).expect("fast path");
        let person = schema().id("person").expect("person");
        let roles = schema().kind(person).slot("roles").expect("roles");
        let data = parsed.kind(person);
        let list = |i: usize, slot: usize| data.field(i, slot).and_then(Value::as_list).map(<[Value]>::as_ptr);
        assert!(list(0, roles).is_some());
        assert_eq!(list(0, roles), list(1, roles), "equal short lists are one allocation");
        assert_ne!(list(0, roles), list(2, roles));
        // `tags` is undeclared: kept with the record; a list over 64 bytes is not shared.
        let (a, b) = (data.get(0).expect("P1"), data.get(1).expect("P2"));
        let extra = |r: &crate::base::store::Rec| {
            r.named(schema().kind(person).slot("tags"), "tags").and_then(Value::as_list).map(<[Value]>::as_ptr)
        };
        assert!(extra(&a).is_some() && extra(&a) != extra(&b), "a list over 64 bytes is its own");
    }

    #[test]
    fn pieces_end_before_array_table_lines() {
        let text = "[[a]]\nx = 1\n[[b]]\ny = \"\"\"\n[[c]]\n\"\"\"\n[[d]]\n";
        let got: Vec<_> = pieces(text, 1).collect();
        assert_eq!(got, [(0, "[[a]]\nx = 1\n"), (12, "[[b]]\ny = \"\"\"\n"), (26, "[[c]]\n\"\"\"\n"), (36, "[[d]]\n")]);
        assert_eq!(pieces(text, 1000).collect::<Vec<_>>(), [(0, text)]);
        assert_eq!(pieces("", 1).count(), 0);
        // A multi-line string with a `[[` line: read whole, or left to the document parser.
        same("[[person]]\nid = \"P1\"\nname = \"\"\"a\n[[person]]\nb\"\"\"\n[[person]]\nid = \"P2\"\n");
        let mut sources = SourceMap::default();
        let text = "[[person]]\nid = \"P1\"\nname = \"\"\"a\n[[person]]\nb\"\"\"\n";
        let id = sources.add("t.toml", text);
        assert!(parse_in_pieces(id, text, schema(), &sources, &mut Strings::default(), 1).is_none());
    }

    #[test]
    fn leaves_other_shapes_to_the_document_parser() {
        falls_back("[person]\nid = \"P1\"\n");
        falls_back("[[person]]\nid = \"P1\"\nid = \"P2\"\n");
        falls_back("[[person]]\nname.first = \"a\"\n");
        falls_back("[[person.sub]]\nid = \"P1\"\n");
        falls_back("[[nosuchkind]]\nid = \"P1\"\n");
        falls_back("id = \"P1\"\n");
        falls_back("[[person]]\nextra = { a = 1, a = 2 }\n");
        falls_back("[[person]]\nid = \n");
        falls_back("[[person]]\nid = \"unterminated\n");
        falls_back("[[person]]\njoined = 2024-13-45\n");
        falls_back("[[person]]\nid = \"P1\"\n[[people]]\nid = \"P2\"\n");
    }

    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 _\\-运营部门\\\\\"]{0,12}".prop_map(|s| format!("{s:?}")),
            "[a-z运营 ]{0,8}".prop_map(|s| format!("'{s}'")),
            any::<i32>().prop_map(|i| i.to_string()),
            (-1000.0f64..1000.0).prop_map(|f| format!("{f:.3}")),
            any::<bool>().prop_map(|b| b.to_string()),
            (2000u16..2040, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
            Just("2026-03-01T09:30:00+08:00".to_string()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        scalar().prop_recursive(2, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(("[a-z]{1,3}", inner), 0..3).prop_map(|kv| {
                    let mut seen = std::collections::HashSet::new();
                    let body: Vec<String> = kv
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect();
                    format!("{{ {} }}", body.join(", "))
                }),
            ]
        })
    }

    proptest! {
        /// Any record file the fast path accepts reads exactly as through the document parser.
        #[test]
        fn agrees_with_the_document_parser(records in prop::collection::vec(
            (prop::sample::select(vec!["person", "unit", "grant", "appraisal", "change"]),
             prop::collection::vec((prop::sample::select(vec!["id", "name", "unit", "roles", "joined", "left", "level", "x", "total", "scores", "person"]), value()), 0..6)),
            0..5)) {
            let mut text = String::new();
            for (kind, fields) in &records {
                text.push_str(&format!("[[{kind}]]\n"));
                for (k, v) in fields {
                    text.push_str(&format!("{k} = {v}\n"));
                }
                text.push('\n');
            }
            let (fast, slow) = both(&text);
            if let Some(fast) = fast {
                prop_assert_eq!(fast, slow, "{}", text);
            } else {
                // Only files with a repeated key (or another shape the fast path leaves) fall back.
                let repeated = records.iter().any(|(_, f)| {
                    let mut seen = std::collections::HashSet::new();
                    !f.iter().all(|(k, _)| seen.insert(*k))
                });
                prop_assert!(repeated || slow.contains("Toml"), "fell back on {}", text);
            }
        }
    }
}
