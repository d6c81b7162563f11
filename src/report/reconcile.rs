//! `zhidu verify`, second half: the report's results against the results its inputs give now.
//!
//! Input digests only show that the files are the report's; a report whose statuses were
//! flipped to pass and whose evidence was emptied lists the same files. So `verify` makes the
//! report again from the inputs (with the report's own `as_of` and period) and compares the two
//! JSON documents as written — everything but `inputs` (compared file by file before),
//! `content_digest` (checked first) and the tool's version (a note) — naming each difference:
//! rules by ID (status, subjects, findings, evidence, …), evidence by fingerprint, waivers by rule
//! and subject, lint rules and data checks by ID, summary counts by their path, and any member a
//! zhidu report does not have.
//!
//! A `comparison` (`--compare`) is checked as far as the report itself allows: the previous
//! report is not at hand, so it is rebuilt from what the comparison says of it (`fixed`,
//! `unchanged`, each rule's `before`), and the comparison is made again against the results now;
//! `new` and `unchanged` must then be exactly the findings now and each rule's `now` its status.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::compare::{self, Change, Comparison};
use super::digest::CONTENT_DIGEST;
use super::model::{
    CheckReport, Counts, DataCheck, Evidence, Inputs, Lint, Org, Pack, Report, RuleReport, Status, Summary, Tool,
};

/// One way the report's content differs from what its inputs give now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    /// What differs: `status`, `subjects`, `evidence`, `waiver`, `lint`, `summary`, `rule`, …
    pub what: String,
    /// Which one: a rule ID, a waiver's rule and subject, a summary count.
    pub which: String,
    /// What the report says; `None`: it does not list this.
    pub report: Option<String>,
    /// What the inputs give; `None`: they do not give this.
    pub now: Option<String>,
}

impl fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.which.is_empty() {
            f.write_str(&self.what)?;
        } else {
            write!(f, "{:<8} {}", self.what, self.which)?;
        }
        match (&self.report, &self.now) {
            (Some(r), Some(n)) => write!(f, ": report says {r}, the inputs give {n}"),
            (Some(r), None) => write!(f, ": the report lists {r}, the inputs do not give it"),
            (None, Some(n)) => write!(f, ": the inputs give {n}, the report does not list it"),
            (None, None) => Ok(()),
        }
    }
}

/// The JSON document `to_json` writes for the results now, to compare with the report's.
pub fn written(now: &Report) -> Value {
    // Parsing what zhidu itself just wrote fails only if the writer is broken; then `null`
    // differs from every report: fail closed.
    serde_json::from_str(&super::to_json(now)).unwrap_or_default()
}

/// Every difference between the report (`made`, read from `document`) and the report its inputs
/// give now (`now`, made from them with the report's `as_of` and period), in document order.
pub fn reconcile(made: &Report, document: &Value, now: &Report) -> Vec<Discrepancy> {
    let mut now = now.clone();
    // The comparison is remade from what the report says of the previous report.
    now.comparison = made.comparison.as_ref().map(|c| compare::compare(&previous(c, made), &now));
    let fresh = written(&now);
    let mut d = Differ::default();
    d.document(document, &fresh);
    d.out
}

/// Members left out of the comparison of content: checked on their own before.
const CHECKED_BEFORE: [&str; 2] = ["inputs", CONTENT_DIGEST];
/// The order sections are compared and named in (members a report should not have come last).
const SECTIONS: [&str; 14] = [
    "schema_version",
    "tool",
    "org",
    "policy",
    "as_of",
    "period",
    "summary",
    "rules",
    "waivers",
    "lint",
    "data_checks",
    "comparison",
    "deviations",
    "inputs",
];

/// How to compare two lists of records.
struct List<'a> {
    /// `what` of the line for a record only on one side.
    what: &'a str,
    /// Where the list is (`which` of the lines).
    which: &'a str,
    /// The list's name in an `order` line.
    label: &'a str,
    /// A record's key (a record without one is keyed by its whole value).
    key_of: &'a dyn Fn(&Value) -> Option<String>,
    /// `which` of the line for a record only on one side (else `which` and its key).
    name: Option<&'a dyn Fn(&Value) -> String>,
}

/// What to do with a record on both sides that differs: (differ, key, report's, now's).
type Matched<'a> = dyn Fn(&mut Differ, &str, &Value, &Value) + 'a;

#[derive(Default)]
struct Differ {
    out: Vec<Discrepancy>,
}

