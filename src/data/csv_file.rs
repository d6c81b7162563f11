//! CSV record files: the header row names the fields of the kind given by the file stem; lists
//! are `;`-separated, nested fields are dotted headers (`scores.上级评价`).

use std::path::Path;

use super::error::DataError;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::intern::Share;
use super::{Parsed, Slotted, coerce, finish_record, issue::Issue, kind_for, location, synthetic_id_from};
use crate::base::source::{FileId, Loc, SourceMap};
use crate::base::value::{KindId, Object, Str, Value};
use crate::policy::types::{FieldType, Type};
use crate::policy::{KindSchema, Schema};

/// Parses one CSV file into records; cell values are shared through `cells` (which a loader
/// keeps across the files one thread reads).
pub(super) fn parse(
    file: FileId,
    text: &str,
    rel: &Path,
    schema: &Schema,
    sources: &SourceMap,
    cells: &mut Cells,
) -> Result<Parsed, DataError> {
    parse_with(file, text, rel, schema, sources, cells, true)
}

/// The fields of one item of a list of objects (`approvals.by`, `approvals.date`, …), in
/// column order.
type ItemFields = Vec<(Str, Value)>;

/// [`parse`], with the fast path for plain rows on or off (the tests compare the two).
fn parse_with(
    file: FileId,
    text: &str,
    rel: &Path,
    schema: &Schema,
    sources: &SourceMap,
    cells: &mut Cells,
    fast: bool,
) -> Result<Parsed, DataError> {
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let Some(kind) = kind_for(schema, stem) else {
        let mut out = Parsed::default();
        let msg = super::unknown_kind(schema, stem, "CSV 文件名", "the CSV file name");
        out.issues.push(Issue::new("DATA-KIND", None, msg, location(sources, Loc::new(file, 0, 0), None, None)));
        return Ok(out);
    };
    parse_kind(file, text, 0, kind, schema, sources, cells, fast)
}

