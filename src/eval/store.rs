//! Records by kind, with an id index: the one in-memory form of declarations and org data.

use rustc_hash::FxHashMap as HashMap;

use super::value::{KindId, RecordRef, Str, Value};
use crate::source::Loc;

/// One record: id, location and field values in schema order.
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

/// All records of one kind.
#[derive(Clone, Debug, Default)]
pub struct KindData {
    /// Records in load order.
    pub records: Vec<Record>,
    /// Position by id (first occurrence wins; duplicates are reported by the loader).
    pub by_id: HashMap<Str, u32>,
}

impl KindData {
    /// Appends a record and indexes its id.
    pub fn push(&mut self, r: Record) -> u32 {
        let idx = self.records.len() as u32;
        if let Some(id) = &r.id {
            self.by_id.entry(id.clone()).or_insert(idx);
        }
        self.records.push(r);
        idx
    }

    /// Builds the id index of records added without it; returns each repeated id as
    /// `(position, position of its first occurrence)`.
    pub fn index_ids(&mut self) -> Vec<(u32, u32)> {
        self.by_id = HashMap::with_capacity_and_hasher(self.records.len(), Default::default());
        let mut dups = Vec::new();
        for (i, r) in self.records.iter().enumerate() {
            if let Some(id) = &r.id {
                match self.by_id.entry(id.clone()) {
                    std::collections::hash_map::Entry::Occupied(e) => dups.push((i as u32, *e.get())),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(i as u32);
                    }
                }
            }
        }
        dups
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
    pub fn kind_mut(&mut self, k: KindId) -> &mut KindData {
        let i = k.0 as usize;
        if self.kinds.len() <= i {
            self.kinds.resize_with(i + 1, KindData::default);
        }
        &mut self.kinds[i]
    }

    /// A record by reference.
    pub fn get(&self, r: RecordRef) -> Option<&Record> {
        self.kind(r.kind).records.get(r.idx as usize)
    }

    /// A record by kind and id.
    pub fn by_id(&self, k: KindId, id: &str) -> Option<RecordRef> {
        self.kind(k).by_id.get(id).map(|&idx| RecordRef { kind: k, idx })
    }
}
