//! The handbook of a pack with dated values (`from DATE …`) prints the values in force on one
//! day (`as_of`). Checks do not need this: they read a dated value on each record's own date.

use crate::policy::Policy;

/// Makes the values in force on `day` the declarations' values: every dated attribute's stored
/// value, the params' values and the rules' texts (filled in again from their written form).
pub fn in_force_on(policy: &mut Policy, day: jiff::civil::Date) {
    if policy.histories.is_empty() {
        return;
    }
    let param = policy.schema.decl_kind("param");
    for h in &policy.histories {
        let v = h.on(day).clone();
        if Some(h.kind) == param
            && let Some(p) = policy.params.iter_mut().find(|p| p.name == h.name)
        {
            p.value = v.clone();
        }
        let data = policy.decls.kind_mut(h.kind);
        let at = (0..data.len()).find(|&i| data.id(i).is_some_and(|id| **id == *h.name));
        if let Some(field) = at.and_then(|i| data.fields_mut(i)).and_then(|f| f.get_mut(h.slot)) {
            *field = v;
        }
    }
    for (rule, raw) in policy.rules.iter_mut().zip(&policy.raw_texts) {
        let [text, explain, chosen] = raw;
        for (t, r) in [(&mut rule.text, text), (&mut rule.explain, explain), (&mut rule.chosen, chosen)] {
            if let (Some(t), Some(r)) = (t, r) {
                *t = crate::compile::textref::resolve(&policy.schema, &policy.decls, r);
            }
        }
    }
}
