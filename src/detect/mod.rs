//! Detectors for personal data and its masked forms (ID-card numbers, mobile numbers, provinces,
//! age bands, hashes). Pure functions over `&str`; no value ever leaves them.

use std::sync::LazyLock;

/// A provincial-level division of mainland China, Hong Kong, Macao or Taiwan.
#[derive(Debug, Clone)]
pub struct Province {
    /// GB/T 2260 two-digit code.
    pub code: u8,
    /// Full name (`广东省`).
    pub full: String,
    /// Short name (`广东`).
    pub short: String,
}

/// The provincial-level divisions, from `provinces.tsv`.
pub static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| {
    include_str!("provinces.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(Province { code: f.next()?.parse().ok()?, full: f.next()?.to_string(), short: f.next()?.to_string() })
        })
        .collect()
});

/// Whether `s` is exactly a province name (full or short), i.e. an address masked to the province.
pub fn is_province(s: &str) -> bool {
    let s = s.trim();
    PROVINCES.iter().any(|p| p.full == s || p.short == s)
}

/// The province an address starts with, if any (full name preferred over short).
pub fn province_prefix(s: &str) -> Option<&'static Province> {
    let s = s.trim();
    PROVINCES.iter().find(|p| s.starts_with(&p.full)).or_else(|| PROVINCES.iter().find(|p| s.starts_with(&p.short)))
}

/// Whether `s` is an age band such as `25-30岁`, `25~30岁`, `60岁以上` or `18岁以下`.
pub fn is_age_band(s: &str) -> bool {
    static BAND: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"^(\d{1,3})\s*[-~～—至]\s*(\d{1,3})\s*岁?$").expect("valid regex"));
    static OPEN: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"^\d{1,3}\s*岁?\s*(以上|以下|及以上|及以下|\+)$").expect("valid regex"));
    let s = s.trim();
    if let Some(c) = BAND.captures(s) {
        let lo: u32 = c[1].parse().unwrap_or(0);
        let hi: u32 = c[2].parse().unwrap_or(0);
        return lo < hi && hi <= 150;
    }
    OPEN.is_match(s)
}

