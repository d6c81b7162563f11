//! Sharing repeated strings of the data (unit ids, role names, enum values) in one allocation,
//! and a record's id with every reference to it.

use std::sync::{Arc, Mutex};

use hashbrown::HashTable;

use crate::base::value::{KindId, Str};
use crate::policy::types::Type;
use crate::policy::{KindSchema, Schema};

fn hash(text: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(text)
}

/// Shards of [`Names`] (a power of two): two loader threads seldom wait for one another.
const NAME_SHARDS: usize = 64;

/// A part of [`Names`]: strings with their hashes (growing the table rehashes without reading
/// the strings).
type Shard = HashTable<(u64, Str)>;

/// The strings that name records, shared by every thread that loads one org: a record's id
/// and the references to it are read from different files, by different threads, and become
/// one allocation. At a million people the two million references of appraisals and grants
/// to people were each a copy of 24 bytes (some 50 MB, freed only into the allocator's pages
/// if shared afterwards). Kept only while the files are read: the records hold the strings.
pub(super) struct Names {
    shards: Box<[Mutex<Shard>]>,
    /// Per kind: whether a field of some kind names its records (their ids are shared).
    named: Box<[bool]>,
}

impl Names {
    /// The names of the org records of `schema`.
    pub(super) fn new(schema: &Schema) -> Arc<Names> {
        let mut named = vec![false; schema.kinds.len()];
        for f in schema.record_kinds().flat_map(|(_, ks)| ks.fields.iter()) {
            f.ty.each_ref(&mut |k| {
                if let Some(n) = named.get_mut(k.0 as usize) {
                    *n = true;
                }
            });
        }
        Names::of(named)
    }

    /// Names of the kinds marked in `named`.
    fn of(named: Vec<bool>) -> Arc<Names> {
        let shards = (0..NAME_SHARDS).map(|_| Mutex::new(HashTable::new())).collect();
        Arc::new(Names { shards, named: named.into() })
    }

    /// Whether some field names records of `kind`.
    pub(super) fn names(&self, kind: KindId) -> bool {
        self.named.get(kind.0 as usize).copied().unwrap_or(false)
    }

    /// `text` (of hash `hash`) as the one string every thread shares for it.
    fn get(&self, text: &str, hash: u64) -> Str {
        // Bits the table itself does not use for its buckets (the low ones) or tags (the top 7).
        let shard = (hash >> 32) as usize % NAME_SHARDS;
        // A poisoned shard (a loader panicked) only stops the sharing.
        let Some(Ok(mut table)) = self.shards.get(shard).map(Mutex::lock) else { return Str::from(text) };
        let entry = table.entry(hash, |(h, s)| *h == hash && s.as_str() == text, |(h, _)| *h);
        entry.or_insert_with(|| (hash, Str::from(text))).get().1.clone()
    }
}

/// How a string of a record is made ([`Strings::make`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Share {
    /// The record's id: the org's shared string where records of the kind are named by
    /// others, else its own.
    Id(KindId),
    /// A reference to a record (or an item of a list of them): the org's shared string.
    Name,
    /// Anything else: shared with an equal string read recently.
    File,
}

impl Share {
    /// How the strings of field `slot` (`None`: undeclared) of a record of `kind` are made.
    pub(super) fn of(ks: &KindSchema, kind: KindId, slot: Option<usize>) -> Share {
        let Some(s) = slot else { return Share::File };
        match ks.fields.get(s).map(|f| &f.ty) {
            _ if Some(s) == ks.id_slot() => Share::Id(kind),
            Some(Type::Ref(_)) => Share::Name,
            Some(Type::List(item)) if matches!(**item, Type::Ref(_)) => Share::Name,
            _ => Share::File,
        }
    }

    /// Whether values may repeat (lists of them are shared too).
    pub(super) fn repeats(self) -> bool {
        !matches!(self, Share::Id(_))
    }
}

/// Entries of a [`Strings`] cache (a power of two): 48 KB, within the processor's nearest caches
/// (at 1M people, 4096 entries read the CSV files faster than 16k or 64k, with the same memory).
const ENTRIES: usize = 1 << 12;

