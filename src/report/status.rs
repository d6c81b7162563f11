//! The status of every rule of the pack for one org on `as_of`, from a check run's findings and
//! subject counts and the pack's lint. Generic: nothing here knows any rule.
//!
//! In order: a rule an overlay disabled is `not_applicable` ([`Reason::Disabled`]); a rule
//! without checks is `not_checked`; a rule whose every version takes effect
//! after `as_of` is `pending`; a rule with a finding that is not waived is `fail` (advisory rules
//! too, marked `advisory`); with findings that are all waived, `waived`; a rule none of whose
//! checks has data (an org check has data if any record kind it reads has records) or whose
//! checks examined no subject is `not_applicable`; otherwise `pass`. A policy-scope check always
//! has data (the pack), and fails when `zhidu lint` reports the rule.

use super::model::{CheckReport, Evidence, Location, Reason, RuleReport, Status, Waiver};
use crate::compile::error::{PolicyError, PolicyErrorKind};
use crate::data::OrgData;
use crate::engine::Outcome;
use crate::findings::finding::Finding;
use crate::policy::counts::{self, RuleState};
use crate::policy::{Policy, Rule, Scope, Selection};

/// Every rule ID of the pack once, in pack order, with its status. Which rules are checked,
/// documented only or pending is decided by [`crate::policy::counts`], as for `check` and `rules`.
pub fn rules(policy: &Policy, org: &OrgData, outcome: &Outcome, lint: &[PolicyError]) -> Vec<RuleReport> {
    counts::states(policy, org.config.as_of, &Selection::default())
        .into_iter()
        .map(|(r, state)| row(policy, org, outcome, lint, r, state))
        .collect()
}

fn row(
    policy: &Policy,
    org: &OrgData,
    outcome: &Outcome,
    lint: &[PolicyError],
    rule: &Rule,
    state: RuleState,
) -> RuleReport {
    let pending = rule.effective.filter(|d| *d > org.config.as_of);
    let findings: Vec<&Finding> =
        outcome.findings.iter().filter(|f| f.rule == rule.id && f.pending.is_some() == pending.is_some()).collect();
    let lint_failures: Vec<&PolicyError> = lint.iter().filter(|e| lint_rule(e) == Some(rule.id.as_str())).collect();
    let checks: Vec<CheckReport> = rule
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let subjects = outcome
                .checked
                .iter()
                .find(|x| x.rule == rule.id && x.effective == rule.effective && x.check == i)
                .map(|x| x.subjects);
            let reads = c.reads.iter().map(|k| policy.schema.kind(*k).name.clone()).collect();
            let has_data = c.scope == Scope::Policy || c.reads.iter().any(|k| has_records(policy, org, *k));
            let scope = match c.scope {
                Scope::Policy => "policy",
                Scope::Org => "org",
            };
            CheckReport { scope: scope.into(), reads, has_data, subjects }
        })
        .collect();
    let mut evidence: Vec<Evidence> = findings.iter().map(|f| evidence_of(f)).collect();
    if findings.is_empty() {
        evidence.extend(lint_failures.iter().map(|e| lint_evidence(policy, e)));
    }
    let waived = findings.iter().filter(|f| f.waiver.is_some()).count();
    let (status, reason) = if let (RuleState::Disabled, Some(d)) = (state, &rule.disabled) {
        (Status::NotApplicable, Some(Reason::Disabled { reason: d.reason.clone() }))
    } else if state == RuleState::Documented {
        (Status::NotChecked, Some(Reason::Documented))
    } else if state == RuleState::Skipped {
        // A report runs every rule; a selection never reaches here, but if it did the rule was
        // not checked, and says why.
        (Status::NotChecked, Some(Reason::NotSelected))
    } else if let RuleState::Pending(d) = state {
        (Status::Pending, Some(Reason::Pending { from: d.to_string() }))
    } else if waived < findings.len() || !lint_failures.is_empty() {
        (Status::Fail, None)
    } else if !findings.is_empty() {
        (Status::Waived, None)
    } else if !checks.iter().any(|c| c.has_data) {
        let mut kinds: Vec<String> = checks.iter().flat_map(|c| c.reads.iter().cloned()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        (Status::NotApplicable, Some(Reason::NoRecords { kinds }))
    } else if checks.iter().filter(|c| c.has_data).all(|c| c.subjects.unwrap_or(0) == 0) {
        (Status::NotApplicable, Some(Reason::NoSubjects))
    } else {
        (Status::Pass, None)
    };
    RuleReport {
        id: rule.id.clone(),
        chapter: rule.chapter().to_string(),
        title: rule.title.clone(),
        source: rule.source.clone(),
        place: rule.place.describe().split(", ").filter(|s| !s.is_empty()).map(str::to_string).collect(),
        severity: rule.severity.as_str().to_string(),
        advisory: rule.advisory,
        effective: rule.effective.map(|d| d.to_string()),
        status,
        reason,
        subjects: checks.iter().filter_map(|c| c.subjects).max(),
        not_evaluated: outcome
            .checked
            .iter()
            .filter(|x| x.rule == rule.id && x.effective == rule.effective)
            .map(|x| x.not_evaluated)
            .sum(),
        checks,
        findings: findings.len(),
        waived,
        evidence,
    }
}

/// Whether an org kind has records (for a stream kind: whether its directory has files).
fn has_records(policy: &Policy, org: &OrgData, k: crate::base::value::KindId) -> bool {
    match &policy.schema.kind(k).stream {
        Some(dir) => org.exports.iter().any(|p| p.starts_with(dir)),
        None => !org.store.kind(k).is_empty(),
    }
}

/// The rule a lint failure is about.
pub fn lint_rule(e: &PolicyError) -> Option<&str> {
    match &e.kind {
        PolicyErrorKind::PolicyRule { rule, .. } => Some(rule),
        _ => None,
    }
}

/// A lint failure as evidence (at the declaration in the pack).
pub fn lint_evidence(policy: &Policy, e: &PolicyError) -> Evidence {
    let (message, severity) = match &e.kind {
        PolicyErrorKind::PolicyRule { message, severity, .. } => (message.clone(), severity.as_str()),
        k => (k.to_string(), "error"),
    };
    let f = policy.sources.get(e.loc.file);
    let (line, column) = f.line_col(e.loc.start as usize);
    let file = f.name.to_string();
    Evidence {
        subject: None,
        location: Some(Location { file, line, column, row: None, field: None }),
        severity: severity.to_string(),
        fingerprint: super::digest::sha256(format!("{}\0{message}", lint_rule(e).unwrap_or("")).as_bytes())[..32]
            .to_string(),
        message,
        waiver: None,
    }
}

/// A finding as evidence.
pub fn evidence_of(f: &Finding) -> Evidence {
    Evidence {
        subject: f.subject.clone(),
        location: f.location.as_ref().map(|l| Location {
            file: l.file.to_string(),
            line: l.line,
            column: l.column,
            row: l.row,
            field: l.field.clone(),
        }),
        severity: f.severity.as_str().to_string(),
        message: f.message.clone(),
        fingerprint: f.fingerprint.to_string(),
        waiver: f.waiver.as_ref().map(|w| Waiver {
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires.clone(),
        }),
    }
}
