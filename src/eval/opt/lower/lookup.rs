//! The lookups of an index source ([`Source::Index`]) lowered for the run: what the
//! interpreter decides at every lookup (which index, is the key a record's id that the index
//! knows by position, what is the key's string) decided once where it can be. A constant key
//! (`c.kind == "入职辅导"`, a task's kind once the tasks are unrolled) is looked up once for the
//! run; a key that is the id of a record bound to a variable (`c.mentee == p.id`) is that
//! record's position in an index by position, with nothing hashed; any other key is looked up
//! as the interpreter does ([`Ctx::lookup`]), so the two always agree.

use std::borrow::Cow;

use super::Op;
use crate::base::store::KindData;
use crate::base::value::{KindId, Value};
use crate::eval::index::{ByPos, Index};
use crate::eval::interp::{Ctx, FEW_HITS};
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::syntax::ast::BinOp;

/// The lookups of an index source: its key's, then those of its other indexable conditions.
#[derive(Debug)]
pub(in crate::eval) struct Lookups<'a> {
    each: Vec<Lookup<'a>>,
}

/// One lookup of records of `kind` by field `slot`.
#[derive(Debug)]
struct Lookup<'a> {
    kind: KindId,
    slot: usize,
    /// The key as written (looked up as the interpreter does where no shortcut applies).
    key: Ir,
    how: How<'a>,
}

/// How a [`Lookup`] finds its records.
#[derive(Debug)]
enum How<'a> {
    /// The key is a constant: its records, found once (`None`: it is not a string or a
    /// record, and names nothing).
    Fixed(Option<Cow<'a, [u32]>>),
    /// The key is the id of the record of `target` bound to `var` (`p.id`, field `id` of its
    /// records, or `None`: the record's id itself) and the index knows records by the
    /// position of the one they name.
    Position { var: usize, target: KindId, data: &'a KindData, id: Option<usize>, by_pos: &'a ByPos },
    /// The key is read (`t.topic`, `p.level ?? "新人"`, `a.by`) and the index is by string:
    /// the string read where it is kept ([`Op::direct`]), looked up without a copy (anything
    /// else it reads is looked up as the interpreter does).
    Read { index: &'a Index, op: Op<'a> },
    /// The key is read as for [`How::Read`] and the index knows records by the position of the
    /// one they name (`s.person == a.by`, `a` an approval object): the string is looked up in
    /// the ids of `target` and the records found by its position; an id that names no record
    /// is looked up as a string, as [`Ctx::lookup`] does.
    ReadPos { index: &'a Index, by_pos: &'a ByPos, target: &'a KindData, op: Op<'a> },
    /// Anything else.
    Interp,
}

impl<'a> Lookups<'a> {
    /// The lookups of `src`, if it is an index source. `lower` lowers a key that is read.
    pub(super) fn new(ctx: &Ctx<'a>, src: &Source, lower: &mut impl FnMut(&Ir) -> Op<'a>) -> Option<Lookups<'a>> {
        let Source::Index { kind, slot, key, also } = src else { return None };
        let keys = std::iter::once((*slot, &**key)).chain(also.iter().map(|(s, k)| (*s, k)));
        let each = keys.map(|(slot, key)| Lookup::new(ctx, *kind, slot, key, lower)).collect();
        Some(Lookups { each })
    }

    /// As [`Ctx::index_hits`]: of the lookups, the one with the fewest records (stopping at
    /// one with a few), and which it is; `None` when a key looked up names nothing.
    pub(super) fn hits<'s>(&'s self, ctx: &Ctx<'a>, env: &mut [Value]) -> Option<(Cow<'s, [u32]>, usize)> {
        let mut each = self.each.iter().enumerate();
        let (_, first) = each.next()?;
        let mut best = (first.get(ctx, env)?, 0);
        for (i, lookup) in each {
            if best.0.len() <= FEW_HITS {
                break;
            }
            let hits = lookup.get(ctx, env)?;
            if hits.len() < best.0.len() {
                best = (hits, i);
            }
        }
        Some(best)
    }
}

