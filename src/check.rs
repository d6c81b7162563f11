//! Evaluating a pack against org data: every check of every rule in force, in parallel, with
//! indexes built once; findings sorted for byte-identical output.

use rayon::prelude::*;

use crate::data::{OrgData, location, subject};
use crate::eval::interp::{Ctx, Indexes};
use crate::eval::run::run_check_counted;
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
    /// Subjects examined by each check that ran, in pack order.
    pub checked: Vec<Checked>,
    /// What each stage cost (for `--timings`).
    pub stages: crate::timings::Stages,
    /// What each check cost (for `--timings`), in pack order.
    pub check_times: Vec<crate::timings::CheckTime>,
}

/// How many subjects one check of a rule examined: for `forall x in C where P: …` the elements
/// of `C` with `P` (export cells for a stream kind), 1 for any other check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Rule ID.
    pub rule: String,
    /// The date the rule version takes effect (a pack may hold several versions of a rule).
    pub effective: Option<jiff::civil::Date>,
    /// Index of the check in the rule.
    pub check: usize,
    /// Subjects examined.
    pub subjects: usize,
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
    let mut stages = crate::timings::Stages::start();
    let as_of = org.config.as_of;
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &org.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &org.store, &indexes, as_of, org.config.period);
    let ctx = &ctx;
    stages.lap("index build");
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
    let streamed_out = crate::stream::run_all(policy, org, ctx, &streamed);
    stages.lap("stream checks (exports)");
    let evaluated: Vec<(usize, Vec<Finding>, std::time::Duration)> = jobs
        .par_iter()
        .map(|(rule, st, i)| {
            let began = std::time::Instant::now();
            let check = &rule.checks[*i];
            let (violations, subjects) = run_check_counted(policy, ctx, check);
            let found = violations.into_iter().map(move |v| {
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
            });
            let found: Vec<Finding> = found.collect();
            (subjects, found, began.elapsed())
        })
        .collect();
    stages.lap("evaluate rules");
    let check_times = jobs
        .iter()
        .zip(&evaluated)
        .map(|((r, _, i), (_, _, t))| crate::timings::CheckTime { rule: r.id.clone(), check: *i, time: *t })
        .collect();
    let mut checked: Vec<Checked> = streamed
        .iter()
        .zip(&streamed_out.subjects)
        .map(|(j, n)| (j.rule, j.check, *n))
        .chain(jobs.iter().zip(&evaluated).map(|((r, _, i), (n, _, _))| (*r, *i, *n)))
        .map(|(r, check, subjects)| Checked { rule: r.id.clone(), effective: r.effective, check, subjects })
        .collect();
    let order = |c: &Checked| policy.rules.iter().position(|r| r.id == c.rule && r.effective == c.effective);
    checked.sort_by_key(|c| (order(c), c.check));
    let mut findings: Vec<Finding> = evaluated.into_iter().flat_map(|(_, f, _)| f).collect();
    findings.extend(streamed_out.findings);
    findings.extend(org.findings.iter().filter(|f| sel.selects(&f.rule)).cloned());
    crate::fingerprint::assign(policy, org, &mut findings);
    let about_waivers = crate::waiver::apply(policy, org, &mut findings, sel);
    findings.extend(about_waivers);
    sort_findings(&mut findings);
    stages.lap("fingerprints, waivers, sort");
    let mut rules_run: Vec<String> = selected.iter().map(|(r, _)| r.id.clone()).collect();
    rules_run.dedup();
    let records = org.store.kinds.iter().map(|k| k.len()).sum();
    Outcome { findings, rules_run, records, checked, stages, check_times }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A generated org gives exactly the violations its generator injected, rule by rule, and
    /// the same findings whether its big tables (person, grant, appraisal, change, …) are TOML
    /// or CSV (a change's approvals then being `;`-separated items of dotted columns).
    #[test]
    fn generated_orgs_give_the_injected_findings_from_toml_and_from_csv() {
        let policy = crate::policy::load_policy(None).expect("built-in pack").0;
        let mut seen = Vec::new();
        for csv in [false, true] {
            let dir = tempfile::tempdir().expect("temp dir");
            let summary = crate::eval::gen_org::generate(20_000, dir.path(), 7, csv);
            let config = crate::data::read_config(dir.path(), jiff::civil::date(2026, 11, 23)).expect("config");
            let org = crate::data::load_except(dir.path(), config, &policy.schema, &[]).expect("org loads");
            let out = run(&policy, &org, &Selection::default());
            let mut found: BTreeMap<String, u64> = BTreeMap::new();
            for f in &out.findings {
                *found.entry(f.rule.clone()).or_default() += 1;
            }
            let mut injected: BTreeMap<String, u64> =
                serde_json::from_value(summary["injected"].clone()).expect("injected counts");
            injected.retain(|_, n| *n > 0);
            assert!(injected.len() >= 30, "{} rules injected: {injected:?}", injected.len());
            assert_eq!(found, injected, "csv: {csv}");
            let mut keys: Vec<String> =
                out.findings.iter().map(|f| format!("{} {:?} {}", f.rule, f.subject, f.message)).collect();
            keys.sort();
            seen.push(keys);
        }
        assert_eq!(seen[0], seen[1]);
    }
}
