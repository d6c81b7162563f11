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

/// What the command line gives in place of `zhidu.toml` values (`--as-of`, `--period`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Given {
    /// `--as-of`.
    pub as_of: Option<Date>,
    /// `--period`.
    pub period: Option<(Date, Date)>,
}

/// Keys `zhidu.toml` may have at top level or under `[org]`.
const KEYS: &[&str] = &["name", "policy", "as_of", "period"];
/// Keys of `period`.
const PERIOD_KEYS: &[&str] = &["from", "to"];

/// A problem with `zhidu.toml`: what, and where in its text if known.
pub type ConfigProblem = (String, Option<std::ops::Range<usize>>);

/// Where `key` is first written in `text` as a key or a table name (for the diagnostic).
fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        let t = t.strip_prefix('[').unwrap_or(t);
        if let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with(['=', ']', '.'])
        {
            let start = at + indent + (line.trim_start().len() - t.len());
            return Some(start..start + key.len());
        }
        at += line.len();
    }
    None
}

/// An error for an unknown key, with a did-you-mean.
fn unknown_key(text: &str, key: &str, known: &[&str], place: &str) -> ConfigProblem {
    let tail = match crate::base::diag::suggest(key, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("known: {}", known.join(", ")),
    };
    (format!("unknown key `{key}` {place}; {tail}"), key_span(text, key))
}

/// Parses `zhidu.toml` and refuses any key it does not know.
fn checked_doc(text: &str) -> Result<toml::Table, ConfigProblem> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| (e.message().to_string(), e.span()))?;
    for (k, v) in &doc {
        match k.as_str() {
            "org" => {
                let Some(t) = v.as_table() else {
                    return Err(("`org` must be a table: `[org]`".into(), key_span(text, k)));
                };
                if let Some(bad) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
                    return Err(unknown_key(text, bad, KEYS, "in `[org]`"));
                }
            }
            k if KEYS.contains(&k) => {}
            other => {
                let known: Vec<&str> = std::iter::once("org").chain(KEYS.iter().copied()).collect();
                return Err(unknown_key(text, other, &known, "in zhidu.toml"));
            }
        }
    }
    Ok(doc)
}

/// Only the `policy` of `zhidu.toml` (for the commands that read no org data: `lint`,
/// `render`, `schema`, `mask`, …), the file checked as strictly as a full read checks it.
/// Relative paths are relative to `dir`.
pub fn policy_of(text: &str, dir: &Path) -> Result<Option<PathBuf>, ConfigProblem> {
    let doc = checked_doc(text)?;
    let org = doc.get("org").and_then(|v| v.as_table());
    match org.and_then(|o| o.get("policy")).or_else(|| doc.get("policy")) {
        None => Ok(None),
        Some(toml::Value::String(p)) => Ok(Some(dir.join(p))),
        Some(_) => Err(("`policy` must be a path such as \"policy\"".into(), key_span(text, "policy"))),
    }
}

/// Reads `zhidu.toml` values. Accepts the keys at top level or under `[org]`; any other key is
/// an error (a misspelt `asof` silently ignored would make the check run as of another day).
/// `as_of` must be given — by `given`, or in the file as a date or as `"today"` — so that no
/// output depends on the day of the run unless asked; it may not precede the period.
pub fn parse(text: &str, dir: &Path, today: Date, given: &Given) -> Result<OrgConfig, ConfigProblem> {
    let doc = checked_doc(text)?;
    let org = doc.get("org").and_then(|v| v.as_table());
    let get = |k: &str| org.and_then(|o| o.get(k)).or_else(|| doc.get(k));
    let name = get("name")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let policy = match get("policy") {
        None => None,
        Some(toml::Value::String(p)) => Some(dir.join(p)),
        Some(_) => return Err(("`policy` must be a path such as \"policy\"".into(), key_span(text, "policy"))),
    };
    let date = |v: &toml::Value, what: &str| -> Result<Date, ConfigProblem> {
        let s = match v {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => return Err((format!("`{what}` must be a date such as 2026-06-30"), key_span(text, what))),
        };
        s.parse::<Date>().map_err(|_| (format!("`{what}` must be a date such as 2026-06-30"), key_span(text, what)))
    };
    // The period first: a broken one is reported whatever else is missing.
    let period: Option<(Date, Date)> = match (given.period, get("period")) {
        (Some(p), _) => Some(p),
        (None, Some(toml::Value::Table(t))) => {
            if let Some(bad) = t.keys().find(|k| !PERIOD_KEYS.contains(&k.as_str())) {
                return Err(unknown_key(text, bad, PERIOD_KEYS, "in `period`"));
            }
            let from = t.get("from").ok_or(("`period` needs `from`".to_string(), key_span(text, "period")))?;
            let to = t.get("to").ok_or(("`period` needs `to`".to_string(), key_span(text, "period")))?;
            let (f, t) = (date(from, "from")?, date(to, "to")?);
            if f > t {
                return Err(("`period.from` is after `period.to`".into(), key_span(text, "period")));
            }
            Some((f, t))
        }
        (None, Some(_)) => {
            return Err((
                "`period` must be a table: { from = 2026-01-01, to = 2026-06-30 }".into(),
                key_span(text, "period"),
            ));
        }
        (None, None) => None,
    };
    let as_of = match (given.as_of, get("as_of")) {
        (Some(d), _) => d,
        (None, Some(toml::Value::String(s))) if s == "today" => today,
        (None, Some(v)) => date(v, "as_of")?,
        (None, None) => {
            return Err((
                "no `as_of`: zhidu checks as of a date you give — write `as_of = 2026-06-30` (or `as_of = \"today\"` for the day of each run), or pass `--as-of`".into(),
                None,
            ));
        }
    };
    let period = period.unwrap_or_else(|| default_period(as_of));
    if as_of < period.0 {
        return Err((
            format!(
                "`as_of` ({as_of}) is before the period starts ({}): nothing of the period has happened yet",
                period.0
            ),
            key_span(text, "as_of"),
        ));
    }
    Ok(OrgConfig { name, policy, as_of, period, as_of_given: true })
}

/// The config of an org dir without `zhidu.toml`, from what the command line gives: both
/// `--as-of` and `--period`, or nothing (`None`).
pub fn from_given(dir: &Path, given: &Given) -> Option<OrgConfig> {
    let (as_of, period) = (given.as_of?, given.period?);
    Some(OrgConfig {
        name: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        policy: None,
        as_of,
        period,
        as_of_given: true,
    })
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
