//! Checking a rule selection against the pack: a `--rule` or `--skip` that names no rule and no
//! chapter would select nothing (or skip nothing) and let a run pass that checked nothing, so
//! it is an error that says what exists.

use crate::base::diag::suggest;
use crate::findings::catalog;
use crate::policy::{Policy, Selection};

/// A `--rule` or `--skip` value that names no rule or chapter of the pack.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`--{flag} {given}` names no rule and no chapter of the pack")]
#[diagnostic(code(zhidu::select::unknown_rule), help("{help}"))]
pub struct UnknownRule {
    /// `rule` or `skip`.
    pub flag: &'static str,
    /// The value as given.
    pub given: String,
    /// Did-you-mean and what exists.
    pub help: String,
}

/// Every value of `sel` that names no rule (of the pack or built in) and no chapter.
pub fn unknown(policy: &Policy, sel: &Selection) -> Vec<UnknownRule> {
    let mut names: Vec<String> = policy.rules.iter().map(|r| r.id.clone()).collect();
    names.extend(catalog::builtin().map(|r| r.id.to_string()));
    let mut chapters: Vec<String> = names.iter().filter_map(|n| n.split('-').next()).map(str::to_string).collect();
    chapters.sort();
    chapters.dedup();
    let known = |given: &str| names.iter().chain(&chapters).any(|n| n.eq_ignore_ascii_case(given));
    let listed = sel.only.iter().map(|g| ("rule", g)).chain(sel.skip.iter().map(|g| ("skip", g)));
    listed
        .filter(|(_, given)| !known(given))
        .map(|(flag, given)| {
            let upper = given.to_uppercase();
            // A rule first (`APV3` → `APV-3`), else a chapter.
            let near = suggest(&upper, names.iter().map(String::as_str))
                .or_else(|| suggest(&upper, chapters.iter().map(String::as_str)));
            let mean = near.map(|n| format!("did you mean `{n}`? ")).unwrap_or_default();
            let example = names.first().map(|n| format!(" such as `{n}`")).unwrap_or_default();
            let help = format!(
                "{mean}give a rule ID{example} or a chapter ({}); `zhidu rules` lists them",
                chapters.join(", ")
            );
            UnknownRule { flag, given: given.clone(), help }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_rules_and_chapters_are_named_with_a_suggestion() {
        let policy = crate::compile::load_policy(None).expect("built-in pack").0;
        let id = policy.rules.first().map(|r| r.id.clone()).expect("a rule");
        let chapter = id.split('-').next().unwrap_or_default().to_lowercase();
        let sel = Selection {
            only: vec![id.to_lowercase(), chapter, "DATA-DUP".into(), "waiver".into(), format!("{id}9")],
            skip: vec!["NOPE".into()],
        };
        let found = unknown(&policy, &sel);
        let given: Vec<&str> = found.iter().map(|u| u.given.as_str()).collect();
        assert_eq!(given, [format!("{id}9").as_str(), "NOPE"]);
        assert!(found[0].help.contains("did you mean"), "{}", found[0].help);
        assert_eq!(found[1].flag, "skip");
    }
}
