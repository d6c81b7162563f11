//! Rules: attributes, `documents` and compiled checks (their messages are in `messages.rs`).

use super::messages::{RawTemplate, compile_template, parse_template};
use super::*;

/// Compiles one `rule` block: its attributes, the declarations it documents, its checks and
/// their messages. Problems go to `errors`; the join indexes its checks use to `index_keys`.
pub(super) fn compile_rule(
    rd: &ast::RuleDecl,
    names: &Names,
    errors: &mut Vec<PolicyError>,
    index_keys: &mut BTreeSet<(KindId, usize)>,
) -> Rule {
    let entries = sort_entries(rd, errors);
    require_attrs(rd, &entries.attrs, errors);
    let documents = check_documents(entries.documents, names, errors);
    let text = RuleText::read(rd, &entries.attrs, errors);
    let effective = effective(&entries.attrs, errors);
    let advisory = advisory(&entries.attrs, errors);
    let templates = Templates {
        zh: text.message.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc)),
        en: text.message_en.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc)),
    };
    let checks = compile_checks(&entries.checks, names, &templates, errors, index_keys);
    let place = Where {
        policy: checks.iter().any(|c| c.scope == Scope::Policy),
        org: checks.iter().any(|c| c.scope == Scope::Org),
        doc: !documents.is_empty(),
    };
    Rule {
        id: rd.id.name.clone(),
        severity: rd.severity.map(|(s, _)| s).unwrap_or(Severity::Error),
        title: text.title,
        source: text.source,
        text: text.text,
        explain: text.explain,
        chosen: text.chosen,
        quote: text.quote,
        message: text.message.map(|m| unescape_template(&m.0)).unwrap_or_default(),
        advisory,
        effective,
        documents,
        checks,
        place,
        loc: rd.id.loc,
        disabled: None,
    }
}

/// A rule's attributes given at most once, by name.
type Attrs<'r> = HashMap<&'static str, &'r ast::Attr>;

/// A rule's entries sorted by attribute.
struct Entries<'r> {
    /// Attributes given at most once, by name.
    attrs: Attrs<'r>,
    /// The `check` expressions, in order, each with the message of its own if one follows it
    /// (`check EXPR, "message"`).
    checks: Vec<(&'r ast::Expr, Option<(&'r str, Loc)>)>,
    /// What `documents` names: (declaration kind, name or `None` for the whole kind, where).
    documents: Vec<(String, Option<String>, Loc)>,
}

/// Sorts the entries of a rule block by attribute, reporting unknown, misplaced and repeated
/// attributes.
fn sort_entries<'r>(rd: &'r ast::RuleDecl, errors: &mut Vec<PolicyError>) -> Entries<'r> {
    let mut out = Entries { attrs: HashMap::new(), checks: Vec::new(), documents: Vec::new() };
    for e in &rd.entries {
        let a = match e {
            Entry::Attr(a) => a,
            Entry::Decl(d) => {
                errors.push(
                    PolicyError::new(
                        K::UnknownAttribute { kind: "rule".into(), attr: d.kind.name.clone() },
                        d.kind.loc,
                    )
                    .label("not a rule attribute")
                    .help(format!(
                        "rules accept: {}",
                        RULE_ATTRS.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
                    )),
                );
                continue;
            }
        };
        let Some(spec) = RULE_ATTRS.iter().find(|s| s.name == a.name.name) else {
            let help = suggest(&a.name.name, RULE_ATTRS.iter().map(|s| s.name))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    format!("rules accept: {}", RULE_ATTRS.iter().map(|a| a.name).collect::<Vec<_>>().join(", "))
                });
            errors.push(
                PolicyError::new(K::UnknownAttribute { kind: "rule".into(), attr: a.name.name.clone() }, a.name.loc)
                    .label("unknown attribute")
                    .help(help),
            );
            continue;
        };
        match spec.name {
            "check" => {
                for v in &a.values {
                    match (&v.kind, out.checks.last_mut()) {
                        // A string after a check is that check's message (a string is never a check).
                        (ExprKind::Lit(Literal::Str(m)), Some((_, own @ None))) => *own = Some((m.as_str(), v.loc)),
                        _ => out.checks.push((v, None)),
                    }
                }
            }
            "documents" => documents_of(a, &mut out.documents, errors),
            _ => {
                if out.attrs.insert(spec.name, a).is_some() {
                    errors.push(
                        PolicyError::new(K::DuplicateAttribute { attr: spec.name.into() }, a.name.loc)
                            .label("given again"),
                    );
                }
            }
        }
    }
    out
}