impl Differ {
    fn push(&mut self, what: &str, which: &str, report: Option<String>, now: Option<String>) {
        self.out.push(Discrepancy { what: what.to_string(), which: which.to_string(), report, now });
    }

    /// The two documents, section by section.
    fn document(&mut self, made: &Value, now: &Value) {
        let empty = Map::new();
        let (a, b) = (made.as_object().unwrap_or(&empty), now.as_object().unwrap_or(&empty));
        let mut keys: Vec<&str> =
            SECTIONS.iter().copied().filter(|k| a.contains_key(*k) || b.contains_key(*k)).collect();
        let others: BTreeSet<&str> =
            a.keys().chain(b.keys()).map(String::as_str).filter(|k| !SECTIONS.contains(k)).collect();
        keys.extend(others);
        for key in keys.into_iter().filter(|k| !CHECKED_BEFORE.contains(k)) {
            let (x, y) = (a.get(key), b.get(key));
            match key {
                "tool" => {
                    // The version is a note (a newer zhidu may give other results); the name counts.
                    let name = |v: Option<&Value>| v.and_then(|t| t.get("name")).cloned();
                    self.value("tool", "name", name(x).as_ref(), name(y).as_ref());
                    self.value(
                        "tool",
                        "",
                        Some(&without(x, &["name", "version"])),
                        Some(&without(y, &["name", "version"])),
                    );
                }
                "rules" | "data_checks" => {
                    let what = if key == "rules" { "rule" } else { "data check" };
                    let l = List { what, which: "", label: key, key_of: &|v| text(v, "id"), name: None };
                    self.list(&l, x, y, &|d, id, a, b| d.rule(id, a, b));
                }
                "waivers" => {
                    let key_of = |v: &Value| match (text(v, "rule"), text(v, "subject")) {
                        (Some(r), Some(s)) => Some(format!("{r} {s}")),
                        _ => None,
                    };
                    let l = List { what: "waiver", which: "", label: key, key_of: &key_of, name: None };
                    self.list(&l, x, y, &|d, k, a, b| d.value("waiver", k, Some(a), Some(b)));
                }
                "lint" => {
                    let field = |v: Option<&Value>, f: &str| v.and_then(|l| l.get(f)).cloned();
                    self.value("lint", "status", field(x, "status").as_ref(), field(y, "status").as_ref());
                    let (rx, ry) = (field(x, "rules"), field(y, "rules"));
                    let l =
                        List { what: "lint", which: "", label: "lint rules", key_of: &|v| text(v, "id"), name: None };
                    self.list(&l, rx.as_ref(), ry.as_ref(), &|d, id, a, b| d.value("lint", id, Some(a), Some(b)));
                    self.value(
                        "lint",
                        "",
                        Some(&without(x, &["status", "rules"])),
                        Some(&without(y, &["status", "rules"])),
                    );
                }
                _ if SECTIONS.contains(&key) => self.value(key, "", x, y),
                // A member zhidu does not write: a report that has one is not one zhidu wrote.
                _ => self.value("member", key, x, y),
            }
        }
    }

    /// A rule or a data check: each member by name, evidence by fingerprint.
    fn rule(&mut self, id: &str, a: &Value, b: &Value) {
        let (Some(ma), Some(mb)) = (a.as_object(), b.as_object()) else {
            self.push("rule", id, Some(render(a)), Some(render(b)));
            return;
        };
        for key in union(ma, mb) {
            let (x, y) = (ma.get(key), mb.get(key));
            if key == "evidence" {
                self.evidence(id, x, y);
            } else {
                self.value(key, id, x, y);
            }
        }
    }

    /// A rule's evidence: matched by fingerprint; what is only on one side is listed as such.
    fn evidence(&mut self, id: &str, a: Option<&Value>, b: Option<&Value>) {
        let matched = |d: &mut Differ, _: &str, x: &Value, y: &Value| {
            let which = format!("{id} {}", text(x, "subject").or_else(|| text(x, "fingerprint")).unwrap_or_default());
            d.value("evidence", &which, Some(x), Some(y));
        };
        let name = |_: &Value| id.to_string();
        let l = List {
            what: "evidence",
            which: id,
            label: "evidence",
            key_of: &|v| text(v, "fingerprint"),
            name: Some(&name),
        };
        self.list(&l, a, b, &matched);
    }

