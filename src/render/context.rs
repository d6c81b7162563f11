//! The template context: the typed policy as plain template values. Documented in
//! `docs/templates.md`; generic over declaration kinds, so a new kind or a new chapter in the
//! pack reaches the templates without code changes.

use std::collections::BTreeMap;

use minijinja::value::Value as J;
use rustc_hash::FxHashMap as HashMap;

use super::values::to_template;
use crate::base::value::Value;
use crate::policy::{KindOrigin, Policy, Rule};

/// An HTML `id` for a declaration or rule: kind and name, spaces replaced.
pub fn anchor(kind: &str, name: &str) -> String {
    format!("{kind}-{name}").replace(char::is_whitespace, "-")
}

/// Builds the whole context for the wall edition.
pub fn build(policy: &Policy) -> J {
    build_edition(policy, super::Edition::Wall)
}

/// Text attributes whose references (`{param 投诉反馈时限}`) are filled in for documents.
const TEXT_FIELDS: &[&str] = &["text", "explain", "note", "chosen", "detail"];

/// A text with its references to declared values filled in (`compile::textref`).
fn filled(policy: &Policy, text: &str) -> String {
    crate::compile::textref::resolve(&policy.schema, &policy.decls, text)
}

/// Fills the references of a declaration's text attributes, and of its sub-declarations'.
fn fill_value(policy: &Policy, field: &str, v: &Value) -> J {
    match v {
        Value::Str(s) if TEXT_FIELDS.contains(&field) => J::from(filled(policy, s)),
        Value::List(items) if items.iter().any(|x| matches!(x, Value::Object(_))) => J::from(
            items
                .iter()
                .map(|x| match x {
                    Value::Object(o) => J::from(
                        o.fields().map(|(k, x)| (k.to_string(), fill_value(policy, k, x))).collect::<BTreeMap<_, _>>(),
                    ),
                    other => to_template(other),
                })
                .collect::<Vec<_>>(),
        ),
        other => to_template(other),
    }
}

