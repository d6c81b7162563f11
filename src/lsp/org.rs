//! The org data seen from an editor: one load of an org dir (with the editor's buffers in place
//! of the files on disk), its `DATA-…` findings, and the rule findings of the last full check,
//! as LSP diagnostics by file — the same findings, codes and messages `zhidu check` gives.
//! Rule findings of an earlier check are moved to where their record now is (a record deleted
//! since loses its findings), so edits between checks do not leave them on the wrong line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

use super::position::Lines;
use crate::base::diag::Diagnostics;
use crate::base::lang::Lang;
use crate::data::{Edited, OrgData};
use crate::findings::{Builder, Finding};
use crate::policy::Policy;
use crate::syntax::ast::Severity;

/// The org dir a file belongs to: the nearest directory above it holding `zhidu.toml`.
pub fn org_of(path: &Path) -> Option<PathBuf> {
    path.ancestors().skip(1).find(|d| d.join("zhidu.toml").is_file()).map(Path::to_path_buf)
}

/// Whether a file is one the org loader reads as text (TOML, CSV) or the org's `zhidu.toml`.
pub fn is_data(path: &Path) -> bool {
    matches!(crate::data::file_format(path), Some(crate::data::FileFormat::Toml | crate::data::FileFormat::Csv))
}

/// One load of an org dir.
pub struct OrgRun {
    /// The org dir.
    pub dir: PathBuf,
    /// The pack it was checked against (`None` when it did not compile).
    pub policy: Option<Arc<Policy>>,
    /// The loaded data (`None` when a file could not be read or parsed).
    pub org: Option<OrgData>,
    /// Diagnostics by absolute path.
    pub diagnostics: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

/// The rule findings of a full check, kept until the next one.
pub type Checked = Arc<Vec<Finding>>;

/// How to run a full check: its cancellation token (set when a newer edit arrives) and what to
/// do when the evaluation starts (the server logs it).
pub struct FullCheck<'a> {
    /// Looked at before the evaluation and by the engine between checks.
    pub cancel: &'a crate::base::cancel::Cancel,
    /// Called right before the engine runs.
    pub started: &'a dyn Fn(),
}

impl OrgRun {
    /// Reads `zhidu.toml` of `dir` from disk (its edits count once saved).
    pub fn config(dir: &Path) -> Result<crate::data::OrgConfig, Diagnostics> {
        crate::data::read_config(dir, jiff::Zoned::now().date())
    }

    /// A run that could not load: the located errors of `zhidu.toml` or the pack.
    pub fn failed(dir: &Path, policy: Option<Arc<Policy>>, d: &Diagnostics, edited: &Edited) -> OrgRun {
        let mut run = OrgRun { dir: dir.to_path_buf(), policy, org: None, diagnostics: BTreeMap::new() };
        run.located(d, edited);
        run
    }

    /// Loads the org with `edited` replacing files on disk and makes its diagnostics: the
    /// `DATA-…` findings, and rule findings — of a check run now when `check` is given (its
    /// findings are returned to be kept; `None` when it was cancelled), else of `last`, moved
    /// to their records' new places.
    pub fn run(
        dir: &Path,
        policy: Arc<Policy>,
        config: crate::data::OrgConfig,
        edited: &Edited,
        last: Option<&Checked>,
        check: Option<&FullCheck<'_>>,
    ) -> (OrgRun, Option<Checked>) {
        let mut run =
            OrgRun { dir: dir.to_path_buf(), policy: Some(policy.clone()), org: None, diagnostics: BTreeMap::new() };
        let org = match crate::data::load_edited(dir, config, &policy.schema, &[], edited) {
            Ok(o) => o,
            Err(d) => {
                run.located(&d, edited);
                return (run, None);
            }
        };
        let build = Builder::new(&policy, &org, Lang::Zh, false);
        let mut shown: Vec<(Finding, Option<(String, String)>)> =
            org.issues.iter().map(|i| (build.builtin(i), i.fix.clone())).collect();
        let mut checked = None;
        let outcome = check.filter(|c| !c.cancel.is_cancelled()).map(|c| {
            (c.started)();
            let opts = crate::engine::Options { cancel: c.cancel.clone(), ..crate::engine::Options::default() };
            crate::engine::run(&policy, &org, &opts)
        });
        match outcome {
            // A cancelled check's findings are incomplete: the last check's are shown instead.
            Some(outcome) if !outcome.cancelled => {
                let rules: Vec<Finding> =
                    outcome.findings.into_iter().filter(|f| !f.rule.starts_with("DATA-")).collect();
                shown.extend(rules.iter().cloned().map(|f| (f, None)));
                checked = Some(Arc::new(rules));
            }
            _ => {
                for f in last.map(|l| l.iter()).into_iter().flatten() {
                    if let Some(f) = moved(&policy, &org, f) {
                        shown.push((f, None));
                    }
                }
            }
        }
        // Only what `zhidu check` counts: a waived finding is not shown.
        shown.retain(|(f, _)| f.waiver.is_none());
        // Only the open files' diagnostics are published: a finding in another file is not
        // made one (its file, megabytes in a big org, would be read and indexed for nothing).
        let mut texts = Texts::new();
        for (f, fix) in &shown {
            let open = f.location.as_ref().is_some_and(|l| edited.contains_key(Path::new(l.file.as_str())));
            if !open {
                continue;
            }
            if let Some(d) = diagnostic(&org, f, fix.as_ref(), &mut texts) {
                run.diagnostics.entry(d.0).or_default().push(d.1);
            }
        }
        run.org = Some(org);
        (run, checked)
    }

