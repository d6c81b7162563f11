//! Cross-record validation: references that name no record.

use super::{data_finding, location, subject};
use crate::eval::store::Store;
use crate::eval::value::{KindId, Value};
use crate::finding::Finding;
use crate::i18n::tr;
use crate::policy::Schema;
use crate::policy::types::Type;
use crate::source::SourceMap;

/// `DATA-REF` findings for every reference (also inside lists and tables) to a missing record.
pub(super) fn dangling_refs(schema: &Schema, store: &Store, sources: &SourceMap) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, ks) in schema.record_kinds() {
        let ref_slots: Vec<(usize, &Type)> =
            ks.fields.iter().enumerate().filter(|(_, f)| has_ref(&f.ty)).map(|(i, f)| (i, &f.ty)).collect();
        if ref_slots.is_empty() {
            continue;
        }
        for rec in store.kind(k).iter() {
            for &(slot, ty) in &ref_slots {
                let mut missing = Vec::new();
                collect_missing(&rec.fields[slot], ty, store, &mut missing);
                for (target, id) in missing {
                    let field = &ks.fields[slot].name;
                    let tname = &schema.kind(target).name;
                    let msg = tr(
                        format!("{} 的字段 `{field}` 引用的 {tname} `{id}` 不存在", ks.name),
                        format!("field `{field}` of {} names {tname} `{id}`, which does not exist", ks.name),
                    );
                    let subj = rec.id.as_deref().map(|i| subject(&ks.name, i));
                    out.push(data_finding("DATA-REF", subj, msg, location(sources, rec.loc, None, Some(field))));
                }
            }
        }
    }
    out
}

fn has_ref(t: &Type) -> bool {
    match t {
        Type::Ref(_) => true,
        Type::List(i) => has_ref(i),
        Type::Object(fs) => fs.iter().any(|f| has_ref(&f.ty)),
        _ => false,
    }
}

fn collect_missing(v: &Value, t: &Type, store: &Store, out: &mut Vec<(KindId, String)>) {
    match (t, v) {
        (Type::Ref(k), Value::Str(id)) if store.by_id(*k, id).is_none() && id.as_ref() != "*" => {
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
