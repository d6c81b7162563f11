//! Kept verdicts of quantifiers over elements ([`Memo`]).

use std::sync::{Arc, Mutex};

use crate::base::value::{KindId, Str, Value, same_text};

/// One quantifier's verdicts, by element (`None`: filtered out).
type Table = hashbrown::HashMap<Key, Option<bool>, rustc_hash::FxBuildHasher>;

/// The verdicts of quantifiers over elements (`forall r in p.roles: <only about r>`), per
/// element: many subjects share elements (a million people, fifty roles), and what holds of an
/// element alone does not change from one subject to the next. One table per memoised
/// quantifier.
///
/// Each thread (each chunk of subjects) reads its own copy, so the verdict of an element seen
/// before costs one lookup and no lock. A verdict it has not seen is looked for next in the
/// tables its copies share, under a lock: an element is judged about once per run, not once per
/// chunk. That matters where judging one is dear: a role whose KPI sheets, thousands of them,
/// all lack an indicator is judged by reading every sheet. The verdicts are the same whichever
/// thread finds them first, so sharing them changes no result.
#[derive(Clone, Debug, Default)]
pub(in crate::eval) struct Memo {
    own: Vec<Table>,
    /// Per quantifier, this copy's verdicts for strings the run's data holds, by the address
    /// of their text ([`Memo::get_stored`]).
    stored: Vec<Stored>,
    shared: Arc<[Mutex<Table>]>,
}

/// Verdicts by the address of a string's text.
type Stored = hashbrown::HashMap<usize, Option<bool>, rustc_hash::FxBuildHasher>;

impl Memo {
    /// Empty tables for `n` memoised quantifiers, shared by the copies of this memo.
    pub(in crate::eval) fn new(n: usize) -> Memo {
        Memo {
            own: vec![Table::default(); n],
            stored: vec![Stored::default(); n],
            shared: (0..n).map(|_| Mutex::new(Table::default())).collect(),
        }
    }

    /// The verdict this copy keeps for quantifier `m` and a string of the run's data whose text
    /// is at `at`: found by a word's hash, where [`Memo::get`] hashes and compares the text
    /// (most elements are such strings: `r in p.roles`, `o in g.ops`). The data is not changed
    /// or dropped while the run's checks run, so an address names one text for the run;
    /// strings made while evaluating are never kept this way (they could be dropped and their
    /// address reused).
    #[inline]
    pub(in crate::eval) fn get_stored(&self, m: usize, at: usize) -> Option<Option<bool>> {
        self.stored.get(m)?.get(&at).copied()
    }

    /// Keeps `v` as quantifier `m`'s verdict for the run's string whose text is at `at`.
    pub(in crate::eval) fn keep_stored(&mut self, m: usize, at: usize, v: Option<bool>) {
        if let Some(t) = self.stored.get_mut(m) {
            t.insert(at, v);
        }
    }

    /// The verdict kept for `key` by quantifier `m`, found by this copy or another.
    pub(in crate::eval) fn get(&mut self, m: usize, key: &KeyRef<'_>) -> Option<Option<bool>> {
        let own = self.own.get_mut(m)?;
        if let Some(&v) = own.get(key) {
            return Some(v);
        }
        // A poisoned lock: another thread panicked mid-insert; its table is still whole.
        let shared = self.shared.get(m)?.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let v = *shared.get(key)?;
        drop(shared);
        own.insert(key.owned(), v);
        Some(v)
    }

    /// Keeps `v` as quantifier `m`'s verdict for `key`, for this copy and the others.
    pub(in crate::eval) fn put(&mut self, m: usize, key: Key, v: Option<bool>) {
        if let Some(shared) = self.shared.get(m) {
            shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.clone(), v);
        }
        if let Some(own) = self.own.get_mut(m) {
            own.insert(key, v);
        }
    }
}

/// An element a verdict is kept for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(in crate::eval) enum Key {
    Str(Str),
    Record(KindId, u32),
}

