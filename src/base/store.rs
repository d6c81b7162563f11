//! Records by kind, with an id index: the one in-memory form of declarations and org data.
//! (Over 500 lines: segments, the sharded id index and resolved links are one structure whose
//! invariants each method keeps; splitting it would expose them.)
// The evaluator reads every field through here and must never panic: no unchecked index.
#![deny(clippy::indexing_slicing)]

use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;

use super::value::{KindId, RecordRef, Str, Value};
use crate::base::source::{FileId, Loc};

/// One record as a loader builds it: id, location and field values in schema order. The
/// store keeps its values in one array per kind ([`KindData`]) and hands out [`Rec`] views.
#[derive(Clone, Debug)]
pub struct Record {
    /// The `id` (declarations: their name); `None` for kinds without ids.
    pub id: Option<Str>,
    /// Where it was written.
    pub loc: Loc,
    /// Field values, indexed like the kind's schema fields.
    pub fields: Box<[Value]>,
    /// Fields the schema does not declare (kept for custom rules).
    pub extra: Vec<(Str, Value)>,
}

/// A stored record: a view of its id, location and values.
#[derive(Clone, Copy, Debug)]
pub struct Rec<'a> {
    /// The `id` (declarations: their name); `None` for kinds without ids.
    pub id: Option<&'a Str>,
    /// Where it was written.
    pub loc: Loc,
    /// Field values, indexed like the kind's schema fields.
    pub fields: Fields<'a>,
    /// Fields the schema does not declare (kept for custom rules).
    pub extra: &'a [(Str, Value)],
}

/// The field values of a stored record, by schema slot.
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    seg: &'a Segment,
    /// Position in the segment.
    i: usize,
    width: usize,
}

/// The value of an absent field, for fields a segment keeps apart ([`Layout`]); also what a
/// lowered read of nothing gives.
pub(crate) static NONE: Value = Value::None;

impl std::fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> Fields<'a> {
    /// The value in slot `slot` (`None` past the kind's fields).
    #[inline]
    pub fn get(&self, slot: usize) -> Option<&'a Value> {
        if slot >= self.width {
            return None;
        }
        self.seg.value(self.i, slot, self.width)
    }

    /// Number of fields (the kind's).
    pub fn len(&self) -> usize {
        self.width
    }

    /// Whether the kind has no fields.
    pub fn is_empty(&self) -> bool {
        self.width == 0
    }

    /// The values in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &'a Value> + 'a {
        let this = *self;
        (0..this.width).map(move |s| this.get(s).unwrap_or(&NONE))
    }

    /// The values as a new vector.
    pub fn to_vec(&self) -> Vec<Value> {
        self.iter().cloned().collect()
    }
}

impl<'a> Rec<'a> {
    /// The id as text.
    pub fn id_str(&self) -> Option<&'a str> {
        self.id.map(Str::as_str)
    }

    /// A field by name: the schema field at `slot` (the slot of `name` in this record's kind),
    /// else an undeclared one.
    pub fn named(&self, slot: Option<usize>, name: &str) -> Option<&'a Value> {
        match slot {
            Some(s) => self.fields.get(s),
            None => self.extra.iter().find(|(n, _)| &**n == name).map(|(_, v)| v),
        }
    }
}

/// What the store keeps per record besides its values: its span in its segment's file (8
/// bytes: six million records at a million people). The file is its segment's; the id is
/// mostly one of the values ([`Ids`]); undeclared fields, which few records have, are kept
/// with the segment.
#[derive(Clone, Copy, Debug)]
struct Meta {
    start: u32,
    end: u32,
}

/// How a segment keeps its records' ids. A loaded record's id is the string of its `id` field
/// (the same allocation), so keeping it again would cost a pointer per record (50 MB at a
/// million people): the segment reads it from that field instead, and keeps only the ids that
/// are something else.
#[derive(Clone, Debug)]
enum Ids {
    /// Each record's own (records of kinds without an `id` field, with made-up ids).
    Own(Vec<Option<Str>>),
    /// The string in field `slot` (found as the first record's id), except for the records
    /// listed, by position: a made-up id, an id given after the record was added, or the id a
    /// record had before its fields were changed.
    Field { slot: usize, odd: Vec<(u32, Option<Str>)> },
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Own(Vec::new())
    }
}

/// Positions per page of the segment table (a power of two).
const PAGE_BITS: u32 = 12;

/// Records stored together: each file's records of a kind are one segment, kept as read, so
/// loading never copies the org into a second, bigger array. All records of a segment are of
/// one file (a record of another file starts a new segment).
#[derive(Clone, Debug, Default)]
struct Segment {
    /// The file of every record of the segment.
    file: FileId,
    meta: Vec<Meta>,
    ids: Ids,
    /// Field values, `width` per record (or as `layout` says), record after record.
    values: Vec<Value>,
    /// Where each field's values are, once the segment is complete ([`Segment::compact`]);
    /// `None`: every field in `values`.
    layout: Option<Box<Layout>>,
    /// Undeclared fields, for the few records that have them: (position in the segment,
    /// fields), by position.
    extras: Vec<(u32, Vec<(Str, Value)>)>,
}

/// A segment whose rarely filled fields (an optional field most records leave out: a
/// departure date, a purpose, an improvement plan) are kept apart, as (position, value) for
/// the records that have one: at a million people, 16 bytes of `none` in every record of the
/// big kinds came to some 90 MB.
#[derive(Clone, Debug)]
struct Layout {
    /// Per slot: its column in `values` (`Ok`), or its list in `sparse` (`Err`).
    cols: Box<[Result<u16, u16>]>,
    /// Values per record in `values`.
    stride: usize,
    /// The kept-apart fields' values: (position, value), by position.
    sparse: Vec<Vec<(u32, Value)>>,
}

