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
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
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
    let org = match data::load(a.org, config, &policy.schema) {
        Ok(o) => o,
        Err(d) => {
            eprint!("{}", d.render(a.color));
            eprintln!("error: the org data has {} error(s); nothing was checked", d.error_count());
            return EXIT_ERROR;
        }
    };
    let outcome = check::run(&policy, &org, &a.selection);
    let report = Report { policy: &policy, org: &org, outcome: &outcome };
    match a.format {
        OutputFormat::Human => print!("{}", human::render(&report, a.color)),
        OutputFormat::Json => print!("{}", json::render(&report)),
    }
    let threshold = match a.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| !f.advisory && f.severity >= t));
    if failed { EXIT_FINDINGS } else { EXIT_OK }
}
