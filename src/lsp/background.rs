//! The org worker: loads org dirs with the editor's buffers and publishes their diagnostics,
//! off the request loop. Each job is a snapshot of every open data file; a newer snapshot
//! supersedes it: the server cancels the job's token when it sends the next one, so a running
//! check stops at the engine's next check, and a load or check whose job is stale when it ends
//! is dropped unpublished; a full check is asked again of the next job until one completes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use lsp_server::{Message, Notification};
use lsp_types::notification::{self as n, Notification as _};

use super::documents::uri_of;
use super::org::{Checked, FullCheck, OrgRun};
use crate::base::cancel::Cancel;
use crate::data::Edited;
use crate::policy::Policy;

/// The open data files of one org dir: texts by path relative to it, versions by absolute path.
#[derive(Default, Clone)]
pub struct OrgFiles {
    /// Buffers, by path relative to the org dir.
    pub edited: Edited,
    /// The open files (absolute) and the editor's version of each.
    pub open: Vec<(PathBuf, i32)>,
}

/// A snapshot to load.
pub struct OrgJob {
    /// Its generation (stale when the shared counter moved on).
    pub generation: u64,
    /// Every org dir with open files.
    pub orgs: BTreeMap<PathBuf, OrgFiles>,
    /// Orgs whose files changed since the last job.
    pub dirty: BTreeSet<PathBuf>,
    /// Orgs to run a full check on (opened first, or saved).
    pub full: BTreeSet<PathBuf>,
    /// Cancelled by the server when it sends a newer job.
    pub cancel: Cancel,
}

/// The latest load of each org dir that read its data (a load that failed is kept only until
/// one reads it), shared with the request loop (hover, completion).
pub type LatestOrgs = Arc<Mutex<HashMap<PathBuf, Arc<OrgRun>>>>;

/// What the worker keeps between jobs.
#[derive(Default)]
struct State {
    /// The rule findings of each org's last full check.
    checked: HashMap<PathBuf, Checked>,
    /// The compiled pack of each org (reloaded by a full check).
    policies: HashMap<PathBuf, Arc<Policy>>,
    /// Orgs owed a load or a full check by a superseded job.
    owed: BTreeSet<PathBuf>,
    owed_full: BTreeSet<PathBuf>,
}

/// Runs jobs until the channel closes. `pack` is the server's `--policy`, which overrides an
/// org's own (`zhidu check --policy` does the same).
pub fn org_loop(
    rx: &mpsc::Receiver<OrgJob>,
    latest: &LatestOrgs,
    generation: &AtomicU64,
    pack: Option<&Path>,
    out: &dyn Fn(Message),
) {
    let mut st = State::default();
    while let Ok(mut job) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            st.owed.extend(std::mem::take(&mut job.dirty));
            st.owed_full.extend(std::mem::take(&mut job.full));
            job = newer;
        }
        st.owed.extend(std::mem::take(&mut job.dirty));
        st.owed_full.extend(std::mem::take(&mut job.full));
        let stale = || generation.load(Ordering::SeqCst) != job.generation;
        for (dir, files) in &job.orgs {
            if !st.owed.contains(dir) && !st.owed_full.contains(dir) {
                continue;
            }
            let full = st.owed_full.contains(dir);
            let Some(run) = one(&mut st, dir, files, full, pack, &job.cancel, out) else {
                log(out, &format!("检查已取消 (the check of {} was cancelled: a newer edit arrived)", dir.display()));
                break;
            };
            if stale() {
                break;
            }
            st.owed.remove(dir);
            if full {
                st.owed_full.remove(dir);
            }
            let run = Arc::new(run);
            if let Ok(mut l) = latest.lock() {
                // A text that does not parse (half typed) keeps the last load that read the data
                // for hover and completion.
                if run.org.is_some() || !l.contains_key(dir) {
                    l.insert(dir.clone(), run.clone());
                }
            }
            for (path, version) in &files.open {
                let diags = run.diagnostics.get(path).cloned().unwrap_or_default();
                publish(out, path, diags, Some(*version));
            }
            let latest = latest.clone();
            std::thread::spawn(move || warm(&run, &latest));
        }
    }
}