/// The value of a kept-apart field ([`Layout::sparse`]) for the segment's record `i`: its
/// entry, or `none` for a record without one.
#[inline]
fn sparse_value(list: &[(u32, Value)], i: usize) -> &Value {
    let at = list.binary_search_by_key(&(i as u32), |(p, _)| *p).ok();
    at.and_then(|at| list.get(at)).map_or(&NONE, |(_, v)| v)
}

/// A field filled in fewer than one record in this many of a segment is kept apart.
const SPARSE_BELOW: usize = 8;
impl Segment {
    /// The value of field `slot` of the record at position `i` (each record has `width`
    /// fields).
    #[inline]
    fn value(&self, i: usize, slot: usize, width: usize) -> Option<&Value> {
        let Some(layout) = &self.layout else { return self.values.get(i * width + slot) };
        match *layout.cols.get(slot)? {
            Ok(col) => self.values.get(i * layout.stride + col as usize),
            Err(list) => Some(sparse_value(layout.sparse.get(list as usize)?, i)),
        }
    }

    /// Keeps rarely filled fields apart ([`Layout`]), if there are any.
    fn compact(&mut self, width: usize) {
        let n = self.meta.len();
        if self.layout.is_some() || n < SPARSE_BELOW || width == 0 {
            return;
        }
        let mut filled = vec![0usize; width];
        for (k, v) in self.values.iter().enumerate() {
            if !v.is_none()
                && let Some(c) = filled.get_mut(k % width)
            {
                *c += 1;
            }
        }
        // The id field stays where it is read from.
        let id_slot = match &self.ids {
            Ids::Field { slot, .. } => Some(*slot),
            Ids::Own(_) => None,
        };
        let sparse: Vec<bool> =
            filled.iter().enumerate().map(|(s, &c)| c * SPARSE_BELOW < n && Some(s) != id_slot).collect();
        if !sparse.contains(&true) || width > u16::MAX as usize {
            return;
        }
        let (mut cols, mut lists, mut stride) = (Vec::with_capacity(width), Vec::new(), 0u16);
        for &apart in &sparse {
            if apart {
                cols.push(Err(lists.len() as u16));
                lists.push(Vec::new());
            } else {
                cols.push(Ok(stride));
                stride += 1;
            }
        }
        let mut values = Vec::with_capacity(n * stride as usize);
        for (k, v) in std::mem::take(&mut self.values).into_iter().enumerate() {
            match cols.get(k % width) {
                Some(Ok(_)) => values.push(v),
                Some(Err(list)) if !v.is_none() => {
                    if let Some(l) = lists.get_mut(*list as usize) {
                        l.push(((k / width) as u32, v));
                    }
                }
                _ => {}
            }
        }
        self.values = values;
        self.layout = Some(Box::new(Layout { cols: cols.into(), stride: stride as usize, sparse: lists }));
    }

    /// Puts every field back in `values`, `width` per record, to change them in place.
    fn expand(&mut self, width: usize) {
        let Some(layout) = self.layout.take() else { return };
        let n = self.meta.len();
        let mut dense = vec![Value::None; n * width];
        let mut kept = std::mem::take(&mut self.values).into_iter();
        for i in 0..n {
            for (s, col) in layout.cols.iter().enumerate() {
                if col.is_ok()
                    && let (Some(v), Some(x)) = (kept.next(), dense.get_mut(i * width + s))
                {
                    *x = v;
                }
            }
        }
        for (s, col) in layout.cols.iter().enumerate() {
            if let Err(list) = col {
                for (p, v) in layout.sparse.get(*list as usize).into_iter().flatten() {
                    if let Some(x) = dense.get_mut(*p as usize * width + s) {
                        *x = v.clone();
                    }
                }
            }
        }
        self.values = dense;
    }

