//! `zhidu check`: load the org data, evaluate every rule of the pack, write the findings in one
//! or more formats, apply waivers and a baseline, and map the outcome to an exit code.

use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FailOn};
use crate::base::timings::{Lap, Stages};
use crate::data;
use crate::engine::{self, Selection};
use crate::findings::baseline::{self, Baseline};
use crate::output::{CheckRun, github, human, json, junit, sarif};
use crate::syntax::ast::Severity;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingsFormat {
    /// Grouped, with snippets.
    Human,
    /// Versioned JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// GitHub workflow commands.
    Github,
}

impl FindingsFormat {
    fn parse(s: &str) -> Option<FindingsFormat> {
        Some(match s {
            "human" => FindingsFormat::Human,
            "json" => FindingsFormat::Json,
            "sarif" => FindingsFormat::Sarif,
            "junit" => FindingsFormat::Junit,
            "github" => FindingsFormat::Github,
            _ => return None,
        })
    }
}

/// Arguments of `zhidu check`.
pub struct Args<'a> {
    /// Org dir.
    pub org: &'a Path,
    /// Policy dir (overrides `zhidu.toml`).
    pub policy: Option<&'a Path>,
    /// `--format` values: `FORMAT` or `FORMAT=FILE`.
    pub formats: &'a [String],
    /// `--output FILE` for a format given without a file.
    pub output: Option<&'a Path>,
    /// Failure threshold.
    pub fail_on: FailOn,
    /// Rule selection.
    pub selection: Selection,
    /// Explain each finding.
    pub explain: bool,
    /// Allow outputs inside the org dir and the policy dir.
    pub force: bool,
    /// `as_of` override.
    pub as_of: Option<jiff::civil::Date>,
    /// Audit period override.
    pub period: Option<(jiff::civil::Date, jiff::civil::Date)>,
    /// Colour for human output on a terminal.
    pub color: bool,
    /// Print the wall time of each stage to stderr.
    pub timings: bool,
    /// Show the values of `personal` fields whole.
    pub show_personal: bool,
    /// Only findings, no snippets or summary.
    pub quiet: bool,
    /// Report only findings not in this baseline.
    pub baseline: Option<&'a Path>,
    /// Write the current findings as a baseline.
    pub write_baseline: Option<&'a Path>,
    /// Language of the tool's own messages.
    pub lang: super::Lang,
    /// Human output: findings listed per rule (0: all).
    pub max_per_rule: usize,
    /// Human output: the per-rule table instead of the findings.
    pub statistics: bool,
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
    let mut clock = Clock::new(a.timings);
    let mut targets: Vec<(FindingsFormat, Option<PathBuf>)> = Vec::new();
    let default = ["human".to_string()];
    for spec in if a.formats.is_empty() { &default[..] } else { a.formats } {
        let (name, file) = match spec.split_once('=') {
            Some((n, f)) => (n, Some(PathBuf::from(f))),
            None => (spec.as_str(), None),
        };
        let Some(fmt) = FindingsFormat::parse(name) else {
            errln!("error: unknown format `{name}` (human, json, sarif, junit, github)");
            return EXIT_ERROR;
        };
        targets.push((fmt, file));
    }
    if let Some(out) = a.output {
        match targets.iter_mut().filter(|(_, f)| f.is_none()).collect::<Vec<_>>().as_mut_slice() {
            [one] => one.1 = Some(out.to_path_buf()),
            _ => {
                errln!("error: `--output` needs exactly one `--format` without `=FILE`");
                return EXIT_ERROR;
            }
        }
    }
    if targets.iter().filter(|(_, f)| f.is_none()).count() > 1 {
        errln!("error: only one format can go to standard output; give the others a file: `--format sarif=out.sarif`");
        return EXIT_ERROR;
    }
    let baseline = match a
        .baseline
        .map(|p| crate::base::files::read_to_string(p).map_err(|e| e.to_string()).and_then(|t| Baseline::parse(&t)))
    {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            errln!(
                "error: cannot read baseline `{}`: {e}",
                a.baseline.map(Path::display).map(|d| d.to_string()).unwrap_or_default()
            );
            return EXIT_ERROR;
        }
        None => None,
    };

    let today = jiff::Zoned::now().date();
    let given = data::config::Given { as_of: a.as_of, period: a.period };
    let config = match data::read_config_given(a.org, today, &given) {
        Ok(c) => c,
        Err(d) => {
            err!("{}", d.render(a.color));
            return EXIT_ERROR;
        }
    };
    let policy_dir: Option<PathBuf> = a.policy.map(Path::to_path_buf).or_else(|| config.policy.clone());
    let policy = match super::load_or_report(policy_dir.as_deref(), a.color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let unknown = engine::select::unknown(&policy, &a.selection);
    if !unknown.is_empty() {
        for u in &unknown {
            err!("{}", crate::base::diag::render_one(u, a.color));
        }
        errln!("nothing was checked");
        return EXIT_ERROR;
    }
    clock.lap("policy");
    let org = match super::load_org_or_report(a.org, config, &policy.schema, a.color, "nothing was checked") {
        Ok(o) => o,
        Err(code) => return code,
    };
    clock.lap("load data");
    // Refused before anything is evaluated: an output over an input loses data.
    // GitHub's job summary of this step, when the runner gives one and it is asked for.
    let step_summary: Option<PathBuf> = targets
        .iter()
        .any(|(f, _)| *f == FindingsFormat::Github)
        .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
        .flatten()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let outputs: Vec<&Path> = targets
        .iter()
        .filter_map(|(_, f)| f.as_deref())
        .chain(a.write_baseline)
        .chain(step_summary.as_deref())
        .collect();
    if super::refused(&super::protected(&org, &policy, policy_dir.as_deref(), a.force), &outputs) {
        return EXIT_ERROR;
    }
    clock.detail(&org.stages);
    let options = engine::Options {
        selection: a.selection,
        explain: a.explain,
        lang: a.lang,
        show_personal: a.show_personal,
        ..Default::default()
    };
    let mut outcome = engine::run(&policy, &org, &options);
    clock.lap("evaluate");
    clock.detail(&outcome.stages);
    if let Some(path) = a.write_baseline {
        if let Err(e) = super::write_output(path, &Baseline::of(&outcome.findings).to_json()) {
            errln!("error: cannot write baseline `{}`: {e}", path.display());
            return EXIT_ERROR;
        }
        errln!(
            "wrote baseline of {} finding(s) to {}",
            outcome.findings.iter().filter(|f| f.waiver.is_none()).count(),
            path.display()
        );
    }
    let comparison = baseline.as_ref().map(|b| baseline::apply(b, &mut outcome.findings));
    let threshold = match a.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let report =
        CheckRun { policy: &policy, org: &org, outcome: &outcome, org_dir: a.org, baseline: comparison.as_ref() };
    for (fmt, file) in &targets {
        let color = a.color && file.is_none();
        let plan = (*fmt == FindingsFormat::Sarif).then(|| sarif::plan(&report, sarif::MAX_RESULTS));
        // Every format is written as it is made, straight into its file or standard output.
        let write = |w: &mut dyn std::io::Write| match fmt {
            FindingsFormat::Human => {
                let o = human::Options {
                    color,
                    quiet: a.quiet,
                    lang: a.lang,
                    max_per_rule: a.max_per_rule,
                    statistics: a.statistics,
                };
                w.write_all(human::render(&report, &o).as_bytes())
            }
            FindingsFormat::Json => json::write(&report, w),
            FindingsFormat::Sarif => sarif::write(&report, plan.as_ref().unwrap_or(&sarif::Plan::default()), w),
            FindingsFormat::Junit => junit::write(&report, threshold, w),
            FindingsFormat::Github => w.write_all(github::render(&report, a.lang).as_bytes()),
        };
        match file {
            None => super::emit_with(write),
            Some(path) => {
                if let Err(e) = super::write_output_with(path, write) {
                    errln!("error: cannot write `{}`: {e}", path.display());
                    return EXIT_ERROR;
                }
            }
        }
        if let Some(p) = plan.filter(|p| !p.omitted.is_empty()) {
            errln!(
                "note: the SARIF output lists {} of {} findings: a SARIF run holds at most {} results (GitHub code scanning rejects more); the other {} are counted in one result per rule ({} rules) and a notification; --format json has them all",
                p.results - p.omitted.len(),
                outcome.findings.len(),
                sarif::MAX_RESULTS,
                p.left_out(),
                p.omitted.len()
            );
        }
    }
    if let Some(path) = &step_summary {
        let text = crate::base::redact::redact(&github::summary(&report, a.lang)).into_owned();
        if let Err(e) = crate::base::files::append(path, text.as_bytes()) {
            errln!("error: cannot write the job summary `{}`: {e}", path.display());
            return EXIT_ERROR;
        }
    }
    clock.lap("output");
    clock.report(org.store.kinds.iter().map(|k| k.len()).sum());
    clock.slowest(&outcome.check_times);
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.counts() && f.severity >= t));
    // The process ends now: freeing millions of records one by one would only cost time.
    std::mem::forget(outcome);
    std::mem::forget(org);
    if failed { EXIT_FINDINGS } else { EXIT_OK }
}

