//! Evaluating a pack against org data: every check of every rule in force, in parallel, with
//! indexes built once; findings sorted for byte-identical output.

use rayon::prelude::*;

use crate::base::lang::Lang;
use crate::data::OrgData;
use crate::eval::interp::{Ctx, Indexes};
use crate::eval::run::{Violation, run_check_counted};
use crate::findings::{Builder, Failed, Finding, Subject, sort_findings};
pub use crate::policy::Selection;
use crate::policy::{Policy, Rule};

/// How to run: which rules, in which language, with explanations or not.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The rules to run.
    pub selection: Selection,
    /// Explain each finding (which sub-condition failed).
    pub explain: bool,
    /// The language of zhidu's own words in findings (and of rule messages that have one).
    pub lang: Lang,
    /// Show the values of `personal` fields whole in messages and explanations
    /// (`--show-personal`); masked otherwise.
    pub show_personal: bool,
    /// Looked at between checks: once set, the checks not started yet are skipped and the
    /// outcome says it is [`Outcome::cancelled`] (the editor's server cancels a check made stale
    /// by a newer edit).
    pub cancel: crate::base::cancel::Cancel,
}

/// The result of a check run.
#[derive(Debug)]
pub struct Outcome {
    /// All findings, sorted.
    pub findings: Vec<Finding>,
    /// Rules evaluated (in force or pending), in pack order.
    pub rules_run: Vec<String>,
    /// The pack's rule IDs by state for this run (checked, documented only, pending, skipped):
    /// the one count every summary shows.
    pub rules: crate::policy::counts::RuleCounts,
    /// Number of records checked.
    pub records: usize,
    /// Subjects examined by each check that ran, in pack order.
    pub checked: Vec<Checked>,
    /// What each stage cost (for `--timings`).
    pub stages: crate::base::timings::Stages,
    /// What each check cost (for `--timings`), in pack order.
    pub check_times: Vec<crate::base::timings::CheckTime>,
    /// Failing (check, record) pairs not reported because the record holds a word no
    /// vocabulary declares in a field the check reads (`DATA-VOCAB` reports the word).
    pub not_evaluated: usize,
    /// With `--explain`: each of those (check, record) pairs, in rule order, so the run can say
    /// which records were not judged and why rather than leave them out silently.
    pub unjudged: Vec<NotEvaluated>,
    /// The run was cancelled ([`Options::cancel`]) before it ended: checks may have been
    /// skipped, so the findings are incomplete and must not be shown as a result.
    pub cancelled: bool,
}

