//! Rules: attributes, `documents`, compiled checks and message templates.

use super::*;

pub(super) fn compile_rule(
    rd: &ast::RuleDecl,
    names: &Names,
    errors: &mut Vec<PolicyError>,
    index_keys: &mut BTreeSet<(KindId, usize)>,
) -> Rule {
    let mut attrs: HashMap<&str, &ast::Attr> = HashMap::new();
    let mut checks_ast = Vec::new();
    let mut documents = Vec::new();
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
            "check" => checks_ast.extend(a.values.iter()),
            "documents" => {
                for v in &a.values {
                    match &v.kind {
                        ExprKind::Name(k) => documents.push((k.clone(), None, v.loc)),
                        ExprKind::Call(k, args) => {
                            for arg in args {
                                let n = match &arg.kind {
                                    ExprKind::Name(n) => n.clone(),
                                    ExprKind::Lit(Literal::Str(s)) => s.clone(),
                                    _ => String::new(),
                                };
                                documents.push((k.name.clone(), Some(n), arg.loc));
                            }
                        }
                        _ => errors.push(
                            PolicyError::new(
                                K::BadValue {
                                    attr: "documents".into(), expected: "`kind` or `kind(name, …)`".into()
                                },
                                v.loc,
                            )
                            .help("e.g. `documents approval(日常优化, 重大改革), role`"),
                        ),
                    }
                }
            }
            _ => {
                if attrs.insert(spec.name, a).is_some() {
                    errors.push(
                        PolicyError::new(K::DuplicateAttribute { attr: spec.name.into() }, a.name.loc)
                            .label("given again"),
                    );
                }
            }
        }
    }
    let text_of = |name: &str, errors: &mut Vec<PolicyError>| -> Option<(String, Loc)> {
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
    };
    for req in RULE_ATTRS.iter().filter(|a| a.required) {
        if !attrs.contains_key(req.name) {
            errors.push(
                PolicyError::new(K::MissingAttribute { kind: "rule".into(), attr: req.name.into() }, rd.id.loc)
                    .label("this rule")
                    .help(format!("add `{} \"…\"`", req.name)),
            );
        }
    }
    // Declarations named by `documents` must exist.
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
    let title = rd
        .title
        .as_ref()
        .map(|(t, _)| t.clone())
        .or_else(|| text_of("title", errors).map(|t| t.0))
        .unwrap_or_else(|| rd.id.name.clone());
    let source = text_of("source", errors).map(|t| t.0).unwrap_or_default();
    let text = text_of("text", errors).map(|t| unescape_template(&t.0));
    let quote = text_of("quote", errors).map(|t| unescape_template(&t.0));
    let message = text_of("message", errors);
    let message_en = text_of("message_en", errors);
    let effective = attrs.get("effective").and_then(|a| match a.values.first().map(|v| &v.kind) {
        Some(ExprKind::Lit(Literal::Date(d))) => Some(*d),
        _ => {
            errors.push(PolicyError::new(K::BadValue { attr: "effective".into(), expected: "a date".into() }, a.loc));
            None
        }
    });
    // `level advisory` or `level "advisory"`.
    let level = attrs.get("level").and_then(|a| a.values.first()).map(|v| match &v.kind {
        ExprKind::Name(n) | ExprKind::Lit(Literal::Str(n)) => (Some(n.as_str()), v.loc),
        _ => (None, v.loc),
    });
    let advisory = match level {
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
    };

    let template = message.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc));
    let template_en = message_en.as_ref().map(|(m, loc)| (parse_template(m, *loc), *loc));
    let mut checks = Vec::new();
    let mut hole_errors: Vec<Vec<PolicyError>> = Vec::new();
    for e in &checks_ast {
        let mut c = Compiler::new(names);
        let ir = c.condition(e);
        errors.append(&mut c.errors);
        for k in &c.index_keys {
            index_keys.insert(*k);
        }
        let traced = if c.errors.is_empty() { Compiler::tracing(names).condition(e) } else { ir.clone() };
        let reads: Vec<KindId> = c.reads.iter().copied().collect();
        if let Some(err) = stream_misuse(&ir, &reads, names.schema, e.loc) {
            errors.push(err);
        }
        let scope = if reads.is_empty() { Scope::Policy } else { Scope::Org };
        let bound = c.bound.clone();
        let slots = c.slots();
        let mut errs = Vec::new();
        let mut total = slots;
        let message = compile_template(template.as_ref(), names, &bound, slots, &mut errs, &mut total);
        let message_en =
            template_en.as_ref().map(|t| compile_template(Some(t), names, &bound, slots, &mut errs, &mut total));
        hole_errors.push(errs);
        checks.push(Check {
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
        });
    }
    if checks_ast.is_empty() {
        let mut errs = Vec::new();
        compile_template(template.as_ref(), names, &[], 0, &mut errs, &mut 0);
        hole_errors.push(errs);
    }
    // A hole is wrong only if it fails against every check (checks may bind different names).
    if let Some(first) = hole_errors.first() {
        for (i, e) in first.iter().enumerate() {
            if hole_errors.iter().all(|errs| errs.get(i).is_some()) {
                errors.push(e.clone());
            }
        }
    }
    if let Some((Err(e), _)) = &template {
        errors.push((**e).clone());
    }
    let place = Where {
        policy: checks.iter().any(|c| c.scope == Scope::Policy),
        org: checks.iter().any(|c| c.scope == Scope::Org),
        doc: !docs.is_empty(),
    };
    Rule {
        id: rd.id.name.clone(),
        severity: rd.severity.map(|(s, _)| s).unwrap_or(Severity::Error),
        title,
        source,
        text,
        quote,
        message: message.map(|m| unescape_template(&m.0)).unwrap_or_default(),
        advisory,
        effective,
        documents: docs,
        checks,
        place,
        loc: rd.id.loc,
    }
}

