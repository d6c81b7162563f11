//! Waivers (`[[waiver]]` in the org data): an approved, dated exception for a rule and a subject.
//! An active waiver suppresses its findings (they stay visible, marked waived); an expired waiver
//! stops working and is reported; so are a waiver that matches nothing and one without a reason
//! or approver. `as_of` decides expiry.

use super::build::Builder;
use super::finding::{Finding, Waived};
use crate::base::lang::Text;
use crate::base::value::Value;
use crate::data::{Issue, OrgData, kind_for, location, subject};
use crate::policy::{Policy, Selection};

/// A field of a waiver record that is filled in: present, and not blank text.
pub(crate) fn given(ks: &crate::policy::KindSchema, rec: crate::base::store::Rec, name: &str) -> Option<Value> {
    rec.named(ks.slot(name), name).filter(|v| !v.is_none() && v.as_str().is_none_or(|s| !s.trim().is_empty())).cloned()
}

/// Marks waived findings and returns the findings about the waivers themselves.
pub fn apply(
    policy: &Policy,
    org: &OrgData,
    build: &Builder,
    findings: &mut [Finding],
    sel: &Selection,
) -> Vec<Finding> {
    let Some(k) = kind_for(&policy.schema, "waiver") else { return Vec::new() };
    let ks = policy.schema.kind(k);
    let field = |rec: crate::base::store::Rec, name: &str| given(ks, rec, name);
    let mut out = Vec::new();
    // Made at the first waiver that needs it: most runs have none.
    let mut index: Option<Index> = None;
    for rec in org.store.kind(k).iter() {
        let subj = rec.id_str().map(|id| subject(&ks.name, id));
        let loc = location(&org.sources, rec.loc, None, None);
        let mk = |code: &'static str, msg: Text| build.builtin(&Issue::new(code, subj.clone(), msg, loc.clone()));
        let rule = field(rec, "rule").and_then(|v| v.as_str().map(str::to_string));
        let target = field(rec, "subject").and_then(|v| v.as_str().map(str::to_string));
        let reason = field(rec, "reason").and_then(|v| v.as_str().map(str::to_string));
        let approver = field(rec, "approved_by").and_then(|v| v.as_str().map(str::to_string));
        let expires = field(rec, "expires").and_then(|v| v.as_date());
        let (Some(rule), Some(target), Some(reason), Some(approver), Some(expires)) =
            (rule, target, reason, approver, expires)
        else {
            if sel.selects("WAIVER-INVALID") {
                out.push(mk(
                    "WAIVER-INVALID",
                    Text::new(
                        "豁免须写明规则（rule）、对象（subject）、理由（reason）、批准人（approved_by）和到期日（expires），此豁免不生效",
                        "a waiver needs rule, subject, reason, approved_by and expires; this one has no effect",
                    ),
                ));
            }
            continue;
        };
        if expires < org.config.as_of {
            if sel.selects("WAIVER-EXPIRED") {
                out.push(mk(
                    "WAIVER-EXPIRED",
                    Text::new(
                        format!("规则 {rule} 对 {target} 的豁免已于 {expires} 到期，不再生效"),
                        format!("the waiver of {rule} for {target} expired on {expires} and no longer applies"),
                    ),
                ));
            }
            continue;
        }
        let waived = Waived { reason, approved_by: approver, expires: expires.to_string() };
        let index = index.get_or_insert_with(|| Index::of(findings));
        let candidates = if target == "*" { index.by_rule(&rule) } else { index.by_subject(&rule, &target) };
        let mut matched = 0;
        for &i in candidates {
            let Some(f) = findings.get_mut(i as usize) else { continue };
            let same_subject = target == "*" || f.subject.as_deref() == Some(target.as_str());
            if f.rule == rule && same_subject && f.waiver.is_none() {
                f.waiver = Some(Box::new(waived.clone()));
                matched += 1;
            }
        }
        // A waiver for a rule that was not run this time cannot be judged unused.
        if matched == 0 && sel.selects(&rule) && sel.selects("WAIVER-UNUSED") {
            out.push(mk(
                "WAIVER-UNUSED",
                Text::new(
                    format!("规则 {rule} 对 {target} 的豁免没有匹配任何问题，可以删除"),
                    format!("the waiver of {rule} for {target} matches no finding; it can be removed"),
                ),
            ));
        }
    }
    out
}

/// The findings by the hash of their rule, and of their rule and subject: a waiver finds its
/// findings without looking at the others. A hash only proposes; the waiver compares the rule
/// and the subject itself.
struct Index {
    rule: rustc_hash::FxHashMap<u64, Vec<u32>>,
    subject: rustc_hash::FxHashMap<u64, Vec<u32>>,
}

impl Index {
    fn of(findings: &[Finding]) -> Index {
        let mut ix = Index { rule: Default::default(), subject: Default::default() };
        for (i, f) in findings.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            ix.rule.entry(hash(&f.rule, None)).or_default().push(i);
            if let Some(s) = &f.subject {
                ix.subject.entry(hash(&f.rule, Some(s))).or_default().push(i);
            }
        }
        ix
    }
    fn by_rule(&self, rule: &str) -> &[u32] {
        self.rule.get(&hash(rule, None)).map_or(&[], Vec::as_slice)
    }
    fn by_subject(&self, rule: &str, subject: &str) -> &[u32] {
        self.subject.get(&hash(rule, Some(subject))).map_or(&[], Vec::as_slice)
    }
}

fn hash(rule: &str, subject: Option<&str>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    rule.hash(&mut h);
    subject.hash(&mut h);
    h.finish()
}