/// The declarations one `documents` attribute names: `kind` or `kind(name, …)`.
fn documents_of(a: &ast::Attr, out: &mut Vec<(String, Option<String>, Loc)>, errors: &mut Vec<PolicyError>) {
    for v in &a.values {
        match &v.kind {
            ExprKind::Name(k) => out.push((k.clone(), None, v.loc)),
            ExprKind::Call(k, args) => {
                for arg in args {
                    let n = match &arg.kind {
                        ExprKind::Name(n) => n.clone(),
                        ExprKind::Lit(Literal::Str(s)) => s.clone(),
                        _ => String::new(),
                    };
                    out.push((k.name.clone(), Some(n), arg.loc));
                }
            }
            _ => errors.push(
                PolicyError::new(
                    K::BadValue { attr: "documents".into(), expected: "`kind` or `kind(name, …)`".into() },
                    v.loc,
                )
                .help("e.g. `documents approval(日常优化, 重大改革), role`"),
            ),
        }
    }
}

/// Reports the required rule attributes that are missing.
fn require_attrs(rd: &ast::RuleDecl, attrs: &Attrs<'_>, errors: &mut Vec<PolicyError>) {
    for req in RULE_ATTRS.iter().filter(|a| a.required) {
        if !attrs.contains_key(req.name) {
            errors.push(
                PolicyError::new(K::MissingAttribute { kind: "rule".into(), attr: req.name.into() }, rd.id.loc)
                    .label("this rule")
                    .help(format!("add `{} \"…\"`", req.name)),
            );
        }
    }
}

/// The declarations named by `documents`, which must exist: (kind, name).
fn check_documents(
    documents: Vec<(String, Option<String>, Loc)>,
    names: &Names,
    errors: &mut Vec<PolicyError>,
) -> Vec<(String, Option<String>)> {
    let mut docs = Vec::new();
    for (kind, name, loc) in documents {
        if spec::decl_spec(&kind).is_none() {
            let help = suggest(&kind, DECLS.iter().map(|d| d.kind)).map(|s| format!("did you mean `{s}`?"));
            errors.push(PolicyError::new(K::UnknownKind { kind: kind.clone() }, loc).label("unknown").maybe_help(help));
            continue;
        }
        if let Some(n) = &name
            && !names.declared.get(n).is_some_and(|ks| ks.contains(&kind.as_str()))
        {
            errors.push(
                PolicyError::new(K::UnknownReference { kind: kind.clone(), name: n.clone() }, loc)
                    .label("not declared")
                    .help(format!("declare it with `{kind} {n} {{ … }}`")),
            );
        }
        docs.push((kind, name));
    }
    docs
}

/// The text attributes of a rule.
struct RuleText {
    title: String,
    source: String,
    text: Option<String>,
    explain: Option<String>,
    chosen: Option<String>,
    quote: Option<String>,
    /// The message template as written, and where.
    message: Option<(String, Loc)>,
    message_en: Option<(String, Loc)>,
}