/// Stage timings for `--timings`: the command's own stages, with the sub-stages the loader and
/// the evaluator recorded indented under them.
struct Clock {
    on: bool,
    start: std::time::Instant,
    stages: Stages,
}

impl Clock {
    fn new(on: bool) -> Self {
        Clock { on, start: std::time::Instant::now(), stages: Stages::start() }
    }
    fn lap(&mut self, name: &str) {
        if self.on {
            self.stages.lap(name);
        }
    }
    /// The sub-stages of the stage just ended, indented under it.
    fn detail(&mut self, sub: &Stages) {
        if self.on {
            self.stages.laps.extend(sub.laps.iter().map(|l| Lap { name: format!("  {}", l.name), ..l.clone() }));
        }
    }
    /// The ten slowest checks.
    fn slowest(&self, times: &[crate::base::timings::CheckTime]) {
        if !self.on {
            return;
        }
        let mut t: Vec<_> = times.iter().collect();
        t.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| (&a.rule, a.check).cmp(&(&b.rule, b.check))));
        for c in t.iter().take(10) {
            let name = format!("  check {}#{}", c.rule, c.check + 1);
            errln!("timing: {name:<36} {:>8.3} s", c.time.as_secs_f64());
        }
    }
    fn report(&self, records: usize) {
        if !self.on {
            return;
        }
        for l in &self.stages.laps {
            let peak = l.peak_rss.map(|b| format!("   peak {:>6} MB", b / 1_000_000)).unwrap_or_default();
            let cpu = l.cpu.map(|c| format!("   cpu {:>7.2} s", c.as_secs_f64())).unwrap_or_default();
            errln!("timing: {:<36} {:>8.3} s{peak}{cpu}", l.name, l.time.as_secs_f64());
        }
        errln!("timing: {:<36} {:>8.3} s ({records} records)", "total", self.start.elapsed().as_secs_f64());
    }
}
