//! `zhidu check`: load the org data, evaluate every rule of the pack, print the findings.

use std::path::{Path, PathBuf};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FailOn, OutputFormat};
use crate::check::{self, Selection};
use crate::data;
use crate::output::{Report, human, json};
use crate::syntax::ast::Severity;

/// Arguments of `zhidu check`.
pub struct Args<'a> {
    /// Org dir.
    pub org: &'a Path,
    /// Policy dir (overrides `zhidu.toml`).
    pub policy: Option<&'a Path>,
    /// Output format.
    pub format: OutputFormat,
    /// Failure threshold.
    pub fail_on: FailOn,
    /// Rule selection.
    pub selection: Selection,
    /// `as_of` override.
    pub as_of: Option<jiff::civil::Date>,
    /// Colour on stderr/stdout.
    pub color: bool,
    /// Print the wall time of each stage to stderr.
    pub timings: bool,
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
    let mut clock = Clock::new(a.timings);
    let today = jiff::Zoned::now().date();
    let mut config = match data::read_config(a.org, today) {
        Ok(c) => c,
        Err(d) => {
            eprint!("{}", d.render(a.color));
            return EXIT_ERROR;
        }
    };
    if let Some(d) = a.as_of {
        config.as_of = d;
    }
    let policy_dir: Option<PathBuf> = a.policy.map(Path::to_path_buf).or_else(|| config.policy.clone());
    let policy = match super::load_or_report(policy_dir.as_deref(), a.color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    clock.lap("policy");
    let org = match data::load(a.org, config, &policy.schema) {
        Ok(o) => o,
        Err(d) => {
            eprint!("{}", d.render(a.color));
            eprintln!("error: the org data has {} error(s); nothing was checked", d.error_count());
            return EXIT_ERROR;
        }
    };
    clock.lap("load data (walk, parse, validate)");
    let outcome = check::run(&policy, &org, &a.selection);
    clock.lap("evaluate (index, rules, sort)");
    let report = Report { policy: &policy, org: &org, outcome: &outcome };
    match a.format {
        OutputFormat::Human => print!("{}", human::render(&report, a.color)),
        OutputFormat::Json => print!("{}", json::render(&report)),
    }
    clock.lap("output");
    clock.report(org.store.kinds.iter().map(|k| k.records.len()).sum());
    let threshold = match a.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| !f.advisory && f.severity >= t));
    // The process ends now: freeing millions of records one by one would only cost time.
    std::mem::forget(outcome);
    std::mem::forget(org);
    if failed { EXIT_FINDINGS } else { EXIT_OK }
}

/// Stage timings for `--timings`.
struct Clock {
    on: bool,
    start: std::time::Instant,
    last: std::time::Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Clock {
    fn new(on: bool) -> Self {
        let now = std::time::Instant::now();
        Clock { on, start: now, last: now, laps: Vec::new() }
    }
    fn lap(&mut self, name: &'static str) {
        if self.on {
            let now = std::time::Instant::now();
            self.laps.push((name, (now - self.last).as_secs_f64()));
            self.last = now;
        }
    }
    fn report(&self, records: usize) {
        if !self.on {
            return;
        }
        for (name, secs) in &self.laps {
            eprintln!("timing: {name:<36} {secs:>8.3} s");
        }
        eprintln!("timing: {:<36} {:>8.3} s ({records} records)", "total", self.start.elapsed().as_secs_f64());
    }
}
