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
        let mut index = vec![u32::MAX; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut members = HashSet::default();
        let mut counter = 0u32;
        for start in 0..n {
            if index[start] != u32::MAX {
                continue;
            }
            let mut work: Vec<(u32, usize)> = vec![(start as u32, 0)];
            while let Some(&mut (v, ref mut next)) = work.last_mut() {
                let vi = v as usize;
                if *next == 0 && index[vi] == u32::MAX {
                    index[vi] = counter;
                    low[vi] = counter;
                    counter += 1;
                    stack.push(v);
                    on_stack[vi] = true;
                }
                if let Some(&w) = succ[vi].get(*next) {
                    *next += 1;
                    let wi = w as usize;
                    if index[wi] == u32::MAX {
                        work.push((w, 0));
                    } else if on_stack[wi] {
                        low[vi] = low[vi].min(index[wi]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent as usize] = low[parent as usize].min(low[vi]);
                }
                if low[vi] == index[vi] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let self_loop = succ[vi].contains(&v);
                    if comp.len() > 1 || self_loop {
                        members.extend(comp);
                    }
                }
            }
        }
        members
    }
}