    /// The string in field `slot` of the record at position `i` (where a segment of
    /// [`Ids::Field`] reads ids).
    #[inline]
    fn string(&self, i: usize, slot: usize, width: usize) -> Option<&Str> {
        match self.value(i, slot, width) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The id of the record at position `i` of the segment, of which each has `width` values.
    #[inline]
    fn id(&self, i: usize, width: usize) -> Option<&Str> {
        match &self.ids {
            Ids::Own(ids) => ids.get(i)?.as_ref(),
            Ids::Field { slot, odd } => {
                if !odd.is_empty()
                    && let Ok(at) = odd.binary_search_by_key(&(i as u32), |(p, _)| *p)
                {
                    return odd.get(at)?.1.as_ref();
                }
                self.string(i, *slot, width)
            }
        }
    }

    /// Records `id` as the id of the record at position `i` (the last added, or an earlier one
    /// given another id), whose values are in place.
    fn set_id(&mut self, i: usize, width: usize, id: Option<Str>) {
        let read = match &self.ids {
            Ids::Field { slot, .. } => self.string(i, *slot, width),
            Ids::Own(_) => None,
        };
        let from_field = matches!((&id, read), (Some(a), Some(b)) if Str::ptr_eq(a, b));
        match &mut self.ids {
            Ids::Own(ids) => {
                if ids.len() <= i {
                    ids.resize(i + 1, None);
                }
                if let Some(x) = ids.get_mut(i) {
                    *x = id;
                }
            }
            Ids::Field { odd, .. } => match odd.binary_search_by_key(&(i as u32), |(p, _)| *p) {
                Ok(at) if from_field => {
                    odd.remove(at);
                }
                Ok(at) => {
                    if let Some(x) = odd.get_mut(at) {
                        x.1 = id;
                    }
                }
                Err(_) if from_field => {}
                Err(at) => odd.insert(at, (i as u32, id)),
            },
        }
    }

    /// The undeclared fields of the record at position `i` of the segment.
    fn extra(&self, i: usize) -> &[(Str, Value)] {
        match self.extras.binary_search_by_key(&i, |(at, _)| *at as usize) {
            Ok(at) => self.extras.get(at).map_or(&[], |(_, e)| e.as_slice()),
            Err(_) => &[],
        }
    }
}

/// All records of one kind. Field values sit in arrays, a record's `width` values after the
/// previous record's: no allocation per record, and reading a field of a record costs one
/// memory access rather than two (record, then its own value array). The arrays are split in
/// segments (one per file, as loaded); a position is found in the small table of segment
/// starts.
#[derive(Clone, Debug, Default)]
pub struct KindData {
    segs: Vec<Segment>,
    /// The position of each segment's first record.
    starts: Vec<usize>,
    /// For each page of [`PAGE`] positions, the segment holding its first position: finding a
    /// position's segment is a table read, not a search.
    pages: Vec<u32>,
    len: usize,
    /// Values per record (the kind's field count), fixed by the first record.
    width: usize,
    /// Positions by id (first occurrence wins; duplicates are reported by the loader): tables
    /// of positions, hashed by the id each names, so an id costs 5 bytes here rather than a
    /// second pointer to its text (a million ids: 10 MB instead of 50). A big kind's ids are
    /// split by hash into shards of some 32k (see [`KindData::index_ids`]).
    ids: Vec<HashTable<u32>>,
    /// Whether some id is repeated (then a record is not the only one its id names).
    pub repeated_ids: bool,
    /// Resolved reference fields: for a field slot, the position of the record each record's
    /// reference names in the target kind, or [`NO_LINK`]. Made once by the loader, so the
    /// evaluator follows references and joins on them without hashing ids.
    links: HashMap<usize, Vec<u32>>,
}

/// The hash of an id in [`KindData`]'s id table.
fn hash_id(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

/// Ids per shard of a kind's id table, about: a shard's table stays in the processor's cache
/// while it is built, and fills its buckets. A table of 32k buckets takes up to 28k ids (7/8),
/// so shards of some 27k fill 83% of them, where a power-of-two count of shards left most big
/// kinds with 64k-bucket tables half empty (a million ids: 6 MB of table instead of 10).
const IDS_PER_SHARD: usize = 27_000;

/// The number of shards for `len` ids.
fn shards_for(len: usize) -> usize {
    len.div_ceil(IDS_PER_SHARD).max(1)
}

/// The shard of `n` shards an id hash goes to: bits 25–56 of the hash scaled to `n`, bits the
/// tables themselves do not use (they take the low bits for the bucket and the top seven as a
/// tag).
#[inline]
fn shard_of(hash: u64, n: usize) -> usize {
    ((((hash >> 25) & 0xFFFF_FFFF) * n as u64) >> 32) as usize
}

/// Repeated ids: (position, position of the first occurrence).
type Dups = Vec<(u32, u32)>;

/// A reference that names no record (or is absent), in [`KindData::link`].
pub const NO_LINK: u32 = u32::MAX;

/// Field `slot` of the records of a kind, where each segment keeps it: found once, for reading
/// that field of many records (an evaluation reads the same few fields of a million records,
/// and [`KindData::field`] would find the segment's layout and the field's column each time).
#[derive(Clone)]
pub struct Column<'a> {
    /// Per segment: the position of its first record and where it keeps the field.
    parts: Box<[(usize, Part<'a>)]>,
    /// The kind's page table ([`KindData::segment_of`]).
    pages: &'a [u32],
    len: usize,
}

/// Where a segment keeps a field.
#[derive(Clone, Copy)]
enum Part<'a> {
    /// The value of the segment's record `i` is `values[i * stride]`.
    Dense { values: &'a [Value], stride: usize },
    /// Kept apart: (position in the segment, value), by position.
    Sparse(&'a [(u32, Value)]),
    /// Not kept (a layout without the field: no record has a value).
    Absent,
}

impl std::fmt::Debug for Column<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({} records, {} segments)", self.len, self.parts.len())
    }
}

/// Of `segments` segments, the `s`th starting at position `start(s)`, the one holding `idx`
/// (below the kind's length): the page table (`pages`, [`KindData::index_pages`]) names the
/// segment at the start of `idx`'s page, and those after it that start by `idx` are stepped
/// over. [`KindData`] walks its `starts`, a [`Column`] its parts.
#[inline(always)]
fn segment_at(pages: &[u32], segments: usize, start: impl Fn(usize) -> Option<usize>, idx: usize) -> usize {
    if segments == 1 {
        return 0;
    }
    let mut s = pages.get(idx >> PAGE_BITS).map_or(0, |&s| s as usize);
    while start(s + 1).is_some_and(|next| next <= idx) {
        s += 1;
    }
    s
}

impl<'a> Part<'a> {
    /// The value of the segment's record `i`, where this part keeps it.
    #[inline(always)]
    fn value(self, i: usize) -> Option<&'a Value> {
        match self {
            Part::Dense { values, stride } => values.get(i * stride),
            Part::Sparse(list) => Some(sparse_value(list, i)),
            Part::Absent => None,
        }
    }
}

impl<'a> Column<'a> {
    /// The value of the record at a position, as [`KindData::field`] gives it.
    #[inline]
    pub fn get(&self, idx: usize) -> Option<&'a Value> {
        if idx >= self.len {
            return None;
        }
        let &(start, part) = self.parts.get(self.segment(idx))?;
        part.value(idx - start)
    }