/// A record a check did not judge: it holds a word no vocabulary declares in a field the
/// check reads (the `DATA-VOCAB` finding names the word and what to write instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEvaluated {
    /// Rule ID.
    pub rule: String,
    /// Index of the check in the rule.
    pub check: usize,
    /// `kind:id` of the record.
    pub subject: String,
    /// The fields the check reads that hold unknown words.
    pub fields: Vec<String>,
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
    /// Of those failing, the ones not judged because they hold a word no vocabulary declares
    /// in a field the check reads (`DATA-VOCAB` reports the word).
    pub not_evaluated: usize,
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
pub fn run(policy: &Policy, org: &OrgData, opts: &Options) -> Outcome {
    let sel = &opts.selection;
    let build = Builder::new(policy, org, opts.lang, opts.explain);
    let mut stages = crate::base::timings::Stages::start();
    let as_of = org.config.as_of;
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &org.store);
    let mut ctx = Ctx::new(&policy.schema, &policy.decls, &org.store, &indexes, as_of, org.config.period);
    ctx.show_personal = opts.show_personal;
    let ctx = &ctx;
    stages.lap("index build");
    let selected: Vec<(&Rule, Status)> = policy
        .rules
        .iter()
        .filter(|r| sel.selects(&r.id) && !r.checks.is_empty() && r.disabled.is_none())
        .map(|r| (r, status(r, policy, as_of)))
        .filter(|(_, s)| !matches!(s, Status::Superseded))
        .collect();
    let jobs: Vec<Failed> = selected
        .iter()
        .flat_map(|(rule, s)| (0..rule.checks.len()).map(move |check| Failed { rule, check, pending: pending_of(s) }))
        .collect();
    // Checks over a stream kind read their files as they go.
    let (streamed, jobs): (Vec<Failed>, Vec<Failed>) =
        jobs.into_iter().partition(|j| j.rule.checks.get(j.check).is_some_and(|c| stream_kind(policy, c).is_some()));
    let streamed_out = if opts.cancel.is_cancelled() {
        crate::engine::stream::run_all(policy, org, ctx, &build, &[])
    } else {
        crate::engine::stream::run_all(policy, org, ctx, &build, &streamed)
    };
    stages.lap("stream checks (exports)");
    // First each check's violations, then their findings built in parallel straight into their
    // places in the one vector of findings: no per-check vector of findings is made and freed
    // (hundreds of thousands of findings would otherwise be held twice, and the allocator keeps
    // what the rayon threads made when the main thread frees it).
    #[expect(clippy::type_complexity, reason = "one tuple per job, taken apart right below")]
    let mut evaluated: Vec<(usize, Vec<Violation>, std::time::Duration, usize, Vec<NotEvaluated>)> = jobs
        .par_iter()
        .map(|job| {
            let began = std::time::Instant::now();
            let Some(check) = job.rule.checks.get(job.check).filter(|_| !opts.cancel.is_cancelled()) else {
                return (0, Vec::new(), began.elapsed(), 0, Vec::new());
            };
            let (mut violations, subjects) = run_check_counted(ctx, check);
            // A record holding an unknown word in a field the check reads is not judged: its
            // DATA-VOCAB finding says what to write instead.
            let reads = if org.unknown.is_empty() { Vec::new() } else { read_slots(check) };
            let all = violations.len();
            let mut unjudged = Vec::new();
            violations.retain(|v| {
                let judged = !unevaluable(org, &reads, v.subject);
                if let (false, true, Some(r)) = (judged, opts.explain, v.subject) {
                    unjudged.push(not_evaluated(policy, org, job, &reads, r));
                }
                judged
            });
            let skipped = all - violations.len();
            (subjects, violations, began.elapsed(), skipped, unjudged)
        })
        .collect();
    let not_evaluated = evaluated.iter().map(|e| e.3).sum();
    let unjudged: Vec<NotEvaluated> = evaluated.iter_mut().flat_map(|e| std::mem::take(&mut e.4)).collect();
    let from_checks: usize = evaluated.iter().map(|e| e.1.len()).sum();
    let builtins = org.issues.iter().filter(|i| sel.selects(i.code)).count();
    // Sized once for all findings (the findings of waivers are few and may grow it).
    let mut slots: Vec<Option<Finding>> = Vec::with_capacity(from_checks + streamed_out.findings.len() + builtins);
    slots.resize_with(from_checks, || None);
    {
        let mut rest: &mut [Option<Finding>] = &mut slots;
        let mut parts: Vec<&mut [Option<Finding>]> = Vec::with_capacity(evaluated.len());
        for e in &evaluated {
            let n = e.1.len().min(rest.len());
            let (part, tail) = std::mem::take(&mut rest).split_at_mut(n);
            parts.push(part);
            rest = tail;
        }
        evaluated.par_iter_mut().zip(parts).zip(jobs.par_iter()).for_each(|((e, part), job)| {
            if opts.cancel.is_cancelled() {
                // Findings of a cancelled run are not shown: not worth building.
                return;
            }
            let began = std::time::Instant::now();
            for (slot, v) in part.iter_mut().zip(std::mem::take(&mut e.1)) {
                *slot = Some(build.rule(*job, ctx, Subject::Of(v.subject), v));
            }
            e.2 += began.elapsed();
        });
    }
    // In place: an `Option<Finding>` is as large as a `Finding`, so the vector is reused.
    #[expect(clippy::filter_map_identity, reason = "`flatten` would collect into a new vector")]
    let mut findings: Vec<Finding> = slots.into_iter().filter_map(|f| f).collect();
    let evaluated: Vec<(usize, std::time::Duration, usize)> =
        evaluated.into_iter().map(|(n, _, t, skipped, _)| (n, t, skipped)).collect();
    stages.lap("evaluate rules");
    let check_times = jobs
        .iter()
        .zip(&evaluated)
        .map(|(j, (_, t, _))| crate::base::timings::CheckTime { rule: j.rule.id.clone(), check: j.check, time: *t })
        .collect();
    let mut checked: Vec<Checked> = streamed
        .iter()
        .zip(&streamed_out.subjects)
        .map(|(j, n)| (j, *n, 0))
        .chain(jobs.iter().zip(&evaluated).map(|(j, (n, _, skipped))| (j, *n, *skipped)))
        .map(|(j, subjects, not_evaluated)| Checked {
            rule: j.rule.id.clone(),
            effective: j.rule.effective,
            check: j.check,
            subjects,
            not_evaluated,
        })
        .collect();
    let order = |c: &Checked| policy.rules.iter().position(|r| r.id == c.rule && r.effective == c.effective);
    checked.sort_by_key(|c| (order(c), c.check));
    findings.extend(streamed_out.findings);
    findings.extend(org.issues.iter().filter(|i| sel.selects(i.code)).map(|i| build.builtin(i)));
    let about_waivers = crate::findings::waiver::apply(policy, org, &build, &mut findings, sel);
    findings.extend(about_waivers);
    sort_findings(&mut findings);
    stages.lap("fingerprints, waivers, sort");
    let mut rules_run: Vec<String> = selected.iter().map(|(r, _)| r.id.clone()).collect();
    rules_run.dedup();
    let records = org.store.kinds.iter().map(|k| k.len()).sum();
    let rules = crate::policy::counts::count(policy, as_of, sel);
    // Set at any point of the run: what ran after it may be partial.
    let cancelled = opts.cancel.is_cancelled();
    Outcome { findings, rules_run, rules, records, checked, stages, check_times, not_evaluated, unjudged, cancelled }
}

