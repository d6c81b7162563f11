//! `--format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps). One
//! `reportingDescriptor` per rule with its Chinese title, text, source clause and default level;
//! results with physical locations and stable `partialFingerprints`; waived findings carry
//! `suppressions`.

use serde::Serialize;

use super::{CheckRun, artifact_path};
use crate::findings::finding::Finding;
use crate::syntax::ast::Severity;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult>,
    column_kind: &'static str,
    properties: RunProperties<'a>,
}

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
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor<'a>>,
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
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    subject: String,
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

/// Renders the report as SARIF 2.1.0.
pub fn render(r: &CheckRun) -> String {
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
    // Built-in checks (DATA-…, WAIVER-…) that occur in the results.
    for f in &r.outcome.findings {
        if !descriptors.iter().any(|d| d.id == f.rule) {
            descriptors.push(Descriptor {
                id: leak_free(&r.outcome.findings, &f.rule),
                name: f.rule.replace('-', ""),
                short_description: Text { text: f.title.clone() },
                full_description: Text { text: f.title.clone() },
                help: Help {
                    text: format!("{}\n出处：{}", f.title, f.source),
                    markdown: format!("**{}**\n\n出处：{}", f.title, f.source),
                },
                default_configuration: Config { level: level(f.severity) },
                properties: DescriptorProperties { source: &f.source, tags: vec!["data".into()] },
            });
        }
    }
    // Several versions of one rule share an ID: index the first.
    let index_of = |id: &str| descriptors.iter().position(|d| d.id == id).unwrap_or(0);
    let results: Vec<SarifResult> = r.outcome.findings.iter().map(|f| result(r, f, index_of(&f.rule))).collect();
    let mut seen = std::collections::HashSet::new();
    descriptors.retain(|d| seen.insert(d.id));
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "zhidu",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                organisation: &r.org.config.name,
                as_of: r.org.config.as_of.to_string(),
                policy: format!("{} {}", r.policy.meta.name, r.policy.meta.version),
                policy_version: &r.policy.meta.version,
                policy_digest: format!("sha256:{}", super::policy_digest(r.policy)),
            },
        }],
    };
    let mut s = crate::base::visible::json(&log).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The rule ID string owned by the findings (descriptors borrow it).
fn leak_free<'a>(findings: &'a [Finding], id: &str) -> &'a str {
    findings.iter().find(|f| f.rule == id).map_or("", |f| f.rule.as_str())
}

fn result(r: &CheckRun, f: &Finding, rule_index: usize) -> SarifResult {
    let locations = f
        .location
        .as_ref()
        .map(|l| Location {
            physical_location: Physical {
                artifact_location: Artifact { uri: artifact_path(r, &l.file) },
                region: Region { start_line: l.line, start_column: l.column },
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
        rule_id: f.rule.clone(),
        rule_index,
        level: level(f.severity),
        kind: "fail",
        message: Text { text: f.message.clone() },
        locations,
        partial_fingerprints: Fingerprints { zhidu: f.fingerprint.clone() },
        suppressions,
        properties: f.subject.as_ref().map(|s| ResultProperties { subject: s.clone() }),
    }
}
