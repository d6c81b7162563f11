//! The one place a [`Finding`] is made, for rule checks over records, over streamed cells and
//! over the whole org, for data issues and for waivers. It decides, once for all of them, the
//! severity of a rule not yet in force, the title and source, the language of the message,
//! the explanation (`--explain`) and the fingerprint.

use arcstr::ArcStr;
use jiff::civil::Date;
use rustc_hash::FxHashMap;

use super::catalog::builtin_rule;
use super::finding::{Finding, Location};
use super::fingerprint::{self, Discriminator};
use crate::base::lang::Lang;
use crate::base::value::RecordRef;
use crate::data::{Issue, OrgData, location, subject};
use crate::eval::interp::Ctx;
use crate::eval::run::Violation;
use crate::policy::{KindOrigin, Policy, Rule};
use crate::syntax::ast::Severity;

/// Makes the findings of one run.
#[derive(Clone)]
pub struct Builder<'a> {
    policy: &'a Policy,
    org: &'a OrgData,
    lang: Lang,
    explain: bool,
    /// Each rule version's ID, title and source, made once and shared by all its findings
    /// (hundreds of thousands of findings of a few rules would otherwise each own a copy).
    /// Keyed by the rule version's address in `policy.rules`.
    shared: FxHashMap<usize, RuleText>,
}

/// A rule version's strings as its findings hold them.
#[derive(Clone)]
struct RuleText {
    id: ArcStr,
    title: ArcStr,
    source: ArcStr,
}

impl RuleText {
    fn of(rule: &Rule) -> Self {
        RuleText {
            id: ArcStr::from(rule.id.as_str()),
            title: ArcStr::from(rule.title.as_str()),
            source: ArcStr::from(rule.source.as_str()),
        }
    }
}

/// The key of a rule version in [`Builder::shared`].
fn key(rule: &Rule) -> usize {
    std::ptr::from_ref(rule) as usize
}

/// A check of a rule version that failed.
#[derive(Clone, Copy, Debug)]
pub struct Failed<'a> {
    /// The rule version.
    pub rule: &'a Rule,
    /// Index of the check in the rule.
    pub check: usize,
    /// The date the rule takes effect, if it is not in force yet.
    pub pending: Option<Date>,
}

/// What a failing check is about.
#[derive(Clone, Debug)]
pub enum Subject {
    /// The record a violation names (an org record or a declaration), or the org as a whole.
    Of(Option<RecordRef>),
    /// A cell of a streamed file, evaluated as the record `record` of the check's context.
    Cell {
        /// The cell's id (`file#row/column`).
        id: String,
        /// Where it is.
        location: Location,
        /// The cell as a record of the context it was evaluated in.
        record: RecordRef,
    },
}

impl<'a> Builder<'a> {
    /// A builder for a run of `policy` on `org`, writing in `lang`, explaining findings if asked.
    pub fn new(policy: &'a Policy, org: &'a OrgData, lang: Lang, explain: bool) -> Self {
        let shared = policy.rules.iter().map(|r| (key(r), RuleText::of(r))).collect();
        Builder { policy, org, lang, explain, shared }
    }

    /// The finding of a failing rule check. `ctx` is the context the check was evaluated in
    /// (the explanation is made in it).
    pub fn rule(&self, failed: Failed, ctx: &Ctx, about: Subject, v: Violation) -> Finding {
        let Failed { rule, check, pending } = failed;
        let (subject, location, record) = match about {
            Subject::Of(None) => (None, None, None),
            Subject::Of(Some(r)) => {
                let (subject, location) = self.record(ctx, r);
                (subject, location, Some(r))
            }
            Subject::Cell { id, location, record } => {
                let kind = &self.policy.schema.kind(record.kind).name;
                (Some(crate::data::subject(kind, &id)), Some(location), Some(record))
            }
        };
        let explanation = match rule.checks.get(check) {
            Some(c) if self.explain => crate::eval::explain::explain(self.policy, ctx, c, record),
            _ => Vec::new(),
        };
        let (severity, pending) = match pending {
            Some(d) => (Severity::Warning.min(rule.severity), Some(d.to_string())),
            None => (rule.severity, None),
        };
        // What tells apart several findings of one subject: the check; of no subject, the
        // message in the pack's own words (the same whatever language is shown).
        let fingerprint = match &subject {
            Some(_) => {
                fingerprint::of(self.policy, self.org, &rule.id, subject.as_deref(), Discriminator::Check(check))
            }
            None => fingerprint::of(self.policy, self.org, &rule.id, None, Discriminator::Text(&v.message)),
        };
        let message = match (self.lang, v.message_en) {
            (Lang::En, Some(en)) => en,
            _ => v.message,
        };
        // A rule not of this policy (never in a run) gets its own copies.
        let text = self.shared.get(&key(rule)).cloned().unwrap_or_else(|| RuleText::of(rule));
        Finding {
            rule: text.id,
            severity,
            title: text.title,
            subject,
            message,
            source: text.source,
            location,
            advisory: rule.advisory,
            pending,
            explanation,
            fingerprint,
            waiver: None,
            check,
        }
    }

    /// The finding of a built-in check (`DATA-…`, `WAIVER-…`).
    pub fn builtin(&self, issue: &Issue) -> Finding {
        let known = builtin_rule(issue.code);
        // Findings of one subject differ by what is wrong, told in Chinese whatever is shown.
        let fingerprint = fingerprint::of(
            self.policy,
            self.org,
            issue.code,
            issue.subject.as_deref(),
            Discriminator::Text(issue.key.as_deref().unwrap_or(&issue.message.zh)),
        );
        Finding {
            rule: ArcStr::from(issue.code),
            severity: known.map_or(Severity::Error, |r| r.severity),
            title: ArcStr::from(known.map_or("", |r| self.lang.pick(r.title, r.about))),
            subject: issue.subject.clone(),
            message: issue.message.get(self.lang).to_string(),
            source: ArcStr::from(known.map_or("", |r| r.source)),
            location: issue.location.clone(),
            advisory: false,
            pending: None,
            explanation: Vec::new(),
            fingerprint,
            waiver: None,
            check: 0,
        }
    }

    /// The subject (`kind:id`) and location of a record of the store or of the declarations.
    fn record(&self, ctx: &Ctx, r: RecordRef) -> (Option<String>, Option<Location>) {
        let ks = self.policy.schema.kind(r.kind);
        let rec = ctx.store(r.kind).get(r);
        let id = rec.and_then(|x| x.id_str()).unwrap_or("?");
        let at = rec.and_then(|x| match ks.origin {
            KindOrigin::Decl => policy_location(self.policy, x.loc),
            KindOrigin::Record => location(&self.org.sources, x.loc, None, None),
        });
        (
            Some(subject(&ks.name, id)),
            at.map(|mut l| {
                l.row = csv_row(&l);
                l
            }),
        )
    }
}

fn policy_location(policy: &Policy, loc: crate::base::source::Loc) -> Option<Location> {
    let f = policy.sources.get(loc.file);
    let (line, column) = f.line_col(loc.start as usize);
    Some(Location { file: f.name.clone(), line, column, row: None, field: None, sheet: None, loc: None })
}

/// For a record in a CSV file: its 1-based data row (line minus the header line).
fn csv_row(l: &Location) -> Option<usize> {
    if l.file.ends_with(".csv") { Some(l.line.saturating_sub(1)) } else { l.row }
}
