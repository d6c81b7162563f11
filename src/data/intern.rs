//! Sharing repeated strings of the data (unit ids, role names, enum values) in one allocation.

use crate::base::value::Str;

/// Entries of a [`Strings`] cache (a power of two): 48 KB, within the processor's nearest caches
/// (at 1M people, 4096 entries read the CSV files faster than 16k or 64k, with the same memory).
const ENTRIES: usize = 1 << 12;

/// A direct-mapped cache of strings by hash. Repeated cells are mostly near each other (a
/// person's grants, a unit's people) or few (enum values, names): a fixed table stays in the
/// processor's cache, where a set of every string seen grows to millions of entries, misses the
/// cache on every lookup and rehashes as it grows. A string evicted by another is simply made
/// again the next time.
pub(super) struct Strings {
    slots: Box<[Option<Str>]>,
    /// The high half of each slot's hash: a different string is told apart without reading
    /// it (most lookups of a new string would otherwise miss the cache twice).
    tags: Box<[u32]>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings { slots: vec![None; ENTRIES].into_boxed_slice(), tags: vec![0; ENTRIES].into_boxed_slice() }
    }
}

impl Strings {
    /// `text` as a shared string: the one made last time for the same text, if still cached.
    pub(super) fn get(&mut self, text: &str) -> Str {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one(text);
        let (at, tag) = (hash as usize & (ENTRIES - 1), (hash >> 32) as u32);
        if self.tags[at] == tag
            && let Some(s) = &self.slots[at]
            && s.as_str() == text
        {
            return s.clone();
        }
        self.tags[at] = tag;
        self.slots[at].insert(Str::from(text)).clone()
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
}
