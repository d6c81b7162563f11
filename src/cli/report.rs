//! `zhidu report`: the auditors' conformance report of an org dir — every rule of the pack with
//! its status, subjects checked and evidence, and the digests of every input. Exit 0 whatever the
//! rules' status (it is a report); 2 when the inputs cannot be read.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::{EXIT_ERROR, EXIT_OK};
use crate::data::{self, OrgConfig};
use crate::engine;
use crate::report::{self, ReportError, ReportFormat, Sources};

/// Arguments of `zhidu report`.
pub struct Args<'a> {
    /// Org dir.
    pub org: &'a Path,
    /// Policy dir (overrides `zhidu.toml`).
    pub policy: Option<&'a Path>,
    /// Audit period override.
    pub period: Option<(Date, Date)>,
    /// `as_of` override.
    pub as_of: Option<Date>,
    /// Output format (default: from the `--out` file name, else Markdown).
    pub format: Option<ReportFormat>,
    /// Language of the labels.
    pub lang: crate::base::lang::Lang,
    /// Output file (default: standard output).
    pub out: Option<&'a Path>,
    /// A previous JSON report to compare with.
    pub compare: Option<&'a Path>,
    /// Allow the report inside the org dir or the policy dir.
    pub force: bool,
    /// Show the values of `personal` fields whole.
    pub show_personal: bool,
    /// Colour diagnostics.
    pub color: bool,
}

/// Parses `FROM..TO` (two dates, inclusive).
pub fn parse_period(s: &str) -> Result<(Date, Date), String> {
    let (from, to) = s.split_once("..").ok_or("expected FROM..TO, e.g. 2026-01-01..2026-06-30")?;
    let date = |d: &str| d.trim().parse::<Date>().map_err(|_| format!("`{d}` is not a date such as 2026-06-30"));
    let (from, to) = (date(from)?, date(to)?);
    if from > to {
        return Err(format!("the period starts ({from}) after it ends ({to})"));
    }
    Ok((from, to))
}

/// Reads `zhidu.toml` of an org dir and picks the pack: `--policy`, else the config's, else
/// the built-in pack. Prints diagnostics on failure.
pub(super) fn org_config(
    org: &Path,
    policy: Option<&Path>,
    given: &data::config::Given,
    color: bool,
) -> Result<(OrgConfig, Option<PathBuf>), u8> {
    let today = jiff::Zoned::now().date();
    let config = data::read_config_given(org, today, given).map_err(|d| {
        err!("{}", d.render(color));
        EXIT_ERROR
    })?;
    let dir = policy.map(Path::to_path_buf).or_else(|| config.policy.clone());
    Ok((config, dir))
}

/// Prints a report error; returns exit code 2.
pub(super) fn fail(e: &ReportError, color: bool) -> u8 {
    err!("{}", crate::base::diag::render_one(e, color));
    EXIT_ERROR
}

/// The report of a pack on an org: every rule run, the pack linted. `verify` makes it the same
/// way to compare.
pub(super) fn made_from(
    policy: &crate::policy::Policy,
    policy_dir: Option<&Path>,
    org: &crate::data::OrgData,
    show_personal: bool,
) -> Result<report::model::Report, ReportError> {
    let outcome = engine::run(policy, org, &engine::Options { show_personal, ..engine::Options::default() });
    let lint = crate::engine::lint::lint(policy);
    report::build(&Sources { policy, policy_dir, org, outcome: &outcome, lint: &lint })
}

/// Runs the command; returns the exit code.
pub fn run(a: Args) -> u8 {
    let given = data::config::Given { as_of: a.as_of, period: a.period };
    let (config, policy_dir) = match org_config(a.org, a.policy, &given, a.color) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let previous = match a.compare.map(report::read_previous).transpose() {
        Ok(p) => p,
        Err(e) => return fail(&e, a.color),
    };
    let policy = match super::load_or_report(policy_dir.as_deref(), a.color) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let org = match super::load_org_or_report(a.org, config, &policy.schema, a.color, "no report was made") {
        Ok(o) => o,
        Err(code) => return code,
    };
    if super::refused(&super::protected(&org, &policy, policy_dir.as_deref(), a.force), a.out.as_slice()) {
        return EXIT_ERROR;
    }
    let mut made = match made_from(&policy, policy_dir.as_deref(), &org, a.show_personal) {
        Ok(r) => r,
        Err(e) => return fail(&e, a.color),
    };
    if let Some(prev) = &previous {
        made.comparison = Some(report::compare::compare(prev, &made));
    }
    let format = a.format.or_else(|| a.out.and_then(ReportFormat::from_path)).unwrap_or(ReportFormat::Md);
    let bytes = if format == ReportFormat::Pdf {
        if a.out.is_none() {
            errln!("error: a PDF is not printed to the terminal\n  help: add `--out FILE.pdf`");
            return EXIT_ERROR;
        }
        match report::render::pdf(&made, a.lang) {
            Ok(b) => Some(b),
            Err(e) => return fail(&e, a.color),
        }
    } else {
        None
    };
    let text = match &bytes {
        Some(_) => String::new(),
        None => match report::write(&made, format, a.lang) {
            Ok(t) => t,
            Err(e) => return fail(&e, a.color),
        },
    };
    match a.out {
        None => super::emit(&text),
        Some(path) => {
            let written = match &bytes {
                // The PDF's markup was redacted before it was typeset.
                Some(b) => crate::base::files::write_atomic(path, b),
                None => super::write_output(path, &text),
            };
            if let Err(e) = written {
                let e = ReportError::Write { path: path.display().to_string(), reason: e.to_string() };
                return fail(&e, a.color);
            }
            let t = &made.summary.total;
            // The breakdown `check` and `rules` print (policy::counts decided each status).
            // A disabled rule's status is `not_applicable`; the deviations say which they are.
            let disabled = made.deviations.iter().filter(|d| d.action == "disable").count();
            let counts = crate::policy::counts::RuleCounts {
                rules: t.rules,
                checked: (t.pass + t.fail + t.waived + t.not_applicable).saturating_sub(disabled),
                documented: t.not_checked,
                pending: t.pending,
                skipped: 0,
                disabled,
            };
            errln!(
                "wrote {} ({}; checked: {} pass, {} fail, {} waived, {} not applicable)",
                path.display(),
                counts.describe(crate::base::lang::Lang::En),
                t.pass,
                t.fail,
                t.waived,
                t.not_applicable,
            );
        }
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::parse_period;

    #[test]
    fn periods() {
        let (a, b) = parse_period("2026-01-01..2026-06-30").expect("period");
        assert_eq!((a.to_string(), b.to_string()), ("2026-01-01".into(), "2026-06-30".into()));
        assert!(parse_period("2026-06-30..2026-01-01").is_err());
        assert!(parse_period("2026-01-01").is_err());
        assert!(parse_period("2026-01-01..soon").is_err());
    }
}
