//! The auditors' conformance report (`zhidu report`): every rule of the pack with its status for
//! one org and period, the number of subjects checked, the findings as evidence, the waivers in
//! force, the pack's lint, and SHA-256 digests of every input so the report can be reproduced
//! (`zhidu verify`). Written as JSON ([`model`]), Markdown and HTML ([`render`]) or OSCAL
//! assessment results ([`oscal`]); compared with a previous report by fingerprint ([`compare`]).

pub mod chart;
pub mod compare;
pub mod digest;
pub mod model;
pub mod oscal;
pub mod paths;
pub mod reconcile;
pub mod render;
pub mod status;
pub mod verify;

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::compile::error::PolicyError;
use crate::data::{OrgData, kind_for, location};
use crate::engine::Outcome;
use crate::policy::{Policy, Scope};
use model::{
    ChapterCounts, Counts, DataCheck, Inputs, Lint, LintRule, Org, Pack, Period, Report, Status, Summary, Tool,
    WaiverInForce,
};

/// Why a report could not be made, compared or verified (exit code 2).
#[derive(Debug, Error, Diagnostic)]
pub enum ReportError {
    /// An input file could not be read for its digest.
    #[error("cannot read `{path}` for its digest: {reason}")]
    #[diagnostic(code(zhidu::report::unreadable), help("check the file's permissions"))]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A previous or given report could not be read.
    #[error("cannot read the report `{path}`: {reason}")]
    #[diagnostic(
        code(zhidu::report::previous),
        help("give a report written by `zhidu report --format json` (schema version {version})")
    )]
    BadReport {
        /// The file.
        path: String,
        /// Why.
        reason: String,
        /// The schema version this zhidu reads.
        version: u32,
    },
    /// The report could not be written.
    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(code(zhidu::report::write), help("check that the directory exists and is writable"))]
    Write {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Typesetting the PDF failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Typeset(Box<crate::render::typeset::TypesetError>),
    /// A template failed to render.
    #[error("cannot render the report as {format}: {reason}")]
    #[diagnostic(code(zhidu::report::template))]
    Template {
        /// md or html.
        format: &'static str,
        /// Why.
        reason: String,
    },
}

/// Everything a report is made from.
pub struct Sources<'a> {
    /// The pack.
    pub policy: &'a Policy,
    /// The pack's directory (`None`: the built-in pack).
    pub policy_dir: Option<&'a Path>,
    /// The org data.
    pub org: &'a OrgData,
    /// The check run over all rules.
    pub outcome: &'a Outcome,
    /// The pack's lint failures.
    pub lint: &'a [PolicyError],
}

/// Builds the report.
pub fn build(s: &Sources) -> Result<Report, ReportError> {
    let (policy, org) = (s.policy, s.org);
    let mut files = digest::policy_files(&policy.sources, s.policy_dir);
    let org_files = digest::org_files(&org.dir, &org.inputs).map_err(|(p, e)| ReportError::Unreadable {
        path: org.dir.join(p).display().to_string(),
        reason: e.to_string(),
    })?;
    files.extend(org_files);
    files.sort();
    let mut rules = status::rules(policy, org, s.outcome, s.lint);
    // Findings at declarations point into the pack: name those files as the digests do, so the
    // report does not depend on how the pack's path was given.
    for e in rules.iter_mut().flat_map(|r| r.evidence.iter_mut()) {
        if let Some(l) = e.location.as_mut()
            && policy.sources.files().any(|(_, f)| f.name == l.file)
            && let Some(rel) = digest::pack_relative(&l.file, s.policy_dir)
        {
            l.file = format!("{}{rel}", digest::POLICY_PREFIX);
        }
    }
    let mut total = Counts::default();
    let mut chapters: Vec<ChapterCounts> = Vec::new();
    for r in &rules {
        total.add(r.status, r.advisory);
        match chapters.iter_mut().find(|c| c.chapter == r.chapter) {
            Some(c) => c.counts.add(r.status, r.advisory),
            None => {
                let mut counts = Counts::default();
                counts.add(r.status, r.advisory);
                chapters.push(ChapterCounts { chapter: r.chapter.clone(), counts });
            }
        }
    }
    let summary = Summary {
        total,
        chapters,
        findings: rules.iter().map(|r| r.findings).sum(),
        waived_findings: rules.iter().map(|r| r.waived).sum(),
        records: s.outcome.records,
        not_evaluated: s.outcome.not_evaluated,
    };
    let meta = &policy.meta;
    Ok(Report {
        schema_version: model::SCHEMA_VERSION,
        tool: Tool { name: "zhidu".into(), version: env!("CARGO_PKG_VERSION").into() },
        org: Org { name: org.config.name.clone() },
        policy: Pack {
            name: meta.name.clone(),
            title: meta.title.clone(),
            version: meta.version.clone(),
            effective: meta.effective.to_string(),
            issuer: meta.issuer.clone(),
            builtin: s.policy_dir.is_none(),
        },
        as_of: org.config.as_of.to_string(),
        period: Period { from: org.config.period.0.to_string(), to: org.config.period.1.to_string() },
        inputs: Inputs { algorithm: "sha256".into(), digest: digest::overall(&files), files },
        // Sealed when written as JSON (`to_json`), after `--compare` has added its part.
        content_digest: None,
        summary,
        rules,
        waivers: waivers(policy, org, s.outcome),
        lint: lint(policy, s.lint),
        data_checks: data_checks(s.outcome),
        comparison: None,
        deviations: policy
            .deviations
            .iter()
            .map(|d| model::DeviationReport {
                action: serde_json::to_value(d.action)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                kind: d.kind.clone(),
                name: d.name.clone(),
                attrs: d.attrs.clone(),
                base: d.base.clone(),
                company: d.company.clone(),
                reason: d.reason.clone(),
                approved_by: d.approved_by.clone(),
            })
            .collect(),
    })
}

