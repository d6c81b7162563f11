//! The conformance report as data: what `--format json` writes (schema:
//! `docs/report.schema.json`), what `--compare` and `zhidu verify` read back, and the context
//! the md and html templates render. Everything is sorted; there are no timestamps (the report's
//! date is `as_of`).

use serde::{Deserialize, Serialize};

pub use super::compare::{Change, Comparison, Previous, Trend};

/// Version of the report's JSON schema; bumped when the JSON's shape changes. 2: the report
/// carries `content_digest`. 3: a rule's `reason` is a [`Reason`] (kind and parameters), not
/// a sentence.
pub const SCHEMA_VERSION: u32 = 3;

/// Versions `--compare` reads as a previous report (what it reads of them has not changed; a
/// `reason` sentence of versions 1 and 2 is read as [`Reason::Text`]).
pub const PREVIOUS_VERSIONS: [u32; 3] = [1, 2, SCHEMA_VERSION];

/// A conformance report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Version of this document's schema ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// The organisation.
    pub org: Org,
    /// The policy pack.
    pub policy: Pack,
    /// The date the report is made for (`as_of`).
    pub as_of: String,
    /// The audit period.
    pub period: Period,
    /// SHA-256 of every input file and one digest over all of them.
    pub inputs: Inputs,
    /// SHA-256 of the report's own canonical content: the JSON document without this field, in
    /// canonical form ([`super::digest::content`], `docs/report.md`). Always written; absent
    /// only in reports of schema version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_digest: Option<String>,
    /// Counts of rules by status, in total and by chapter.
    pub summary: Summary,
    /// Every rule of the pack, in pack order.
    pub rules: Vec<RuleReport>,
    /// Waivers in force on `as_of`.
    pub waivers: Vec<WaiverInForce>,
    /// The pack's own policy-scope rules (what `zhidu lint` evaluates).
    pub lint: Lint,
    /// zhidu's built-in data and waiver checks (`DATA-…`, `WAIVER-…`).
    pub data_checks: Vec<DataCheck>,
    /// Changes since a previous report (`--compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// What the company's overlay adds to, overrides in and disables of its base pack, in
    /// source order (absent for a pack that is no overlay).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<DeviationReport>,
}

/// One change an overlay makes to its base pack.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviationReport {
    /// `added`, `override` or `disable`.
    pub action: String,
    /// Declaration kind, or `rule`.
    pub kind: String,
    /// Declaration name or rule ID.
    pub name: String,
    /// Attributes an override replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<String>,
    /// The base pack's text of what changed.
    pub base: String,
    /// The overlay's text.
    pub company: String,
    /// Why a rule is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who approved disabling it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// Name and version of the tool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// `zhidu`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Org {
    /// Name from `zhidu.toml` (else the directory name).
    pub name: String,
}

/// The policy pack (`policy` declaration).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pack {
    /// Pack name.
    pub name: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Version.
    pub version: String,
    /// Date the pack takes effect.
    pub effective: String,
    /// Issuing body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Whether the pack is the one built into zhidu (else a `--policy` directory).
    pub builtin: bool,
}

/// An inclusive date range.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

/// Digests of the inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Inputs {
    /// Always `sha256`.
    pub algorithm: String,
    /// SHA-256 over the lines `"<sha256>  <path>\n"` of `files`, in `files` order.
    pub digest: String,
    /// Every input file, sorted by path: policy files as `policies/<file>`, org files as
    /// `org/<path relative to the org dir>`.
    pub files: Vec<FileDigest>,
}

/// One input file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileDigest {
    /// `policies/<file>` or `org/<file>`, with `/`.
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The status of a rule for this org on `as_of`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Checked, with subjects, no finding.
    Pass,
    /// At least one finding that is not waived (advisory rules too; see `advisory`).
    Fail,
    /// Findings, all of them waived.
    Waived,
    /// Nothing to check: no records of the kinds the rule reads, or none in its scope.
    NotApplicable,
    /// The rule has no checks (it is stated in the handbook only).
    NotChecked,
    /// Not in force on `as_of` (takes effect later).
    Pending,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 6] =
        [Status::Pass, Status::Fail, Status::Waived, Status::NotApplicable, Status::NotChecked, Status::Pending];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Waived => "waived",
            Status::NotApplicable => "not_applicable",
            Status::NotChecked => "not_checked",
            Status::Pending => "pending",
        }
    }
}

