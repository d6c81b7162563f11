//! Sources of quantifiers and comprehensions: all records of a kind, one record by id, the
//! records a join index names, a list.

use std::borrow::Cow;
use std::sync::Arc;

use super::{Ctx, simple};
use crate::base::value::{KindId, RecordRef, Value};
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::policy::types::Type;

/// A lookup with at most this many records is not narrowed by the source's other conditions
/// (they are in the filter anyway).
pub(in crate::eval) const FEW_HITS: usize = 8;

impl<'a> Ctx<'a> {
    /// Calls `f(ctx, env, item)` for each element of a source until it returns false.
    pub(in crate::eval) fn each(
        &self,
        src: &Source,
        env: &mut [Value],
        mut f: impl FnMut(&Self, &mut [Value], Value) -> bool,
    ) {
        match src {
            Source::Kind(k) => {
                let n = self.store(*k).kind(*k).len() as u32;
                for idx in 0..n {
                    if !f(self, env, Value::Record(RecordRef { kind: *k, idx })) {
                        return;
                    }
                }
            }
            Source::Id { kind, key } => {
                let data = self.store(*kind).kind(*kind);
                let id = match self.eval(key, env) {
                    Value::Str(s) => Some(s),
                    Value::Record(r) => self.id_of(r),
                    Value::None => None,
                    _ => return,
                };
                // The records `y.id == key` holds for: those whose `id` field holds the key (a
                // record without one is known by a made-up id, `#n`, which its field does not
                // hold) — the one with the id; every one where ids repeat (the loader reports
                // it); for a `none` key, those without an id.
                let record = |idx: u32| Value::Record(RecordRef { kind: *kind, idx });
                let slot = self.schema.kind(*kind).id_slot();
                let holds = |idx: u32, id: &str| matches!(slot.and_then(|s| data.field(idx as usize, s)), Some(Value::Str(s)) if **s == *id);
                match id {
                    Some(id) if !data.repeated_ids => {
                        if let Some(idx) = data.position(&id)
                            && holds(idx, &id)
                        {
                            f(self, env, record(idx));
                        }
                    }
                    Some(id) => {
                        for idx in 0..data.len() as u32 {
                            if holds(idx, &id) && !f(self, env, record(idx)) {
                                return;
                            }
                        }
                    }
                    None => {
                        for &idx in self.without_id(*kind).iter() {
                            if !f(self, env, record(idx)) {
                                return;
                            }
                        }
                    }
                }
            }
            Source::Index { kind, slot, key, also } => {
                let Some((hits, _)) = self.index_hits(*kind, *slot, key, also, env) else { return };
                for &idx in hits.iter() {
                    if !f(self, env, Value::Record(RecordRef { kind: *kind, idx })) {
                        return;
                    }
                }
            }
            Source::Expr(e) => {
                if let Value::List(items) = self.eval(e, env) {
                    for item in items.iter() {
                        if !f(self, env, item.clone()) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// The records an index source names: of the lookups of its indexable conditions, the
    /// one with the fewest records, and which it is (0: the first key, `i`: `also[i - 1]`).
    /// `None` when a key is not a string or record (nothing can match).
    pub(in crate::eval) fn index_hits(
        &self,
        kind: KindId,
        slot: usize,
        key: &Ir,
        also: &[(usize, Ir)],
        env: &mut [Value],
    ) -> Option<(Cow<'a, [u32]>, usize)> {
        let mut best = (self.lookup(kind, slot, key, env)?, 0);
        // A few records are filtered faster than another key is hashed and looked up.
        for (i, (s, k)) in also.iter().enumerate() {
            if best.0.len() <= FEW_HITS {
                break;
            }
            let hits = self.lookup(kind, *s, k, env)?;
            if hits.len() < best.0.len() {
                best = (hits, i + 1);
            }
        }
        Some(best)
    }

    /// The records of `kind` whose field `slot` holds (or, for a list, contains) the value of
    /// `key`; `None` when the key is not a string or record (nothing can match).
    pub(in crate::eval) fn lookup(
        &self,
        kind: KindId,
        slot: usize,
        key: &Ir,
        env: &mut [Value],
    ) -> Option<std::borrow::Cow<'a, [u32]>> {
        let index = self.indexes.map.get(&(kind, slot));
        // A resolved reference field is joined on record positions: a key that is a record's
        // id is that record, with no id to hash.
        if let Some(by_pos) = index.and_then(|i| i.by_pos.as_ref())
            && let Some(pos) = self.record_of_key(by_pos.target, key, env)
        {
            return Some(std::borrow::Cow::Borrowed(by_pos.get(pos)));
        }
        let key = match self.eval(key, env) {
            Value::Str(s) => Some(s),
            Value::Record(r) => self.id_of(r),
            Value::None => None,
            _ => return None,
        };
        // A `none` key (an absent field, a record without an id) equals a field that is `none`
        // too, as `y.f == none` does; it is never an item of a list field.
        let Some(key) = key else {
            let list = matches!(self.schema.kind(kind).fields.get(slot).map(|f| &f.ty), Some(Type::List(_)));
            return Some(match index {
                Some(idx) => std::borrow::Cow::Borrowed(&idx.missing[..]),
                None if list => std::borrow::Cow::Borrowed(&[]),
                None => {
                    std::borrow::Cow::Owned(crate::eval::index::missing(self.store(kind).kind(kind), slot).collect())
                }
            });
        };
        Some(match index {
            Some(idx) => match &idx.by_pos {
                Some(by_pos) => match self.store(by_pos.target).by_id(by_pos.target, &key) {
                    Some(r) => std::borrow::Cow::Borrowed(by_pos.get(r.idx)),
                    None => std::borrow::Cow::Borrowed(idx.get(&key)),
                },
                None => std::borrow::Cow::Borrowed(idx.get(&key)),
            },
            // Not indexed (a check run outside a prepared run): scan with the same test.
            None => std::borrow::Cow::Owned(
                self.store(kind)
                    .kind(kind)
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| match r.fields.get(slot) {
                        Some(Value::Str(s)) => *s == key,
                        Some(Value::List(l)) => l.iter().any(|v| v.as_str() == Some(&key)),
                        _ => false,
                    })
                    .map(|(i, _)| i as u32)
                    .collect(),
            ),
        })
    }

    /// The position of the `target` record a join key stands for, when that is known without
    /// evaluating the key: the key is a record of `target` (`IdOf(p)`) or its `id` field
    /// (`p.id`), and no other record of `target` has the same id. `None` otherwise.
    fn record_of_key(&self, target: KindId, key: &Ir, env: &[Value]) -> Option<u32> {
        let base = match key.unwrapped() {
            Ir::IdOf(b) => b,
            Ir::Field(b, FieldAcc::Slot(k, s))
                if *k == target && self.schema.kind(*k).fields.get(*s).is_some_and(|f| f.name == "id") =>
            {
                b
            }
            _ => return None,
        };
        if !simple(base) {
            return None;
        }
        let data = self.store(target).kind(target);
        match *self.peek(base, env) {
            // `p.id` is the record's id only where it is a string (an id the loader read).
            Value::Record(r) if r.kind == target && !data.repeated_ids => match key.unwrapped() {
                Ir::Field(_, FieldAcc::Slot(_, s)) => {
                    matches!(data.field(r.idx as usize, *s), Some(Value::Str(_))).then_some(r.idx)
                }
                _ => data.id(r.idx as usize).map(|_| r.idx),
            },
            _ => None,
        }
    }
}

impl Ctx<'_> {
    /// The records of `kind` whose `id` field is `none` (the loader named them `#n`): those a
    /// `none` id key names.
    fn without_id(&self, kind: KindId) -> Arc<[u32]> {
        if let Some(found) = self.without_id.lock().ok().and_then(|m| m.get(&kind).cloned()) {
            return found;
        }
        let (data, slot) = (self.store(kind).kind(kind), self.schema.kind(kind).id_slot());
        let found: Arc<[u32]> = (0..data.len())
            .filter(|&i| slot.and_then(|s| data.field(i, s)).is_none_or(Value::is_none))
            .map(|i| i as u32)
            .collect();
        if let Ok(mut m) = self.without_id.lock() {
            m.insert(kind, found.clone());
        }
        found
    }
}
