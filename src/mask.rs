//! Desensitisation of CSV exports by the pack's `mask` declarations (`zhidu mask`): address →
//! province, age → band, ID → hash (SHA-256, or HMAC-SHA-256 with a key from the environment),
//! and ID-card / mobile numbers inside any other column replaced by a marker. Streaming, constant
//! memory, idempotent: masking a masked file changes nothing.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::base::csvio::{Rows, Writer};
use crate::base::detect::{self, is_age_band, is_province, is_sha256, province_prefix};
use crate::base::value::Value;
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
pub struct MaskRule {
    /// Declaration name (`地址`).
    pub name: String,
    /// Header patterns of the columns it applies to (`*ID`; see [`crate::base::glob`]).
    pub fields: Vec<String>,
    /// Header patterns among those whose cells are masked only when raw (`*年龄段`: a band is
    /// kept whatever its width, an exact age is put in a band).
    pub except: Vec<String>,
    /// Data categories it applies to (empty: all).
    pub categories: Vec<String>,
    /// Method.
    pub method: Method,
}

impl MaskRule {
    /// Whether the rule applies to an export of `category` (`None`: no category declared, so
    /// the strictest: every rule applies).
    pub fn applies_to(&self, category: Option<&str>) -> bool {
        match category {
            Some(c) => self.categories.is_empty() || self.categories.iter().any(|x| x == c),
            None => true,
        }
    }
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
    pub rules: Vec<MaskRule>,
    /// Names of rules that hash IDs with plain SHA-256 (reversible by enumeration for short IDs).
    pub unkeyed_hash: Vec<String>,
    /// The data categories an export may declare (see [`crate::engine::stream::export_categories`]).
    pub categories: Vec<String>,
}

impl Plan {
    /// Reads the `mask` declarations of a pack (keys from the environment).
    pub fn from_policy(policy: &Policy) -> Result<Plan, PlanError> {
        let mut plan = Plan::default();
        for r in policy.decls_of("mask") {
            let text = |f: &str| policy.decl_field(r, f).and_then(Value::as_str).map(str::to_string);
            let name = policy.decls.get(r).and_then(|x| x.id_str()).unwrap_or("").to_string();
            let words = |f: &str| -> Vec<String> {
                policy
                    .decl_field(r, f)
                    .and_then(Value::as_list)
                    .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let (fields, except, categories) = (words("fields"), words("except"), words("categories"));
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
            plan.rules.push(MaskRule { name, fields, except, categories, method });
        }
        plan.categories = crate::engine::stream::export_categories(policy);
        Ok(plan)
    }

    /// The rule for a column header in an export of `category` (the first whose patterns match
    /// and that applies to the category), and whether the header is one of its exceptions
    /// (then only raw values are masked). MASK-2 judges the same columns the same way.
    pub fn rule_for(&self, header: &str, category: Option<&str>) -> Option<(&MaskRule, bool)> {
        use crate::base::glob::matches_any;
        let h = header.trim();
        self.rules
            .iter()
            .find(|r| r.applies_to(category) && matches_any(r.fields.iter().map(String::as_str), h))
            .map(|r| (r, matches_any(r.except.iter().map(String::as_str), h)))
    }
}

/// Masks one value by a method. Already masked values are returned unchanged.
pub fn mask_value(v: &str, m: &Method) -> String {
    let mut out = String::new();
    mask_value_into(v, m, None, &mut out);
    out
}

/// Whether a value of a column that is an exception of its rule (`*年龄段`) is raw and must be
/// masked: an exact age, or an ID token that is no hash. An address is always judged strictly.
fn raw_in_exception(v: &str, m: &Method) -> bool {
    match m {
        Method::AgeBand(_) => detect::is_exact_age(v),
        Method::Hash(_) => detect::is_raw_id(v),
        Method::Province => !is_province(v),
    }
}

/// Masks one value into `out` (cleared first); returns whether `out` is `v` unchanged. `mac`
/// is the keyed hasher of a `Hash(Some(key))` method, prepared once per column; without it the
/// key is read from the method.
fn mask_value_into(v: &str, m: &Method, mac: Option<&Hmac<Sha256>>, out: &mut String) -> bool {
    out.clear();
    let t = detect::trim(v);
    // An already masked value comes back trimmed (unchanged if there was nothing to trim).
    let kept = |out: &mut String| {
        out.push_str(t);
        t.len() == v.len()
    };
    if t.is_empty() {
        out.push_str(v);
        return true;
    }
    match m {
        Method::Province => {
            if is_province(t) {
                return kept(out);
            }
            out.push_str(province_prefix(t).map_or("[地址已脱敏]", |p| p.full.as_str()));
        }
        Method::AgeBand(width) => {
            if is_age_band(t) {
                return kept(out);
            }
            let width = (*width).max(1);
            match t.trim_end_matches('岁').parse::<u32>() {
                Ok(age) if age <= 150 => {
                    let lo = age / width * width;
                    // Writing to a String cannot fail.
                    let _ = write!(out, "{lo}-{}岁", lo + width);
                }
                _ => out.push_str("[年龄已脱敏]"),
            }
        }
        Method::Hash(key) => {
            if is_sha256(t) {
                return kept(out);
            }
            let keyed = match (mac, key) {
                (Some(mac), _) => Some(mac.clone()),
                (None, Some(k)) => Hmac::<Sha256>::new_from_slice(k).ok(),
                (None, None) => None,
            };
            match keyed {
                Some(mut mac) => {
                    mac.update(t.as_bytes());
                    push_hex(out, &mac.finalize().into_bytes());
                }
                None => push_hex(out, &Sha256::digest(t.as_bytes())),
            }
        }
    }
    out == v
}

/// Appends the lowercase hex digits of a digest (32 bytes).
fn push_hex(out: &mut String, digest: &[u8]) {
    /// The two hex digits of every byte.
    static PAIRS: [[u8; 2]; 256] = {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut t = [[0u8; 2]; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
            i += 1;
        }
        t
    };
    let mut hex = [0u8; 64];
    for (pair, &b) in hex.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&PAIRS[b as usize]);
    }
    let n = digest.len().min(32) * 2;
    out.push_str(std::str::from_utf8(&hex[..n]).unwrap_or_default());
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

