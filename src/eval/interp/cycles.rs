//! `cyclic(record)`: whether a record lies on a cycle of references, found once per run for
//! all records of its kind.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use super::Ctx;
use crate::base::value::{KindId, RecordRef, Value};

/// Records on reference cycles, per (kind, field slot), computed once per run.
pub(super) type CycleCache = HashMap<(KindId, usize), Arc<HashSet<u32>>>;

impl Ctx<'_> {
    /// Whether record `r` lies on a cycle through its reference-list field `slot`.
    pub(super) fn on_cycle(&self, r: RecordRef, slot: usize) -> bool {
        let key = (r.kind, slot);
        let set = {
            let cached = self.cycles.lock().ok().and_then(|m| m.get(&key).cloned());
            match cached {
                Some(s) => s,
                None => {
                    let s = Arc::new(self.cycle_members(r.kind, slot));
                    if let Ok(mut m) = self.cycles.lock() {
                        m.insert(key, s.clone());
                    }
                    s
                }
            }
        };
        set.contains(&r.idx)
    }

    /// Records on some cycle of the graph `record → records named in field slot` (Tarjan's
    /// strongly connected components, iterative).
    fn cycle_members(&self, kind: KindId, slot: usize) -> HashSet<u32> {
        let store = self.store(kind);
        let data = store.kind(kind);
        let n = data.len();
        let succ: Vec<Vec<u32>> = data
            .iter()
            .map(|rec| match rec.fields.get(slot) {
                Some(Value::List(l)) => {
                    l.iter().filter_map(|v| v.as_str()).filter_map(|id| data.position(id)).collect()
                }
                Some(Value::Str(id)) => data.position(id).into_iter().collect(),
                _ => Vec::new(),
            })
            .collect();
        // Every position here is a record of `kind` (`data.position`), below `n`: each lookup
        // finds its entry (one that did not would be skipped, not trusted).
        let mut visits = vec![UNSEEN; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut members = HashSet::default();
        let mut counter = 0u32;
        for start in 0..n {
            if visits.get(start).is_none_or(|s| s.index != UNSEEN.index) {
                continue;
            }
            let mut work: Vec<(u32, usize)> = vec![(start as u32, 0)];
            while let Some(&mut (v, ref mut next)) = work.last_mut() {
                let (Some(visit), Some(out)) = (visits.get_mut(v as usize), succ.get(v as usize)) else {
                    work.pop();
                    continue;
                };
                if *next == 0 && visit.index == UNSEEN.index {
                    *visit = Visit { index: counter, low: counter, on_stack: true };
                    counter += 1;
                    stack.push(v);
                }
                if let Some(&w) = out.get(*next) {
                    *next += 1;
                    match visits.get(w as usize) {
                        Some(seen) if seen.index == UNSEEN.index => work.push((w, 0)),
                        Some(&seen) if seen.on_stack => lower(&mut visits, v, seen.index),
                        _ => {}
                    }
                    continue;
                }
                let visit = *visit;
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    lower(&mut visits, parent, visit.low);
                }
                if visit.low == visit.index {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        if let Some(x) = visits.get_mut(w as usize) {
                            x.on_stack = false;
                        }
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let self_loop = out.contains(&v);
                    if comp.len() > 1 || self_loop {
                        members.extend(comp);
                    }
                }
            }
        }
        members
    }
}

/// A record's state in Tarjan's algorithm.
#[derive(Clone, Copy)]
struct Visit {
    /// When the search first reached it (`UNSEEN.index`: not yet).
    index: u32,
    /// The earliest record still on the stack that it reaches.
    low: u32,
    /// Whether it is on the stack (its component is not complete).
    on_stack: bool,
}

/// A record the search has not reached.
const UNSEEN: Visit = Visit { index: u32::MAX, low: 0, on_stack: false };

/// Lowers record `v`'s `low` to `to`, where that is lower.
fn lower(visits: &mut [Visit], v: u32, to: u32) {
    if let Some(x) = visits.get_mut(v as usize) {
        x.low = x.low.min(to);
    }
}