/// A [`Key`] borrowed from the element: looking a verdict up does not touch the reference
/// count of the element's string (which both threads would otherwise write at every element).
#[derive(Hash)]
pub(in crate::eval) enum KeyRef<'v> {
    Str(&'v str),
    Record(KindId, u32),
}

impl hashbrown::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        match (self, key) {
            (KeyRef::Str(a), Key::Str(b)) => same_text(a, b),
            (KeyRef::Record(k, i), Key::Record(l, j)) => k == l && i == j,
            _ => false,
        }
    }
}

impl<'v> KeyRef<'v> {
    /// The key of an element that can have one (a string, a record).
    pub(in crate::eval) fn of(v: &'v Value) -> Option<KeyRef<'v>> {
        match v {
            Value::Str(s) => Some(KeyRef::Str(s.as_str())),
            Value::Record(r) => Some(KeyRef::Record(r.kind, r.idx)),
            _ => None,
        }
    }

    /// The key, owned.
    pub(in crate::eval) fn owned(&self) -> Key {
        match *self {
            KeyRef::Str(s) => Key::Str(Str::from(s)),
            KeyRef::Record(k, i) => Key::Record(k, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_found_by_one_copy_is_found_by_the_others() {
        let mut a = Memo::new(2);
        let mut b = a.clone();
        assert_eq!(a.get(1, &KeyRef::Str("运营专员")), None);
        a.put(1, KeyRef::Str("运营专员").owned(), Some(false));
        assert_eq!(b.get(1, &KeyRef::Str("运营专员")), Some(Some(false)));
        // Each quantifier has its own table, and other keys are not found.
        assert_eq!(b.get(0, &KeyRef::Str("运营专员")), None);
        assert_eq!(b.get(1, &KeyRef::Str("运营经理")), None);
        assert_eq!(b.get(1, &KeyRef::Record(KindId(1), 0)), None);
        b.put(0, Key::Record(KindId(1), 0), None);
        assert_eq!(a.get(0, &KeyRef::Record(KindId(1), 0)), Some(None));
        // A table that is not there keeps nothing and finds nothing.
        a.put(7, Key::Record(KindId(1), 0), Some(true));
        assert_eq!(a.get(7, &KeyRef::Record(KindId(1), 0)), None);
        // A memo made anew shares nothing with the others.
        assert_eq!(Memo::new(2).get(1, &KeyRef::Str("运营专员")), None);
    }

    /// A verdict kept by a string's address is found by that address, for that quantifier, by
    /// this copy alone (another copy finds it by the string, through the shared tables).
    #[test]
    fn a_verdict_kept_by_address_is_found_by_it() {
        let mut a = Memo::new(2);
        let text = Str::from("运营专员");
        let at = text.as_ptr() as usize;
        assert_eq!(a.get_stored(0, at), None);
        a.keep_stored(0, at, Some(true));
        assert_eq!(a.get_stored(0, at), Some(Some(true)));
        assert_eq!(a.get_stored(1, at), None);
        assert_eq!(a.get_stored(0, at + 1), None);
        assert_eq!(a.get_stored(5, at), None);
        a.keep_stored(5, at, None);
        assert_eq!(Memo::new(2).get_stored(0, at), None);
    }

    /// A borrowed key finds what was kept under its owned key (same hash, equivalent).
    #[test]
    fn a_borrowed_key_finds_the_kept_verdict() {
        let mut table: Table = Default::default();
        let (s, r) = (Value::str("查看"), Value::Record(crate::base::value::RecordRef { kind: KindId(3), idx: 7 }));
        for (v, verdict) in [(&s, Some(true)), (&r, None)] {
            let k = KeyRef::of(v).expect("a key");
            assert!(table.get(&k).is_none());
            table.insert(k.owned(), verdict);
            assert_eq!(table.get(&KeyRef::of(v).expect("a key")), Some(&verdict));
        }
        assert!(table.get(&KeyRef::of(&Value::str("导出")).expect("a key")).is_none());
        assert!(KeyRef::of(&Value::Int(1)).is_none());
    }
}
