//! `--format oscal`: the report as NIST OSCAL 1.1 assessment results (JSON).
//!
//! One result for the org and `as_of`; every rule of the pack is an OSCAL finding targeting the
//! objective `<rule ID>`, `satisfied` when it passes, `not-satisfied` when it fails or its
//! findings are waived, and without an objective status when it is not applicable, not checked or
//! pending (zhidu's status is in the `zhidu-status` property). Every piece of evidence is an
//! observation related to its finding. UUIDs are deterministic: version-5-style UUIDs made from
//! the SHA-256 (not SHA-1) of the inputs' digest, `as_of`, the period and the item's identity.
//! Timestamps are `as_of` at midnight UTC.

use serde_json::{Value, json};

use super::digest::sha256;
use super::model::{Evidence, Report, RuleReport, Status};

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.1.2";
/// Namespace of zhidu's own properties.
const NS: &str = "urn:zhidu:oscal";

/// A version-5-style UUID from the SHA-256 of `name` (RFC 9562 layout: version 5, variant 10).
pub fn uuid(name: &str) -> String {
    let hex = sha256(name.as_bytes());
    let mut b: Vec<u8> =
        (0..16).map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0)).collect();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::base::hex(&b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Renders the report as an OSCAL `assessment-results` document.
pub fn render(r: &Report) -> String {
    let seed = format!("zhidu/oscal/{}/{}/{}..{}", r.inputs.digest, r.as_of, r.period.from, r.period.to);
    let at = format!("{}T00:00:00Z", r.as_of);
    let title = format!("{} — {}", r.org.name, r.policy.title.as_deref().unwrap_or(&r.policy.name));
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for rule in &r.rules {
        let mut related = Vec::new();
        for (i, e) in rule.evidence.iter().enumerate() {
            let id = uuid(&format!("{seed}/observation/{}/{i}/{}", rule.id, e.fingerprint));
            related.push(json!({ "observation-uuid": id }));
            observations.push(observation(&id, rule, e, &at));
        }
        findings.push(finding(&uuid(&format!("{seed}/finding/{}", rule.id)), rule, related));
    }
    let mut result = json!({
        "uuid": uuid(&format!("{seed}/result")),
        "title": format!("zhidu conformance check of {}", r.org.name),
        "description": format!(
            "Every rule of the policy pack {} {} checked against the organisation's data as of {}, audit period {} to {}.",
            r.policy.name, r.policy.version, r.as_of, r.period.from, r.period.to
        ),
        "start": at,
        "props": [
            prop("period-from", &r.period.from),
            prop("period-to", &r.period.to),
            prop("inputs-sha256", &r.inputs.digest),
        ],
        "reviewed-controls": { "control-selections": [ { "include-all": {} } ] },
    });
    // The overlay's deviations from its base pack: one prop each, the overlay's text as remarks.
    if let Some(props) = result.get_mut("props").and_then(Value::as_array_mut) {
        // Checks not evaluated for records holding words no vocabulary declares (DATA-VOCAB):
        // a reader must not take the result for full conformance.
        if r.summary.not_evaluated > 0 {
            props.push(prop("not-evaluated", &r.summary.not_evaluated.to_string()));
        }
        for d in &r.deviations {
            let mut p = prop("deviation", &format!("{} {} {}", d.action, d.kind, d.name));
            let mut remarks = d.company.clone();
            if let Some(reason) = &d.reason {
                remarks.push_str(&format!("\n\nreason: {reason}"));
            }
            if let Some(o) = p.as_object_mut() {
                o.insert("remarks".into(), Value::String(remarks));
            }
            props.push(p);
        }
    }
    // OSCAL lists may not be empty: leave out a list with nothing in it.
    if let Some(o) = result.as_object_mut() {
        for (key, list) in [("observations", observations), ("findings", findings)] {
            if !list.is_empty() {
                o.insert(key.into(), Value::Array(list));
            }
        }
    }
    let doc = json!({
        "assessment-results": {
            "uuid": uuid(&seed),
            "metadata": {
                "title": format!("Conformance report: {title}"),
                "last-modified": at,
                "version": format!("{}+{}", r.as_of, &r.inputs.digest[..r.inputs.digest.len().min(12)]),
                "oscal-version": OSCAL_VERSION,
                // The pack and the tool are versioned apart (docs/versioning.md): both are named.
                "props": [ prop("policy-version", &r.policy.version), prop("tool-version", &r.tool.version) ],
            },
            "import-ap": { "href": format!("urn:zhidu:policy:{}:{}", slug(&r.policy.name), slug(&r.policy.version)) },
            "results": [ result ],
        }
    });
    let mut s = crate::base::visible::json(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": value })
}

/// A URN-safe form of a name (other characters percent-encoded).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn finding(id: &str, rule: &RuleReport, related: Vec<Value>) -> Value {
    let mut description = format!("{} ({}). Status: {}.", rule.title, rule.source, rule.status.as_str());
    if let Some(reason) = &rule.reason {
        description.push_str(&format!(" {reason}."));
    }
    if let Some(n) = rule.subjects {
        description.push_str(&format!(" Subjects checked: {n}."));
    }
    let mut target = json!({ "type": "objective-id", "target-id": rule.id });
    let state = match rule.status {
        Status::Pass => Some(("satisfied", "pass")),
        Status::Fail | Status::Waived => Some(("not-satisfied", "fail")),
        Status::NotApplicable | Status::NotChecked | Status::Pending => None,
    };
    if let (Some((state, reason)), Some(t)) = (state, target.as_object_mut()) {
        t.insert("status".into(), json!({ "state": state, "reason": reason }));
    }
    let mut props = vec![prop("zhidu-status", rule.status.as_str())];
    if rule.advisory {
        props.push(prop("advisory", "true"));
    }
    if rule.not_evaluated > 0 {
        props.push(prop("not-evaluated", &rule.not_evaluated.to_string()));
    }
    let mut f = json!({
        "uuid": id,
        "title": format!("{} {}", rule.id, rule.title),
        "description": description,
        "props": props,
        "target": target,
    });
    if let (false, Some(o)) = (related.is_empty(), f.as_object_mut()) {
        o.insert("related-observations".into(), Value::Array(related));
    }
    f
}

fn observation(id: &str, rule: &RuleReport, e: &Evidence, at: &str) -> Value {
    let place = e.location.as_ref().map(|l| {
        let mut s = format!("{}:{}:{}", l.file, l.line, l.column);
        if let Some(row) = l.row {
            s.push_str(&format!(" (row {row})"));
        }
        if let Some(f) = &l.field {
            s.push_str(&format!(" [{f}]"));
        }
        s
    });
    let mut props = vec![prop("fingerprint", &e.fingerprint), prop("severity", &e.severity)];
    if e.waiver.is_some() {
        props.push(prop("waived", "true"));
    }
    let mut o = json!({
        "uuid": id,
        "title": format!("{} {}", rule.id, e.subject.as_deref().unwrap_or("")).trim_end().to_string(),
        "description": e.message,
        "props": props,
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": at,
    });
    if let (Some(place), Some(map)) = (place, o.as_object_mut()) {
        map.insert("relevant-evidence".into(), json!([{ "description": place }]));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_deterministic_v5_layout() {
        let a = uuid("x");
        assert_eq!(a, uuid("x"));
        assert_ne!(a, uuid("y"));
        let re =
            regex::Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").expect("re");
        assert!(re.is_match(&a), "{a}");
    }

    #[test]
    fn slugs_are_urn_safe() {
        assert_eq!(slug("ops 2026.1"), "ops%202026.1");
    }
}
