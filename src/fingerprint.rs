//! Stable fingerprints of findings: `sha256(rule, subject, content of the subject record,
//! discriminator)`. The record content is taken from parsed values in schema order, so reordering
//! records, moving them between files or reformatting a file does not change a fingerprint;
//! changing the record does. See `docs/baseline.md`.

use sha2::{Digest, Sha256};

use crate::data::{OrgData, kind_for};
use crate::eval::store::Rec;
use crate::eval::value::Value;
use crate::finding::Finding;
use crate::policy::Policy;

/// Fills in `fingerprint` for every finding.
pub fn assign(policy: &Policy, org: &OrgData, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        f.fingerprint = of(policy, org, f);
    }
}

/// The fingerprint of one finding (32 hex digits).
pub fn of(policy: &Policy, org: &OrgData, f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.rule.as_bytes());
    h.update([0]);
    match &f.subject {
        Some(subject) => {
            h.update(subject.as_bytes());
            h.update([0]);
            if let Some(rec) = record(policy, org, subject) {
                h.update(content(rec).as_bytes());
            }
            h.update([0]);
            // Several checks of one rule may fail for the same record; DATA findings differ by field.
            if f.rule.starts_with("DATA-") || f.rule.starts_with("WAIVER-") {
                h.update(f.message.as_bytes());
            } else {
                h.update(f.check.to_le_bytes());
            }
        }
        None => h.update(f.message.as_bytes()),
    }
    crate::output::hex(&h.finalize()[..16])
}

/// The record a `kind:id` subject names (org records, or `policy.kind` declarations).
fn record<'a>(policy: &'a Policy, org: &'a OrgData, subject: &str) -> Option<Rec<'a>> {
    let (kind, id) = subject.split_once(':')?;
    if let Some(decl) = kind.strip_prefix("policy.") {
        let k = policy.schema.decl_kind(decl)?;
        return policy.decls.get(policy.decls.by_id(k, id)?);
    }
    let k = kind_for(&policy.schema, kind)?;
    org.store.get(org.store.by_id(k, id)?)
}

/// A canonical text of a record's values (schema order, then extra fields by name).
pub fn content(rec: Rec) -> String {
    let mut s = String::new();
    for v in rec.fields.iter() {
        canonical(v, &mut s);
        s.push('\u{1f}');
    }
    let mut extra: Vec<&(crate::eval::value::Str, Value)> = rec.extra.iter().collect();
    extra.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in extra {
        s.push_str(k);
        s.push('=');
        canonical(v, &mut s);
        s.push('\u{1f}');
    }
    s
}

fn canonical(v: &Value, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::List(l) => {
            out.push('[');
            for x in l.iter() {
                canonical(x, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(o) => {
            let mut fields: Vec<_> = o.fields.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (k, x) in fields {
                let _ = write!(out, "{k}:");
                canonical(x, out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        other => {
            let _ = write!(out, "{}:{other}", other.type_name());
        }
    }
}