/// The pack's policy-scope rules and whether each holds.
fn lint(policy: &Policy, failures: &[PolicyError]) -> Lint {
    let mut rules: Vec<LintRule> = Vec::new();
    let lintable = |r: &&crate::policy::Rule| r.disabled.is_none() && r.checks.iter().any(|c| c.scope == Scope::Policy);
    for r in policy.rules.iter().filter(lintable) {
        if rules.iter().any(|x| x.id == r.id) {
            continue;
        }
        let messages: Vec<String> = failures
            .iter()
            .filter(|e| status::lint_rule(e) == Some(r.id.as_str()))
            .map(|e| status::lint_evidence(policy, e).message)
            .collect();
        let status = if messages.is_empty() { Status::Pass } else { Status::Fail };
        rules.push(LintRule { id: r.id.clone(), title: r.title.clone(), status, messages });
    }
    let status = if rules.iter().all(|r| r.status == Status::Pass) { Status::Pass } else { Status::Fail };
    Lint { status, rules }
}

/// zhidu's built-in data and waiver checks with their findings.
fn data_checks(outcome: &Outcome) -> Vec<DataCheck> {
    let builtin = crate::findings::catalog::builtin().map(|r| (r.id, r.title, r.about));
    builtin
        .map(|(id, title, about)| {
            let found: Vec<&crate::findings::finding::Finding> =
                outcome.findings.iter().filter(|f| f.rule == id).collect();
            let status = if found.iter().any(|f| f.waiver.is_none()) {
                Status::Fail
            } else if found.is_empty() {
                Status::Pass
            } else {
                Status::Waived
            };
            let evidence = found.iter().map(|f| status::evidence_of(f)).collect();
            // `about` is the English title, in lower case ("waiver matches no finding").
            let mut chars = about.chars();
            let title_en = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
            DataCheck { id: id.into(), title: title.into(), title_en, status, evidence }
        })
        .collect()
}

/// Waiver records in force on `as_of` (complete and not expired), with the findings they cover.
fn waivers(policy: &Policy, org: &OrgData, outcome: &Outcome) -> Vec<WaiverInForce> {
    let Some(k) = kind_for(&policy.schema, "waiver") else { return Vec::new() };
    let ks = policy.schema.kind(k);
    let text = |rec, name| crate::findings::waiver::given(ks, rec, name);
    let string = |rec, name| text(rec, name).and_then(|v| v.as_str().map(str::to_string));
    let mut out = Vec::new();
    for rec in org.store.kind(k).iter() {
        let (Some(rule), Some(subject), Some(reason), Some(approved_by), Some(expires)) = (
            string(rec, "rule"),
            string(rec, "subject"),
            string(rec, "reason"),
            string(rec, "approved_by"),
            text(rec, "expires").and_then(|v| v.as_date()),
        ) else {
            continue;
        };
        if expires < org.config.as_of {
            continue;
        }
        let expires = expires.to_string();
        let findings = outcome
            .findings
            .iter()
            .filter(|f| f.rule == rule && (subject == "*" || f.subject.as_deref() == Some(subject.as_str())))
            .filter(|f| f.waiver.as_ref().is_some_and(|w| w.reason == reason && w.expires == expires))
            .count();
        let location = location(&org.sources, rec.loc, None, None).map(|l| model::Location {
            file: l.file.to_string(),
            line: l.line,
            column: l.column,
            row: None,
            field: None,
        });
        out.push(WaiverInForce { rule, subject, reason, approved_by, expires, findings, location });
    }
    out.sort_by(|a, b| (&a.rule, &a.subject, &a.expires).cmp(&(&b.rule, &b.subject, &b.expires)));
    out
}