    /// Two lists of records: matched by key; a record only on one side is a line of its own.
    fn list(&mut self, l: &List, a: Option<&Value>, b: Option<&Value>, matched: &Matched) {
        let (what, which, label, key_of) = (l.what, l.which, l.label, l.key_of);
        let name = |v: &Value| match l.name {
            Some(name) => name(v),
            None => join(which, &key_of(v).unwrap_or_default()),
        };
        if a == b {
            return;
        }
        let (Some(xa), Some(xb)) = (a.and_then(Value::as_array), b.and_then(Value::as_array)) else {
            // Not a list on one side (or missing): say what each side has.
            self.push(
                what,
                &join(which, label),
                Some(a.map_or("none".into(), render)),
                Some(b.map_or("none".into(), render)),
            );
            return;
        };
        // Items by key, in order; an item without a key is keyed by what it is.
        let keyed =
            |xs: &'_ [Value]| -> Vec<String> { xs.iter().map(|v| key_of(v).unwrap_or_else(|| render(v))).collect() };
        let (ka, kb) = (keyed(xa), keyed(xb));
        let mut groups: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for (i, k) in ka.iter().enumerate() {
            groups.entry(k).or_default().0.push(i);
        }
        for (i, k) in kb.iter().enumerate() {
            groups.entry(k).or_default().1.push(i);
        }
        // (report index or none, now index or none) for each item that differs, in report order.
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        for (ia, ib) in groups.values() {
            // Items equal on both sides cancel; one left on each side is the same item, changed.
            let mut ia: Vec<usize> = ia.clone();
            let mut ib: Vec<usize> = ib.clone();
            ia.retain(|&i| match ib.iter().position(|&j| xa.get(i) == xb.get(j)) {
                Some(p) => {
                    ib.remove(p);
                    false
                }
                None => true,
            });
            if let ([i], [j]) = (ia.as_slice(), ib.as_slice()) {
                pairs.push((Some(*i), Some(*j)));
            } else {
                pairs.extend(ia.into_iter().map(|i| (Some(i), None)));
                pairs.extend(ib.into_iter().map(|j| (None, Some(j))));
            }
        }
        pairs.sort_by_key(|(i, j)| (i.unwrap_or(usize::MAX), j.unwrap_or(usize::MAX)));
        for (i, j) in &pairs {
            match (i.and_then(|i| xa.get(i)), j.and_then(|j| xb.get(j))) {
                (Some(x), Some(y)) => {
                    let key = key_of(x).unwrap_or_default();
                    matched(self, &key, x, y);
                }
                (Some(x), None) => self.push(what, &name(x), Some(describe(x)), None),
                (None, Some(y)) => self.push(what, &name(y), None, Some(describe(y))),
                (None, None) => {}
            }
        }
        // The same items in another order: name the first place they part.
        let only = pairs.iter().any(|(i, j)| i.is_none() || j.is_none());
        if !only && let Some(p) = ka.iter().zip(&kb).position(|(x, y)| x != y) {
            let at = |k: &Vec<String>| k.get(p).cloned();
            self.push("order", &format!("{} #{}", join(which, label), p + 1), at(&ka), at(&kb));
        }
    }

    /// Any two values: objects member by member, lists of records by key (or position), anything
    /// else as a whole.
    fn value(&mut self, what: &str, which: &str, a: Option<&Value>, b: Option<&Value>) {
        if a == b {
            return;
        }
        match (a, b) {
            (Some(Value::Object(ma)), Some(Value::Object(mb))) => {
                for key in union(ma, mb) {
                    self.value(what, &join(which, key), ma.get(key), mb.get(key));
                }
            }
            (Some(Value::Array(xa)), Some(Value::Array(xb)))
                if xa.iter().chain(xb).all(|v| v.is_object()) && !(xa.is_empty() && xb.is_empty()) =>
            {
                if xa.iter().chain(xb).all(|v| item_key(v).is_some()) {
                    // A record only on one side is named by its rule or ID; the line describes it.
                    let name = |v: &Value| join(which, &text(v, "rule").or_else(|| item_key(v)).unwrap_or_default());
                    let l = List { what, which, label: "", key_of: &item_key, name: Some(&name) };
                    self.list(&l, a, b, &|d, k, x, y| d.value(what, &join(which, k), Some(x), Some(y)));
                } else {
                    // Records without a key (a rule's checks): by position, numbered from 1.
                    for i in 0..xa.len().max(xb.len()) {
                        let which = format!("{which} #{}", i + 1);
                        match (xa.get(i), xb.get(i)) {
                            (Some(x), Some(y)) => self.value(what, &which, Some(x), Some(y)),
                            (x, y) => self.push(what, &which, x.map(describe), y.map(describe)),
                        }
                    }
                }
            }
            _ => self.push(what, which, Some(a.map_or("none".into(), render)), Some(b.map_or("none".into(), render))),
        }
    }
}