/// How the cells of one column are masked.
enum Column<'p> {
    /// By a mask rule; `mac` is its keyed hasher, if it has a key; `loose` for a column that is
    /// one of the rule's exceptions (only raw values are masked).
    Rule { rule: &'p MaskRule, mac: Option<Hmac<Sha256>>, loose: bool },
    /// As free text: ID-card and mobile numbers replaced by markers.
    FreeText,
}

/// Masks a CSV stream into `out` (UTF-8, same header, same columns). `progress` is called every
/// 10 000 rows with the row count.
///
/// Rows are read by [`Rows`] (records, errors and output exactly those of the `csv` crate, but
/// plain lines split by hand) and written by [`Writer`]: cells that need no change are copied,
/// changed cells go through one reused buffer, so a row costs no allocation.
pub fn mask_csv(
    input: impl Read,
    out: impl Write,
    plan: &Plan,
    category: Option<&str>,
    mut progress: impl FnMut(u64),
) -> Result<Summary, csv::Error> {
    let mut rows = Rows::new(input);
    let mut wtr = Writer::new(out);
    let headers: Vec<String> = match rows.next_row()? {
        Some(h) => h.fields().map(String::from).collect(),
        None => Vec::new(),
    };
    // A first row of data taken for a header would be copied out unmasked.
    if let Some(why) = crate::base::exports::header_problem(headers.iter().map(String::as_str)) {
        return Err(csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, why)));
    }
    wtr.write_record(&headers)?;
    let columns: Vec<Column> = headers
        .iter()
        .map(|h| match plan.rule_for(h, category) {
            Some((rule, loose)) => {
                let mac = match &rule.method {
                    Method::Hash(Some(k)) => Hmac::<Sha256>::new_from_slice(k).ok(),
                    _ => None,
                };
                Column::Rule { rule, mac, loose }
            }
            None => Column::FreeText,
        })
        .collect();
    let mut summary = Summary::default();
    for (h, c) in headers.iter().zip(&columns) {
        let label = match c {
            Column::Rule { rule, .. } => rule.name.clone(),
            Column::FreeText => "free text".to_string(),
        };
        summary.columns.insert(h.clone(), (label, 0));
    }
    // Values changed per column position; added up by header at the end.
    let mut changed = vec![0u64; headers.len()];
    let mut buf = String::new();
    while let Some(row) = rows.next_row()? {
        summary.rows += 1;
        let plain = row.is_plain();
        for (i, cell) in row.fields().enumerate() {
            // The new value, if the cell changes.
            // A cell of an exception column that is not raw is free text (a band is kept, an
            // ID-card or mobile number in it is still replaced).
            let by_rule = match columns.get(i) {
                Some(Column::Rule { rule, mac, loose }) if !*loose || raw_in_exception(cell, &rule.method) => {
                    Some((rule, mac))
                }
                _ => None,
            };
            let masked: Option<&str> = match by_rule {
                Some((rule, mac)) => {
                    if !summary.weak_hash && matches!(rule.method, Method::Hash(None)) {
                        let t = detect::trim(cell);
                        summary.weak_hash = !t.is_empty() && !is_sha256(t) && (t.len() < 16 || detect::is_cn_id(t));
                    }
                    let same = mask_value_into(cell, &rule.method, mac.as_ref(), &mut buf);
                    (!same).then_some(buf.as_str())
                }
                _ => {
                    let (text, ids, mobiles) = detect::redact_free_text_cow(cell);
                    summary.ids += ids as u64;
                    summary.mobiles += mobiles as u64;
                    match text {
                        Cow::Borrowed(_) => None,
                        Cow::Owned(t) if t != cell => {
                            buf = t;
                            Some(buf.as_str())
                        }
                        Cow::Owned(_) => None,
                    }
                }
            };
            match masked {
                Some(m) => {
                    wtr.write_field(m.as_bytes());
                    if let Some(n) = changed.get_mut(i) {
                        *n += 1;
                    }
                }
                // Unchanged: a field of a plain line needs no quoting check.
                _ if plain => wtr.write_plain_field(cell),
                _ => wtr.write_field(cell.as_bytes()),
            }
        }
        wtr.end_record()?;
        if summary.rows % 10_000 == 0 {
            progress(summary.rows);
        }
    }
    wtr.flush()?;
    for (h, n) in headers.iter().zip(changed) {
        if let Some(e) = summary.columns.get_mut(h) {
            e.1 += n;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            rules: vec![
                rule("地址", &["*地址*"], &[], &[], Method::Province),
                rule("年龄", &["年龄", "age", "*年龄段"], &["*年龄段"], &[], Method::AgeBand(5)),
                rule("ID", &["user_id", "*ID"], &[], &["用户画像"], Method::Hash(None)),
            ],
            unkeyed_hash: vec!["ID".into()],
            categories: vec!["用户画像".into(), "交易记录".into()],
        }
    }

    fn rule(name: &str, fields: &[&str], except: &[&str], categories: &[&str], method: Method) -> MaskRule {
        let own = |l: &[&str]| l.iter().map(|x| x.to_string()).collect();
        MaskRule { name: name.into(), fields: own(fields), except: own(except), categories: own(categories), method }
    }

    #[test]
    fn patterns_exceptions_and_categories() {
        let input = "会员ID,年龄段,收货地址\nM-1,45,浙江省杭州市西湖区文三路1号\nM-2,40-49,浙江省\n";
        let run = |category| {
            let mut out = Vec::new();
            mask_csv(input.as_bytes(), &mut out, &plan(), category, |_| {}).unwrap();
            String::from_utf8(out).unwrap()
        };
        let profile = run(Some("用户画像"));
        let hash = |s: &[u8]| crate::base::hex(&Sha256::digest(s));
        assert_eq!(
            profile,
            format!("会员ID,年龄段,收货地址\n{},45-50岁,浙江省\n{},40-49,浙江省\n", hash(b"M-1"), hash(b"M-2")),
            "a band of another width is kept, an exact age is banded"
        );
        assert_eq!(run(None), profile, "no category: the strictest, every rule applies");
        let orders = run(Some("交易记录"));
        assert!(orders.contains("\nM-1,45-50岁,浙江省\n"), "IDs are hashed in 用户画像 data only: {orders}");
    }

    #[test]
    fn masks_columns_and_free_text_idempotently() {
        let input = "user_id,地址,年龄,备注\nU10086,广东省广州市天河区体育西路1号,27,电话13812345678\n";
        let mut out = Vec::new();
        let s = mask_csv(input.as_bytes(), &mut out, &plan(), None, |_| {}).unwrap();
        let text = String::from_utf8(out).unwrap();
        let hash = crate::base::hex(&Sha256::digest(b"U10086"));
        assert_eq!(text, format!("user_id,地址,年龄,备注\n{hash},广东省,25-30岁,电话[手机号已脱敏]\n"));
        assert_eq!(s.rows, 1);
        assert_eq!(s.mobiles, 1);
        assert!(s.weak_hash);
        let mut again = Vec::new();
        mask_csv(text.as_bytes(), &mut again, &plan(), None, |_| {}).unwrap();
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