/// The record fields a check reads, by kind, as slot bits (see [`crate::data::Unknown`]).
fn read_slots(check: &crate::policy::Check) -> Vec<(crate::base::value::KindId, u64)> {
    use crate::policy::ir::{FieldAcc, Ir, Source};
    let mut out: Vec<(crate::base::value::KindId, u64)> = Vec::new();
    let mut add = |k, s| match out.iter_mut().find(|(x, _)| *x == k) {
        Some((_, bits)) => *bits |= crate::data::Unknown::bit(s),
        None => out.push((k, crate::data::Unknown::bit(s))),
    };
    check.ir.visit(&mut |ir| match ir {
        Ir::Field(_, FieldAcc::Slot(k, s)) => add(*k, *s),
        Ir::Quant { src: Source::Index { kind, slot, also, .. }, .. }
        | Ir::Count { src: Source::Index { kind, slot, also, .. }, .. }
        | Ir::Sum { src: Source::Index { kind, slot, also, .. }, .. }
        | Ir::Comp { src: Source::Index { kind, slot, also, .. }, .. } => {
            add(*kind, *slot);
            also.iter().for_each(|(s, _)| add(*kind, *s));
        }
        _ => {}
    });
    out
}

/// Whether a violation's record holds an unknown word in a field the check reads.
fn unevaluable(
    org: &OrgData,
    reads: &[(crate::base::value::KindId, u64)],
    subject: Option<crate::base::value::RecordRef>,
) -> bool {
    let Some(r) = subject else { return false };
    reads.iter().any(|&(k, bits)| k == r.kind && org.unknown.slots(r.kind, r.idx) & bits != 0)
}

/// The record a check did not judge, with the fields it reads that hold unknown words.
fn not_evaluated(
    policy: &Policy,
    org: &OrgData,
    job: &Failed,
    reads: &[(crate::base::value::KindId, u64)],
    r: crate::base::value::RecordRef,
) -> NotEvaluated {
    let ks = policy.schema.kind(r.kind);
    let id = org.store.kind(r.kind).get(r.idx as usize).and_then(|x| x.id_str()).unwrap_or("?");
    let fields = unknown_fields(policy, org, reads, r);
    NotEvaluated { rule: job.rule.id.clone(), check: job.check, subject: crate::data::subject(&ks.name, id), fields }
}

/// The fields `check` reads that hold, in record `r`, words no vocabulary declares: when there
/// are any, the check does not judge the record (`zhidu explain` says so).
pub fn unknown_read(
    policy: &Policy,
    org: &OrgData,
    check: &crate::policy::Check,
    r: crate::base::value::RecordRef,
) -> Vec<String> {
    if org.unknown.is_empty() {
        return Vec::new();
    }
    unknown_fields(policy, org, &read_slots(check), r)
}

