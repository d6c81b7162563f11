//! `--format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps). One
//! `reportingDescriptor` per rule with its Chinese title, text, source clause and default level;
//! results with physical locations and stable `partialFingerprints`; waived findings carry
//! `suppressions`. A run holds at most [`MAX_RESULTS`] results, the limit of GitHub code
//! scanning: beyond it, the most severe and first findings of every rule are listed, the others
//! counted in one result per rule and a run-level notification.

use serde::Serialize;

use super::{CheckRun, artifact_path};
use crate::findings::finding::Finding;
use crate::syntax::ast::Severity;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    organisation: &'a str,
    as_of: String,
    /// The pack's name and version, as one string (kept for readers of earlier output).
    policy: String,
    /// The pack's version: versioned apart from the tool's (`driver.version`).
    policy_version: &'a str,
    /// The pack's content digest, as in `check --format json`'s `policy.digest`.
    policy_digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted_results: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: NotificationId,
}

#[derive(Serialize)]
struct NotificationId {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Config,
    properties: DescriptorProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Config {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties<'a> {
    source: &'a str,
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    kind: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<Fingerprints>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    /// For the result that stands for findings left out: how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted: Option<usize>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "zhidu/v1")]
    zhidu: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Physical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    /// In a workbook: the sheet (`startLine`/`startColumn` are then its cell's row and column).
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RegionProperties>,
}

#[derive(Serialize)]
struct RegionProperties {
    sheet: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Results GitHub code scanning accepts in one run (it rejects a run with more).
pub const MAX_RESULTS: usize = 25_000;

/// Which findings a SARIF file lists: all, or — beyond the limit — the most severe and the first
/// of every rule, with the others counted per rule.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Per finding (in the run's order): listed or left out. Empty: every finding is listed.
    keep: Vec<bool>,
    /// Per rule with findings left out, in the run's order: rule ID, how many, most severe.
    pub omitted: Vec<(String, usize, Severity)>,
    /// Results the file holds (aggregate results included).
    pub results: usize,
}

impl Plan {
    /// Findings left out in all.
    pub fn left_out(&self) -> usize {
        self.omitted.iter().map(|(_, n, _)| n).sum()
    }
}

/// Plans a SARIF file of at most `limit` results. Beyond the limit, findings are taken in this
/// order until the limit less one aggregate result per rule is reached: not waived before
/// waived, most severe first, then the first finding of every rule, the second of every rule,
/// and so on (so every rule keeps its first findings), in the run's order.
pub fn plan(r: &CheckRun, limit: usize) -> Plan {
    let findings = &r.outcome.findings;
    if findings.len() <= limit {
        return Plan { keep: Vec::new(), omitted: Vec::new(), results: findings.len() };
    }
    // Findings are sorted by rule: a finding's rank is its place in its rule's run.
    let mut rules = 0usize;
    let mut keys: Vec<(bool, std::cmp::Reverse<Severity>, u32, u32)> = Vec::with_capacity(findings.len());
    let mut rank = 0u32;
    for (i, f) in findings.iter().enumerate() {
        if i == 0 || findings.get(i - 1).is_some_and(|p| p.rule != f.rule) {
            rules += 1;
            rank = 0;
        }
        keys.push((f.waiver.is_some(), std::cmp::Reverse(f.severity), rank, u32::try_from(i).unwrap_or(u32::MAX)));
        rank = rank.saturating_add(1);
    }
    // One result per rule may be an aggregate: keep room for them all.
    let budget = limit.saturating_sub(rules).min(keys.len());
    let mut keep = vec![false; findings.len()];
    if budget > 0 {
        keys.select_nth_unstable(budget - 1);
        for k in keys.iter().take(budget) {
            if let Some(x) = keep.get_mut(k.3 as usize) {
                *x = true;
            }
        }
    }
    let mut omitted: Vec<(String, usize, Severity)> = Vec::new();
    for (f, kept) in findings.iter().zip(&keep) {
        if *kept {
            continue;
        }
        match omitted.last_mut() {
            Some((rule, n, sev)) if *rule == f.rule => {
                *n += 1;
                *sev = (*sev).max(f.severity);
            }
            _ => omitted.push((f.rule.to_string(), 1, f.severity)),
        }
    }
    Plan { keep, results: budget + omitted.len(), omitted }
}

/// Renders the report as SARIF 2.1.0 (at most [`MAX_RESULTS`] results).
pub fn render(r: &CheckRun) -> String {
    let mut out = Vec::new();
    // Writing into memory fails only on a serialisation error, which these types do not have.
    let _ = write(r, &plan(r, MAX_RESULTS), &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the SARIF file of `plan` into `w` as it is made: compact JSON, one rule descriptor
/// and one result a line (results refer to their rule by `ruleIndex`), so a file of the
/// largest run GitHub accepts stays small and no document is held in memory.
pub fn write(r: &CheckRun, plan: &Plan, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let json = |w: &mut std::io::BufWriter<&mut dyn std::io::Write>, v: &dyn erased::Ser| v.to(w);
    let descriptors = descriptors(r);
    // Several versions of one rule share an ID: the first is listed, and `ruleIndex` counts
    // positions in the list as written (not in `descriptors`, where a repeated ID would shift
    // every later rule's index).
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&Descriptor> = descriptors.iter().filter(|d| seen.insert(d.id)).collect();
    let index: rustc_hash::FxHashMap<&str, usize> = unique.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let index_of = |id: &str| index.get(id).copied().unwrap_or(0);
    w.write_all(b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"zhidu\",\"version\":")?;
    json(&mut w, &env!("CARGO_PKG_VERSION"))?;
    w.write_all(b",\"semanticVersion\":")?;
    json(&mut w, &env!("CARGO_PKG_VERSION"))?;
    w.write_all(b",\"rules\":[")?;
    for (i, d) in unique.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        json(&mut w, *d)?;
    }
    w.write_all(b"\n]}}")?;
    let total = r.outcome.findings.len();
    if !plan.omitted.is_empty() {
        let text = format!(
            "SARIF 每次运行至多 {MAX_RESULTS} 条结果：{total} 个问题中列出 {}，另有 {} 个按规则汇总为 {} 条结果（完整结果请用 --format json）/ a SARIF run holds at most {MAX_RESULTS} results: {} of {total} findings listed, {} more summed up in one result per rule ({} rules; --format json has them all)",
            total - plan.left_out(),
            plan.left_out(),
            plan.omitted.len(),
            total - plan.left_out(),
            plan.left_out(),
            plan.omitted.len(),
        );
        let inv = [Invocation {
            execution_successful: true,
            tool_execution_notifications: vec![Notification {
                level: "warning",
                message: Text { text },
                descriptor: NotificationId { id: "zhidu/results-truncated" },
            }],
        }];
        w.write_all(b",\"invocations\":")?;
        json(&mut w, &inv)?;
    }
    w.write_all(b",\"results\":[")?;
    let mut first = true;
    let mut sep = |w: &mut std::io::BufWriter<&mut dyn std::io::Write>| {
        let s: &[u8] = if first { b"\n" } else { b",\n" };
        first = false;
        w.write_all(s)
    };
    for (i, f) in r.outcome.findings.iter().enumerate() {
        if plan.keep.get(i).is_some_and(|k| !k) {
            continue;
        }
        sep(&mut w)?;
        json(&mut w, &result(r, f, index_of(&f.rule)))?;
    }
    for (rule, n, severity) in &plan.omitted {
        sep(&mut w)?;
        json(&mut w, &aggregate(rule, index_of(rule), *n, *severity))?;
    }
    w.write_all(b"\n],\"columnKind\":\"unicodeCodePoints\",\"properties\":")?;
    let props = RunProperties {
        organisation: &r.org.config.name,
        as_of: r.org.config.as_of.to_string(),
        policy: format!("{} {}", r.policy.meta.name, r.policy.meta.version),
        policy_version: &r.policy.meta.version,
        policy_digest: format!("sha256:{}", super::policy_digest(r.policy)),
        omitted_results: (!plan.omitted.is_empty()).then(|| plan.left_out()),
    };
    json(&mut w, &props)?;
    w.write_all(b"}]}\n")?;
    w.flush()
}

/// Serialising values of different types through one closure.
mod erased {
    /// A value written as compact JSON with active characters escaped.
    pub trait Ser {
        /// Writes it.
        fn to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()>;
    }
    impl<T: serde::Serialize + ?Sized> Ser for T {
        fn to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
            crate::base::visible::json_to(w, self, false).map_err(std::io::Error::from)
        }
    }
}

/// The result that stands for the findings of a rule left out.
fn aggregate(rule: &str, rule_index: usize, n: usize, severity: Severity) -> SarifResult {
    SarifResult {
        rule_id: rule.to_string(),
        rule_index,
        level: level(severity),
        kind: "fail",
        message: Text {
            text: format!(
                "另有 {n} 个 {rule} 问题未列出：SARIF 每次运行至多 {MAX_RESULTS} 条结果（完整结果请用 --format json）/ {n} more {rule} findings not listed: a SARIF run holds at most {MAX_RESULTS} results (--format json has them all)"
            ),
        },
        locations: Vec::new(),
        partial_fingerprints: None,
        suppressions: Vec::new(),
        properties: Some(ResultProperties { subject: None, omitted: Some(n) }),
    }
}

/// One descriptor per rule of the pack, then one per built-in check (`DATA-…`, `WAIVER-…`) that
/// occurs in the results.
fn descriptors<'a>(r: &'a CheckRun) -> Vec<Descriptor<'a>> {
    let mut descriptors: Vec<Descriptor> = r
        .policy
        .rules
        .iter()
        .map(|rule| {
            let text = rule.text.clone().unwrap_or_else(|| rule.title.clone());
            let mut help = format!("{text}\n出处：{}", rule.source);
            let mut md = format!("**{} {}**\n\n{text}\n\n出处：{}", rule.id, rule.title, rule.source);
            if let Some(q) = &rule.quote {
                help.push_str(&format!("\n原文：「{q}」"));
                md.push_str(&format!("\n\n> {q}"));
            }
            Descriptor {
                id: &rule.id,
                name: rule.id.replace('-', ""),
                short_description: Text { text: rule.title.clone() },
                full_description: Text { text },
                help: Help { text: help, markdown: md },
                default_configuration: Config { level: level(rule.severity) },
                properties: DescriptorProperties {
                    source: &rule.source,
                    tags: vec![rule.chapter().to_string(), rule.place.describe()],
                },
            }
        })
        .collect();
    let mut known: std::collections::HashSet<&str> = descriptors.iter().map(|d| d.id).collect();
    // Findings are sorted by rule: one look per rule.
    for (i, f) in r.outcome.findings.iter().enumerate() {
        if r.outcome.findings.get(i.wrapping_sub(1)).is_some_and(|p| p.rule == f.rule) || !known.insert(&f.rule) {
            continue;
        }
        descriptors.push(Descriptor {
            id: &f.rule,
            name: f.rule.replace('-', ""),
            short_description: Text { text: f.title.to_string() },
            full_description: Text { text: f.title.to_string() },
            help: Help {
                text: format!("{}\n出处：{}", f.title, f.source),
                markdown: format!("**{}**\n\n出处：{}", f.title, f.source),
            },
            default_configuration: Config { level: level(f.severity) },
            properties: DescriptorProperties { source: &f.source, tags: vec!["data".into()] },
        });
    }
    descriptors
}