/// A direct-mapped cache of strings by hash. Repeated cells are mostly near each other (a
/// person's grants, a unit's people) or few (enum values, names): a fixed table stays in the
/// processor's cache, where a set of every string seen grows to millions of entries, misses the
/// cache on every lookup and rehashes as it grows. A string evicted by another is simply made
/// again the next time.
pub(super) struct Strings {
    /// The org's shared names, while its files are read ([`Strings::name`]).
    pub(super) names: Option<Arc<Names>>,
    slots: Box<[Option<Str>]>,
    /// The high half of each slot's hash: a different string is told apart without reading
    /// it (most lookups of a new string would otherwise miss the cache twice). Its lowest bit
    /// says whether the string is the org's shared name.
    tags: Box<[u32]>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            names: None,
            slots: vec![None; ENTRIES].into_boxed_slice(),
            tags: vec![0; ENTRIES].into_boxed_slice(),
        }
    }
}

impl Strings {
    /// `text` made as `share` says: [`Strings::id`], [`Strings::name`] or [`Strings::get`].
    pub(super) fn make(&mut self, text: &str, share: Share) -> Str {
        match share {
            Share::Id(kind) => self.id(text, kind),
            Share::Name => self.name(text),
            Share::File => self.get(text),
        }
    }

    /// `text` as a shared string: the one made last time for the same text, if still cached.
    pub(super) fn get(&mut self, text: &str) -> Str {
        self.cached(text, false)
    }

    /// `text` naming a record (a reference): as [`Strings::get`], and else the org's shared
    /// string for it, the one its record's id is ([`Names`]).
    pub(super) fn name(&mut self, text: &str) -> Str {
        self.cached(text, true)
    }

    /// The id `text` of a record of `kind`: the org's shared string if records of the kind are
    /// named by others, else its own (ids are unique: they are not cached).
    pub(super) fn id(&mut self, text: &str, kind: KindId) -> Str {
        match &self.names {
            Some(names) if names.names(kind) => names.get(text, hash(text)),
            _ => Str::from(text),
        }
    }

    /// The cached string for `text`; a name ([`Strings::name`]) only from an entry that is
    /// the org's shared one, which the lowest bit of its tag marks.
    fn cached(&mut self, text: &str, name: bool) -> Str {
        let hash = hash(text);
        let at = hash as usize & (ENTRIES - 1);
        let shared = self.names.is_some() && name;
        let tag = (hash >> 32) as u32 & !1 | shared as u32;
        let seen = self.tags[at];
        if (seen == tag || (!name && seen | 1 == tag | 1))
            && let Some(s) = &self.slots[at]
            && s.as_str() == text
        {
            return s.clone();
        }
        let made = match &self.names {
            Some(names) if name => names.get(text, hash),
            _ => Str::from(text),
        };
        self.tags[at] = tag;
        self.slots[at].insert(made).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_gives_the_same_allocation_until_evicted() {
        let mut strings = Strings::default();
        let a = strings.get("运营经理");
        assert!(Str::ptr_eq(&a, &strings.get("运营经理")));
        assert_eq!(strings.get("店长"), "店长");
        // Many other strings evict it at the latest when they have filled every entry: the
        // text is still right, made anew.
        for i in 0..4 * ENTRIES {
            strings.get(&i.to_string());
        }
        assert_eq!(strings.get("运营经理"), "运营经理");
    }

    #[test]
    fn ids_and_references_read_by_different_threads_are_one_string() {
        // Kind 0 is named by references, kind 1 is not.
        let names = Names::of(vec![true, false]);
        let (mut a, mut b) = (Strings::default(), Strings::default());
        a.names = Some(names.clone());
        b.names = Some(names);
        let id = a.id("P0000003", KindId(0));
        let reference = std::thread::scope(|s| s.spawn(|| b.name("P0000003")).join()).expect("thread");
        assert!(Str::ptr_eq(&id, &reference));
        // Again from the first one's cache, and from a reference read first.
        assert!(Str::ptr_eq(&a.name("P0000003"), &id));
        let early = b.name("P0000004");
        assert!(Str::ptr_eq(&a.id("P0000004", KindId(0)), &early));
        // An id of a kind nothing names is its own string; so is any string without names.
        assert!(!Str::ptr_eq(&a.id("A1", KindId(1)), &b.name("A1")));
        let mut alone = Strings::default();
        assert!(!Str::ptr_eq(&alone.id("P0000003", KindId(0)), &id));
        assert_eq!(alone.name("P0000003"), "P0000003");
        // Ordinary strings are not the shared names, but may be them; a name read after an
        // equal ordinary string is still the shared one.
        let mut c = Strings { names: a.names.clone(), ..Strings::default() };
        assert!(!Str::ptr_eq(&c.get("P0000003"), &id));
        assert!(Str::ptr_eq(&c.name("P0000003"), &id));
        assert!(Str::ptr_eq(&c.get("P0000003"), &id));
    }
}
