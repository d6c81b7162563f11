//! Desensitisation of CSV exports by the pack's `mask` declarations (`zhidu mask`): address →
//! province, age → band, ID → hash (SHA-256, or HMAC-SHA-256 with a key from the environment),
//! and ID-card / mobile numbers inside any other column replaced by a marker. Streaming, constant
//! memory, idempotent: masking a masked file changes nothing.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::detect::{self, is_age_band, is_province, is_sha256, province_prefix};
use crate::eval::value::Value;
use crate::policy::Policy;

/// How one kind of column is masked.
#[derive(Debug, Clone)]
pub enum Method {
    /// Keep the province only.
    Province,
    /// Replace an age by its band of this width.
    AgeBand(u32),
    /// Replace by a hex digest; `Some(key)` for HMAC-SHA-256.
    Hash(Option<Vec<u8>>),
}

/// One `mask` declaration, resolved.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Declaration name (`地址`).
    pub name: String,
    /// Column headers it applies to.
    pub fields: Vec<String>,
    /// Method.
    pub method: Method,
}

/// Why the mask rules could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A keyed hash needs its key.
    #[error("mask `{rule}` uses hmac_sha256 but the environment variable `{var}` is not set")]
    MissingKey {
        /// Mask name.
        rule: String,
        /// Variable.
        var: String,
    },
}

/// The pack's mask rules.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Rules in declaration order.
    pub rules: Vec<Rule>,
    /// Names of rules that hash IDs with plain SHA-256 (reversible by enumeration for short IDs).
    pub unkeyed_hash: Vec<String>,
}

impl Plan {
    /// Reads the `mask` declarations of a pack (keys from the environment).
    pub fn from_policy(policy: &Policy) -> Result<Plan, PlanError> {
        let mut plan = Plan::default();
        for r in policy.decls_of("mask") {
            let text = |f: &str| policy.decl_field(r, f).and_then(Value::as_str).map(str::to_string);
            let name = policy.decls.get(r).and_then(|x| x.id.as_deref()).unwrap_or("").to_string();
            let fields: Vec<String> = policy
                .decl_field(r, "fields")
                .and_then(Value::as_list)
                .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let method = match text("method").as_deref() {
                Some("province") => Method::Province,
                Some("age_band") => {
                    let band = policy.decl_field(r, "band").and_then(Value::as_f64).unwrap_or(5.0).max(1.0);
                    Method::AgeBand(band as u32)
                }
                _ => {
                    if text("algorithm").as_deref() == Some("hmac_sha256") {
                        let var = text("key_env").unwrap_or_else(|| "ZHIDU_MASK_KEY".into());
                        let key = std::env::var(&var).map_err(|_| PlanError::MissingKey { rule: name.clone(), var })?;
                        Method::Hash(Some(key.into_bytes()))
                    } else {
                        plan.unkeyed_hash.push(name.clone());
                        Method::Hash(None)
                    }
                }
            };
            plan.rules.push(Rule { name, fields, method });
        }
        Ok(plan)
    }

    /// The rule for a column header (exact match after trimming, ASCII case-insensitive).
    pub fn rule_for(&self, header: &str) -> Option<&Rule> {
        let h = header.trim();
        self.rules.iter().find(|r| r.fields.iter().any(|f| f == h || f.eq_ignore_ascii_case(h)))
    }
}

/// Masks one value by a method. Already masked values are returned unchanged.
pub fn mask_value(v: &str, m: &Method) -> String {
    let t = v.trim();
    if t.is_empty() {
        return v.to_string();
    }
    // Already masked values come back as they are (idempotence) without further work.
    match m {
        Method::Province => {
            if is_province(t) {
                t.to_string()
            } else {
                province_prefix(t).map_or_else(|| "[地址已脱敏]".to_string(), |p| p.full.clone())
            }
        }
        Method::AgeBand(width) => {
            if is_age_band(t) {
                return t.to_string();
            }
            match t.trim_end_matches('岁').parse::<u32>() {
                Ok(age) if age <= 150 => {
                    let lo = age / width * width;
                    format!("{lo}-{}岁", lo + width)
                }
                _ => "[年龄已脱敏]".to_string(),
            }
        }
        Method::Hash(key) => {
            if is_sha256(t) {
                return t.to_string();
            }
            let digest = match key {
                Some(k) => match Hmac::<Sha256>::new_from_slice(k) {
                    Ok(mut mac) => {
                        mac.update(t.as_bytes());
                        mac.finalize().into_bytes().to_vec()
                    }
                    Err(_) => Sha256::digest(t.as_bytes()).to_vec(),
                },
                None => Sha256::digest(t.as_bytes()).to_vec(),
            };
            crate::output::hex(&digest)
        }
    }
}