/// Output formats of `zhidu report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown.
    Md,
    /// Self-contained HTML for print (A4).
    Html,
    /// The report as versioned JSON (`docs/report.schema.json`).
    Json,
    /// NIST OSCAL 1.1 assessment results (JSON).
    Oscal,
    /// PDF, typeset by zhidu (Typst; needs the CJK fonts of `fonts-noto-cjk`).
    Pdf,
}

impl ReportFormat {
    /// The format a file name implies (`.md`, `.html`, `.json`).
    pub fn from_path(path: &Path) -> Option<ReportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(ReportFormat::Md),
            "html" | "htm" => Some(ReportFormat::Html),
            "json" => Some(ReportFormat::Json),
            "pdf" => Some(ReportFormat::Pdf),
            _ => None,
        }
    }
}

/// Renders a report in a text format (labels in `lang`); a PDF is made by [`render::pdf`].
pub fn write(report: &Report, format: ReportFormat, lang: crate::base::lang::Lang) -> Result<String, ReportError> {
    Ok(match format {
        ReportFormat::Json => to_json(report),
        ReportFormat::Oscal => oscal::render(report),
        ReportFormat::Md => render::markdown(report, lang)?,
        ReportFormat::Html => render::html(report, lang)?,
        ReportFormat::Pdf => {
            return Err(ReportError::Template {
                format: "pdf",
                reason: "a PDF is binary: write it to a file with --out".into(),
            });
        }
    })
}

/// The report as pretty JSON with a trailing newline, redacted and sealed: `content_digest` is
/// the digest of everything else the text holds.
pub fn to_json(report: &Report) -> String {
    // Control characters escaped as in every JSON zhidu writes (`crate::base::visible`).
    let pretty = |r: &Report| crate::base::visible::json(r).unwrap_or_else(|_| "{}".into());
    // Text leaves zhidu through the redaction step (`crate::base::redact`; the writer applies it
    // again, which changes nothing): the digest is of what is written, so it is computed over
    // the redacted document. Redaction works line by line and the digest's own line holds only
    // hex, so adding that line leaves every other line as it was.
    let mut sealed = report.clone();
    sealed.content_digest = None;
    let unsealed = crate::base::redact::redact(&pretty(&sealed)).into_owned();
    // The model always serialises to JSON, and redaction only replaces digits in strings by
    // markers; were the text ever not JSON, the digest of `null` would not verify: fail closed.
    let document: serde_json::Value = serde_json::from_str(&unsealed).unwrap_or_default();
    sealed.content_digest = Some(digest::content(&document));
    let mut s = crate::base::redact::redact(&pretty(&sealed)).into_owned();
    s.push('\n');
    s
}

/// Reads a report written by `zhidu report --format json` by this zhidu (schema version
/// [`model::SCHEMA_VERSION`]): the model, and the JSON document it was read from (the content
/// digest is over the document, so a member this zhidu does not know still counts).
pub fn read(path: &Path) -> Result<(Report, serde_json::Value), ReportError> {
    read_versions(path, &[model::SCHEMA_VERSION])
}

/// Reads a previous report for `--compare` (schema versions [`model::PREVIOUS_VERSIONS`]).
pub fn read_previous(path: &Path) -> Result<Report, ReportError> {
    read_versions(path, &model::PREVIOUS_VERSIONS).map(|(r, _)| r)
}

fn read_versions(path: &Path, versions: &[u32]) -> Result<(Report, serde_json::Value), ReportError> {
    let bad = |reason: String| ReportError::BadReport {
        path: path.display().to_string(),
        reason,
        version: model::SCHEMA_VERSION,
    };
    let text = crate::base::files::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    match value.get("schema_version").and_then(serde_json::Value::as_u64) {
        Some(v) if versions.iter().any(|x| u64::from(*x) == v) => {}
        Some(v) => return Err(bad(format!("schema version {v} is not supported"))),
        None => return Err(bad("no `schema_version`: not a zhidu report".into())),
    }
    let report: Report = serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))?;
    // The dates say which day and period the report is for (verify recomputes with them): ones
    // that are not dates would leave that to whatever zhidu.toml says.
    let date = |what: &str, s: &str| {
        s.parse::<jiff::civil::Date>().map_err(|_| bad(format!("{what} `{s}` is not a date such as 2026-06-30")))
    };
    date("as_of", &report.as_of)?;
    let (from, to) = (date("period.from", &report.period.from)?, date("period.to", &report.period.to)?);
    if from > to {
        return Err(bad(format!("the period starts ({from}) after it ends ({to})")));
    }
    Ok((report, value))
}