/// Counts of rules by status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Rules counted.
    pub rules: usize,
    /// Passed.
    pub pass: usize,
    /// Failed (advisory failures included).
    pub fail: usize,
    /// Of the failed, advisory rules.
    pub advisory: usize,
    /// All findings waived.
    pub waived: usize,
    /// Not applicable.
    pub not_applicable: usize,
    /// Not checked (no checks).
    pub not_checked: usize,
    /// Not in force yet.
    pub pending: usize,
}

/// Counts of one chapter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChapterCounts {
    /// Chapter: the rule ID's prefix (`APV`).
    pub chapter: String,
    /// Counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// The summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// All rules.
    pub total: Counts,
    /// By chapter, in pack order.
    pub chapters: Vec<ChapterCounts>,
    /// Findings of the pack's rules (waived included).
    pub findings: usize,
    /// Of those, waived.
    pub waived_findings: usize,
    /// Org records loaded.
    pub records: usize,
    /// (check, record) pairs not evaluated because the record holds a word no vocabulary
    /// declares in a field the check reads (see `DATA-VOCAB`).
    #[serde(default)]
    pub not_evaluated: usize,
}

/// For `skip_serializing_if`: a count that says nothing when zero.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// One rule of the pack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleReport {
    /// Rule ID.
    pub id: String,
    /// Chapter (ID prefix).
    pub chapter: String,
    /// Title.
    pub title: String,
    /// Source clause of the regulation.
    pub source: String,
    /// Where it is checked: `policy`, `org`, `doc`.
    #[serde(rename = "where")]
    pub place: Vec<String>,
    /// Severity.
    pub severity: String,
    /// Advisory rules never fail a check run; their failures are still `fail` here.
    pub advisory: bool,
    /// Date the rule takes effect, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// The status.
    pub status: Status,
    /// Why it is not applicable, not checked or pending.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "reason_or_text")]
    pub reason: Option<Reason>,
    /// Subjects checked: the largest count over the rule's checks (none if nothing ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<usize>,
    /// Subjects not evaluated (over its checks): records holding a word no vocabulary declares
    /// in a field the rule reads, reported by `DATA-VOCAB` instead of failing here.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_evaluated: usize,
    /// The rule's checks.
    pub checks: Vec<CheckReport>,
    /// Findings (waived included).
    pub findings: usize,
    /// Of those, waived.
    pub waived: usize,
    /// The findings as evidence, sorted.
    pub evidence: Vec<Evidence>,
}

/// Why a rule has its status, when the status needs a why: a kind and its parameters, which
/// the report's templates word in the report's language (`templates/report/_labels.j2`,
/// `reasons`). In JSON: `{"kind": "no_records", "kinds": ["change"]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The company's overlay disabled the rule, for the overlay's stated reason (its own words).
    Disabled {
        /// The overlay's reason.
        reason: String,
    },
    /// The rule has no check: it is only written into the regulation.
    Documented,
    /// The run did not select the rule.
    NotSelected,
    /// Every version of the rule takes effect after `as_of`.
    Pending {
        /// The day it takes effect.
        from: String,
    },
    /// No record of any kind its checks read.
    NoRecords {
        /// The record kinds, sorted.
        kinds: Vec<String>,
    },
    /// The checks with data examined no subject (their filters admitted none).
    NoSubjects,
    /// A reason as a sentence, as reports before schema version 3 wrote it (read from a
    /// previous report only; never written).
    Text {
        /// The sentence.
        text: String,
    },
}

impl std::fmt::Display for Reason {
    /// The reason in English words (OSCAL's remarks); the report's own formats word it from
    /// the templates' labels.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Disabled { reason } => write!(f, "disabled by the company's overlay: {reason}"),
            Reason::Documented => f.write_str("no check: only written into the regulation"),
            Reason::NotSelected => f.write_str("not selected"),
            Reason::Pending { from } => write!(f, "effective {from}"),
            Reason::NoRecords { kinds } => write!(f, "no {} records", kinds.join(", ")),
            Reason::NoSubjects => f.write_str("no record within the rule's scope"),
            Reason::Text { text } => f.write_str(text),
        }
    }
}