/// The records of kind `kind` in CSV `text`, which starts at byte `base` of file `file` (a
/// workbook's text holds its sheets one after the other: `data::xlsx_file`).
#[expect(clippy::too_many_arguments, reason = "the parts of one parse, passed down as they are")]
pub(super) fn parse_kind(
    file: FileId,
    text: &str,
    base: usize,
    kind: crate::base::value::KindId,
    schema: &Schema,
    sources: &SourceMap,
    cells: &mut Cells,
    fast: bool,
) -> Result<Parsed, DataError> {
    let mut out = Parsed::default();
    let ks = schema.kind(kind);
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => return Err(csv_error(file, text, base, e)),
    };
    // header → (field, nested key)
    let columns: Vec<(String, Option<String>)> = headers
        .iter()
        .map(|h| match h.split_once('.') {
            Some((a, b)) if ks.slot(h).is_none() => (a.to_string(), Some(b.to_string())),
            _ => (h.clone(), None),
        })
        .collect();
    // Where each column's cells go, decided once: a slot, an undeclared field, or a key of an
    // object field (`scores.上级评价`).
    let targets: Vec<(Target, Option<Str>)> = columns
        .iter()
        .map(|(field, sub)| {
            let target = ks.slot(field).map_or_else(|| Target::Extra(Str::from(field.as_str())), Target::Slot);
            (target, sub.as_deref().map(Str::from))
        })
        .collect();
    // Each undeclared column's name as a number (the same for columns of the same name), so
    // that a row finds the first value of a name without searching its other values: a file
    // may have tens of thousands of such columns.
    let mut names: HashMap<&str, usize> = HashMap::default();
    let extra_name: Vec<usize> = targets
        .iter()
        .map(|(t, _)| match t {
            Target::Extra(name) => {
                let next = names.len();
                *names.entry(name.as_str()).or_insert(next)
            }
            Target::Slot(_) => usize::MAX,
        })
        .collect();
    // Per name, where its first value is in the current row's undeclared fields (reset per row).
    let mut first_extra = vec![usize::MAX; names.len()];
    let id_slot = ks.id_slot();
    // Cells repeat (unit ids, roles, enum values, whole lists): they share one value. Ids are
    // unique, so they are not looked up.
    let mut plan = if fast { FastRows::plan(ks, &targets, id_slot, kind) } else { None };
    // One record per line in the usual file: the arrays are sized once rather than grown.
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    out.kind(kind).reserve(ks.fields.len(), lines);
    let mut values: Vec<Value> = Vec::with_capacity(ks.fields.len());
    let mut record = csv::ByteRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, text, base, e)),
        }
        row += 1;
        let start = line_start(text, record.position().map_or(0, |p| p.byte() as usize));
        let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let loc = Loc::new(file, base + start, base + end);
        // The text is UTF-8 and the delimiters are ASCII, so every cell is too.
        let Ok(line) = simdutf8::basic::from_utf8(record.as_slice()) else {
            return Err(DataError::Csv { message: "invalid UTF-8".into(), loc });
        };
        let cell = |i: usize| record.range(i).and_then(|r| line.get(r)).unwrap_or("").trim();
        if let Some(plan) = &mut plan
            && let Some(id) = plan.row(record.len(), &cell, cells, &mut values, ks, row)
        {
            out.kind(kind).add_row(Some(id), loc, &mut values, Vec::new());
            continue;
        }
        // The general path: anything the fast path does not take (a cell that does not parse,
        // a missing required field, undeclared columns) is placed, coerced and reported here.
        let mut slots = Slotted::new(ks);
        first_extra.fill(usize::MAX);
        // Lists of objects (`approvals.by`, `approvals.date`, …), item by item.
        let mut item_lists: Vec<(usize, Vec<ItemFields>)> = Vec::new();
        for i in 0..record.len() {
            let Some((target, sub)) = targets.get(i) else { continue };
            let cell = cell(i);
            if cell.is_empty() {
                continue;
            }
            if let (Target::Slot(s), Some(key)) = (target, sub)
                && object_items(&ks.fields[*s].ty).is_some()
            {
                slots.locs[*s] = Some(loc);
                let at = item_lists.iter().position(|(x, _)| x == s).unwrap_or_else(|| {
                    item_lists.push((*s, Vec::new()));
                    item_lists.len() - 1
                });
                let items = &mut item_lists[at].1;
                for (n, item) in cell.split(';').map(str::trim).enumerate() {
                    if items.len() <= n {
                        items.push(Vec::new());
                    }
                    if !item.is_empty() {
                        items[n].push((key.clone(), Value::Str(cells.string(item))));
                    }
                }
                continue;
            }
            // The id and references: the org's shared strings, as on the fast path.
            let text = match target {
                Target::Slot(s) if sub.is_none() => cells.strings.make(cell, Share::of(ks, kind, Some(*s))),
                _ => cells.string(cell),
            };
            let value = Value::Str(text);
            let place: &mut Value = match target {
                Target::Slot(s) => {
                    slots.locs[*s] = Some(loc);
                    &mut slots.values[*s]
                }
                Target::Extra(name) => {
                    // A dotted column (`x.a`) adds its key to the row's first `x`; any other
                    // column is a value of its own, even when its name repeats.
                    let first = extra_name.get(i).and_then(|&n| first_extra.get_mut(n));
                    let at = match first {
                        Some(at) if *at != usize::MAX && sub.is_some() => *at,
                        first => {
                            slots.extra.push((name.clone(), Value::None));
                            let at = slots.extra.len() - 1;
                            if let Some(first) = first
                                && *first == usize::MAX
                            {
                                *first = at;
                            }
                            at
                        }
                    };
                    &mut slots.extra[at].1
                }
            };
            match sub {
                None => *place = value,
                Some(key) => match place {
                    Value::Object(o) => *o = o.with(key.clone(), value),
                    _ => *place = Value::Object(Object::new(vec![(key.clone(), value)])),
                },
            }
        }
        for (s, items) in item_lists {
            slots.values[s] = Value::list(items.into_iter().map(|o| Value::Object(Object::new(o))).collect());
        }
        let rec = finish_record(ks, slots, loc, Some(row), row, sources, &mut out.issues);
        out.push(kind, rec);
    }
    // CSV locations name the (first) column of the field, found through a map made once, not
    // by a search per finding.
    if !out.issues.is_empty() {
        let mut column_of: HashMap<&str, usize> = HashMap::default();
        for (i, (c, _)) in columns.iter().enumerate() {
            column_of.entry(c.as_str()).or_insert(i);
        }
        for f in out.issues.iter_mut() {
            if let Some(l) = f.location.as_mut()
                && let Some(field) = &l.field
                && let Some(col) = column_of.get(field.as_str())
            {
                // In a workbook, the sheet's column (the lines may not start at column A).
                let first =
                    l.loc.and_then(|at| sources.get(at.file).cell(at.start as usize)).map_or(1, |c| c.first_col);
                l.column = col + first;
            }
        }
    }
    Ok(out)
}