impl<'a> Lookup<'a> {
    fn new(ctx: &Ctx<'a>, kind: KindId, slot: usize, key: &Ir, lower: &mut impl FnMut(&Ir) -> Op<'a>) -> Lookup<'a> {
        let index = ctx.indexes.map.get(&(kind, slot));
        let how = match (key.unwrapped(), index) {
            // A constant names the same records for every subject.
            (Ir::Const(_), Some(_)) => How::Fixed(ctx.lookup(kind, slot, key, &mut [])),
            (k, Some(index)) => match &index.by_pos {
                Some(by_pos) => match position_key(ctx, k, by_pos.target) {
                    Some((var, id)) => {
                        let target = by_pos.target;
                        How::Position { var, target, data: ctx.store(target).kind(target), id, by_pos }
                    }
                    // A key read in place (`a.by`); one written as a record's id (`p.id`) that
                    // `position_key` declined stays with the interpreter, which may find that
                    // record by position, without reading the id.
                    None if !id_key(ctx, k, by_pos.target) => match read_key(k, lower) {
                        Some(op) => {
                            let target = ctx.store(by_pos.target).kind(by_pos.target);
                            How::ReadPos { index, by_pos, target, op }
                        }
                        None => How::Interp,
                    },
                    None => How::Interp,
                },
                // A read of a record's or an object's field, a variable, or `??` of those
                // (`p.level ?? "新人"`): what [`Op::direct`] reads.
                None => match read_key(k, lower) {
                    Some(op) => How::Read { index, op },
                    None => How::Interp,
                },
            },
            (_, None) => How::Interp,
        };
        Lookup { kind, slot, key: key.clone(), how }
    }

    /// The records the key names, as [`Ctx::lookup`] finds them.
    fn get<'s>(&'s self, ctx: &Ctx<'a>, env: &mut [Value]) -> Option<Cow<'s, [u32]>> {
        match &self.how {
            How::Fixed(hits) => return hits.as_deref().map(Cow::Borrowed),
            How::Position { var, target, data, id, by_pos } => {
                // The record's id, where the loader read one: then it is the record the index
                // knows by position (else the key is evaluated, as the interpreter does).
                if let Some(Value::Record(r)) = env.get(*var)
                    && r.kind == *target
                    && match id {
                        Some(s) => matches!(data.field(r.idx as usize, *s), Some(Value::Str(_))),
                        None => data.id(r.idx as usize).is_some(),
                    }
                {
                    return Some(Cow::Borrowed(by_pos.get(r.idx)));
                }
            }
            How::Read { index, op } => {
                if let Some(Value::Str(s)) = op.direct(env) {
                    return Some(Cow::Borrowed(index.get(s)));
                }
            }
            How::ReadPos { index, by_pos, target, op } => {
                if let Some(Value::Str(s)) = op.direct(env) {
                    return Some(Cow::Borrowed(match target.position(s) {
                        Some(idx) => by_pos.get(idx),
                        None => index.get(s),
                    }));
                }
            }
            How::Interp => {}
        }
        ctx.lookup(self.kind, self.slot, &self.key, env)
    }
}

/// A key read in place ([`Op::direct`]): a read of a record's or an object's field, a variable,
/// or `??` of those (`p.level ?? "新人"`), lowered; `None` for any other key.
fn read_key<'a>(key: &Ir, lower: &mut impl FnMut(&Ir) -> Op<'a>) -> Option<Op<'a>> {
    if !matches!(key, Ir::Field(..) | Ir::Var(_) | Ir::Bin(BinOp::Coalesce, ..)) {
        return None;
    }
    match lower(key) {
        op
        @ (Op::Slot { .. } | Op::Linked { .. } | Op::Var(_) | Op::Coalesce(..) | Op::Field(_, FieldAcc::Name(_))) => {
            Some(op)
        }
        _ => None,
    }
}

/// Whether a key is written as the id of a record of `target` (`IdOf(p)`, `p.id`): the
/// interpreter may find that record by position without reading the id ([`Ctx::lookup`]).
fn id_key(ctx: &Ctx, key: &Ir, target: KindId) -> bool {
    match key {
        Ir::IdOf(_) => true,
        Ir::Field(_, FieldAcc::Slot(k, s)) => {
            *k == target && ctx.schema.kind(*k).fields.get(*s).is_some_and(|f| f.name == "id")
        }
        _ => false,
    }
}

/// For a key that is the id of the record of `target` bound to a variable (`p.id`, its `id`
/// field, or the record's id itself), where `target` has no repeated ids (else an id names
/// several records): the variable and the slot of the `id` field (`None`: the id itself).
fn position_key(ctx: &Ctx, key: &Ir, target: KindId) -> Option<(usize, Option<usize>)> {
    let (base, id) = match key {
        Ir::IdOf(b) => (b, None),
        Ir::Field(b, FieldAcc::Slot(k, s))
            if *k == target && ctx.schema.kind(*k).fields.get(*s).is_some_and(|f| f.name == "id") =>
        {
            (b, Some(*s))
        }
        _ => return None,
    };
    let Ir::Var(var) = base.unwrapped() else { return None };
    (!ctx.store(target).kind(target).repeated_ids).then_some((*var, id))
}