/// Reads a rule's `reason`: a [`Reason`], or the sentence of a report before schema version 3.
fn reason_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Reason>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Kind(Reason),
        Text(String),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|e| match e {
        Either::Kind(r) => r,
        Either::Text(text) => Reason::Text { text },
    }))
}

/// One check of a rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    /// `org` (reads org records) or `policy` (reads only the pack).
    pub scope: String,
    /// Org record kinds it reads.
    pub reads: Vec<String>,
    /// Whether any of them has records (always true for policy checks).
    pub has_data: bool,
    /// Subjects examined (none if the check did not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects: Option<usize>,
}

/// One finding as evidence. Messages never contain raw personal data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Evidence {
    /// `kind:id` of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Severity.
    pub severity: String,
    /// The message.
    pub message: String,
    /// Stable fingerprint (`docs/baseline.md`).
    pub fingerprint: String,
    /// The waiver in force for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

/// A location in an input file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Location {
    /// File (org files relative to the org dir).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// CSV data row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Field or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The waiver that covers a finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Waiver {
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day.
    pub expires: String,
}

/// A waiver record in force on `as_of`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WaiverInForce {
    /// Rule ID.
    pub rule: String,
    /// Subject (`kind:id`, or `*`).
    pub subject: String,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day.
    pub expires: String,
    /// Findings it covers.
    pub findings: usize,
    /// Where it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The policy-level lint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lint {
    /// `pass` if every policy-scope rule holds, else `fail`.
    pub status: Status,
    /// Rules with policy-scope checks.
    pub rules: Vec<LintRule>,
}

/// One rule of the lint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LintRule {
    /// Rule ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pass` or `fail`.
    pub status: Status,
    /// What failed.
    pub messages: Vec<String>,
}

/// A built-in data or waiver check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataCheck {
    /// ID (`DATA-TYPE`).
    pub id: String,
    /// Title (Chinese, as the pack's rules are titled).
    pub title: String,
    /// Title in English, for the report in English (a built-in check is zhidu's own, not the
    /// pack's: it speaks the report's language). Empty in reports that did not have it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title_en: String,
    /// `pass`, `fail` or `waived`.
    pub status: Status,
    /// The findings.
    pub evidence: Vec<Evidence>,
}

impl Counts {
    /// Adds one rule of a status.
    pub fn add(&mut self, status: Status, advisory: bool) {
        self.rules += 1;
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => {
                self.fail += 1;
                if advisory {
                    self.advisory += 1;
                }
            }
            Status::Waived => self.waived += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::NotChecked => self.not_checked += 1,
            Status::Pending => self.pending += 1,
        }
    }

    /// The count of one status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Waived => self.waived,
            Status::NotApplicable => self.not_applicable,
            Status::NotChecked => self.not_checked,
            Status::Pending => self.pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "reason_or_text")]
        reason: Option<Reason>,
    }

    fn read(json: &str) -> Option<Reason> {
        serde_json::from_str::<Row>(json).expect("reads").reason
    }

    #[test]
    fn reasons_are_a_kind_with_parameters_and_old_sentences_still_read() {
        let r = Reason::NoRecords { kinds: vec!["change".into(), "person".into()] };
        let json = serde_json::to_string(&r).expect("json");
        assert_eq!(json, r#"{"kind":"no_records","kinds":["change","person"]}"#);
        assert_eq!(read(&format!(r#"{{"reason":{json}}}"#)), Some(r));
        assert_eq!(read(r#"{"reason":{"kind":"documented"}}"#), Some(Reason::Documented));
        assert_eq!(
            read(r#"{"reason":{"kind":"pending","from":"2026-07-01"}}"#).map(|r| r.to_string()).as_deref(),
            Some("effective 2026-07-01")
        );
        // Schema versions 1 and 2 wrote a sentence: a previous report keeps it as it was.
        assert_eq!(read(r#"{"reason":"没有 change 记录"}"#), Some(Reason::Text { text: "没有 change 记录".into() }));
        assert_eq!(read("{}"), None);
        // An unknown kind is no reason zhidu wrote: refused, not read as some other.
        assert!(serde_json::from_str::<Row>(r#"{"reason":{"kind":"because"}}"#).is_err());
    }
}