/// What masking changed, per column.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    /// Data rows read.
    pub rows: u64,
    /// Per column header: (rule or "free text", values changed).
    pub columns: BTreeMap<String, (String, u64)>,
    /// ID-card numbers replaced in free text.
    pub ids: u64,
    /// Mobile numbers replaced in free text.
    pub mobiles: u64,
    /// Whether unkeyed hashes were applied to short or ID-card-like values.
    pub weak_hash: bool,
}

/// Masks a CSV stream into `out` (UTF-8, same header, same columns). `progress` is called every
/// 10 000 rows with the row count.
pub fn mask_csv(
    input: impl Read,
    out: impl Write,
    plan: &Plan,
    mut progress: impl FnMut(u64),
) -> Result<Summary, csv::Error> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(input);
    let mut wtr = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let headers = rdr.headers()?.clone();
    wtr.write_record(&headers)?;
    let rules: Vec<Option<&Rule>> = headers.iter().map(|h| plan.rule_for(h)).collect();
    let mut summary = Summary::default();
    for (i, h) in headers.iter().enumerate() {
        let label = rules[i].map_or_else(|| "free text".to_string(), |r| r.name.clone());
        summary.columns.insert(h.to_string(), (label, 0));
    }
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record)? {
        summary.rows += 1;
        let mut row: Vec<std::borrow::Cow<str>> = Vec::with_capacity(record.len());
        for (i, cell) in record.iter().enumerate() {
            let masked: std::borrow::Cow<str> = match rules.get(i).copied().flatten() {
                Some(rule) => {
                    if let Method::Hash(None) = rule.method {
                        let t = cell.trim();
                        if !t.is_empty() && !is_sha256(t) && (t.len() < 16 || detect::is_cn_id(t)) {
                            summary.weak_hash = true;
                        }
                    }
                    let m = mask_value(cell, &rule.method);
                    if m == cell { std::borrow::Cow::Borrowed(cell) } else { std::borrow::Cow::Owned(m) }
                }
                None => {
                    let (text, ids, mobiles) = detect::redact_free_text_cow(cell);
                    summary.ids += ids as u64;
                    summary.mobiles += mobiles as u64;
                    text
                }
            };
            if masked != cell
                && let Some(e) = headers.get(i).and_then(|h| summary.columns.get_mut(h))
            {
                e.1 += 1;
            }
            row.push(masked);
        }
        wtr.write_record(row.iter().map(|c| c.as_bytes()))?;
        if summary.rows % 10_000 == 0 {
            progress(summary.rows);
        }
    }
    wtr.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            rules: vec![
                Rule { name: "地址".into(), fields: vec!["地址".into()], method: Method::Province },
                Rule { name: "年龄".into(), fields: vec!["年龄".into(), "age".into()], method: Method::AgeBand(5) },
                Rule { name: "ID".into(), fields: vec!["user_id".into()], method: Method::Hash(None) },
            ],
            unkeyed_hash: vec!["ID".into()],
        }
    }

    #[test]
    fn masks_columns_and_free_text_idempotently() {
        let input = "user_id,地址,年龄,备注\nU10086,广东省广州市天河区体育西路1号,27,电话13812345678\n";
        let mut out = Vec::new();
        let s = mask_csv(input.as_bytes(), &mut out, &plan(), |_| {}).unwrap();
        let text = String::from_utf8(out).unwrap();
        let hash = crate::output::hex(&Sha256::digest(b"U10086"));
        assert_eq!(text, format!("user_id,地址,年龄,备注\n{hash},广东省,25-30岁,电话[手机号已脱敏]\n"));
        assert_eq!(s.rows, 1);
        assert_eq!(s.mobiles, 1);
        assert!(s.weak_hash);
        let mut again = Vec::new();
        mask_csv(text.as_bytes(), &mut again, &plan(), |_| {}).unwrap();
        assert_eq!(String::from_utf8(again).unwrap(), text, "masking a masked file changes nothing");
    }

    #[test]
    fn keyed_hash_differs_from_plain() {
        let plain = mask_value("U1", &Method::Hash(None));
        let keyed = mask_value("U1", &Method::Hash(Some(b"secret".to_vec())));
        assert_ne!(plain, keyed);
        assert!(is_sha256(&keyed));
        assert_eq!(mask_value(&keyed, &Method::Hash(Some(b"secret".to_vec()))), keyed);
    }

    #[test]
    fn age_bands() {
        assert_eq!(mask_value("30", &Method::AgeBand(5)), "30-35岁");
        assert_eq!(mask_value("25-30岁", &Method::AgeBand(5)), "25-30岁");
        assert_eq!(mask_value("很老", &Method::AgeBand(5)), "[年龄已脱敏]");
    }
}