    /// The part holding a position below `len`.
    #[inline(always)]
    fn segment(&self, idx: usize) -> usize {
        let parts = &*self.parts;
        segment_at(self.pages, parts.len(), |s| parts.get(s).map(|p| p.0), idx)
    }

    /// The values of the records at positions `idx`, each as [`Column::get`] gives it, in
    /// order: a run of positions in one segment finds the segment once, not once per record.
    pub fn get_many(&self, idx: &[u32], mut f: impl FnMut(Option<&'a Value>)) {
        // The segment last found: its part, and the positions it holds.
        let mut at: Option<(Part<'a>, usize, usize)> = None;
        for &i in idx {
            let i = i as usize;
            if i >= self.len {
                f(None);
                continue;
            }
            let (part, start) = match at {
                Some((part, start, end)) if start <= i && i < end => (part, start),
                _ => {
                    let s = self.segment(i);
                    let Some(&(start, part)) = self.parts.get(s) else {
                        f(None);
                        continue;
                    };
                    let end = self.parts.get(s + 1).map_or(self.len, |p| p.0);
                    at = Some((part, start, end));
                    (part, start)
                }
            };
            f(part.value(i - start));
        }
    }
}

impl KindData {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The segment holding a position, and the position within it.
    #[inline]
    fn locate(&self, idx: usize) -> Option<(&Segment, usize)> {
        if idx >= self.len {
            return None;
        }
        let s = self.segment_of(idx);
        Some((self.segs.get(s)?, idx - self.starts.get(s)?))
    }

    /// The segment holding a position below `len`.
    #[inline]
    fn segment_of(&self, idx: usize) -> usize {
        segment_at(&self.pages, self.segs.len(), |s| self.starts.get(s).copied(), idx)
    }

    /// Rebuilds the page table after segments were added.
    fn index_pages(&mut self) {
        let pages = self.len.div_ceil(1 << PAGE_BITS);
        self.pages.clear();
        let mut s = 0;
        for p in 0..pages {
            let first = p << PAGE_BITS;
            while self.starts.get(s + 1).is_some_and(|&next| next <= first) {
                s += 1;
            }
            self.pages.push(s as u32);
        }
    }

    /// The record at a position.
    pub fn get(&self, idx: usize) -> Option<Rec<'_>> {
        let (seg, i) = self.locate(idx)?;
        Some(self.rec(seg, i, seg.meta.get(i)?))
    }

    /// The record at position `i` of a segment, of which `m` is the `meta`.
    fn rec<'a>(&self, seg: &'a Segment, i: usize, m: &'a Meta) -> Rec<'a> {
        Rec {
            id: seg.id(i, self.width),
            loc: Loc { file: seg.file, start: m.start, end: m.end },
            fields: Fields { seg, i, width: self.width },
            extra: seg.extra(i),
        }
    }

    /// The id of the record at a position.
    #[inline]
    pub fn id(&self, idx: usize) -> Option<&Str> {
        let (seg, i) = self.locate(idx)?;
        seg.id(i, self.width)
    }

    /// One field of the record at a position.
    #[inline]
    pub fn field(&self, idx: usize, slot: usize) -> Option<&Value> {
        if slot >= self.width {
            return None;
        }
        let (seg, i) = self.locate(idx)?;
        seg.value(i, slot, self.width)
    }

    /// Field `slot` of every record, for reading it of many records ([`Column::get`]); a slot
    /// past the kind's fields has no values.
    pub fn column<'s>(&'s self, slot: usize) -> Column<'s> {
        let parts = if slot >= self.width {
            Box::default()
        } else {
            let width = self.width;
            let part = |seg: &'s Segment| -> Part<'s> {
                let Some(layout) = &seg.layout else {
                    return Part::Dense { values: seg.values.get(slot..).unwrap_or(&[]), stride: width };
                };
                match layout.cols.get(slot) {
                    Some(Ok(col)) => {
                        Part::Dense { values: seg.values.get(*col as usize..).unwrap_or(&[]), stride: layout.stride }
                    }
                    Some(Err(list)) => layout.sparse.get(*list as usize).map_or(Part::Absent, |l| Part::Sparse(l)),
                    None => Part::Absent,
                }
            };
            self.starts.iter().zip(&self.segs).map(|(&start, seg)| (start, part(seg))).collect()
        };
        Column { parts, pages: &self.pages, len: self.len }
    }

    /// The records in order.
    pub fn iter(&self) -> impl Iterator<Item = Rec<'_>> + '_ {
        self.segs.iter().flat_map(move |seg| seg.meta.iter().enumerate().map(move |(i, m)| self.rec(seg, i, m)))
    }

    /// The field values of the record at a position, to change in place (its id stays).
    pub fn fields_mut(&mut self, idx: usize) -> Option<&mut [Value]> {
        if idx >= self.len {
            return None;
        }
        self.forget_links();
        let s = self.segment_of(idx);
        let i = idx - self.starts.get(s)?;
        let w = self.width;
        let seg = self.segs.get_mut(s)?;
        seg.expand(w);
        // An id read from a field is kept apart before the field can change.
        let id = match &seg.ids {
            Ids::Field { slot, .. } => seg.string(i, *slot, w).cloned(),
            Ids::Own(_) => None,
        };
        if let Ids::Field { odd, .. } = &mut seg.ids
            && let Err(at) = odd.binary_search_by_key(&(i as u32), |(p, _)| *p)
        {
            odd.insert(at, (i as u32, id));
        }
        seg.values.get_mut(i * w..(i + 1) * w)
    }

    /// Gives the record at a position another id. The id index is not updated: this is for a
    /// scratch record (one streamed cell after another) that nothing looks up by id.
    pub fn set_id(&mut self, idx: usize, id: Option<Str>) {
        if idx >= self.len {
            return;
        }
        let s = self.segment_of(idx);
        let Some(&start) = self.starts.get(s) else { return };
        let w = self.width;
        if let Some(seg) = self.segs.get_mut(s) {
            seg.set_id(idx - start, w, id);
        }
    }

    /// Appends a record (without indexing its id: see [`KindData::index_ids`]); returns its
    /// position. A record with more or fewer values than the kind's first is cut or padded.
    pub fn add(&mut self, r: Record) -> u32 {
        let mut fields = r.fields.into_vec();
        self.add_row(r.id, r.loc, &mut fields, r.extra)
    }

    /// Appends a record whose values are taken out of `values` (left empty, so a loader can
    /// reuse the buffer); otherwise as [`KindData::add`].
    pub fn add_row(&mut self, id: Option<Str>, loc: Loc, values: &mut Vec<Value>, extra: Vec<(Str, Value)>) -> u32 {
        let idx = self.len as u32;
        self.forget_links();
        if self.segs.is_empty() {
            self.width = values.len();
            self.segs.push(Segment::default());
            self.starts.push(0);
        }
        // A record of another file than the segment's starts a new segment.
        if self.segs.last().is_some_and(|s| !s.meta.is_empty() && s.file != loc.file) {
            self.segs.push(Segment::default());
            self.starts.push(self.len);
            self.index_pages();
        }
        let width = self.width;
        let Some(seg) = self.segs.last_mut() else { return idx };
        if seg.meta.is_empty() {
            seg.file = loc.file;
        }
        seg.expand(width);
        values.resize(width, Value::None);
        // The segment's first id tells where its ids are: in the field that holds it.
        if seg.meta.is_empty()
            && let Some(id) = &id
            && let Some(slot) = values.iter().position(|v| matches!(v, Value::Str(s) if Str::ptr_eq(s, id)))
        {
            seg.ids = Ids::Field { slot, odd: Vec::new() };
        }
        seg.values.append(values);
        if !extra.is_empty() {
            seg.extras.push((seg.meta.len() as u32, extra));
        }
        let i = seg.meta.len();
        seg.meta.push(Meta { start: loc.start, end: loc.end });
        seg.set_id(i, width, id);
        self.len += 1;
        if self.segs.len() > 1 && (idx as usize) >> PAGE_BITS >= self.pages.len() {
            self.pages.push((self.segs.len() - 1) as u32);
        }
        idx
    }

    /// Makes room for `records` more records of `width` values in the last segment, so a
    /// loader that knows (or can count) its records fills arrays of the right size instead of
    /// growing them by doubling (each doubling copies, and the kernel zeroes every new page).
    pub fn reserve(&mut self, width: usize, records: usize) {
        if self.segs.is_empty() {
            self.width = width;
            self.segs.push(Segment::default());
            self.starts.push(0);
        }
        let w = self.width;
        if let Some(seg) = self.segs.last_mut() {
            seg.meta.reserve(records);
            seg.values.reserve(records * w);
        }
    }

    /// Appends a record and indexes its id.
    pub fn push(&mut self, r: Record) -> u32 {
        let id = r.id.clone();
        let idx = self.add(r);
        if let Some(id) = id {
            let mut ids = std::mem::take(&mut self.ids);
            if ids.is_empty() {
                ids.push(HashTable::new());
            }
            let hash = hash_id(&id);
            let n = ids.len();
            if let Some(shard) = ids.get_mut(shard_of(hash, n)) {
                self.index_id(shard, hash, idx);
            }
            self.ids = ids;
        }
        idx
    }

    /// Adds position `idx` under its record's id (of hash `hash`) unless the id is there;
    /// returns the position it is under. Ids are read only where the hashes' tags agree: mostly
    /// the id's own repetition, so a shard built in hash order does not visit records in its
    /// scattered order.
    fn index_id(&self, ids: &mut HashTable<u32>, hash: u64, idx: u32) -> u32 {
        let id = |p: u32| self.id(p as usize).map_or("", |x| x.as_str());
        match ids.entry(hash, |&p| id(p) == id(idx), |&p| hash_id(id(p))) {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get(),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(idx);
                idx
            }
        }
    }

    /// The position of the (first) record with this id.
    #[inline]
    pub fn position(&self, id: &str) -> Option<u32> {
        let hash = hash_id(id);
        let shard = self.ids.get(shard_of(hash, self.ids.len().max(1)))?;
        shard.find(hash, |&p| self.id(p as usize).is_some_and(|x| **x == *id)).copied()
    }

    /// Gives back the spare room of the arrays (a file's records were read into growing ones),
    /// and keeps rarely filled fields apart ([`Layout`]): the file's records are complete.
    pub fn shrink_to_fit(&mut self) {
        let width = self.width;
        for seg in &mut self.segs {
            seg.compact(width);
            seg.meta.shrink_to_fit();
            seg.values.shrink_to_fit();
            match &mut seg.ids {
                Ids::Own(ids) => ids.shrink_to_fit(),
                Ids::Field { odd, .. } => odd.shrink_to_fit(),
            }
        }
    }

    /// Moves every record of `other` to the end, as segments: nothing is copied (ids are not
    /// indexed: see [`KindData::index_ids`]).
    pub fn append(&mut self, other: KindData) {
        if other.is_empty() {
            return;
        }
        self.forget_links();
        if self.is_empty() {
            self.width = other.width;
            self.segs.clear();
            self.starts.clear();
        }
        if other.width != self.width {
            for r in other.iter() {
                self.add(Record {
                    id: r.id.cloned(),
                    loc: r.loc,
                    fields: r.fields.to_vec().into(),
                    extra: r.extra.to_vec(),
                });
            }
            return;
        }
        for seg in other.segs.into_iter().filter(|s| !s.meta.is_empty()) {
            self.starts.push(self.len);
            self.len += seg.meta.len();
            self.segs.push(seg);
        }
        self.index_pages();
    }

    /// Builds the id index of records added without it; returns each repeated id as
    /// `(position, position of its first occurrence)`.
    ///
    /// The ids are hashed in parallel and split by hash into shards, which are built in
    /// parallel, each from its positions in order (so the first occurrence of an id is the one
    /// indexed): a shard's small table stays in the processor's cache, where one table of
    /// millions of ids missed it at nearly every insertion.
    pub fn index_ids(&mut self) -> Vec<(u32, u32)> {
        use rayon::prelude::*;
        let n = shards_for(self.len);
        let this = &*self;
        // Chunks of records in parallel: each shard's ids as (hash, position), in order.
        const CHUNK: usize = 1 << 16;
        let parts: Vec<Vec<Vec<(u64, u32)>>> = (0..this.len.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut shards = vec![Vec::new(); n];
                for i in c * CHUNK..((c + 1) * CHUNK).min(this.len) {
                    if let Some(id) = this.id(i) {
                        let h = hash_id(id);
                        if let Some(shard) = shards.get_mut(shard_of(h, n)) {
                            shard.push((h, i as u32));
                        }
                    }
                }
                shards
            })
            .collect();
        let (ids, dups): (Vec<HashTable<u32>>, Vec<Dups>) = (0..n)
            .into_par_iter()
            .map(|s| {
                // Each part has its `n` shards.
                fn shard(p: &[Vec<(u64, u32)>], s: usize) -> &[(u64, u32)] {
                    p.get(s).map_or(&[], Vec::as_slice)
                }
                let entries = parts.iter().flat_map(|p| shard(p, s).iter().copied());
                let mut ids = HashTable::with_capacity(parts.iter().map(|p| shard(p, s).len()).sum());
                let mut dups = Vec::new();
                for (hash, i) in entries {
                    let first = this.index_id(&mut ids, hash, i);
                    if first != i {
                        dups.push((i, first));
                    }
                }
                (ids, dups)
            })
            .unzip();
        let mut dups: Vec<(u32, u32)> = dups.into_iter().flatten().collect();
        dups.sort_unstable();
        self.ids = ids;
        self.repeated_ids = !dups.is_empty();
        dups
    }

    /// Drops resolved references (records were added or changed); the evaluator then looks
    /// ids up.
    #[inline]
    pub fn forget_links(&mut self) {
        if !self.links.is_empty() {
            self.links.clear();
        }
    }

    /// The resolved reference field `slot` (see [`KindData::set_link`]), if it was resolved.
    #[inline]
    pub fn link(&self, slot: usize) -> Option<&[u32]> {
        self.links.get(&slot).map(Vec::as_slice)
    }

    /// Records the resolved reference field `slot`: one target position (or [`NO_LINK`]) per
    /// record, in record order. Ignored unless there is one per record.
    pub fn set_link(&mut self, slot: usize, targets: Vec<u32>) {
        if targets.len() == self.len {
            self.links.insert(slot, targets);
        }
    }
}