/// The fields of the items of a list of objects (`approvals`), whose keys are dotted columns
/// holding one `;`-separated item per object: `approvals.by` = `P1;P2`, `approvals.date` =
/// `2026-05-01;2026-05-02`.
fn object_items(ty: &Type) -> Option<&[FieldType]> {
    match ty {
        Type::List(inner) => match &**inner {
            Type::Object(fields) => Some(fields),
            _ => None,
        },
        _ => None,
    }
}

/// Where a column's cells go.
enum Target {
    Slot(usize),
    Extra(Str),
}

/// The start of the row at byte `pos`: with CRLF line ends the reader's position of a row may be
/// the `\n` that ends the previous line (so the row would be located one line up).
fn line_start(text: &str, mut pos: usize) -> usize {
    while matches!(text.as_bytes().get(pos), Some(b'\r' | b'\n')) {
        pos += 1;
    }
    pos.min(text.len())
}

fn csv_error(file: FileId, text: &str, base: usize, e: csv::Error) -> DataError {
    let (pos, message) = match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
            (pos.as_ref().map(|p| p.byte() as usize), format!("row has {len} field(s), the header has {expected_len}"))
        }
        csv::ErrorKind::Utf8 { pos, .. } => (pos.as_ref().map(|p| p.byte() as usize), "invalid UTF-8".into()),
        _ => (e.position().map(|p| p.byte() as usize), e.to_string()),
    };
    let start = line_start(text, pos.unwrap_or(0).min(text.len()));
    let end = text[start..].find('\n').map_or(text.len(), |x| start + x);
    DataError::Csv { message, loc: Loc::new(file, base + start, base + end) }
}

/// Values shared among cells: strings, and whole lists (a role list, a set of operations),
/// keyed by the cell they were read from and, for lists, by the declared type of their items
/// (`1;2` is a list of numbers in one column and of strings in another).
#[derive(Default)]
pub(super) struct Cells {
    /// Shared strings (also those of the TOML files the thread reads).
    pub(super) strings: super::intern::Strings,
    /// By the address of the item type in the schema, then by cell.
    lists: HashMap<usize, HashMap<Str, Value>>,
}

/// Lists longer than this (attendee lists) are rarely repeated: they are not kept for sharing.
pub(super) const SHARED_LIST_BYTES: usize = 64;

impl Cells {
    fn string(&mut self, cell: &str) -> Str {
        self.strings.get(cell)
    }

    /// The value of a non-empty cell of type `ty`, exactly as the general path would make it
    /// (place the text, then [`coerce::coerce`]); `None` where that path would report a finding
    /// or the type needs it (objects, records).
    fn value(&mut self, cell: &str, ty: &Type) -> Option<Value> {
        Some(match ty {
            Type::Ref(_) => Value::Str(self.strings.name(cell)),
            Type::Str | Type::Name(_) | Type::Any => Value::Str(self.string(cell)),
            Type::Enum(set) if set.iter().any(|x| x == cell) => Value::Str(self.string(cell)),
            Type::List(inner) if !matches!(**inner, Type::Object(_)) => self.list(cell, inner)?,
            // Numbers, dates, … (`None` for the types left to the general path).
            _ => coerce::from_text(cell, ty)?,
        })
    }

    /// A `;`-separated list cell.
    fn list(&mut self, cell: &str, inner: &Type) -> Option<Value> {
        let ty = std::ptr::from_ref(inner) as usize;
        if let Some(v) = self.lists.get(&ty).and_then(|l| l.get(cell)) {
            return Some(v.clone());
        }
        let mut items = Vec::new();
        for item in cell.split(';').map(str::trim).filter(|x| !x.is_empty()) {
            items.push(self.value(item, inner)?);
        }
        let v = Value::list(items);
        if cell.len() <= SHARED_LIST_BYTES {
            self.lists.entry(ty).or_default().insert(Str::from(cell), v.clone());
        }
        Some(v)
    }
}

