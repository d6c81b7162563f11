//! Sharing repeated strings of the data (unit ids, role names, enum values) in one allocation.

use crate::eval::value::Str;

/// Entries of a [`Strings`] cache (a power of two).
const ENTRIES: usize = 1 << 16;

/// A direct-mapped cache of strings by hash. Repeated cells are mostly near each other (a
/// person's grants, a unit's people) or few (enum values, names): a fixed table stays in the
/// processor's cache, where a set of every string seen grows to millions of entries, misses the
/// cache on every lookup and rehashes as it grows. A string evicted by another is simply made
/// again the next time.
pub(super) struct Strings {
    slots: Box<[Option<Str>]>,
}

impl Default for Strings {
    fn default() -> Self {
        Strings { slots: vec![None; ENTRIES].into_boxed_slice() }
    }
}

impl Strings {
    /// `text` as a shared string: the one made last time for the same text, if still cached.
    pub(super) fn get(&mut self, text: &str) -> Str {
        use std::hash::BuildHasher;
        let at = rustc_hash::FxBuildHasher.hash_one(text) as usize & (ENTRIES - 1);
        match &mut self.slots[at] {
            Some(s) if s.as_str() == text => s.clone(),
            slot => slot.insert(Str::from(text)).clone(),
        }
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