/// Makes the line index of every file of a load, on its own thread: a hover names the line
/// of the record it shows, and the first such lookup in a file of megabytes (read again from
/// disk when its text is not held) would otherwise be made on the request thread. Stops when
/// a newer load of the org has replaced this one.
fn warm(run: &Arc<OrgRun>, latest: &LatestOrgs) {
    let Some(org) = &run.org else { return };
    for (_, file) in org.sources.files() {
        let current = latest.lock().is_ok_and(|l| l.get(&run.dir).is_some_and(|r| Arc::ptr_eq(r, run)));
        if !current {
            return;
        }
        file.line_col(0);
    }
}

/// One load of `dir` (with a check when `full`); `None` when the check was cancelled.
fn one(
    st: &mut State,
    dir: &Path,
    files: &OrgFiles,
    full: bool,
    pack: Option<&Path>,
    cancel: &Cancel,
    out: &dyn Fn(Message),
) -> Option<OrgRun> {
    let config = match OrgRun::config(dir) {
        Ok(c) => c,
        Err(d) => return Some(OrgRun::failed(dir, None, &d, &files.edited)),
    };
    let policy = match st.policies.get(dir).filter(|_| !full) {
        Some(p) => p.clone(),
        None => match crate::compile::load_policy(pack.or(config.policy.as_deref())) {
            Ok((p, _)) => {
                let p = Arc::new(p);
                st.policies.insert(dir.to_path_buf(), p.clone());
                p
            }
            Err(d) => {
                let mut run = OrgRun::failed(dir, None, &Default::default(), &files.edited);
                pack_failed(&mut run, files, d.error_count());
                return Some(run);
            }
        },
    };
    let started = || log(out, &format!("检查开始 (checking {} against the pack)", dir.display()));
    let check = FullCheck { cancel, started: &started };
    let check = full.then_some(&check);
    let (run, checked) = OrgRun::run(dir, policy, config, &files.edited, st.checked.get(dir), check);
    if full && checked.is_none() && run.org.is_some() {
        // The check was not run: a newer edit came first.
        return None;
    }
    if let Some(c) = checked {
        st.checked.insert(dir.to_path_buf(), c);
    }
    Some(run)
}

/// A pack that does not compile: one diagnostic at the top of each open file says so.
fn pack_failed(run: &mut OrgRun, files: &OrgFiles, errors: usize) {
    for (path, _) in &files.open {
        run.diagnostics.entry(path.clone()).or_default().push(lsp_types::Diagnostic {
            severity: Some(lsp_types::DiagnosticSeverity::ERROR),
            code: Some(lsp_types::NumberOrString::String("zhidu::lsp::pack".into())),
            source: Some("zhidu".into()),
            message: format!(
                "制度包有 {errors} 处错误，未检查数据 (the policy pack has {errors} error(s); the data was not checked: run `zhidu lint`)"
            ),
            ..lsp_types::Diagnostic::default()
        });
    }
}

/// Publishes the diagnostics of one file.
pub fn publish(out: &dyn Fn(Message), path: &Path, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
    let Some(uri) = uri_of(path) else { return };
    let p = lsp_types::PublishDiagnosticsParams { uri, diagnostics, version };
    out(Message::Notification(Notification::new(n::PublishDiagnostics::METHOD.to_string(), p)));
}

/// A line for the editor's log of the server (`window/logMessage`): when a full check starts
/// and when one is cancelled.
fn log(out: &dyn Fn(Message), message: &str) {
    let p = lsp_types::LogMessageParams {
        typ: lsp_types::MessageType::LOG,
        message: crate::base::redact::redact(message).into_owned(),
    };
    out(Message::Notification(Notification::new(n::LogMessage::METHOD.to_string(), p)));
}