/// Builds the whole context for an edition: `edition` is `"wall"` or `"annotated"`; texts have
/// their references filled in.
pub fn build_edition(policy: &Policy, edition: super::Edition) -> J {
    let documented = documented_by(policy);
    let mut decls: BTreeMap<String, J> = BTreeMap::new();
    let mut index: BTreeMap<String, BTreeMap<String, J>> = BTreeMap::new();
    let mut chapters: Vec<String> = Vec::new();
    for k in policy.schema.kinds.iter().filter(|k| k.origin == KindOrigin::Decl) {
        let kind = k.name.strip_prefix("policy.").unwrap_or(&k.name);
        let mut items: Vec<(i64, J)> = Vec::new();
        for r in policy.decls_of(kind) {
            let Some(rec) = policy.decls.get(r) else { continue };
            let name = rec.id_str().unwrap_or_default();
            let mut obj: BTreeMap<String, J> = BTreeMap::new();
            for (f, v) in k.fields.iter().zip(rec.fields.iter()) {
                obj.insert(f.name.clone(), fill_value(policy, &f.name, v));
            }
            let title = match rec.fields.get(k.slot("title").unwrap_or(usize::MAX)) {
                Some(Value::Str(t)) => t.to_string(),
                _ => name.to_string(),
            };
            let file = policy.sources.get(rec.loc.file);
            let (line, _) = file.line_col(rec.loc.start as usize);
            obj.insert("kind".into(), J::from(kind));
            obj.insert("title".into(), J::from(title));
            obj.insert("anchor".into(), J::from(anchor(kind, name)));
            obj.insert("file".into(), J::from(short_name(&file.name)));
            obj.insert("line".into(), J::from(line));
            let mut ids: Vec<&str> = documented.get(&(kind, Some(name))).cloned().unwrap_or_default();
            ids.extend(documented.get(&(kind, None)).cloned().unwrap_or_default());
            ids.sort_by(|a, b| rule_order(a).cmp(&rule_order(b)));
            ids.dedup();
            obj.insert("rules".into(), J::from(ids.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
            if kind == "section"
                && let Some(Value::Str(c)) = rec.fields.get(k.slot("chapter").unwrap_or(usize::MAX))
                && !chapters.iter().any(|x| **x == **c)
            {
                chapters.push(c.to_string());
            }
            let order = match rec.fields.get(k.slot("order").unwrap_or(usize::MAX)) {
                Some(Value::Int(i)) => *i,
                _ => i64::MAX,
            };
            let obj = J::from(obj);
            index.entry(kind.to_string()).or_default().insert(name.to_string(), obj.clone());
            items.push((order, obj));
        }
        // Source order, except where the pack gives an explicit `order`.
        items.sort_by_key(|(o, _)| *o);
        decls.insert(kind.to_string(), J::from(items.into_iter().map(|(_, v)| v).collect::<Vec<_>>()));
    }
    let policy_decl = policy.decls_of("policy").first().copied();
    let text = policy_decl
        .and_then(|r| policy.decl_field(r, "text"))
        .map(|v| fill_value(policy, "text", v))
        .unwrap_or_default();
    let meta = minijinja::context! {
        name => policy.meta.name.clone(),
        title => policy.meta.title.clone().unwrap_or_else(|| policy.meta.name.clone()),
        version => policy.meta.version.clone(),
        effective => policy.meta.effective.to_string(),
        issuer => policy.meta.issuer.clone(),
        text => text,
    };
    // A rule an overlay disabled is not stated; the appendix of deviations says why.
    let rules: Vec<J> = policy.rules.iter().filter(|r| r.disabled.is_none()).map(|r| rule(policy, r)).collect();
    let deviations: Vec<J> = policy
        .deviations
        .iter()
        .map(|d| {
            let action = match d.action {
                crate::policy::DeviationKind::Added => "补充",
                crate::policy::DeviationKind::Override => "调整",
                crate::policy::DeviationKind::Disable => "停用",
            };
            minijinja::context! {
                action => action, kind => d.kind.clone(), name => d.name.clone(), attrs => d.attrs.clone(),
                base => d.base.clone(), company => d.company.clone(), reason => d.reason.clone(),
                approved_by => d.approved_by.clone(),
            }
        })
        .collect();
    // Counted as `zhidu lint` counts them: the additions together are one supplement (补充).
    let count = |k: crate::policy::DeviationKind| policy.deviations.iter().filter(|d| d.action == k).count();
    let (added, changed, disabled) = (
        count(crate::policy::DeviationKind::Added),
        count(crate::policy::DeviationKind::Override),
        count(crate::policy::DeviationKind::Disable),
    );
    let deviation_count = minijinja::context! {
        total => changed + disabled + usize::from(added > 0), added => added, changed => changed, disabled => disabled,
    };
    let params: Vec<J> = policy
        .params
        .iter()
        .map(|p| minijinja::context! { name => p.name.clone(), value => to_template(&p.value), anchor => anchor("param", &p.name) })
        .collect();
    minijinja::context! {
        meta => meta,
        decls => decls,
        index => index,
        rules => rules,
        params => params,
        chapters => chapters,
        deviations => deviations,
        deviation_count => deviation_count,
        edition => edition.name(),
    }
}

fn rule(policy: &Policy, r: &Rule) -> J {
    let documents: Vec<J> = r
        .documents
        .iter()
        .map(|(k, n)| {
            let target = n.as_deref().map_or_else(|| k.clone(), |n| anchor(k, n));
            minijinja::context! { kind => k, name => n, anchor => target }
        })
        .collect();
    minijinja::context! {
        id => r.id.clone(),
        anchor => format!("rule-{}", r.id),
        chapter => r.chapter(),
        severity => r.severity.as_str(),
        title => r.title.clone(),
        source => r.source.clone(),
        text => r.text.as_deref().map(|t| filled(policy, t)),
        explain => r.explain.as_deref().map(|t| filled(policy, t)),
        chosen => r.chosen.as_deref().map(|t| filled(policy, t)),
        message => r.message.clone(),
        advisory => r.advisory,
        effective => r.effective.map(|d| d.to_string()),
        checked => !r.checks.is_empty(),
        place => minijinja::context! { policy => r.place.policy, org => r.place.org, doc => r.place.doc },
        where_checked => r.place.describe(),
        documents => documents,
    }
}

/// Rule IDs sort by chapter, then number (`APV-2` before `APV-10`).
fn rule_order(id: &str) -> (&str, u32) {
    let (c, n) = id.split_once('-').unwrap_or((id, ""));
    (c, n.parse().unwrap_or(u32::MAX))
}

/// Which rules state which declarations: (kind, name) → rule IDs; name `None` for a whole kind.
fn documented_by(policy: &Policy) -> HashMap<(&str, Option<&str>), Vec<&str>> {
    let mut m: HashMap<(&str, Option<&str>), Vec<&str>> = HashMap::default();
    for r in &policy.rules {
        for (k, n) in &r.documents {
            m.entry((k.as_str(), n.as_deref())).or_default().push(r.id.as_str());
        }
    }
    m
}

/// `policies/roles.zd` or `<builtin>/roles.zd` → `roles.zd`.
fn short_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()
}
