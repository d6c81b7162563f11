//! `zhidu test`: policy tests in the manner of `opa test`. A case is a small org dir with an
//! `expected.toml` listing the exact (rule, subject) findings of the rules it speaks for.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::data;
use crate::engine::{Options, Selection};
use crate::policy::Policy;

/// One case's expectation.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    /// Rules this case speaks for (default: rule IDs named by the case's path).
    #[serde(default)]
    rules: Vec<String>,
    /// The exact findings of those rules.
    #[serde(default)]
    finding: Vec<ExpectedFinding>,
}

#[derive(Debug, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct ExpectedFinding {
    rule: String,
    #[serde(default)]
    subject: Option<String>,
    /// The finding's exact message (in Chinese), when the case pins it: a message names what
    /// was expected, and a case keeps it saying so.
    #[serde(default)]
    message: Option<String>,
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseResult {
    /// Case dir.
    pub dir: PathBuf,
    /// Rules it speaks for.
    pub rules: Vec<String>,
    /// Findings expected but not produced.
    pub missing: Vec<(String, Option<String>)>,
    /// Findings produced but not expected.
    pub unexpected: Vec<(String, Option<String>)>,
    /// Findings whose message is not the one expected: (rule, subject, expected, produced).
    pub wrong_message: Vec<(String, Option<String>, String, String)>,
    /// Loading problems (the case could not run).
    pub error: Option<String>,
    /// Rules that failed in this case as expected.
    pub failing: BTreeSet<String>,
}

impl CaseResult {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.missing.is_empty() && self.unexpected.is_empty() && self.wrong_message.is_empty()
    }
}

/// Every case dir (a dir holding `expected.toml`) under `root`, sorted.
pub fn find_cases(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() == "expected.toml")
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    out.sort();
    out
}

/// Runs one case against the pack.
pub fn run_case(policy: &Policy, dir: &Path) -> CaseResult {
    let mut res = CaseResult {
        dir: dir.to_path_buf(),
        rules: Vec::new(),
        missing: Vec::new(),
        unexpected: Vec::new(),
        wrong_message: Vec::new(),
        error: None,
        failing: BTreeSet::new(),
    };
    let expected: Expected = match std::fs::read_to_string(dir.join("expected.toml"))
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(e) => e,
        Err(e) => {
            res.error = Some(format!("expected.toml: {e}"));
            return res;
        }
    };
    let mut rules = expected.rules.clone();
    if rules.is_empty() {
        // Rule IDs named by the path, e.g. `cases/APV-3/fail`.
        for comp in dir.components() {
            let c = comp.as_os_str().to_string_lossy();
            if policy.rules.iter().any(|r| r.id == c) && !rules.contains(&c.to_string()) {
                rules.push(c.to_string());
            }
        }
    }
    if rules.is_empty() {
        res.error =
            Some("the case names no rule: add `rules = [\"…\"]` to expected.toml or name its dir after a rule".into());
        return res;
    }
    res.rules = rules.clone();
    let today = policy.meta.effective;
    let config = match data::read_config(dir, today) {
        Ok(c) => c,
        Err(d) => {
            res.error = Some(d.render(false));
            return res;
        }
    };
    let org = match data::load_except(dir, config, &policy.schema, &[Path::new("expected.toml")]) {
        Ok(o) => o,
        Err(d) => {
            res.error = Some(d.render(false));
            return res;
        }
    };
    let opts = Options { selection: Selection { only: rules.clone(), skip: Vec::new() }, ..Options::default() };
    let outcome = super::run(policy, &org, &opts);
    let got: BTreeSet<(String, Option<String>)> = outcome
        .findings
        .iter()
        .filter(|f| rules.iter().any(|r| r.as_str() == f.rule.as_str()))
        .map(|f| (f.rule.to_string(), f.subject.clone()))
        .collect();
    let want: BTreeSet<(String, Option<String>)> =
        expected.finding.iter().map(|f| (f.rule.clone(), f.subject.clone())).collect();
    res.missing = want.difference(&got).cloned().collect();
    res.unexpected = got.difference(&want).cloned().collect();
    res.failing = want.iter().map(|(r, _)| r.clone()).collect();
    for e in &expected.finding {
        let Some(text) = &e.message else { continue };
        let produced = outcome.findings.iter().find(|f| f.rule == e.rule && f.subject == e.subject);
        if let Some(f) = produced.filter(|f| &f.message != text) {
            res.wrong_message.push((e.rule.clone(), e.subject.clone(), text.clone(), f.message.clone()));
        }
    }
    res
}

/// Coverage of the pack's org rules by a set of case results.
#[derive(Debug)]
pub struct Coverage {
    /// Org rules with a passing and a failing case.
    pub covered: Vec<String>,
    /// Org rules without a case where they pass.
    pub no_pass: Vec<String>,
    /// Org rules without a case where they fail.
    pub no_fail: Vec<String>,
    /// Percentage of org rules fully covered.
    pub percent: f64,
}

/// Computes coverage: a rule is covered when some passing case expects it to fail and some
/// passing case expects no finding of it.
pub fn coverage(policy: &Policy, results: &[CaseResult]) -> Coverage {
    // A rule an overlay disabled is never checked: no case can cover it.
    let mut ids: Vec<String> =
        policy.rules.iter().filter(|r| r.place.org && r.disabled.is_none()).map(|r| r.id.clone()).collect();
    ids.dedup();
    let (mut covered, mut no_pass, mut no_fail) = (Vec::new(), Vec::new(), Vec::new());
    for id in &ids {
        let ok = results.iter().filter(|r| r.passed() && r.rules.contains(id));
        let fails = ok.clone().any(|r| r.failing.contains(id));
        let passes = ok.clone().any(|r| !r.failing.contains(id));
        match (passes, fails) {
            (true, true) => covered.push(id.clone()),
            (p, f) => {
                if !p {
                    no_pass.push(id.clone());
                }
                if !f {
                    no_fail.push(id.clone());
                }
            }
        }
    }
    let percent = if ids.is_empty() { 100.0 } else { covered.len() as f64 * 100.0 / ids.len() as f64 };
    Coverage { covered, no_pass, no_fail, percent }
}
