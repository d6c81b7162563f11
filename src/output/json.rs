//! `--format json`: a stable, versioned document (schema: `docs/findings.schema.json`).

use serde_json::json;

use super::{Report, policy_digest};

/// Version of the JSON output schema.
pub const SCHEMA_VERSION: u32 = 1;

/// Renders the report as pretty-printed JSON.
pub fn render(r: &Report) -> String {
    let counts = r.counts();
    let doc = json!({
        "version": SCHEMA_VERSION,
        "tool": { "name": "zhidu", "version": env!("CARGO_PKG_VERSION") },
        "policy": {
            "name": r.policy.meta.name,
            "version": r.policy.meta.version,
            "digest": format!("sha256:{}", policy_digest(r.policy)),
        },
        "org": { "name": r.org.config.name },
        "as_of": r.org.config.as_of.to_string(),
        "period": { "from": r.org.config.period.0.to_string(), "to": r.org.config.period.1.to_string() },
        "summary": {
            "errors": counts.errors,
            "warnings": counts.warnings,
            "infos": counts.infos,
            "findings": r.outcome.findings.len(),
            "rules_checked": r.outcome.rules_run.len(),
            "records": r.outcome.records,
        },
        "findings": r.outcome.findings,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
