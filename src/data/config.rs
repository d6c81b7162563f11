//! `zhidu.toml`: the organisation's name, policy dir, `as_of` date and audit period.

use std::path::{Path, PathBuf};

use jiff::ToSpan;
use jiff::civil::Date;

/// Settings of one org dir.
#[derive(Clone, Debug)]
pub struct OrgConfig {
    /// Organisation name.
    pub name: String,
    /// Policy dir from the config (relative paths are relative to the org dir).
    pub policy: Option<PathBuf>,
    /// The date the check is made for.
    pub as_of: Date,
    /// Audit period (inclusive).
    pub period: (Date, Date),
    /// Whether `as_of` was given (otherwise it is today).
    pub as_of_given: bool,
}

/// Reads `zhidu.toml` values. Accepts the keys at top level or under `[org]`.
pub fn parse(text: &str, dir: &Path, today: Date) -> Result<OrgConfig, (String, Option<std::ops::Range<usize>>)> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| (e.message().to_string(), e.span()))?;
    let org = doc.get("org").and_then(|v| v.as_table());
    let get = |k: &str| org.and_then(|o| o.get(k)).or_else(|| doc.get(k));
    let name = get("name")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let policy = get("policy").and_then(|v| v.as_str()).map(|p| dir.join(p));
    let date = |v: &toml::Value, what: &str| -> Result<Date, (String, Option<std::ops::Range<usize>>)> {
        let s = match v {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => return Err((format!("`{what}` must be a date such as 2026-06-30"), None)),
        };
        s.parse::<Date>().map_err(|_| (format!("`{what}` must be a date such as 2026-06-30"), None))
    };
    let as_of = match get("as_of") {
        Some(v) => date(v, "as_of")?,
        None => today,
    };
    let period = match get("period") {
        Some(toml::Value::Table(t)) => {
            let from = t.get("from").ok_or(("`period` needs `from`".to_string(), None))?;
            let to = t.get("to").ok_or(("`period` needs `to`".to_string(), None))?;
            let (f, t) = (date(from, "period.from")?, date(to, "period.to")?);
            if f > t {
                return Err(("`period.from` is after `period.to`".into(), None));
            }
            (f, t)
        }
        Some(_) => return Err(("`period` must be a table: { from = 2026-01-01, to = 2026-06-30 }".into(), None)),
        None => default_period(as_of),
    };
    Ok(OrgConfig { name, policy, as_of, period, as_of_given: get("as_of").is_some() })
}

/// The 12 months before `as_of` (inclusive of `as_of`).
pub fn default_period(as_of: Date) -> (Date, Date) {
    let from = as_of.checked_sub(12.months()).and_then(|d| d.checked_add(1.day())).unwrap_or(as_of);
    (from, as_of)
}

/// The default config of an org dir without `zhidu.toml`.
pub fn default_config(dir: &Path, today: Date) -> OrgConfig {
    OrgConfig {
        name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        policy: None,
        as_of: today,
        period: default_period(today),
        as_of_given: false,
    }
}
