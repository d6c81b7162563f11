//! Join indexes: for a (kind, field) pair, the records holding each key, built once per run
//! before any rule is evaluated.

use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap as HashMap;

use crate::base::store::Store;
use crate::base::value::{KindId, Str, Value};
use crate::policy::{KindOrigin, Schema};

/// Join indexes: for (kind, field slot), the records holding each key.
#[derive(Debug, Default)]
pub struct Indexes {
    pub(super) map: HashMap<(KindId, usize), Index>,
}

/// One join index, laid out flat: each key's records are a run of `records`, so a million keys
/// cost two allocations, not a million.
#[derive(Debug, Default)]
pub struct Index {
    /// Key → (start, length) in `records`. For a resolved reference field, only the keys that
    /// name no record (the others are in `by_pos`).
    pub(super) runs: HashMap<Str, (u32, u32)>,
    /// Record positions, grouped by key, in record order within a key.
    pub(super) records: Vec<u32>,
    /// For a resolved reference field: the records by the position of the record they name.
    pub(super) by_pos: Option<ByPos>,
    /// The records whose field is `none` (absent), which a `none` key equals; empty for a list
    /// field (`none` is never an item of one).
    pub(super) missing: Vec<u32>,
    /// The runs sorted by a date field of the records, by the field's slot ([`Index::sorted_by`]):
    /// made once per run, for all the checks that search them.
    sorted: Mutex<HashMap<usize, Arc<Sorted>>>,
}

/// A copy of an index sorted by a date field, once made (`None`: some record's field is not a
/// date, and there is no copy).
type Sorted = OnceLock<Option<Arc<ByDate>>>;

/// The records of a kind grouped by the record their reference field names: run `n` is
/// `records[starts[n]..starts[n + 1]]`, in record order. The run of target position `t` is run
/// `t`, or, where the kind has far fewer records than the target kind (a few rotations of a
/// million people: a start per person would be 4 MB), the run at `t`'s place in `keys`.
#[derive(Debug)]
pub(super) struct ByPos {
    pub(super) target: KindId,
    /// The target positions named, ascending, when only those have runs.
    keys: Option<Vec<u32>>,
    pub(super) starts: Vec<u32>,
    pub(super) records: Vec<u32>,
}

impl ByPos {
    fn build(target: KindId, targets: usize, links: &[u32]) -> ByPos {
        if links.len() * 4 < targets {
            return ByPos::sparse(target, links);
        }
        let mut starts = vec![0u32; targets + 2];
        for &t in links {
            if let Some(c) = starts.get_mut(t as usize + 2) {
                *c += 1;
            }
        }
        let mut total = 0;
        for c in &mut starts {
            total += *c;
            *c = total;
        }
        // starts[t + 1] is now where target t's run begins; filling moves it to its end.
        let mut records = vec![0u32; starts.last().copied().unwrap_or(0) as usize];
        for (i, &t) in links.iter().enumerate() {
            // `next` is below the count of links to targets, the length of `records`.
            if let Some(next) = starts.get_mut(t as usize + 1)
                && let Some(r) = records.get_mut(*next as usize)
            {
                *r = i as u32;
                *next += 1;
            }
        }
        starts.pop();
        ByPos { target, keys: None, starts, records }
    }

    /// Runs for the named targets only.
    fn sparse(target: KindId, links: &[u32]) -> ByPos {
        let mut pairs: Vec<(u32, u32)> = links
            .iter()
            .enumerate()
            .filter(|&(_, &t)| t != crate::base::store::NO_LINK)
            .map(|(i, &t)| (t, i as u32))
            .collect();
        pairs.sort_unstable();
        let (mut keys, mut starts) = (Vec::new(), Vec::new());
        for (n, &(t, _)) in pairs.iter().enumerate() {
            if keys.last() != Some(&t) {
                keys.push(t);
                starts.push(n as u32);
            }
        }
        starts.push(pairs.len() as u32);
        let records = pairs.into_iter().map(|(_, i)| i).collect();
        ByPos { target, keys: Some(keys), starts, records }
    }