fn unknown_fields(
    policy: &Policy,
    org: &OrgData,
    reads: &[(crate::base::value::KindId, u64)],
    r: crate::base::value::RecordRef,
) -> Vec<String> {
    let bits = reads.iter().filter(|(k, _)| *k == r.kind).fold(0, |a, (_, b)| a | b) & org.unknown.slots(r.kind, r.idx);
    let ks = policy.schema.kind(r.kind);
    ks.fields
        .iter()
        .enumerate()
        .filter(|(s, _)| bits & crate::data::Unknown::bit(*s) != 0)
        .map(|(_, f)| f.name.clone())
        .collect()
}

fn pending_of(st: &Status) -> Option<jiff::civil::Date> {
    match st {
        Status::Pending(d) => Some(*d),
        _ => None,
    }
}

/// The stream kind a check iterates, if it is `forall x in STREAM …`.
pub fn stream_kind(policy: &Policy, check: &crate::policy::Check) -> Option<crate::base::value::KindId> {
    match check.ir.unwrapped() {
        crate::policy::ir::Ir::Quant { src: crate::policy::ir::Source::Kind(k), .. }
            if policy.schema.kind(*k).stream.is_some() =>
        {
            Some(*k)
        }
        _ => None,
    }
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
        let policy = crate::compile::load_policy(None).expect("built-in pack").0;
        let mut seen = Vec::new();
        for csv in [false, true] {
            let dir = tempfile::tempdir().expect("temp dir");
            let summary = crate::eval::gen_org::generate(20_000, dir.path(), 7, csv);
            let config = crate::data::read_config(dir.path(), jiff::civil::date(2026, 11, 23)).expect("config");
            let org = crate::data::load_except(dir.path(), config, &policy.schema, &[]).expect("org loads");
            let out = run(&policy, &org, &Options::default());
            let mut found: BTreeMap<String, u64> = BTreeMap::new();
            for f in &out.findings {
                *found.entry(f.rule.to_string()).or_default() += 1;
            }
            let mut injected: BTreeMap<String, u64> =
                serde_json::from_value(summary["injected"].clone()).expect("injected counts");
            injected.retain(|_, n| *n > 0);
            assert!(injected.len() >= 30, "{} rules injected: {injected:?}", injected.len());
            assert_eq!(found, injected, "csv: {csv}");
            // A data finding names the first places, which differ between the TOML and CSV forms.
            let places = |m: &str| match (m.find("条记录："), m.rfind('）')) {
                (Some(a), Some(b)) if a < b => format!("{}{}", &m[..a], &m[b..]),
                _ => m.to_string(),
            };
            let mut keys: Vec<String> =
                out.findings.iter().map(|f| format!("{} {:?} {}", f.rule, f.subject, places(&f.message))).collect();
            keys.sort();
            seen.push(keys);
        }
        assert_eq!(seen[0], seen[1]);
    }

    /// A cancelled run stops before its checks: none is evaluated, no rule finding is built, and
    /// the outcome says it is incomplete; the same run uncancelled finds the rule findings.
    #[test]
    fn a_cancelled_run_skips_its_checks_and_says_so() {
        let policy = crate::compile::load_policy(None).expect("built-in pack").0;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme");
        let config = crate::data::read_config(&dir, jiff::civil::date(2026, 11, 23)).expect("config");
        let org = crate::data::load_except(&dir, config, &policy.schema, &[]).expect("org loads");
        let whole = run(&policy, &org, &Options::default());
        let rule_findings = |o: &Outcome| {
            o.findings.iter().filter(|f| !f.rule.starts_with("DATA-") && !f.rule.starts_with("WAIVER-")).count()
        };
        assert!(!whole.cancelled && rule_findings(&whole) > 0, "acme breaks rules");
        let opts = Options::default();
        opts.cancel.cancel();
        let cut = run(&policy, &org, &opts);
        assert!(cut.cancelled);
        assert_eq!(rule_findings(&cut), 0, "{:?}", cut.findings);
        assert!(cut.checked.iter().all(|c| c.subjects == 0), "no check examined a record");
    }
}