    /// A load that failed: its located errors as diagnostics.
    fn located(&mut self, d: &Diagnostics, edited: &Edited) {
        use miette::Diagnostic as _;
        for item in &d.items {
            // `file:line:column`: the file is what is left of the last two colons.
            let Some(file) = item.position.rsplitn(3, ':').nth(2) else { continue };
            let rel = PathBuf::from(file);
            let path = if rel.is_absolute() { rel.clone() } else { self.dir.join(&rel) };
            let text: Arc<str> = match edited.get(&rel) {
                Some(t) => t.clone(),
                None => std::fs::read_to_string(&path).unwrap_or_default().into(),
            };
            let lines = Lines::new(&text);
            let mut message = item.to_string();
            if let Some(h) = item.help() {
                message.push_str(&format!("\nhelp: {h}"));
            }
            self.diagnostics.entry(path).or_default().push(Diagnostic {
                range: lines.range(&text, item.loc.start as usize, item.loc.end as usize),
                severity: Some(DiagnosticSeverity::ERROR),
                code: Some(NumberOrString::String(item.code())),
                source: Some("zhidu".into()),
                message: crate::base::redact::redact(&message).into_owned(),
                ..Diagnostic::default()
            });
        }
    }
}

/// A rule finding of an earlier load, at its record's place in `org` (`None` when the record
/// is gone). Findings about no record, or a declaration, keep their place.
fn moved(policy: &Policy, org: &OrgData, f: &Finding) -> Option<Finding> {
    let mut f = f.clone();
    let Some((kind, id)) = f.subject.as_deref().and_then(|s| s.split_once(':')) else { return Some(f) };
    let Some(k) = policy.schema.id(kind).filter(|k| policy.schema.kind(*k).origin == crate::policy::KindOrigin::Record)
    else {
        return Some(f);
    };
    if policy.schema.kind(k).stream.is_some() {
        return Some(f);
    }
    let rec = org.store.get(org.store.by_id(k, id)?)?;
    let old = f.location.take()?;
    let mut at = crate::data::location(&org.sources, rec.loc, old.row, old.field.as_deref())?;
    if at.file.ends_with(".csv") {
        at.row = Some(at.line.saturating_sub(1));
    }
    f.location = Some(at);
    Some(f)
}

/// The texts and line indexes of the files findings are in, made once per run.
type Texts = std::collections::HashMap<String, (Arc<str>, Lines)>;

/// A finding as the editor shows it, with the path of its file. The range starts where
/// `zhidu check` locates the finding and ends at the end of that line.
fn diagnostic(
    org: &OrgData,
    f: &Finding,
    fix: Option<&(String, String)>,
    texts: &mut Texts,
) -> Option<(PathBuf, Diagnostic)> {
    let at = f.location.as_ref()?;
    // A workbook's cell has no text position.
    if at.sheet.is_some() {
        return None;
    }
    let path = org.dir.join(at.file.as_str());
    let (text, lines) = texts.entry(at.file.to_string()).or_insert_with(|| {
        let file = org.sources.files().find(|(_, s)| s.name == at.file).map(|(_, s)| s);
        let text: Arc<str> = match file {
            Some(s) => s.text().clone(),
            None => std::fs::read_to_string(&path).unwrap_or_default().into(),
        };
        let lines = Lines::new(&text);
        (text, lines)
    });
    let text: &str = text;
    let start = match at.loc {
        Some(l) => l.start as usize,
        None => offset_of(text, at.line, at.column),
    };
    let end = text.get(start..).and_then(|r| r.find('\n')).map_or(text.len(), |n| start + n);
    let severity = match f.severity {
        Severity::Error if !f.advisory => DiagnosticSeverity::ERROR,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        _ => DiagnosticSeverity::WARNING,
    };
    let mut message = format!("{}: {}", f.title, f.message);
    if f.title.is_empty() {
        message.clone_from(&f.message);
    }
    let data = fix.map(|(written, meant)| serde_json::json!({"written": written, "meant": meant}));
    Some((
        path,
        Diagnostic {
            range: lines.range(text, start, end),
            severity: Some(severity),
            code: Some(NumberOrString::String(f.rule.to_string())),
            source: Some("zhidu".into()),
            message: crate::base::redact::redact(&message).into_owned(),
            data,
            ..Diagnostic::default()
        },
    ))
}

/// The byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = text.get(start..).unwrap_or("");
    start + rest.char_indices().nth(column.saturating_sub(1)).map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "a = 1\n名称 = \"x\"\n";
        assert_eq!(offset_of(text, 2, 1), 6);
        assert_eq!(offset_of(text, 2, 3), 6 + "名称".len());
    }
}