impl RuleText {
    /// Reads the text attributes; the title in the header wins over a `title` attribute, and
    /// the rule ID stands in for both.
    fn read(rd: &ast::RuleDecl, attrs: &Attrs<'_>, errors: &mut Vec<PolicyError>) -> Self {
        let title = rd
            .title
            .as_ref()
            .map(|(t, _)| t.clone())
            .or_else(|| text_attr(attrs, "title", errors).map(|t| t.0))
            .unwrap_or_else(|| rd.id.name.clone());
        let source = text_attr(attrs, "source", errors).map(|t| t.0).unwrap_or_default();
        let text = text_attr(attrs, "text", errors).map(|t| unescape_template(&t.0));
        let explain = text_attr(attrs, "explain", errors).map(|t| unescape_template(&t.0));
        let chosen = text_attr(attrs, "chosen", errors).map(|t| unescape_template(&t.0));
        let quote = text_attr(attrs, "quote", errors).map(|t| unescape_template(&t.0));
        let message = text_attr(attrs, "message", errors);
        let message_en = text_attr(attrs, "message_en", errors);
        RuleText { title, source, text, explain, chosen, quote, message, message_en }
    }
}

/// The string value of a text attribute, and where it is.
fn text_attr(attrs: &Attrs<'_>, name: &str, errors: &mut Vec<PolicyError>) -> Option<(String, Loc)> {
    let a = attrs.get(name)?;
    match a.values.first().map(|v| (&v.kind, v.loc)) {
        Some((ExprKind::Lit(Literal::Str(s)), loc)) => Some((s.clone(), loc)),
        Some((_, loc)) => {
            errors.push(
                PolicyError::new(K::BadValue { attr: name.into(), expected: "a string".into() }, loc)
                    .label("this value"),
            );
            None
        }
        None => None,
    }
}

/// `effective DATE`.
fn effective(attrs: &Attrs<'_>, errors: &mut Vec<PolicyError>) -> Option<jiff::civil::Date> {
    attrs.get("effective").and_then(|a| match a.values.first().map(|v| &v.kind) {
        Some(ExprKind::Lit(Literal::Date(d))) => Some(*d),
        _ => {
            errors.push(PolicyError::new(K::BadValue { attr: "effective".into(), expected: "a date".into() }, a.loc));
            None
        }
    })
}

/// Whether `level` makes the rule advisory: `level advisory` or `level "advisory"`.
fn advisory(attrs: &Attrs<'_>, errors: &mut Vec<PolicyError>) -> bool {
    let level = attrs.get("level").and_then(|a| a.values.first()).map(|v| match &v.kind {
        ExprKind::Name(n) | ExprKind::Lit(Literal::Str(n)) => (Some(n.as_str()), v.loc),
        _ => (None, v.loc),
    });
    match level {
        Some((Some("advisory"), _)) => true,
        Some((Some("mandatory"), _)) | None => false,
        Some((_, loc)) => {
            errors.push(
                PolicyError::new(
                    K::BadValue { attr: "level".into(), expected: "`advisory` or `mandatory`".into() },
                    loc,
                )
                .label("this value"),
            );
            false
        }
    }
}

/// A rule's message templates, parsed once and compiled against each check's variables.
struct Templates {
    zh: Option<(RawTemplate, Loc)>,
    en: Option<(RawTemplate, Loc)>,
}

