//! `zhidu explain RULE`: what a rule says, where it comes from and what it reads.

use std::path::Path;

use super::{EXIT_ERROR, EXIT_OK, load_or_report};
use crate::base::diag::suggest;

/// Runs the command; returns the exit code.
pub fn run(id: &str, policy: Option<&Path>, finding: Option<(&Path, &str)>, show_personal: bool, color: bool) -> u8 {
    if let Some((org, subject)) = finding {
        return explain_finding(id, policy, org, subject, show_personal, color);
    }
    let p = match super::pack_dir(policy, color).and_then(|d| load_or_report(d.as_deref(), color)) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let versions: Vec<_> = p.rules.iter().filter(|r| r.id.eq_ignore_ascii_case(id)).collect();
    if let Some((bid, sev, title, about)) = super::rules::builtin().find(|b| b.0.eq_ignore_ascii_case(id)) {
        outln!("{bid} {title} [{}]\n\n  built-in check of zhidu (not part of the policy pack): {about}", sev.as_str());
        return EXIT_OK;
    }
    if versions.is_empty() {
        let hint = suggest(id, p.rules.iter().map(|r| r.id.as_str()))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        errln!("error: no rule `{id}` in the pack{hint}; `zhidu rules` lists them");
        return EXIT_ERROR;
    }
    for r in versions {
        outln!("{} {} [{}]", r.id, r.title, r.severity.as_str());
        outln!();
        outln!("  来源 source:    {}", r.source);
        outln!("  检查 where:     {}", r.place.describe());
        outln!("  级别 level:     {}", if r.advisory { "advisory (never fails a run)" } else { "mandatory" });
        if let Some(d) = r.effective {
            outln!("  生效 effective: {d}");
        }
        if let Some(d) = &r.disabled {
            let by = d.approved_by.as_deref().map(|b| format!("; approved by {b}")).unwrap_or_default();
            outln!("  停用 disabled:  {}{by}", d.reason);
        }
        outln!("  定义 defined:   {}", p.sources.describe(r.loc));
        if let Some(t) = &r.text {
            outln!("\n  规则 rule:\n{}", indent(t));
        }
        if let Some(q) = &r.quote {
            outln!("\n  原文 regulation ({}):\n{}", r.source, indent(&format!("「{q}」")));
        }
        outln!("\n  提示 message:\n{}", indent(&r.message));
        for (i, c) in r.checks.iter().enumerate() {
            let reads: Vec<&str> = c.reads.iter().map(|k| p.schema.kind(*k).name.as_str()).collect();
            outln!(
                "\n  check {} ({}):",
                i + 1,
                if reads.is_empty() { "policy".to_string() } else { format!("reads {}", reads.join(", ")) }
            );
            outln!("{}", indent(&c.text));
        }
        if !r.documents.is_empty() {
            let docs: Vec<String> = r
                .documents
                .iter()
                .map(|(k, n)| match n {
                    Some(n) => format!("{k} {n}"),
                    None => format!("every {k}"),
                })
                .collect();
            outln!("\n  documents: {}", docs.join(", "));
        }
        outln!();
    }
    EXIT_OK
}

/// Pack text indented under its heading, its control characters escaped (its line breaks are
/// its layout).
fn indent(s: &str) -> String {
    crate::base::visible::text(s).lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// Explains why rule `id` fails (or holds) for one record of an org.
fn explain_finding(
    id: &str,
    policy: Option<&Path>,
    org_dir: &Path,
    subject: &str,
    show_personal: bool,
    color: bool,
) -> u8 {
    use crate::eval::interp::{Ctx, Indexes};
    let today = jiff::Zoned::now().date();
    let config = match crate::data::read_config(org_dir, today) {
        Ok(c) => c,
        Err(d) => {
            err!("{}", d.render(color));
            return EXIT_ERROR;
        }
    };
    let policy_dir = policy.map(Path::to_path_buf).or_else(|| config.policy.clone());
    let p = match load_or_report(policy_dir.as_deref(), color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let org = match crate::data::load(org_dir, config, &p.schema) {
        Ok(o) => o,
        Err(d) => {
            err!("{}", d.render(color));
            return EXIT_ERROR;
        }
    };
    let Some((kind, rid)) = subject.split_once(':') else {
        errln!("error: `--subject` is `kind:id`, e.g. `change:CHG-1`");
        return EXIT_ERROR;
    };
    let Some(k) = crate::data::kind_for(&p.schema, kind) else {
        errln!("error: unknown record kind `{kind}`");
        return EXIT_ERROR;
    };
    let Some(record) = org.store.by_id(k, rid) else {
        errln!("error: no {kind} with id `{rid}` in `{}`", org_dir.display());
        return EXIT_ERROR;
    };
    let rules: Vec<_> = p.rules.iter().filter(|r| r.id.eq_ignore_ascii_case(id)).collect();
    if rules.is_empty() {
        errln!("error: no rule `{id}` in the pack; `zhidu rules` lists them");
        return EXIT_ERROR;
    }
    let indexes = Indexes::build(&p.index_keys, &p.schema, &p.decls, &org.store);
    let mut ctx = Ctx::new(&p.schema, &p.decls, &org.store, &indexes, org.config.as_of, org.config.period);
    ctx.show_personal = show_personal;
    let mut failed = false;
    for r in rules {
        for (i, c) in r.checks.iter().enumerate() {
            use crate::policy::ir::{Ir, Source};
            let about_subject = match c.ir.unwrapped() {
                Ir::Quant {
                    src: Source::Kind(sk) | Source::Index { kind: sk, .. } | Source::Id { kind: sk, .. },
                    ..
                } => *sk == k,
                _ => false,
            };
            if !about_subject {
                continue;
            }
            let lines = crate::eval::explain::explain(&p, &ctx, c, Some(record));
            let unknown =
                if lines.is_empty() { Vec::new() } else { crate::engine::run::unknown_read(&p, &org, c, record) };
            if !unknown.is_empty() {
                // The record holds a word no vocabulary declares where the check reads it: as in
                // `check`, it is not judged (never shown as failing); DATA-VOCAB says what to write.
                outln!(
                    "{} check {}: not evaluated for {subject}: its field(s) `{}` hold a word the policy does not declare (see its DATA-VOCAB finding: `zhidu check {} --rule DATA-VOCAB`)",
                    r.id,
                    i + 1,
                    crate::base::visible::line(&unknown.join("`, `")),
                    crate::base::visible::line(&org_dir.display().to_string()),
                );
            } else if lines.is_empty() {
                outln!("{} check {}: holds for {subject}", r.id, i + 1);
            } else {
                failed = true;
                outln!("{} check {}: fails for {subject}", r.id, i + 1);
                for l in lines {
                    // An explanation quotes the record's values: one line each, control
                    // characters escaped, as in `check --format human`.
                    outln!("  {}", crate::base::visible::line(&l));
                }
            }
        }
    }
    if failed { super::EXIT_FINDINGS } else { EXIT_OK }
}