/// Where a column's cells go on the fast path.
enum Col<'s> {
    /// A field of the record.
    Slot { slot: usize, ty: &'s Type },
    /// Key `key` of the object held by `objects[obj]`.
    Key { obj: usize, key: usize, ty: &'s Type },
    /// Key `key` of every item of the list of objects held by `lists[list]`.
    Item { list: usize, key: usize, ty: &'s Type },
}

/// An object field filled from dotted columns (`scores.上级评价`), or a list of objects filled
/// from dotted columns of `;`-separated items (`approvals.by`).
struct Nested<'s> {
    slot: usize,
    fields: &'s [FieldType],
    /// The fields' names, made once.
    names: Vec<Str>,
    /// Where its keys' values start in [`FastRows::keys`] (objects) or [`FastRows::items`]
    /// (lists).
    base: usize,
}

/// The place of field `slot` (of keys `fields`) among `nested`, added if not there yet.
fn nested_at<'s>(nested: &mut Vec<Nested<'s>>, slot: usize, fields: &'s [FieldType]) -> usize {
    if let Some(at) = nested.iter().position(|o| o.slot == slot) {
        return at;
    }
    let names = fields.iter().map(|f| Str::from(f.name.as_str())).collect();
    let base = nested.last().map_or(0, |o| o.base + o.fields.len());
    nested.push(Nested { slot, fields, names, base });
    nested.len() - 1
}

/// The fast path for plain rows: every column is a declared field (or a declared key of an
/// object field), so a row's cells are parsed straight into its values, with no intermediate
/// record. A row it cannot take whole goes to the general path, which reports it.
struct FastRows<'s> {
    cols: Vec<Col<'s>>,
    objects: Vec<Nested<'s>>,
    lists: Vec<Nested<'s>>,
    id_slot: Option<usize>,
    /// The kind (its ids are made by [`Strings::id`]).
    ///
    /// [`Strings::id`]: super::intern::Strings::id
    kind: KindId,
    /// Required slots.
    required: Vec<usize>,
    /// For each field slot, the column that holds it directly (synthetic ids are made of them).
    column_of: Vec<Option<usize>>,
    /// The values of every object's keys in the current row, object after object (reused).
    keys: Vec<Value>,
    /// The item values of every list's keys in the current row, list after list (reused).
    items: Vec<Vec<Value>>,
}

impl<'s> FastRows<'s> {
    /// The plan for a file's columns; `None` when a column is not a declared field.
    fn plan(
        ks: &'s KindSchema,
        targets: &[(Target, Option<Str>)],
        id_slot: Option<usize>,
        kind: KindId,
    ) -> Option<Self> {
        let mut objects: Vec<Nested<'s>> = Vec::new();
        let mut lists: Vec<Nested<'s>> = Vec::new();
        let mut cols = Vec::with_capacity(targets.len());
        for (target, sub) in targets {
            let Target::Slot(slot) = *target else { return None };
            let ty = &ks.fields[slot].ty;
            match (sub, ty) {
                (None, _) => cols.push(Col::Slot { slot, ty }),
                (Some(key), Type::Object(fields)) => {
                    let key = fields.iter().position(|f| *f.name == **key)?;
                    let obj = nested_at(&mut objects, slot, fields);
                    cols.push(Col::Key { obj, key, ty: &fields[key].ty });
                }
                (Some(key), ty) if object_items(ty).is_some() => {
                    let fields = object_items(ty)?;
                    let key = fields.iter().position(|f| *f.name == **key)?;
                    let list = nested_at(&mut lists, slot, fields);
                    cols.push(Col::Item { list, key, ty: &fields[key].ty });
                }
                _ => return None,
            }
        }
        // A field given twice (two columns, or a field and its dotted keys) is left to the
        // general path, which decides which cell counts.
        let mut seen = HashSet::default();
        let unique = cols.iter().all(|c| match *c {
            Col::Slot { slot, .. } => seen.insert((slot, usize::MAX)),
            Col::Key { obj, key, .. } => seen.insert((objects[obj].slot, key)),
            Col::Item { list, key, .. } => seen.insert((lists[list].slot, key)),
        });
        let whole = |slot: usize| seen.contains(&(slot, usize::MAX));
        if !unique || objects.iter().any(|o| whole(o.slot)) || lists.iter().any(|o| whole(o.slot)) {
            return None;
        }
        let required = ks.fields.iter().enumerate().filter(|(_, f)| !f.optional).map(|(s, _)| s).collect();
        let mut column_of = vec![None; ks.fields.len()];
        for (i, c) in cols.iter().enumerate() {
            if let Col::Slot { slot, .. } = c {
                column_of[*slot] = Some(i);
            }
        }
        let keys = Vec::with_capacity(objects.last().map_or(0, |o| o.base + o.fields.len()));
        let items = vec![Vec::new(); lists.last().map_or(0, |o| o.base + o.fields.len())];
        Some(FastRows { cols, objects, lists, id_slot, kind, required, column_of, keys, items })
    }

