//! Static checks of a pack: the pack's own *policy* rules (checks that read only `policy.*`),
//! evaluated against the declarations. Each failure is a diagnostic at the declaration.

use crate::base::store::Store;
use crate::compile::error::{PolicyError, PolicyErrorKind as K};
use crate::eval::interp::{Ctx, Indexes};
use crate::eval::run::run_check;
use crate::policy::{Policy, Scope};

/// Evaluates every policy-scope check of the pack.
pub fn lint(policy: &Policy) -> Vec<PolicyError> {
    let org = Store::default();
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &org);
    let date = policy.meta.effective;
    let ctx = Ctx::new(&policy.schema, &policy.decls, &org, &indexes, date, (date, date));
    let mut out = Vec::new();
    // A rule an overlay turned off is not checked, here either.
    for rule in policy.rules.iter().filter(|r| r.disabled.is_none()) {
        for check in rule.checks.iter().filter(|c| c.scope == Scope::Policy) {
            for v in run_check(&ctx, check) {
                let loc = v.subject.and_then(|s| policy.decls.get(s)).map_or(check.loc, |r| r.loc);
                let kind = K::PolicyRule { rule: rule.id.clone(), message: v.message, severity: rule.severity };
                out.push(PolicyError::new(kind, loc).label(format!("{} {}", rule.id, rule.title)).help(format!(
                    "{}（{}）",
                    rule.text.as_deref().unwrap_or(&rule.title),
                    rule.source
                )));
            }
        }
    }
    out
}
