//! Overlays: a pack that `extends` another adds its declarations to the base's, replaces
//! attributes of base declarations with `override`, and turns base rules off with `disable`.
//! Applied on the AST, before anything is resolved, so the merged declarations go through the
//! same checks as any other; every change is recorded as a [`Deviation`] with the text of both
//! sides (for `zhidu lint`, the handbook's appendix and the report).

use std::collections::HashMap;

use super::*;
use crate::policy::{Deviation, DeviationKind, Disabled};

/// The pack after its overlays are applied.
pub(super) struct Applied<'a> {
    /// Every declaration, overrides merged into the base's, in source order (bases first).
    pub decls: Vec<ast::Decl>,
    /// Every rule.
    pub rules: Vec<&'a ast::RuleDecl>,
    /// Every record schema.
    pub records: Vec<&'a ast::RecordDecl>,
    /// Rules turned off, by ID.
    pub disabled: HashMap<String, Disabled>,
    /// What the overlays change.
    pub deviations: Vec<Deviation>,
}

/// Applies the overlays of a loaded pack (`layer[i]` is the layer of `files[i]`).
pub(super) fn apply<'a>(
    files: &'a [(crate::base::source::FileId, ast::File)],
    layer: &[usize],
    sources: &SourceMap,
    errors: &mut Vec<PolicyError>,
) -> Applied<'a> {
    let mut out = Applied {
        decls: Vec::new(),
        rules: Vec::new(),
        records: Vec::new(),
        disabled: HashMap::new(),
        deviations: Vec::new(),
    };
    // (kind, name) → (index in `out.decls`, layer)
    let mut index: HashMap<(&'static str, String), (usize, usize)> = HashMap::new();
    let mut rule_layer: HashMap<&str, usize> = HashMap::new();
    let mut disables = Vec::new();
    for (n, (_, f)) in files.iter().enumerate() {
        let here = layer.get(n).copied().unwrap_or(0);
        for item in &f.items {
            match item {
                Item::Record(rd) => out.records.push(rd),
                Item::Rule(rl) => {
                    rule_layer.entry(rl.id.name.as_str()).or_insert(here);
                    out.rules.push(rl);
                }
                Item::Decl(d) => add(&mut out, &mut index, d, here, sources, errors),
                Item::Override(o) => override_decl(&mut out, &index, o, here, sources, errors),
                Item::Disable(d) => disables.push((d, here)),
                Item::Include(_) | Item::Extends(_) => {}
            }
        }
    }
    for (d, here) in disables {
        disable(&mut out, &rule_layer, d, here, sources, errors);
    }
    out
}

