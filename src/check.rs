//! Evaluating a pack against org data: every check of every rule in force, in parallel, with
//! indexes built once; findings sorted for byte-identical output.

use rayon::prelude::*;

use crate::data::{OrgData, location, subject};
use crate::eval::interp::{Ctx, Indexes};
use crate::eval::run::run_check;
use crate::finding::{Finding, Location, sort_findings};
use crate::policy::{Policy, Rule};
use crate::syntax::ast::Severity;

/// Which rules to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these rule IDs (empty: all).
    pub only: Vec<String>,
    /// Skip these rule IDs.
    pub skip: Vec<String>,
    /// Explain each finding (which sub-condition failed).
    pub explain: bool,
}

impl Selection {
    /// Whether a rule ID is selected (IDs compare case-insensitively; `APV` selects a chapter).
    pub fn selects(&self, id: &str) -> bool {
        let m = |pat: &String| {
            pat.eq_ignore_ascii_case(id) || id.split('-').next().is_some_and(|c| c.eq_ignore_ascii_case(pat))
        };
        (self.only.is_empty() || self.only.iter().any(m)) && !self.skip.iter().any(m)
    }
}

/// The result of a check run.
#[derive(Debug)]
pub struct Outcome {
    /// All findings, sorted.
    pub findings: Vec<Finding>,
    /// Rules evaluated (in force or pending), in pack order.
    pub rules_run: Vec<String>,
    /// Number of records checked.
    pub records: usize,
}

/// Whether a rule version is in force on `as_of`, pending (returns its date), or superseded.
enum Status {
    InForce,
    Pending(jiff::civil::Date),
    Superseded,
}

fn status(rule: &Rule, policy: &Policy, as_of: jiff::civil::Date) -> Status {
    if let Some(d) = rule.effective
        && d > as_of
    {
        return Status::Pending(d);
    }
    // A later version already in force supersedes this one.
    let newer = policy.rules.iter().any(|r| {
        r.id == rule.id
            && r.effective.is_some_and(|d| d <= as_of)
            && r.effective > rule.effective
            && !std::ptr::eq(r, rule)
    });
    if newer { Status::Superseded } else { Status::InForce }
}

/// Runs every selected rule of the pack on the org data.
pub fn run(policy: &Policy, org: &OrgData, sel: &Selection) -> Outcome {
    let as_of = org.config.as_of;
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &org.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &org.store, &indexes, as_of, org.config.period);
    let ctx = &ctx;
    let selected: Vec<(&Rule, Status)> = policy
        .rules
        .iter()
        .filter(|r| sel.selects(&r.id) && !r.checks.is_empty())
        .map(|r| (r, status(r, policy, as_of)))
        .filter(|(_, s)| !matches!(s, Status::Superseded))
        .collect();
    let jobs: Vec<(&Rule, &Status, usize)> =
        selected.iter().flat_map(|(r, s)| (0..r.checks.len()).map(move |i| (*r, s, i))).collect();
    // Checks over a stream kind read their files as they go.
    let (streamed, jobs): (Vec<_>, Vec<_>) =
        jobs.into_iter().partition(|(r, _, i)| stream_kind(policy, &r.checks[*i]).is_some());
    let streamed: Vec<crate::stream::Job> =
        streamed.iter().map(|(rule, st, i)| crate::stream::Job { rule, check: *i, pending: pending_of(st) }).collect();
    let streamed = crate::stream::run_all(policy, org, ctx, &streamed);
    let mut findings: Vec<Finding> = jobs
        .par_iter()
        .flat_map_iter(|(rule, st, i)| {
            let check = &rule.checks[*i];
            run_check(policy, ctx, check).into_iter().map(move |v| {
                let (subj, loc) = match v.subject {
                    Some(r) => {
                        let kind = &policy.schema.kind(r.kind).name;
                        let rec = ctx.store(r.kind).get(r);
                        let id = rec.and_then(|x| x.id.as_deref()).unwrap_or("?");
                        let is_decl = policy.schema.kind(r.kind).origin == crate::policy::KindOrigin::Decl;
                        let loc = rec.and_then(|x| {
                            if is_decl {
                                policy_location(policy, x.loc)
                            } else {
                                location(&org.sources, x.loc, None, None)
                            }
                        });
                        (Some(subject(kind, id)), loc)
                    }
                    None => (None, None),
                };
                let explanation =
                    if sel.explain { crate::eval::explain::explain(policy, ctx, check, v.subject) } else { Vec::new() };
                let (severity, pending) = match st {
                    Status::Pending(d) => (Severity::Warning.min(rule.severity), Some(d.to_string())),
                    _ => (rule.severity, None),
                };
                Finding {
                    rule: rule.id.clone(),
                    severity,
                    title: rule.title.clone(),
                    subject: subj,
                    message: v.message,
                    source: rule.source.clone(),
                    location: loc.map(|mut l| {
                        l.row = csv_row(&l);
                        l
                    }),
                    advisory: rule.advisory,
                    pending,
                    explanation,
                    fingerprint: String::new(),
                    waiver: None,
                    check: *i,
                }
            })
        })
        .collect();
    findings.extend(streamed);
    findings.extend(org.findings.iter().filter(|f| sel.selects(&f.rule)).cloned());
    crate::fingerprint::assign(policy, org, &mut findings);
    let about_waivers = crate::waiver::apply(policy, org, &mut findings, sel);
    findings.extend(about_waivers);
    sort_findings(&mut findings);
    let mut rules_run: Vec<String> = selected.iter().map(|(r, _)| r.id.clone()).collect();
    rules_run.dedup();
    Outcome { findings, rules_run, records: org.store.kinds.iter().map(|k| k.records.len()).sum() }
}

fn pending_of(st: &Status) -> Option<jiff::civil::Date> {
    match st {
        Status::Pending(d) => Some(*d),
        _ => None,
    }
}

/// The stream kind a check iterates, if it is `forall x in STREAM …`.
pub fn stream_kind(policy: &Policy, check: &crate::policy::Check) -> Option<crate::eval::value::KindId> {
    match check.ir.unwrapped() {
        crate::eval::ir::Ir::Quant { src: crate::eval::ir::Source::Kind(k), .. }
            if policy.schema.kind(*k).stream.is_some() =>
        {
            Some(*k)
        }
        _ => None,
    }
}

fn policy_location(policy: &Policy, loc: crate::source::Loc) -> Option<Location> {
    let f = policy.sources.get(loc.file);
    let (line, column) = f.line_col(loc.start as usize);
    Some(Location { file: f.name.clone(), line, column, row: None, field: None, loc: None })
}

/// For a record in a CSV file: its 1-based data row (line minus the header line).
fn csv_row(l: &Location) -> Option<usize> {
    if l.file.ends_with(".csv") { Some(l.line.saturating_sub(1)) } else { l.row }
}
