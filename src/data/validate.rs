//! Cross-record validation: references that name no record.

use super::{issue::Issue, location, subject};
use rayon::prelude::*;

use crate::base::lang::Text;
use crate::base::source::SourceMap;
use crate::base::store::{NO_LINK, Store};
use crate::base::value::{KindId, Value};
use crate::policy::types::Type;
use crate::policy::{KindOrigin, Schema};

/// Resolves every single-reference field to the positions of the records it names (see
/// [`KindData::link`](crate::base::store::KindData::link)), and returns `DATA-REF` findings
/// for every reference (also inside lists and tables) to a missing record. Both in parallel.
pub(super) fn resolve_refs(schema: &Schema, store: &mut Store, sources: &SourceMap) -> Vec<Issue> {
    let linkable = |t: KindId| {
        let ts = schema.kind(t);
        ts.origin == KindOrigin::Record && ts.stream.is_none()
    };
    let jobs: Vec<(KindId, usize, KindId)> = schema
        .record_kinds()
        .flat_map(|(k, ks)| {
            ks.fields.iter().enumerate().filter_map(move |(s, f)| match f.ty {
                Type::Ref(t) => Some((k, s, t)),
                _ => None,
            })
        })
        .filter(|&(k, _, t)| linkable(k) && linkable(t))
        .collect();
    let shared = &*store;
    // Each field in parallel chunks of records. Records naming the same record often follow
    // each other (a person's grants, appraisals): the last id's position is kept.
    const CHUNK: usize = 1 << 14;
    let links: Vec<Vec<u32>> = jobs
        .par_iter()
        .map(|&(k, slot, t)| {
            let (data, target) = (shared.kind(k), shared.kind(t));
            let parts: Vec<Vec<u32>> = (0..data.len().div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| {
                    let mut last: Option<(&str, u32)> = None;
                    (c * CHUNK..((c + 1) * CHUNK).min(data.len()))
                        .map(|i| match data.field(i, slot) {
                            Some(Value::Str(id)) => match last {
                                Some((prev, at)) if prev == id.as_str() => at,
                                _ => {
                                    let at = target.position(id).unwrap_or(NO_LINK);
                                    last = Some((id, at));
                                    at
                                }
                            },
                            _ => NO_LINK,
                        })
                        .collect()
                })
                .collect();
            parts.concat()
        })
        .collect();
    for ((k, slot, _), targets) in jobs.into_iter().zip(links) {
        store.kind_mut(k).set_link(slot, targets);
    }
    dangling_refs(schema, store, sources)
}

/// `DATA-REF` findings for every reference (also inside lists and tables) to a missing record.
fn dangling_refs(schema: &Schema, store: &Store, sources: &SourceMap) -> Vec<Issue> {
    let mut out = Vec::new();
    for (k, ks) in schema.record_kinds() {
        let ref_slots: Vec<(usize, &Type)> =
            ks.fields.iter().enumerate().filter(|(_, f)| has_ref(&f.ty)).map(|(i, f)| (i, &f.ty)).collect();
        if ref_slots.is_empty() {
            continue;
        }
        let data = store.kind(k);
        let links: Vec<Option<&[u32]>> = ref_slots.iter().map(|&(slot, _)| data.link(slot)).collect();
        // Records in parallel; `collect` keeps their order.
        let found: Vec<Issue> = (0..data.len())
            .into_par_iter()
            .flat_map_iter(|i| {
                let mut found = Vec::new();
                for (&(slot, ty), link) in ref_slots.iter().zip(&links) {
                    // A resolved reference names a record: nothing to look up again.
                    if link.and_then(|l| l.get(i)).is_some_and(|&t| t != NO_LINK) {
                        continue;
                    }
                    let Some(value) = data.field(i, slot).filter(|v| !v.is_none()) else { continue };
                    let mut missing = Vec::new();
                    collect_missing(value, ty, store, &mut missing);
                    // The record is looked at only for what it reports.
                    let Some(rec) = data.get(i).filter(|_| !missing.is_empty()) else { continue };
                    for (target, id) in missing {
                        let field = &ks.fields[slot].name;
                        let tname = &schema.kind(target).name;
                        let msg = Text::new(
                            format!("{} 的字段 `{field}` 引用的 {tname} `{id}` 不存在", ks.name),
                            format!("field `{field}` of {} names {tname} `{id}`, which does not exist", ks.name),
                        );
                        let subj = rec.id_str().map(|i| subject(&ks.name, i));
                        found.push(Issue::new("DATA-REF", subj, msg, location(sources, rec.loc, None, Some(field))));
                    }
                }
                found
            })
            .collect();
        out.extend(found);
    }
    out
}

fn has_ref(t: &Type) -> bool {
    let mut any = false;
    t.each_ref(&mut |_| any = true);
    any
}

fn collect_missing(v: &Value, t: &Type, store: &Store, out: &mut Vec<(KindId, String)>) {
    match (t, v) {
        (Type::Ref(k), Value::Str(id)) if store.by_id(*k, id).is_none() && id.as_str() != "*" => {
            out.push((*k, id.to_string()))
        }
        (Type::List(i), Value::List(items)) => items.iter().for_each(|x| collect_missing(x, i, store, out)),
        (Type::Object(fs), Value::Object(o)) => {
            for f in fs.iter() {
                if let Some(x) = o.get(&f.name) {
                    collect_missing(x, &f.ty, store, out);
                }
            }
        }
        _ => {}
    }
}