/// A plain declaration: new, or (in a later layer than the base's) a redeclaration.
fn add(
    out: &mut Applied,
    index: &mut HashMap<(&'static str, String), (usize, usize)>,
    d: &ast::Decl,
    here: usize,
    sources: &SourceMap,
    errors: &mut Vec<PolicyError>,
) {
    if let (Some(spec), Some(name)) = (spec::decl_spec(&d.kind.name), &d.name) {
        let key = (spec.kind, name.name.clone());
        if let Some(&(at, base_layer)) = index.get(&key) {
            if base_layer < here {
                let first = out.decls.get(at).and_then(|b| b.name.as_ref()).map_or(d.kind.loc, |n| n.loc);
                errors.push(
                    PolicyError::new(
                        K::Redeclared { kind: spec.kind.into(), name: name.name.clone(), first },
                        name.loc,
                    )
                    .label("declared again by the overlay")
                    .help(format!(
                        "to change it write `override {} {} {{ <attribute> <value> }}` with only the attributes that differ",
                        spec.kind, name.name
                    )),
                );
                return;
            }
        } else {
            index.insert(key, (out.decls.len(), here));
        }
        if here > 0 {
            out.deviations.push(Deviation {
                action: DeviationKind::Added,
                kind: spec.kind.into(),
                name: name.name.clone(),
                attrs: Vec::new(),
                base: String::new(),
                company: sources.slice(d.loc).trim().to_string(),
                reason: None,
                approved_by: None,
                loc: d.kind.loc.to(name.loc),
            });
        }
    }
    out.decls.push(d.clone());
}

/// The name of an entry as an attribute: an attribute's name, a sub-declaration's kind.
fn entry_name(e: &Entry) -> &str {
    match e {
        Entry::Attr(a) => &a.name.name,
        Entry::Decl(d) => &d.kind.name,
    }
}

fn entry_loc(e: &Entry) -> Loc {
    match e {
        Entry::Attr(a) => a.loc,
        Entry::Decl(d) => d.loc,
    }
}

/// `override KIND NAME { … }`: the base declaration's attributes of the names given are
/// replaced by the overlay's (every occurrence of a repeated one).
fn override_decl(
    out: &mut Applied,
    index: &HashMap<(&'static str, String), (usize, usize)>,
    o: &ast::Decl,
    here: usize,
    sources: &SourceMap,
    errors: &mut Vec<PolicyError>,
) {
    let Some(name) = &o.name else { return };
    let Some(spec) = spec::decl_spec(&o.kind.name) else {
        let kinds: Vec<&str> = DECLS.iter().map(|s| s.kind).collect();
        let help = suggest(&o.kind.name, kinds.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("declaration kinds: {}", kinds.join(", ")));
        errors.push(
            PolicyError::new(K::UnknownKind { kind: o.kind.name.clone() }, o.kind.loc).label("unknown").help(help),
        );
        return;
    };
    let found = index.get(&(spec.kind, name.name.clone())).filter(|(_, l)| *l < here);
    let Some(&(at, _)) = found else {
        let names: Vec<&str> = index
            .iter()
            .filter(|((k, _), (_, l))| *k == spec.kind && *l < here)
            .map(|((_, n), _)| n.as_str())
            .collect();
        let help =
            suggest(&name.name, names.iter().copied()).map(|s| format!("did you mean `{s}`?")).unwrap_or_else(|| {
                format!("to add a new {0}, write `{0} {1} {{ … }}` without `override`", spec.kind, name.name)
            });
        errors.push(
            PolicyError::new(K::UnknownOverride { kind: spec.kind.into(), name: name.name.clone() }, name.loc)
                .label("not in the base pack")
                .help(help),
        );
        return;
    };
    let Some(base) = out.decls.get_mut(at) else { return };
    // `effective DATE` (on a kind without an `effective` attribute of its own): the entries are
    // dated changes from that day on, and the base's values stay in force before it.
    let effective = match spec.attr("effective") {
        Some(_) => None,
        None => effective_date(o, errors),
    };
    let mut attrs: Vec<String> = Vec::new();
    let names = o.entries.iter().map(entry_name).chain(o.history.iter().map(|d| d.entry.key().name.as_str()));
    for n in names {
        let skip = effective.is_some() && n == "effective";
        if !skip && !attrs.iter().any(|a| a == n) {
            attrs.push(n.to_string());
        }
    }
    let replaced: Vec<String> = base
        .entries
        .iter()
        .filter(|e| attrs.iter().any(|a| a == entry_name(e)))
        .map(|e| sources.slice(entry_loc(e)).trim().to_string())
        .collect();
    match effective {
        Some((from, from_loc)) => {
            let changes = o.entries.iter().filter(|e| entry_name(e) != "effective");
            let dated = changes.map(|e| ast::Dated { from, from_loc, entry: e.clone(), loc: entry_loc(e) });
            base.history.extend(dated.collect::<Vec<_>>());
        }
        None => {
            // Only the undated entries replace; the override's dated ones add to the history.
            base.entries.retain(|e| !o.entries.iter().any(|x| entry_name(x) == entry_name(e)));
            base.entries.extend(o.entries.iter().cloned());
        }
    }
    // Dated entries of the override add to the base's history (checked for date order there).
    base.history.extend(o.history.iter().cloned());
    let company: Vec<String> = o
        .entries
        .iter()
        .map(entry_loc)
        .chain(o.history.iter().map(|d| d.loc))
        .map(|l| sources.slice(l).trim().to_string())
        .collect();
    out.deviations.push(Deviation {
        action: DeviationKind::Override,
        kind: spec.kind.into(),
        name: name.name.clone(),
        attrs,
        base: replaced.join("\n"),
        company: company.join("\n"),
        reason: None,
        approved_by: None,
        loc: o.kind.loc.to(name.loc),
    });
}

/// The date of an override's `effective DATE` attribute, if it has one.
fn effective_date(o: &ast::Decl, errors: &mut Vec<PolicyError>) -> Option<(jiff::civil::Date, Loc)> {
    let a = o.entries.iter().find_map(|e| match e {
        Entry::Attr(a) if a.name.name == "effective" => Some(a),
        _ => None,
    })?;
    match a.values.as_slice() {
        [ast::Expr { kind: ExprKind::Lit(Literal::Date(d)), loc }] => Some((*d, *loc)),
        _ => {
            errors.push(
                PolicyError::new(K::BadValue { attr: "effective".into(), expected: "one date".into() }, a.loc)
                    .label("not a date")
                    .help("write `effective 2027-01-01`: the first day the override's values are in force"),
            );
            None
        }
    }
}

/// `disable rule ID { reason "…" approved_by "…" }`.
fn disable(
    out: &mut Applied,
    rule_layer: &HashMap<&str, usize>,
    d: &ast::Disable,
    here: usize,
    sources: &SourceMap,
    errors: &mut Vec<PolicyError>,
) {
    let id = &d.id.name;
    if rule_layer.get(id.as_str()).is_none_or(|l| *l >= here) {
        let ids: Vec<&str> = rule_layer.iter().filter(|(_, l)| **l < here).map(|(n, _)| *n).collect();
        let help = suggest(id, ids.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| "`disable` turns off a rule of the base pack; `zhidu rules` lists them".into());
        errors.push(
            PolicyError::new(K::UnknownDisabledRule { id: id.clone() }, d.id.loc)
                .label("not a rule of the base pack")
                .help(help),
        );
        return;
    }
    let (mut reason, mut approved_by) = (None, None);
    for e in &d.entries {
        let text = match e {
            Entry::Attr(a) => match a.values.as_slice() {
                [ast::Expr { kind: ExprKind::Lit(Literal::Str(s)), .. }] => Some(unescape_template(s)),
                _ => None,
            },
            Entry::Decl(_) => None,
        };
        let slot = match entry_name(e) {
            "reason" => &mut reason,
            "approved_by" => &mut approved_by,
            other => {
                let help = suggest(other, ["reason", "approved_by"])
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "`disable` takes `reason \"…\"` and `approved_by \"…\"`".into());
                errors.push(
                    PolicyError::new(K::DisableAttribute { attr: other.into() }, entry_loc(e))
                        .label("unknown attribute")
                        .help(help),
                );
                continue;
            }
        };
        match text {
            Some(t) if !t.trim().is_empty() => *slot = Some(t),
            _ => errors.push(
                PolicyError::new(
                    K::BadValue { attr: entry_name(e).into(), expected: "one non-empty string".into() },
                    entry_loc(e),
                )
                .label("not a string"),
            ),
        }
    }
    let Some(reason) = reason else {
        errors.push(
            PolicyError::new(K::DisableWithoutReason { id: id.clone() }, d.id.loc)
                .label("no reason given")
                .help("write `reason \"…\"` (and `approved_by \"…\"`): a rule is turned off only with a reason"),
        );
        return;
    };
    let base = out
        .rules
        .iter()
        .find(|r| &r.id.name == id)
        .map(|r| r.title.as_ref().map_or_else(|| r.id.name.clone(), |(t, _)| format!("{} {t}", r.id.name)))
        .unwrap_or_default();
    let company = sources.slice(d.loc).trim().to_string();
    out.disabled.insert(id.clone(), Disabled { reason: reason.clone(), approved_by: approved_by.clone() });
    out.deviations.push(Deviation {
        action: DeviationKind::Disable,
        kind: "rule".into(),
        name: id.clone(),
        attrs: Vec::new(),
        base,
        company,
        reason: Some(reason),
        approved_by,
        loc: d.id.loc,
    });
}

#[cfg(test)]
mod tests {
    use crate::base::diag::Diagnostics;
    use crate::compile::load::{PackSource, load};
    use crate::policy::{DeviationKind, Policy};

    /// Resolves a pack held in memory (it may extend the built-in one).
    fn pack(main: &str) -> Result<Policy, Diagnostics> {
        let files = [("main.zd", main)];
        let loaded = load(&PackSource::Memory(&files)).map_err(|(_, d)| d)?;
        super::super::resolve(loaded).map(|(p, _)| p).map_err(|(_, d)| d)
    }

    fn codes(d: &Diagnostics) -> Vec<String> {
        d.items.iter().map(|x| x.code()).collect()
    }

    /// The built-in pack's first param and first checked rule (no names written here).
    fn base() -> (String, String) {
        let p = crate::compile::load_policy(None).expect("built-in pack").0;
        let param = p.params.first().map(|x| x.name.clone()).expect("a param");
        let rule = p.rules.iter().find(|r| !r.checks.is_empty()).map(|r| r.id.clone()).expect("a rule");
        (param, rule)
    }

    #[test]
    fn override_replaces_only_the_attributes_given_and_disable_needs_a_reason() {
        let (param, rule) = base();
        let builtin = crate::compile::load_policy(None).expect("built-in pack").0;
        let before = builtin.params.iter().find(|p| p.name == param).expect("param");
        let p = pack(&format!(
            "extends \"builtin\"\noverride param {param} {{ value 17 days }}\nparam 测试参数 {{ value 3 }}\n\
             disable rule {rule} {{ reason \"不适用\" approved_by \"某人\" }}\n"
        ))
        .expect("resolves");
        let after = p.params.iter().find(|x| x.name == param).expect("param");
        assert_eq!(after.value.to_string(), "17 days");
        assert_ne!(before.value, after.value);
        assert!(p.params.iter().any(|x| x.name == "测试参数"));
        // Other attributes of the param are kept.
        let r = *p
            .decls_of("param")
            .iter()
            .find(|r| p.decls.get(**r).and_then(|x| x.id_str()) == Some(param.as_str()))
            .expect("decl");
        let r0 = *builtin.decls_of("param").first().expect("decl");
        assert_eq!(p.decl_field(r, "source"), builtin.decl_field(r0, "source"));
        assert!(
            p.rules.iter().filter(|r| r.id == rule).all(|r| r.disabled.as_ref().is_some_and(|d| d.reason == "不适用"))
        );
        let kinds: Vec<(DeviationKind, &str, &str)> =
            p.deviations.iter().map(|d| (d.action, d.kind.as_str(), d.name.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (DeviationKind::Override, "param", param.as_str()),
                (DeviationKind::Added, "param", "测试参数"),
                (DeviationKind::Disable, "rule", rule.as_str())
            ]
        );
        let over = p.deviations.first().expect("override");
        assert_eq!(over.attrs, ["value"]);
        assert!(over.base.starts_with("value") && over.company == "value 17 days", "{over:?}");
    }

    #[test]
    fn overlay_mistakes_are_located_errors() {
        let (param, rule) = base();
        let cases = [
            (format!("override param {param} {{ value 1 day }}\n"), "zhidu::overlay::unknown_override"),
            (format!("extends \"builtin\"\nparam {param} {{ value 1 day }}\n"), "zhidu::overlay::redeclared"),
            (format!("extends \"builtin\"\ndisable rule {rule} {{ }}\n"), "zhidu::overlay::disable_without_reason"),
            (
                "extends \"builtin\"\ndisable rule ZZ-999 { reason \"r\" }\n".into(),
                "zhidu::overlay::unknown_disabled_rule",
            ),
            ("extends \"../other\"\n".into(), "zhidu::load::extends_path"),
            ("include \"a.zd\"\nextends \"builtin\"\n".into(), "zhidu::load::extends_misplaced"),
        ];
        for (text, code) in cases {
            let err = pack(&text).err().unwrap_or_default();
            assert!(codes(&err).iter().any(|c| c == code), "{text}: {:?}", codes(&err));
        }
    }
}