/// Records of every kind, indexed by [`KindId`].
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Per kind.
    pub kinds: Vec<KindData>,
}

impl Store {
    /// A store with `n` empty kinds.
    pub fn with_kinds(n: usize) -> Self {
        Store { kinds: vec![KindData::default(); n] }
    }

    /// The records of a kind (empty for an unknown kind).
    pub fn kind(&self, k: KindId) -> &KindData {
        static EMPTY: std::sync::LazyLock<KindData> = std::sync::LazyLock::new(KindData::default);
        self.kinds.get(k.0 as usize).unwrap_or(&EMPTY)
    }

    /// Mutable records of a kind, growing the store if needed.
    #[allow(clippy::indexing_slicing, reason = "the kinds were just grown to hold `i`")]
    pub fn kind_mut(&mut self, k: KindId) -> &mut KindData {
        let i = k.0 as usize;
        if self.kinds.len() <= i {
            self.kinds.resize_with(i + 1, KindData::default);
        }
        &mut self.kinds[i]
    }

    /// A record by reference.
    pub fn get(&self, r: RecordRef) -> Option<Rec<'_>> {
        self.kind(r.kind).get(r.idx as usize)
    }

    /// One field of a record.
    #[inline]
    pub fn field(&self, r: RecordRef, slot: usize) -> Option<&Value> {
        self.kind(r.kind).field(r.idx as usize, slot)
    }

    /// A record by kind and id.
    pub fn by_id(&self, k: KindId, id: &str) -> Option<RecordRef> {
        self.kind(k).position(id).map(|idx| RecordRef { kind: k, idx })
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests {
    use super::*;

    fn rec(i: usize, width: usize) -> Record {
        Record {
            id: Some(Str::from(format!("R{}", i % 9_000))),
            loc: Loc::default(),
            fields: (0..width).map(|s| Value::Int((i * 10 + s) as i64)).collect(),
            extra: if i.is_multiple_of(7) { vec![(Str::from("x"), Value::Int(i as i64))] } else { Vec::new() },
        }
    }

    #[test]
    fn segments_read_like_one_array() {
        let mut data = KindData::default();
        let mut n = 0;
        // Segments big and small, crossing pages, with an empty one.
        for size in [3, 5000, 0, 1, 4096, 12_000, 2] {
            let mut part = KindData::default();
            for _ in 0..size {
                part.add(rec(n, 3));
                n += 1;
            }
            data.append(part);
        }
        for _ in 0..5000 {
            data.add(rec(n, 3));
            n += 1;
        }
        assert_eq!(data.len(), n);
        for i in (0..n).step_by(7).chain([0, n - 1]) {
            let r = data.get(i).expect("in range");
            assert_eq!(
                r.fields.to_vec(),
                [Value::Int(i as i64 * 10), Value::Int(i as i64 * 10 + 1), Value::Int(i as i64 * 10 + 2)]
            );
            assert_eq!(data.field(i, 2), Some(&Value::Int(i as i64 * 10 + 2)));
            assert_eq!(r.extra.len(), usize::from(i % 7 == 0));
            assert_eq!(data.id(i).map(|s| s.to_string()), Some(format!("R{}", i % 9_000)));
        }
        assert!(data.get(n).is_none() && data.field(0, 3).is_none());
        assert_eq!(data.iter().count(), n);
        assert!(data.iter().enumerate().all(|(i, r)| r.fields.get(0) == Some(&Value::Int(i as i64 * 10))));
        if let Some(f) = data.fields_mut(9000) {
            f[1] = Value::None;
        }
        assert_eq!(data.field(9000, 1), Some(&Value::None));
        // Ids repeat every 9000 records: each later one is reported with its first.
        let dups = data.index_ids();
        assert_eq!(dups.len(), n - 9000);
        assert_eq!(dups[0], (9000, 0));
        assert_eq!(data.position("R5"), Some(5));
        assert_eq!(data.position("R8999"), Some(8999));
        assert_eq!(data.position("R9000"), None);
    }

    #[test]
    fn a_big_kind_is_indexed_in_shards() {
        // 200k records in segments, ids repeating every 90k: several shards, and every repeated
        // id reported with its first occurrence, in order of position.
        let mut data = KindData::default();
        for start in (0..200_000).step_by(25_000) {
            let mut part = KindData::default();
            for i in start..start + 25_000 {
                part.add(Record {
                    id: Some(Str::from(format!("ID-{}", i % 90_000))),
                    loc: Loc::default(),
                    fields: vec![Value::Int(i as i64)].into(),
                    extra: Vec::new(),
                });
            }
            data.append(part);
        }
        let dups = data.index_ids();
        assert!(data.ids.len() > 1, "{} shards", data.ids.len());
        assert_eq!(dups.len(), 110_000);
        assert!(dups.iter().all(|&(later, first)| later as usize % 90_000 == first as usize && first < 90_000));
        assert!(dups.windows(2).all(|w| w[0].0 < w[1].0));
        for i in [0, 1, 45_678, 89_999] {
            assert_eq!(data.position(&format!("ID-{i}")), Some(i as u32));
        }
        assert_eq!(data.position("ID-90000"), None);
        // A record pushed afterwards is found in its shard.
        let at = data.push(Record {
            id: Some(Str::from("NEW")),
            loc: Loc::default(),
            fields: vec![Value::None].into(),
            extra: Vec::new(),
        });
        assert_eq!(data.position("NEW"), Some(at));
    }

    #[test]
    fn records_keep_their_file_and_undeclared_fields() {
        // Records of two files added in turn: each keeps its location (the file is its
        // segment's) and its undeclared fields.
        let mut data = KindData::default();
        for i in 0..10_000u32 {
            let file = FileId(i / 3 % 2);
            let mut r = rec(i as usize, 2);
            r.loc = Loc::new(file, i as usize, i as usize + 5);
            data.add(r);
        }
        for i in (0..10_000).step_by(13) {
            let r = data.get(i).expect("in range");
            assert_eq!(r.loc, Loc::new(FileId(i as u32 / 3 % 2), i, i + 5));
            assert_eq!(r.extra.len(), usize::from(i % 7 == 0), "record {i}");
            assert_eq!(data.field(i, 1), Some(&Value::Int(i as i64 * 10 + 1)));
        }
        assert_eq!(data.iter().filter(|r| !r.extra.is_empty()).count(), 10_000usize.div_ceil(7));
    }

    #[test]
    fn ids_are_read_from_their_field_unless_they_are_something_else() {
        let mut data = KindData::default();
        let rec = |id: Option<&str>, field: Option<&str>| {
            let id = id.map(Str::from);
            // A loaded record's id is its field's string (the same allocation).
            let field = match (field, &id) {
                (Some(f), Some(i)) if f == i.as_str() => Value::Str(i.clone()),
                (Some(f), _) => Value::str(f),
                (None, _) => Value::None,
            };
            Record { id, loc: Loc::default(), fields: vec![Value::Int(1), field].into(), extra: Vec::new() }
        };
        data.add(rec(Some("A"), Some("A")));
        data.add(rec(Some("#2"), None));
        data.add(rec(None, Some("C")));
        data.add(rec(Some("D"), Some("D")));
        data.add(rec(Some("E"), Some("other")));
        let ids: Vec<Option<&str>> = (0..5).map(|i| data.id(i).map(Str::as_str)).collect();
        assert_eq!(ids, [Some("A"), Some("#2"), None, Some("D"), Some("E")]);
        assert_eq!(data.get(3).and_then(|r| r.id_str()), Some("D"));
        // Changing a record's fields keeps its id; giving it another id changes only that.
        if let Some(f) = data.fields_mut(0) {
            f[1] = Value::str("Z");
        }
        data.set_id(3, Some(Str::from("D2")));
        let ids: Vec<Option<&str>> = (0..5).map(|i| data.id(i).map(Str::as_str)).collect();
        assert_eq!(ids, [Some("A"), Some("#2"), None, Some("D2"), Some("E")]);
        data.index_ids();
        assert_eq!((data.position("A"), data.position("D2"), data.position("Z")), (Some(0), Some(3), None));
        // A kind whose first record has no id in a field keeps every id itself.
        let mut own = KindData::default();
        own.add(rec(Some("x/1"), Some("y")));
        own.add(rec(Some("x/2"), Some("x/2")));
        assert_eq!(own.id(1).map(Str::as_str), Some("x/2"));
        assert_eq!(own.id(0).map(Str::as_str), Some("x/1"));
    }

    #[test]
    fn a_column_reads_what_field_reads() {
        // Segments of different sizes across pages (one empty), some with rarely filled fields
        // kept apart, the last one still growing (not compacted).
        let mut data = KindData::default();
        let mut n = 0usize;
        for (size, compact) in [(700, true), (0, true), (5000, false), (9000, true), (1, true), (300, false)] {
            let mut part = KindData::default();
            for _ in 0..size {
                let id = Str::from(format!("R{n}"));
                let rare = if n % 40 == 3 { Value::Int(n as i64) } else { Value::None };
                let fields = vec![Value::Str(id.clone()), Value::Int(n as i64), rare, Value::None];
                part.add(Record { id: Some(id), loc: Loc::default(), fields: fields.into(), extra: Vec::new() });
                n += 1;
            }
            if compact {
                part.shrink_to_fit();
            }
            data.append(part);
        }
        assert!(data.segs.iter().any(|s| s.layout.is_some()) && data.segs.iter().any(|s| s.layout.is_none()));
        for slot in 0..6 {
            let column = data.column(slot);
            for i in 0..n + 3 {
                assert_eq!(column.get(i), data.field(i, slot), "record {i}, slot {slot}");
            }
            // Many at once: runs within a segment, across segments, gaps, past the end.
            for (from, step) in [(0, 1), (650, 1), (5600, 3), (14_690, 1), (0, 97), (n - 5, 1)] {
                let idx: Vec<u32> = (from..n + 3).step_by(step).take(300).map(|i| i as u32).collect();
                let mut got = Vec::new();
                column.get_many(&idx, |v| got.push(v));
                let want: Vec<_> = idx.iter().map(|&i| data.field(i as usize, slot)).collect();
                assert_eq!(got, want, "from {from}, step {step}, slot {slot}");
            }
        }
        // A kind without records has no values.
        assert_eq!(KindData::default().column(0).get(0), None);
    }

    #[test]
    fn rarely_filled_fields_are_kept_apart_and_read_the_same() {
        let mut data = KindData::default();
        for i in 0..1000usize {
            let id = Str::from(format!("R{i}"));
            let rare = if i % 50 == 7 { Value::Int(i as i64) } else { Value::None };
            let fields = vec![Value::Str(id.clone()), Value::Int(i as i64 * 2), rare, Value::None];
            data.add(Record { id: Some(id), loc: Loc::default(), fields: fields.into(), extra: Vec::new() });
        }
        let before: Vec<Vec<Value>> = data.iter().map(|r| r.fields.to_vec()).collect();
        data.shrink_to_fit();
        assert!(data.segs[0].layout.is_some(), "the rare fields are kept apart");
        assert_eq!(data.segs[0].values.len(), 2000, "two fields per record stay in the array");
        let after: Vec<Vec<Value>> = data.iter().map(|r| r.fields.to_vec()).collect();
        assert_eq!(before, after);
        assert_eq!(data.field(57, 2), Some(&Value::Int(57)));
        assert_eq!(data.field(58, 2), Some(&Value::None));
        assert_eq!(data.field(58, 4), None);
        assert_eq!(data.get(58).map(|r| r.fields.len()), Some(4));
        assert_eq!(data.id(999).map(Str::as_str), Some("R999"));
        // Changing a record puts every field back in the array.
        if let Some(f) = data.fields_mut(10) {
            f[3] = Value::Int(-1);
        }
        assert!(data.segs[0].layout.is_none());
        assert_eq!(data.field(10, 3), Some(&Value::Int(-1)));
        assert_eq!(data.field(57, 2), Some(&Value::Int(57)));
        assert_eq!(data.id(10).map(Str::as_str), Some("R10"));
        assert_eq!(data.iter().filter(|r| r.fields.get(2).is_some_and(|v| !v.is_none())).count(), 20);
    }

    #[test]
    fn records_of_another_width_are_fitted() {
        let mut data = KindData::default();
        data.add(rec(0, 2));
        let mut other = KindData::default();
        other.add(rec(1, 3));
        data.append(other);
        assert_eq!(data.get(1).map(|r| r.fields.len()), Some(2));
    }
}