    /// Reads one row into `values` (the kind's width); returns its id, or `None` (values
    /// cleared) when the row needs the general path.
    fn row<'c>(
        &mut self,
        len: usize,
        cell: &impl Fn(usize) -> &'c str,
        cells: &mut Cells,
        values: &mut Vec<Value>,
        ks: &KindSchema,
        ordinal: usize,
    ) -> Option<Str> {
        values.clear();
        values.resize(ks.fields.len(), Value::None);
        let keys = &mut self.keys;
        keys.clear();
        keys.resize(keys.capacity(), Value::None);
        let objects = &self.objects;
        let lists = &self.lists;
        let items = &mut self.items;
        items.iter_mut().for_each(Vec::clear);
        let mut id = None;
        let taken = (0..len.min(self.cols.len())).all(|i| {
            let text = cell(i);
            if text.is_empty() {
                return true;
            }
            match self.cols[i] {
                Col::Slot { slot, ty } => {
                    let v = if Some(slot) == self.id_slot && matches!(ty, Type::Str | Type::Any) {
                        // The id is one string, shared by the field and the record's id (and
                        // by the references to the record, where some field names its kind).
                        let s = cells.strings.id(text, self.kind);
                        id = Some(s.clone());
                        Some(Value::Str(s))
                    } else {
                        if Some(slot) == self.id_slot {
                            id = Some(Str::from(text));
                        }
                        cells.value(text, ty)
                    };
                    v.map(|v| values[slot] = v).is_some()
                }
                Col::Key { obj, key, ty } => cells.value(text, ty).map(|v| keys[objects[obj].base + key] = v).is_some(),
                Col::Item { list, key, ty } => {
                    let got = &mut items[lists[list].base + key];
                    text.split(';').map(str::trim).all(|item| {
                        let v = if item.is_empty() { Some(Value::None) } else { cells.value(item, ty) };
                        v.map(|v| got.push(v)).is_some()
                    })
                }
            }
        });
        let filled = taken
            && objects.iter().all(|o| {
                let got = &mut keys[o.base..o.base + o.fields.len()];
                if got.iter().all(Value::is_none) {
                    return true;
                }
                let mut fields = Vec::with_capacity(o.fields.len());
                for ((f, name), v) in o.fields.iter().zip(&o.names).zip(got) {
                    if v.is_none() && !f.optional {
                        return false;
                    }
                    fields.push((name.clone(), std::mem::take(v)));
                }
                values[o.slot] = Value::Object(Object::new(fields));
                true
            })
            && lists.iter().all(|o| {
                let got = &mut items[o.base..o.base + o.fields.len()];
                let n = got.iter().map(Vec::len).max().unwrap_or(0);
                if n == 0 {
                    return true;
                }
                let mut list = Vec::with_capacity(n);
                for i in 0..n {
                    let mut fields = Vec::with_capacity(o.fields.len());
                    for ((f, name), key) in o.fields.iter().zip(&o.names).zip(got.iter_mut()) {
                        let v = key.get_mut(i).map(std::mem::take).unwrap_or_default();
                        if v.is_none() && !f.optional {
                            return false;
                        }
                        fields.push((name.clone(), v));
                    }
                    list.push(Value::Object(Object::new(fields)));
                }
                values[o.slot] = Value::list(list);
                true
            });
        if !filled || self.required.iter().any(|&s| values[s].is_none()) {
            values.clear();
            return None;
        }
        Some(match id {
            Some(id) => id,
            None if !ks.has_id => {
                synthetic_id_from(ks, ordinal, |s, out| match self.column_of[s].map(cell).filter(|t| !t.is_empty()) {
                    Some(t) => {
                        out.push_str(t);
                        true
                    }
                    None => false,
                })
            }
            None => Str::from(format!("#{ordinal}")),
        })
    }
}

#[cfg(test)]
mod tests;