/// Whether `s` is a hex SHA-256 digest (64 hex digits).
pub fn is_sha256(s: &str) -> bool {
    let s = s.trim();
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` is a valid mainland resident ID number: 18 characters with a valid GB 11643
/// check digit, or the old 15-digit form; a known province code and a real birth date either way.
pub fn is_cn_id(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        18 => {
            if !b[..17].iter().all(u8::is_ascii_digit) {
                return false;
            }
            const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            const C: &[u8; 11] = b"10X98765432";
            let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| (d - b'0') as u32 * w).sum();
            let check = C[(sum % 11) as usize];
            let last = b[17].to_ascii_uppercase();
            last == check && valid_region(&s[..2]) && valid_birth(&s[6..10], &s[10..12], &s[12..14])
        }
        15 => {
            b.iter().all(u8::is_ascii_digit)
                && valid_region(&s[..2])
                && valid_birth(&format!("19{}", &s[6..8]), &s[8..10], &s[10..12])
        }
        _ => false,
    }
}

fn valid_region(code: &str) -> bool {
    code.parse::<u8>().is_ok_and(|c| PROVINCES.iter().any(|p| p.code == c))
}

fn valid_birth(y: &str, m: &str, d: &str) -> bool {
    match (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>()) {
        (Ok(y), Ok(m), Ok(d)) => (1900..=2100).contains(&y) && jiff::civil::Date::new(y, m, d).is_ok(),
        _ => false,
    }
}

/// Whether `s` is a mainland mobile number: 11 digits starting 1[3-9], optionally with `+86`,
/// `0086`, spaces or dashes.
pub fn is_cn_mobile(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    let d = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
    let b = d.as_bytes();
    b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Whether some ID-card number occurs anywhere inside `s` (free text).
pub fn contains_cn_id(s: &str) -> bool {
    digit_runs(s).any(|run| {
        (run.len() == 18 || run.len() == 15) && is_cn_id(run)
            || run.len() > 18 && (0..=run.len() - 18).any(|i| run.is_char_boundary(i) && is_cn_id(&run[i..i + 18]))
    })
}

/// Whether some mobile number occurs anywhere inside `s` (free text).
pub fn contains_cn_mobile(s: &str) -> bool {
    static MOBILE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[^0-9])(?:\+?86[ -]?|0086[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?:$|[^0-9])")
            .expect("valid regex")
    });
    MOBILE.is_match(s)
}

/// Marker that replaces an ID-card number in free text.
pub const ID_MARKER: &str = "[身份证号已脱敏]";
/// Marker that replaces a mobile number in free text.
pub const MOBILE_MARKER: &str = "[手机号已脱敏]";

/// Replaces every ID-card and mobile number inside free text by a marker; returns the new text
/// and how many of each were replaced.
pub fn redact_free_text(s: &str) -> (String, usize, usize) {
    static MOBILE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:\+?86[ -]?|0086[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}").expect("valid regex")
    });
    // ID numbers first: an 18-digit ID contains digit runs that could look like a mobile.
    let mut out = String::with_capacity(s.len());
    let mut ids = 0;
    let b = s.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let end = if j < b.len() && (b[j] == b'X' || b[j] == b'x') { j + 1 } else { j };
            let run = &s[i..end];
            if (run.len() == 18 || run.len() == 15) && is_cn_id(run) {
                out.push_str(&s[last..i]);
                out.push_str(ID_MARKER);
                ids += 1;
                last = end;
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out.push_str(&s[last..]);
    let mut mobiles = 0;
    let replaced = MOBILE.replace_all(&out, |caps: &regex::Captures| {
        // Only whole numbers: not part of a longer digit run.
        let m = caps.get(0).map_or("", |m| m.as_str());
        let start = caps.get(0).map_or(0, |m| m.start());
        let end = caps.get(0).map_or(0, |m| m.end());
        let before = out[..start].chars().next_back().is_some_and(|c| c.is_ascii_digit());
        let after = out[end..].chars().next().is_some_and(|c| c.is_ascii_digit());
        if before || after {
            m.to_string()
        } else {
            mobiles += 1;
            MOBILE_MARKER.to_string()
        }
    });
    (replaced.into_owned(), ids, mobiles)
}

/// Maximal runs of ASCII digits (with a trailing `X`/`x` allowed, for ID numbers).
fn digit_runs(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_digit() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && (b[i] == b'X' || b[i] == b'x') {
            i += 1;
        }
        Some(&s[start..i])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_need_a_valid_check_digit_date_and_region() {
        assert!(is_cn_id("11010519491231002X"));
        assert!(is_cn_id("440301199003071230"));
        assert!(!is_cn_id("110105194912310021"), "wrong check digit");
        assert!(!is_cn_id("990105194912310027"), "unknown region");
        assert!(!is_cn_id("123456789012345678"));
        assert!(contains_cn_id("身份证11010519491231002X请核对"));
    }

    #[test]
    fn mobiles_with_prefixes_and_separators() {
        assert!(is_cn_mobile("13812345678"));
        assert!(is_cn_mobile("+86 138-1234-5678"));
        assert!(!is_cn_mobile("12812345678"));
        assert!(contains_cn_mobile("联系电话：138 1234 5678。"));
        assert!(!contains_cn_mobile("订单号 213812345678901"));
    }

    #[test]
    fn free_text_is_redacted_and_idempotent() {
        let (t, ids, mobiles) = redact_free_text("客户11010519491231002X，电话138-1234-5678，订单213812345678901");
        assert_eq!(t, "客户[身份证号已脱敏]，电话[手机号已脱敏]，订单213812345678901");
        assert_eq!((ids, mobiles), (1, 1));
        assert_eq!(redact_free_text(&t).0, t);
    }

    #[test]
    fn masked_forms() {
        assert!(is_province("广东省"));
        assert!(is_province("广东"));
        assert!(!is_province("广东省广州市天河区"));
        assert!(is_age_band("25-30岁"));
        assert!(is_age_band("60岁以上"));
        assert!(!is_age_band("27"));
        assert!(!is_age_band("30-25岁"));
        assert!(is_sha256(&"a".repeat(64)));
        assert!(!is_sha256("abc"));
    }
}