fn result(r: &CheckRun, f: &Finding, rule_index: usize) -> SarifResult {
    let locations = f
        .location
        .as_ref()
        .map(|l| Location {
            physical_location: Physical {
                artifact_location: Artifact { uri: artifact_path(r, &l.file) },
                region: Region {
                    start_line: l.line,
                    start_column: l.column,
                    properties: l.sheet.as_ref().map(|sheet| RegionProperties { sheet: sheet.to_string() }),
                },
            },
            logical_locations: f
                .subject
                .iter()
                .map(|s| Logical { name: s.clone(), fully_qualified_name: s.clone(), kind: "object" })
                .collect(),
        })
        .into_iter()
        .collect();
    let suppressions = f
        .waiver
        .iter()
        .map(|w| Suppression {
            kind: "external",
            status: "accepted",
            justification: format!("{}（批准人：{}，有效期至 {}）", w.reason, w.approved_by, w.expires),
        })
        .collect();
    SarifResult {
        rule_id: f.rule.to_string(),
        rule_index,
        level: level(f.severity),
        kind: "fail",
        message: Text { text: f.message.clone() },
        locations,
        partial_fingerprints: Some(Fingerprints { zhidu: f.fingerprint.to_string() }),
        suppressions,
        properties: f.subject.as_ref().map(|s| ResultProperties { subject: Some(s.clone()), omitted: None }),
    }
}