/// Compiles the checks of a rule and, against each, its messages. A message hole is wrong only
/// if it fails against every check (checks may bind different names).
fn compile_checks(
    exprs: &[(&ast::Expr, Option<(&str, Loc)>)],
    names: &Names,
    templates: &Templates,
    errors: &mut Vec<PolicyError>,
    index_keys: &mut BTreeSet<(KindId, usize)>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut hole_errors: Vec<Vec<PolicyError>> = Vec::new();
    for (e, own) in exprs {
        // A check's own message replaces the rule's (in every language: it is written once).
        let own_templates;
        let templates = match own {
            Some((m, loc)) => {
                own_templates = Templates { zh: Some((parse_template(m, *loc), *loc)), en: None };
                if let Some((Err(e), _)) = &own_templates.zh {
                    errors.push((**e).clone());
                }
                &own_templates
            }
            None => templates,
        };
        let (check, mut holes) = compile_check(e, names, templates, errors, index_keys);
        checks.push(check);
        // A check's own message is compiled against that check only: its holes must all work.
        if own.is_some() {
            errors.append(&mut holes);
        } else {
            hole_errors.push(holes);
        }
    }
    if exprs.is_empty() {
        let mut errs = Vec::new();
        compile_template(templates.zh.as_ref(), names, &[], 0, &mut errs, &mut 0);
        hole_errors.push(errs);
    }
    if let Some(first) = hole_errors.first() {
        for (i, e) in first.iter().enumerate() {
            if hole_errors.iter().all(|errs| errs.get(i).is_some()) {
                errors.push(e.clone());
            }
        }
    }
    if let Some((Err(e), _)) = &templates.zh {
        errors.push((**e).clone());
    }
    checks
}

/// Compiles one check (and its traced copy for `explain`) and the messages against its
/// variables; returns the check and the errors of the message holes.
fn compile_check(
    e: &ast::Expr,
    names: &Names,
    templates: &Templates,
    errors: &mut Vec<PolicyError>,
    index_keys: &mut BTreeSet<(KindId, usize)>,
) -> (Check, Vec<PolicyError>) {
    let mut c = Compiler::new(names);
    let ir = c.condition(e);
    // A check with errors is not traced: the pack will not load, so nothing explains it.
    let traced = if c.errors.is_empty() { Compiler::tracing(names).condition(e) } else { ir.clone() };
    errors.append(&mut c.errors);
    for k in &c.index_keys {
        index_keys.insert(*k);
    }
    let reads: Vec<KindId> = c.reads.iter().copied().collect();
    if let Some(err) = stream_misuse(&ir, &reads, names.schema, e.loc) {
        errors.push(err);
    }
    let scope = if reads.is_empty() { Scope::Policy } else { Scope::Org };
    let bound = c.bound.clone();
    let slots = c.slots();
    let mut errs = Vec::new();
    let mut total = slots;
    let message = compile_template(templates.zh.as_ref(), names, &bound, slots, &mut errs, &mut total);
    let message_en =
        templates.en.as_ref().map(|t| compile_template(Some(t), names, &bound, slots, &mut errs, &mut total));
    let check = Check {
        ir,
        traced,
        vars: bound,
        text: String::new(),
        scope,
        reads,
        slots: total.max(1),
        message,
        message_en,
        loc: e.loc,
    };
    (check, errs)
}

/// A stream kind (records produced while reading files) may only be the collection of the
/// outermost `forall` of a check, so the evaluator can stream it instead of loading it.
fn stream_misuse(ir: &Ir, reads: &[KindId], schema: &Schema, loc: Loc) -> Option<PolicyError> {
    let streams: Vec<KindId> = reads.iter().copied().filter(|k| schema.kind(*k).stream.is_some()).collect();
    let first = *streams.first()?;
    let name = schema.kind(first).name.clone();
    let ok = match ir.unwrapped() {
        Ir::Quant { q: ast::Quant::Forall, src: crate::policy::ir::Source::Kind(k), filter, body, .. }
            if *k == first =>
        {
            let mut inner = false;
            let mut look = |x: &Ir| {
                if let Ir::Kind(k) = x {
                    inner |= streams.contains(k);
                }
            };
            filter.iter().for_each(|f| f.visit(&mut look));
            body.iter().for_each(|b| b.visit(&mut look));
            !inner && streams.len() == 1
        }
        _ => false,
    };
    (!ok).then(|| {
        PolicyError::new(
            K::Mismatch { detail: format!("the stream kind `{name}` can only be the outermost `forall` of a check") },
            loc,
        )
        .label("reads a stream")
        .help(format!(
            "write `forall c in {name} where …: …`; its records are read file by file and never held together"
        ))
    })
}