/// The key of a record in a list the model sorts or orders by it.
fn item_key(v: &Value) -> Option<String> {
    text(v, "id")
        .or_else(|| text(v, "chapter"))
        .or_else(|| {
            text(v, "fingerprint")
                .map(|f| format!("{} {f}", text(v, "rule").or_else(|| text(v, "subject")).unwrap_or_default()))
        })
        .map(|k| k.trim().to_string())
}

/// The members of an object other than `keys` (none if it is not an object).
fn without(v: Option<&Value>, keys: &[&str]) -> Value {
    let members = v.and_then(Value::as_object).into_iter().flatten();
    Value::Object(members.filter(|(k, _)| !keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// Keys of two objects: sorted, each once.
fn union<'a>(a: &'a Map<String, Value>, b: &'a Map<String, Value>) -> BTreeSet<&'a str> {
    a.keys().chain(b.keys()).map(String::as_str).collect()
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a} {b}"),
    }
}

/// A member that is a string.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A value for a line: strings as they are, lists of plain values as `[a, b]`, the rest as
/// compact JSON, at most 200 characters.
fn render(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Array(xs) if xs.iter().all(|x| !x.is_object() && !x.is_array()) => {
            format!("[{}]", xs.iter().map(render).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    };
    if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s }
}

/// An item only on one side, for a line: evidence by subject, message and fingerprint, a
/// waiver by whom and until when, a rule by its status.
fn describe(v: &Value) -> String {
    if let (Some(fp), Some(message)) = (text(v, "fingerprint"), text(v, "message")) {
        let subject = text(v, "subject").or_else(|| text(v, "rule")).map(|s| format!("{s} ")).unwrap_or_default();
        let waived = if v.get("waiver").is_some() { ", waived" } else { "" };
        return format!("{subject}\"{message}\" (fingerprint {fp}{waived})");
    }
    if let (Some(by), Some(until)) = (text(v, "approved_by"), text(v, "expires")) {
        let reason = text(v, "reason").unwrap_or_default();
        return format!("a waiver until {until} approved by {by} (\"{reason}\")");
    }
    if let Some(status) = text(v, "status") {
        return format!("it with status {status}");
    }
    render(v)
}

/// The previous report as far as a comparison tells of it: each rule's status before and the
/// findings it had (`fixed` and `unchanged`), enough for [`compare::compare`] to remake the
/// comparison.
fn previous(c: &Comparison, made: &Report) -> Report {
    let findings: Vec<&Change> = c.fixed.iter().chain(&c.unchanged).collect();
    let evidence = |rule: &str| -> Vec<Evidence> {
        findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| Evidence {
                subject: f.subject.clone(),
                location: None,
                severity: String::new(),
                message: f.message.clone(),
                fingerprint: f.fingerprint.to_string(),
                waiver: None,
            })
            .collect()
    };
    let rules: Vec<RuleReport> = c
        .trend
        .iter()
        .filter_map(|t| {
            t.before.map(|status| RuleReport {
                id: t.id.clone(),
                chapter: String::new(),
                title: String::new(),
                source: String::new(),
                place: Vec::new(),
                severity: String::new(),
                advisory: false,
                effective: None,
                status,
                reason: None,
                subjects: None,
                not_evaluated: 0,
                checks: Vec::<CheckReport>::new(),
                findings: 0,
                waived: 0,
                evidence: evidence(&t.id),
            })
        })
        .collect();
    // Findings of rules the trend does not have before (the built-in checks) go with the data
    // checks: the comparison reads both alike.
    let ruled: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let others: BTreeSet<&str> = findings.iter().map(|f| f.rule.as_str()).filter(|r| !ruled.contains(r)).collect();
    let data_checks = others
        .into_iter()
        .map(|id| DataCheck {
            id: id.into(),
            title: String::new(),
            title_en: String::new(),
            status: Status::Fail,
            evidence: evidence(id),
        })
        .collect();
    Report {
        schema_version: made.schema_version,
        tool: Tool { name: String::new(), version: String::new() },
        org: Org { name: String::new() },
        policy: Pack {
            name: String::new(),
            title: None,
            version: String::new(),
            effective: String::new(),
            issuer: None,
            builtin: false,
        },
        as_of: c.previous.as_of.clone(),
        period: c.previous.period.clone(),
        inputs: Inputs { algorithm: String::new(), digest: c.previous.digest.clone(), files: Vec::new() },
        content_digest: None,
        summary: Summary {
            total: Counts::default(),
            chapters: Vec::new(),
            findings: 0,
            waived_findings: 0,
            records: 0,
            not_evaluated: 0,
        },
        rules,
        waivers: Vec::new(),
        lint: Lint { status: Status::Pass, rules: Vec::new() },
        deviations: Vec::new(),
        data_checks,
        comparison: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(a: Value, b: Value) -> Vec<String> {
        let mut d = Differ::default();
        d.document(&a, &b);
        d.out.iter().map(ToString::to_string).collect()
    }

    fn rule(id: &str, status: &str, evidence: Value) -> Value {
        json!({ "id": id, "status": status, "subjects": 3, "findings": 1, "evidence": evidence,
                "checks": [{ "scope": "org", "reads": ["change"], "has_data": true, "subjects": 3 }] })
    }

    fn ev(subject: &str, fp: &str) -> Value {
        json!({ "subject": subject, "severity": "error", "message": format!("m {subject}"), "fingerprint": fp })
    }

    #[test]
    fn each_difference_is_named() {
        let now = json!({
            "rules": [rule("A-1", "fail", json!([ev("c:1", "f1")])), rule("A-2", "pass", json!([]))],
            "waivers": [{ "rule": "A-1", "subject": "c:9", "reason": "r", "approved_by": "boss", "expires": "2026-12-31", "findings": 0 }],
            "summary": { "total": { "pass": 1, "fail": 1 }, "chapters": [{ "chapter": "A", "pass": 1, "fail": 1 }] },
            "lint": { "status": "pass", "rules": [{ "id": "P-1", "status": "pass", "messages": [] }] },
            "inputs": { "digest": "x" }, "content_digest": "y", "tool": { "name": "zhidu", "version": "1" },
        });
        let mut made = now.clone();
        made["rules"][0]["status"] = json!("pass");
        made["rules"][0]["evidence"] = json!([]);
        made["rules"][0]["checks"][0]["subjects"] = json!(2);
        made["rules"][1]["subjects"] = json!(30);
        made["waivers"] = json!([]);
        made["summary"]["chapters"][0]["fail"] = json!(0);
        made["lint"]["rules"][0]["status"] = json!("fail");
        made["inputs"] = json!("checked elsewhere");
        made["content_digest"] = json!("so is this");
        made["tool"]["version"] = json!("0.9");
        made["note"] = json!("all good");
        assert_eq!(
            diff(made, now),
            [
                "summary  chapters A fail: report says 0, the inputs give 1",
                "checks   A-1 #1 subjects: report says 2, the inputs give 3",
                "evidence A-1: the inputs give c:1 \"m c:1\" (fingerprint f1), the report does not list it",
                "status   A-1: report says pass, the inputs give fail",
                "subjects A-2: report says 30, the inputs give 3",
                "waiver   A-1 c:9: the inputs give a waiver until 2026-12-31 approved by boss (\"r\"), the report does not list it",
                "lint     P-1 status: report says fail, the inputs give pass",
                "member   note: report says all good, the inputs give none",
            ]
        );
    }

    #[test]
    fn lists_are_matched_by_key() {
        let now = json!({ "rules": [rule("A-1", "fail", json!([ev("c:1", "f1"), ev("c:2", "f2")])), rule("A-2", "pass", json!([]))] });
        // Evidence edited in place, an extra rule, and rules in another order.
        let mut made = now.clone();
        made["rules"][0]["evidence"][1]["message"] = json!("nothing to see");
        assert_eq!(
            diff(made, now.clone()),
            ["evidence A-1 c:2 message: report says nothing to see, the inputs give m c:2"]
        );
        let mut made = now.clone();
        made["rules"] = json!([now["rules"][1], now["rules"][0]]);
        assert_eq!(diff(made, now.clone()), ["order    rules #1: report says A-2, the inputs give A-1"]);
        let mut made = now.clone();
        made["rules"].as_array_mut().expect("rules").push(rule("A-3", "pass", json!([])));
        assert_eq!(
            diff(made, now.clone()),
            ["rule     A-3: the report lists it with status pass, the inputs do not give it"]
        );
        // The same evidence twice in the report, once now.
        let mut made = now.clone();
        made["rules"][0]["evidence"].as_array_mut().expect("evidence").push(ev("c:1", "f1"));
        assert_eq!(
            diff(made, now.clone()),
            ["evidence A-1: the report lists c:1 \"m c:1\" (fingerprint f1), the inputs do not give it"]
        );
        assert!(diff(now.clone(), now).is_empty());
    }
}