    pub(super) fn get(&self, pos: u32) -> &[u32] {
        let run = match &self.keys {
            None => pos as usize,
            Some(keys) => match keys.binary_search(&pos) {
                Ok(n) => n,
                Err(_) => return &[],
            },
        };
        match (self.starts.get(run), self.starts.get(run + 1)) {
            (Some(&a), Some(&b)) => self.records.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl Index {
    /// Indexes the records of `kind` by the string (or strings, for a list) in field `slot`; a
    /// resolved reference field by the position of the record it names.
    fn build(schema: &Schema, store: &Store, kind: KindId, slot: usize) -> Index {
        let data = store.kind(kind);
        let target = match schema.kind(kind).fields.get(slot).map(|f| &f.ty) {
            Some(crate::policy::types::Type::Ref(t)) => Some(*t),
            _ => None,
        };
        let mut index = match (data.link(slot), target) {
            (Some(links), Some(t)) => {
                let dangling = |i: usize| links.get(i) == Some(&crate::base::store::NO_LINK);
                let mut index = Index::by_strings(data, slot, dangling);
                index.by_pos = Some(ByPos::build(t, store.kind(t).len(), links));
                index
            }
            _ => Index::by_strings(data, slot, |_| true),
        };
        if !matches!(schema.kind(kind).fields.get(slot).map(|f| &f.ty), Some(crate::policy::types::Type::List(_))) {
            index.missing = missing(data, slot).collect();
        }
        index
    }

    /// Indexes the records `take` accepts by the string (or strings) in field `slot`.
    fn by_strings(data: &crate::base::store::KindData, slot: usize, take: impl Fn(usize) -> bool) -> Index {
        // The distinct string keys of one record (a list may name a key twice: index it once).
        fn keys(v: Option<&Value>, mut f: impl FnMut(&Str)) {
            match v {
                Some(Value::Str(s)) => f(s),
                Some(Value::List(l)) => {
                    for (i, v) in l.iter().enumerate() {
                        if let Value::Str(s) = v
                            && !l.iter().take(i).any(|p| p.as_str() == Some(s))
                        {
                            f(s);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut runs: HashMap<Str, (u32, u32)> = HashMap::default();
        for (i, r) in data.iter().enumerate() {
            if take(i) {
                keys(r.fields.get(slot), |k| runs.entry(k.clone()).or_default().1 += 1);
            }
        }
        let mut start = 0u32;
        for run in runs.values_mut() {
            run.0 = start;
            start += run.1;
            run.1 = 0;
        }
        let mut records = vec![0u32; start as usize];
        for (i, r) in data.iter().enumerate() {
            if !take(i) {
                continue;
            }
            keys(r.fields.get(slot), |k| {
                // Runs were sized by the first pass over the same keys.
                if let Some(run) = runs.get_mut(&**k)
                    && let Some(r) = records.get_mut((run.0 + run.1) as usize)
                {
                    *r = i as u32;
                    run.1 += 1;
                }
            });
        }
        Index { runs, records, by_pos: None, missing: Vec::new(), sorted: Mutex::default() }
    }

    /// The records holding `key`, in record order (not for a resolved reference field's keys
    /// that name a record: see [`Ctx::lookup`]).
    pub fn get(&self, key: &str) -> &[u32] {
        self.runs
            .get(key)
            .and_then(|&(start, len)| self.records.get(start as usize..(start + len) as usize))
            .unwrap_or(&[])
    }
}

impl Indexes {
    /// Builds the indexes for `keys`, in parallel.
    pub fn build(keys: &[(KindId, usize)], schema: &Schema, decls: &Store, org: &Store) -> Indexes {
        use rayon::prelude::*;
        let map = keys
            .par_iter()
            .map(|&(kind, slot)| {
                let store = if schema.kind(kind).origin == KindOrigin::Decl { decls } else { org };
                ((kind, slot), Index::build(schema, store, kind, slot))
            })
            .collect();
        Indexes { map }
    }
}

/// The records of `data` whose field `slot` is `none` (absent).
pub(super) fn missing(data: &crate::base::store::KindData, slot: usize) -> impl Iterator<Item = u32> + '_ {
    data.iter().enumerate().filter(move |(_, r)| r.fields.get(slot).is_none_or(Value::is_none)).map(|(i, _)| i as u32)
}

/// An index's runs, each sorted by a date field of its records (records without the date
/// first), with the dates alongside: the records of a run with a date in a range are found by
/// two binary searches instead of a scan of the run.
#[derive(Debug, Default)]
pub(super) struct ByDate {
    /// `Index::by_pos`'s records, sorted within each run.
    by_pos: Vec<(u32, Option<jiff::civil::Date>)>,
    /// `Index::records`, sorted within each run.
    records: Vec<(u32, Option<jiff::civil::Date>)>,
}

impl Index {
    /// The runs sorted by `date(record)`; `None` if some record's field is neither a date nor
    /// absent (then a range cannot be found by searching).
    pub(super) fn by_date(&self, date: impl Fn(u32) -> Result<Option<jiff::civil::Date>, ()>) -> Option<ByDate> {
        let sorted = |records: &[u32], runs: &mut dyn Iterator<Item = (usize, usize)>| {
            let mut out = Vec::with_capacity(records.len());
            for &r in records {
                out.push((r, date(r).ok()?));
            }
            for (start, end) in runs {
                if let Some(run) = out.get_mut(start..end) {
                    run.sort_unstable_by_key(|&(r, d)| (d, r));
                }
            }
            Some(out)
        };
        let by_pos = match &self.by_pos {
            Some(b) => {
                let mut runs = b.starts.iter().zip(b.starts.iter().skip(1)).map(|(&s, &e)| (s as usize, e as usize));
                sorted(&b.records, &mut runs)?
            }
            None => Vec::new(),
        };
        let mut runs = self.runs.values().map(|&(start, len)| (start as usize, (start + len) as usize));
        let records = sorted(&self.records, &mut runs)?;
        Some(ByDate { by_pos, records })
    }

    /// [`Index::by_date`] for date field `field`, made by the first check that asks and shared
    /// with the others (a check waits for the one making it rather than making its own).
    pub(super) fn sorted_by(
        &self,
        field: usize,
        date: impl Fn(u32) -> Result<Option<jiff::civil::Date>, ()>,
    ) -> Option<Arc<ByDate>> {
        // A poisoned lock: a thread panicked while it held it; the map is still whole.
        let cell =
            self.sorted.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(field).or_default().clone();
        cell.get_or_init(|| self.by_date(date).map(Arc::new)).clone()
    }

    /// Of `hits`, a run this index gave, the records whose date may lie in `from..=to` (an
    /// absent bound is open; records without the date are left out). `None` if `hits` is not
    /// one of this index's runs.
    pub(super) fn in_dates<'s>(
        &self,
        sorted: &'s ByDate,
        hits: &[u32],
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
    ) -> Option<&'s [(u32, Option<jiff::civil::Date>)]> {
        let (array, mirror) = match &self.by_pos {
            Some(b) if within(&b.records, hits).is_some() => (&b.records[..], &sorted.by_pos[..]),
            _ => (&self.records[..], &sorted.records[..]),
        };
        let start = within(array, hits)?;
        let run = mirror.get(start..start + hits.len())?;
        let a = run.partition_point(|(_, d)| d.is_none_or(|d| from.is_some_and(|f| d < f)));
        let b = run.partition_point(|(_, d)| d.is_none_or(|d| to.is_none_or(|t| d <= t)));
        run.get(a..b.max(a))
    }
}

/// Where `part`, a sub-slice of `whole`, starts in it (by address: the lookups hand out runs
/// of the index's arrays as slices).
fn within(whole: &[u32], part: &[u32]) -> Option<usize> {
    let size = std::mem::size_of::<u32>();
    let (w, p) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    (p >= w && p + std::mem::size_of_val(part) <= w + std::mem::size_of_val(whole)).then(|| (p - w) / size)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests: an item that is not there fails the test")]
mod tests {
    use super::*;
    use crate::base::store::NO_LINK;
    use jiff::civil::date;

    #[test]
    fn positions_group_records_by_the_record_they_name() {
        let none = NO_LINK;
        let by_pos = ByPos::build(KindId(0), 4, &[2, none, 0, 2, 3, none, 0]);
        assert_eq!(by_pos.get(0), &[2, 6]);
        assert_eq!(by_pos.get(1), &[] as &[u32]);
        assert_eq!(by_pos.get(2), &[0, 3]);
        assert_eq!(by_pos.get(3), &[4]);
        // Far more targets than records: runs only for the targets named, read the same.
        let sparse = ByPos::build(KindId(0), 1000, &[2, none, 0, 2, 3, none, 0]);
        assert!(sparse.keys.is_some());
        for t in 0..1000 {
            assert_eq!(sparse.get(t), by_pos.get(t), "target {t}");
        }
        assert_eq!(sparse.get(none), &[] as &[u32]);
        assert_eq!(by_pos.get(4), &[] as &[u32]);
        assert_eq!(by_pos.get(none), &[] as &[u32]);
    }

    #[test]
    fn a_date_range_is_found_within_a_run() {
        // Records 0..7 name targets 2, -, 0, 2, 3, -, 0; record i is dated day `day[i]` of June.
        let by_pos = ByPos::build(KindId(0), 4, &[2, NO_LINK, 0, 2, 3, NO_LINK, 0]);
        let mut runs = HashMap::default();
        runs.insert(Str::from("x"), (0, 3));
        let index = Index { runs, records: vec![6, 1, 4], by_pos: Some(by_pos), ..Index::default() };
        let day: [Option<i8>; 7] = [Some(20), Some(1), Some(10), None, Some(5), Some(9), Some(3)];
        let june = |d: i8| date(2026, 6, d);
        let sorted = index.sorted_by(3, |r| Ok(day[r as usize].map(june))).expect("all dates");
        // Made once: the next check that asks gets the same copy (it would have no dates).
        let again = index.sorted_by(3, |_| Err(())).expect("made before");
        assert!(Arc::ptr_eq(&sorted, &again));
        let range = |hits: &[u32], from: Option<i8>, to: Option<i8>| -> Option<Vec<u32>> {
            let found = index.in_dates(&sorted, hits, from.map(june), to.map(june))?;
            Some(found.iter().map(|&(r, _)| r).collect())
        };
        let pos = |t: u32| index.by_pos.as_ref().expect("by position").get(t);
        // Target 0 names records 2 (10 June) and 6 (3 June); target 2 names 0 (20th) and 3 (no date).
        assert_eq!(range(pos(0), Some(1), Some(30)), Some(vec![6, 2]));
        assert_eq!(range(pos(0), Some(4), None), Some(vec![2]));
        assert_eq!(range(pos(0), None, Some(9)), Some(vec![6]));
        assert_eq!(range(pos(0), Some(3), Some(3)), Some(vec![6]));
        assert_eq!(range(pos(0), Some(11), Some(2)), Some(vec![]));
        assert_eq!(range(pos(2), None, None), Some(vec![0]), "a record without the date is left out");
        // A run of the key index: records 6 (3rd), 1 (1st), 4 (5th).
        assert_eq!(range(&index.records, Some(2), Some(5)), Some(vec![6, 4]));
        // Not a run of this index: no answer (the caller scans it).
        assert_eq!(range(&[6, 2], None, None), None);
        // A record whose field is not a date: no sorted copy.
        assert!(index.by_date(|r| if r == 4 { Err(()) } else { Ok(Some(june(1))) }).is_none());
        // Nor for another field: each field is sorted on its own, once.
        assert!(index.sorted_by(5, |r| if r == 4 { Err(()) } else { Ok(Some(june(1))) }).is_none());
        assert!(index.sorted_by(5, |r| Ok(day[r as usize].map(june))).is_none());
    }
}
