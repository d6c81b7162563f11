//! `zhidu lint`: every static check of a pack.

use std::path::Path;

use super::{EXIT_ERROR, EXIT_OK};
use crate::base::diag::Diagnostics;
use crate::compile::load_policy;
use crate::engine::lint;

/// Runs the command; returns the exit code.
pub fn run(policy: Option<&Path>, color: bool) -> u8 {
    let (p, mut diags) = match load_policy(policy) {
        Ok(x) => x,
        Err(diags) => {
            err!("{}", diags.render(color));
            errln!("lint: {} error(s), {} warning(s)", diags.error_count(), diags.items.len() - diags.error_count());
            return EXIT_ERROR;
        }
    };
    let mut found = Diagnostics::default();
    for e in lint::lint(&p) {
        found.push(e, &p.sources);
    }
    diags.items.append(&mut found.items);
    diags.sort();
    err!("{}", diags.render(color));
    print_deviations(&p);
    let errors = diags.error_count();
    let warnings = diags.items.len() - errors;
    let files = p.sources.files().count();
    errln!(
        "lint: {} {} — {} rule(s), {} file(s): {errors} error(s), {warnings} warning(s)",
        p.meta.name,
        p.meta.version,
        p.rules.len(),
        files
    );
    if errors > 0 { EXIT_ERROR } else { EXIT_OK }
}

/// Lists what an overlay adds to and changes in its base pack, counted as the handbook's
/// appendix (本公司补充与调整条款) groups them: everything it adds is one supplement (补充),
/// each override (调整) and each disabled rule (停用) one deviation of its own.
fn print_deviations(p: &crate::policy::Policy) {
    use crate::policy::DeviationKind;
    if p.deviations.is_empty() {
        return;
    }
    let added: Vec<_> = p.deviations.iter().filter(|d| !d.changes_base()).collect();
    let changed: Vec<_> = p.deviations.iter().filter(|d| d.changes_base()).collect();
    errln!("deviations from the base pack: {}", changed.len() + usize::from(!added.is_empty()));
    if let Some(first) = added.first() {
        let names: Vec<String> = added.iter().map(|d| format!("{} {}", d.kind, d.name)).collect();
        errln!(
            "  补充 added to the base pack ({} declaration(s)): {}  — {}",
            added.len(),
            names.join(", "),
            p.sources.describe(first.loc)
        );
    }
    for d in &changed {
        let what = match d.action {
            DeviationKind::Disable => format!(
                "停用 disable {} {}: {}{}",
                d.kind,
                d.name,
                d.reason.as_deref().unwrap_or(""),
                d.approved_by.as_deref().map(|b| format!(" (approved by {b})")).unwrap_or_default()
            ),
            _ => format!("调整 override {} {} ({})", d.kind, d.name, d.attrs.join(", ")),
        };
        errln!("  {what}  — {}", p.sources.describe(d.loc));
    }
}
