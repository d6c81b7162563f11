//! `--format json`: a stable, versioned document (schema: `docs/findings.schema.json`).

use serde::Serialize;

use super::{CheckRun, Counts, policy_digest};
use crate::findings::finding::Finding;

/// Version of the JSON output schema.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    policy: Policy<'a>,
    org: Named<'a>,
    as_of: String,
    period: Period,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::findings::baseline::Comparison>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Period {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct Policy<'a> {
    digest: String,
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
    waived: usize,
    findings: usize,
    rules_checked: usize,
    /// Every rule ID of the pack by state (`rules_checked` is its `checked`).
    rules: crate::policy::counts::RuleCounts,
    records: usize,
    /// Failing checks of records whose fields hold undeclared words (reported as DATA-VOCAB).
    #[serde(skip_serializing_if = "is_zero")]
    not_evaluated: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Renders the report as pretty-printed JSON (fixed key order, findings sorted).
pub fn render(r: &CheckRun) -> String {
    let mut out = Vec::new();
    // Writing into memory fails only on a serialisation error, which these types do not have.
    let _ = write(r, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes [`render`]'s document into `w` as it is made: every finding is serialised straight
/// into the writer, with no document held in memory.
pub fn write(r: &CheckRun, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let Counts { errors, warnings, infos, waived } = r.counts();
    let doc = Doc {
        as_of: r.org.config.as_of.to_string(),
        findings: &r.outcome.findings,
        org: Named { name: &r.org.config.name },
        period: Period { from: r.org.config.period.0.to_string(), to: r.org.config.period.1.to_string() },
        policy: Policy {
            digest: format!("sha256:{}", policy_digest(r.policy)),
            name: &r.policy.meta.name,
            version: &r.policy.meta.version,
        },
        summary: Summary {
            waived,
            errors,
            findings: r.outcome.findings.len(),
            infos,
            records: r.outcome.records,
            rules_checked: r.outcome.rules.checked,
            rules: r.outcome.rules,
            warnings,
            not_evaluated: r.outcome.not_evaluated,
        },
        tool: Tool { name: "zhidu", version: env!("CARGO_PKG_VERSION") },
        baseline: r.baseline,
        version: SCHEMA_VERSION,
    };
    // serde writes token by token: gather them before they reach the (dynamic) writer.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    crate::base::visible::json_to(&mut w, &doc, true)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}
