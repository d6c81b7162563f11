//! Join planning: how a quantifier over a record kind enumerates its records. A filter with a
//! conjunct `y.f == key` (or `key in y.f`) whose key does not depend on `y` becomes an index
//! lookup (`Source::Index`, or `Source::Id` on the id field) instead of a scan of the kind; the
//! (kind, field) pairs used this way are the indexes the evaluator builds before a run.
//!
//! Planning runs on compiled IR, after type checking, and only reads the schema.

use crate::base::value::KindId;
use crate::policy::Schema;
use crate::policy::ir::{FieldAcc, Ir, Source};
use crate::policy::types::Type;
use crate::syntax::ast::BinOp;

/// How one quantifier enumerates its collection.
pub(super) struct Plan {
    /// Where the elements come from.
    pub src: Source,
    /// The conditions left to test on each element.
    pub filter: Option<Ir>,
    /// (kind, slot) pairs the source looks up by index.
    pub index_keys: Vec<(KindId, usize)>,
}

/// Plans the quantifier of variable `slot` over `coll` with this compiled filter: an index
/// lookup when the filter has a conjunct `y.f == key` (or `key in y.f`) whose key does not
/// depend on `y`, else the collection as it is.
pub(super) fn plan(schema: &Schema, slot: usize, coll: Ir, filter: Option<Ir>) -> Plan {
    let plain = |src, filter| Plan { src, filter, index_keys: Vec::new() };
    let Ir::Kind(kind) = coll else { return plain(Source::Expr(Box::new(coll)), filter) };
    // A stream kind's records are read one at a time and never held, so none is looked up:
    // its `forall` runs over every record, the filter whole (`where c.column == "手机"`).
    if schema.kind(kind).stream.is_some() {
        return plain(Source::Kind(kind), filter);
    }
    let Some(filter) = filter else { return plain(Source::Kind(kind), None) };
    let mut conj = Vec::new();
    split_and(filter, &mut conj);
    let schema = schema.kind(kind);
    let id_slot = schema.id_slot();
    // Indexable conditions: (conjunct, source, whether the key varies).
    let mut cands: Vec<(usize, Source, bool)> = Vec::new();
    for (i, c) in conj.iter().enumerate() {
        let Some((field, key, list)) = join_key(c, slot) else { continue };
        let Some(FieldAcc::Slot(k, s)) = field else { continue };
        if k != kind || key.uses_slot(slot) {
            continue;
        }
        // Only fields that hold strings: an index holds string keys (a list's items), so a
        // field declared `any` (a number, a list, …) is compared by the filter, as written.
        let strings = |t: &Type| matches!(t, Type::Str | Type::Enum(_) | Type::Name(_) | Type::Ref(_));
        let fty = &schema.fields[s].ty;
        let ok = if list { matches!(fty, Type::List(t) if strings(t)) } else { strings(fty) };
        if !ok {
            continue;
        }
        let src = if Some(s) == id_slot && !list {
            Source::Id { kind, key: Box::new(key.clone()) }
        } else {
            Source::Index { kind, slot: s, key: Box::new(key.clone()), also: Vec::new() }
        };
        cands.push((i, src, !matches!(key, Ir::Const(_))));
    }
    // An id lookup finds at most one record; otherwise prefer keys that vary (a constant key
    // selects the same records every time). Which of several index lookups is most selective
    // depends on the data, so the others go along and the smallest is chosen at run time.
    let pick = cands
        .iter()
        .position(|(_, s, _)| matches!(s, Source::Id { .. }))
        .or_else(|| cands.iter().position(|(_, _, dynamic)| *dynamic))
        .or((!cands.is_empty()).then_some(0));
    let Some(p) = pick else { return plain(Source::Kind(kind), join_and(conj)) };
    let (i, mut src, dynamic) = cands.swap_remove(p);
    let mut index_keys = Vec::new();
    if let Source::Index { kind, slot, also, .. } = &mut src {
        // A constant key only goes along with another constant key.
        also.extend(cands.into_iter().filter(|(_, _, d)| *d || !dynamic).filter_map(|(_, alt, _)| match alt {
            Source::Index { slot, key, .. } => Some((slot, *key)),
            _ => None,
        }));
        index_keys.push((*kind, *slot));
        index_keys.extend(also.iter().map(|(s, _)| (*kind, *s)));
    }
    // With alternatives, any one of them may drive the loop, so every condition stays tested.
    if !matches!(&src, Source::Index { also, .. } if !also.is_empty()) {
        conj.remove(i);
    }
    Plan { src, filter: join_and(conj), index_keys }
}

/// `(field access on var, key, is_list_membership)` for a conjunct usable as a join. Trace
/// marks ([`Ir::At`]) are looked through, so a traced compilation plans the same joins.
fn join_key(c: &Ir, slot: usize) -> Option<(Option<FieldAcc>, &Ir, bool)> {
    let c = c.unwrapped();
    let on_var = |x: &Ir| match x.unwrapped() {
        Ir::Field(b, acc) if matches!(**b, Ir::Var(s) if s == slot) => Some(acc.clone()),
        _ => None,
    };
    match c {
        Ir::Bin(BinOp::Eq, a, b) => {
            if let Some(acc) = on_var(a) {
                Some((Some(acc), b, false))
            } else {
                on_var(b).map(|acc| (Some(acc), &**a, false))
            }
        }
        Ir::Bin(BinOp::In, a, b) => on_var(b).map(|acc| (Some(acc), &**a, true)),
        _ => None,
    }
}

/// The conjuncts of a filter, through trace marks on `and`.
fn split_and(ir: Ir, out: &mut Vec<Ir>) {
    match ir {
        Ir::At(_, inner) if matches!(*inner, Ir::Bin(BinOp::And, ..)) => split_and(*inner, out),
        Ir::Bin(BinOp::And, a, b) => {
            split_and(*a, out);
            split_and(*b, out);
        }
        other => out.push(other),
    }
}

/// The conjunction of the conditions left, `None` if there are none.
fn join_and(mut conj: Vec<Ir>) -> Option<Ir> {
    let first = if conj.is_empty() { return None } else { conj.remove(0) };
    Some(conj.into_iter().fold(first, |acc, c| Ir::Bin(BinOp::And, Box::new(acc), Box::new(c))))
}