/// Raw template pieces: literal text, or a hole's text with its byte offset in the file.
type RawTemplate = Result<Vec<(bool, String, usize)>, Box<PolicyError>>;

fn parse_template(s: &str, loc: Loc) -> RawTemplate {
    let mut out = Vec::new();
    let mut lit = String::new();
    let base = loc.start as usize + 1;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                if let Some((_, b)) = chars.next() {
                    lit.push(b);
                }
            }
            '{' => {
                if !lit.is_empty() {
                    out.push((false, std::mem::take(&mut lit), 0));
                }
                let start = i + 1;
                let mut end = None;
                for (j, d) in chars.by_ref() {
                    if d == '}' {
                        end = Some(j);
                        break;
                    }
                }
                match end {
                    Some(j) => out.push((true, s[start..j].to_string(), base + start)),
                    None => {
                        return Err(Box::new(
                            PolicyError::new(K::BadTemplate, Loc::new(loc.file, base + i, base + i + 1))
                                .label("opened here")
                                .help("close the hole with `}`, or write a literal brace as `\\{`"),
                        ));
                    }
                }
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push((false, lit, 0));
    }
    Ok(out)
}

fn compile_template(
    t: Option<&(RawTemplate, Loc)>,
    names: &Names,
    vars: &[VarInfo],
    slots: usize,
    errs: &mut Vec<PolicyError>,
    max_slots: &mut usize,
) -> Vec<Part> {
    let Some((Ok(pieces), loc)) = t else { return Vec::new() };
    let mut out = Vec::new();
    for (hole, text, offset) in pieces {
        if !hole {
            out.push(Part::Lit(text.clone()));
            continue;
        }
        match crate::syntax::parse_expr(loc.file, *offset, text) {
            Ok(e) => {
                let mut c = Compiler::with_vars(names, vars, slots);
                let (ir, _) = c.expr(&e);
                *max_slots = (*max_slots).max(c.slots());
                let leak = ir.prints_secret(names.schema).then(|| {
                    PolicyError::new(K::Mismatch { detail: format!("message hole `{{{text}}}` would print a secret field") }, Loc::new(loc.file, *offset, *offset + text.len()))
                        .label("personal data")
                        .help("secret fields (personal data) may only be tested, e.g. `{if looks_like_cn_id(c.value) then \"身份证号\" else \"手机号\"}`")
                });
                match c.errors.into_iter().next().or(leak) {
                    Some(err) => {
                        errs.push(err);
                        out.push(Part::Lit("-".into()));
                    }
                    None => out.push(Part::Hole(ir)),
                }
            }
            Err(e) => {
                errs.push(PolicyError::new(
                    K::Mismatch { detail: format!("invalid expression in message: {e}") },
                    e.loc(),
                ));
                out.push(Part::Lit("-".into()));
            }
        }
    }
    out
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
