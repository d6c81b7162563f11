//! Detectors for personal data and its masked forms (ID-card numbers, mobile numbers, full
//! addresses, provinces, age bands, hashes). Pure functions over `&str`; no value ever leaves them.

use std::sync::LazyLock;

mod address;
mod free_text;
mod prefilter;

pub use address::{ADDRESS_MARKER, contains_address, may_contain_address, redact_addresses};
pub use free_text::{
    ID_MARKER, MOBILE_MARKER, contains_cn_id, contains_cn_mobile, id_token, mobile_match, redact_free_text,
    redact_free_text_cow,
};
pub use prefilter::may_contain_number;

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

/// `s.trim()`, without decoding characters when `s` starts and ends with one that surely is
/// not whitespace: printable ASCII, or a character from U+4000 on (a lead byte from `0xE4`;
/// the last whitespace character, U+3000, has lead byte `0xE3`).
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let n = b.len();
    let plain_start = b.first().is_some_and(|&f| (0x21..=0x7e).contains(&f) || f >= 0xe4);
    // In valid UTF-8 a lead byte `0xE4..=0xEF` three bytes from the end starts the last character.
    let plain_end =
        b.last().is_some_and(|&l| (0x21..=0x7e).contains(&l)) || (n >= 3 && (0xe4..=0xef).contains(&b[n - 3]));
    if plain_start && plain_end { s } else { s.trim() }
}

/// Whether `s` is exactly a province name (full or short), i.e. an address masked to the province.
pub fn is_province(s: &str) -> bool {
    static NAMES: LazyLock<rustc_hash::FxHashSet<&'static str>> =
        LazyLock::new(|| PROVINCES.iter().flat_map(|p| [p.full.as_str(), p.short.as_str()]).collect());
    NAMES.contains(trim(s))
}

/// The province an address starts with, if any (full name preferred over short).
pub fn province_prefix(s: &str) -> Option<&'static Province> {
    let s = trim(s);
    PROVINCES.iter().find(|p| s.starts_with(&p.full)).or_else(|| PROVINCES.iter().find(|p| s.starts_with(&p.short)))
}

/// Whether `s` is an age band such as `25-30岁`, `25~30岁`, `60岁以上` or `18岁以下`.
pub fn is_age_band(s: &str) -> bool {
    // Fast path for the common `25-30岁` form; the regexes below cover the rest.
    let t = trim(s);
    if let Some(body) = t.strip_suffix('岁')
        && let Some((a, b)) = body.split_once('-')
        && let (Ok(lo), Ok(hi)) = (a.parse::<u32>(), b.parse::<u32>())
    {
        return lo < hi && hi <= 150 && a.len() <= 3 && b.len() <= 3;
    }
    static BAND: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"^(\d{1,3})\s*[-~～—至]\s*(\d{1,3})\s*岁?$").expect("valid regex"));
    static OPEN: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"^\d{1,3}\s*岁?\s*(以上|以下|及以上|及以下|\+)$").expect("valid regex"));
    let s = t;
    if let Some(c) = BAND.captures(s) {
        let lo: u32 = c[1].parse().unwrap_or(0);
        let hi: u32 = c[2].parse().unwrap_or(0);
        return lo < hi && hi <= 150;
    }
    OPEN.is_match(s)
}

/// Whether `s` is a hex SHA-256 digest (64 hex digits).
pub fn is_sha256(s: &str) -> bool {
    let s = trim(s);
    // Without an early exit the test over all 64 bytes is vectorised.
    s.len() == 64 && s.bytes().fold(true, |ok, b| ok & b.is_ascii_hexdigit())
}

/// Whether `s` is an exact age: a bare whole number up to 150, optionally followed by `岁`
/// (`45`, `45岁`), i.e. an age not yet put in a band.
pub fn is_exact_age(s: &str) -> bool {
    let t = trim(s);
    let digits = t.strip_suffix('岁').unwrap_or(t).trim_end();
    (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.parse::<u32>().is_ok_and(|n| n <= 150)
}

/// Whether `s` looks like a raw identifier: one token of ASCII letters, digits, `-` and `_`
/// holding at least one digit (`U10086`, `M-2026-0001`, `10086`), and not a hex SHA-256 digest.
pub fn is_raw_id(s: &str) -> bool {
    let t = trim(s);
    (2..=64).contains(&t.len())
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && t.bytes().any(|b| b.is_ascii_digit())
        && !is_sha256(t)
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
        assert!(contains_cn_id("ID: 11010519491231002X."));
        assert!(!contains_cn_id("a11010519491231002Xb"), "part of a longer token (e.g. a hex hash)");
        assert!(!contains_cn_id("911010519491231002X"), "part of a longer number");
    }

    #[test]
    fn mobiles_with_prefixes_and_separators() {
        assert!(is_cn_mobile("13812345678"));
        assert!(is_cn_mobile("+86 138-1234-5678"));
        assert!(!is_cn_mobile("12812345678"));
        assert!(contains_cn_mobile("联系电话：138 1234 5678。"));
        assert!(!contains_cn_mobile("订单号 213812345678901"));
        assert!(!contains_cn_mobile("e71c13812345678ab"), "inside a hex hash");
    }

    #[test]
    fn free_text_is_redacted_and_idempotent() {
        let (t, ids, mobiles) = redact_free_text("客户11010519491231002X，电话138-1234-5678，订单213812345678901");
        assert_eq!(t, "客户[身份证号已脱敏]，电话[手机号已脱敏]，订单213812345678901");
        assert_eq!((ids, mobiles), (1, 1));
        assert_eq!(redact_free_text(&t).0, t);
    }

    /// A valid 18-digit ID for a region, birth date and sequence.
    fn id(region: &str, birth: &str, seq: &str) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let body = format!("{region}{birth}{seq}");
        let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
        format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    #[test]
    fn id_birth_dates_and_the_old_form() {
        assert!(is_cn_id(&id("110105", "20000229", "123")), "leap day");
        assert!(!is_cn_id(&id("110105", "19000229", "123")), "1900 is not a leap year");
        assert!(!is_cn_id(&id("110105", "20230229", "123")));
        assert!(!is_cn_id(&id("110105", "20231301", "123")), "month 13");
        assert!(!is_cn_id(&id("110105", "18991231", "123")), "before 1900");
        assert!(is_cn_id("110105491231002"), "15-digit form");
        assert!(!is_cn_id("110105491331002"), "15-digit form with month 13");
        for region in ["11", "44", "65", "71", "81", "82"] {
            assert!(is_cn_id(&id(&format!("{region}0101"), "19900101", "001")), "{region}");
        }
    }

    #[test]
    fn all_34_provincial_divisions() {
        assert_eq!(PROVINCES.len(), 34);
        for p in PROVINCES.iter() {
            assert!(is_province(&p.full) && is_province(&p.short), "{}", p.full);
            let address = format!("{}某某区某某路1号", p.full);
            assert!(!is_province(&address));
            assert_eq!(province_prefix(&address).map(|x| x.code), Some(p.code));
            assert_eq!(province_prefix(&format!("{}某某区", p.short)).map(|x| x.code), Some(p.code));
        }
    }

    proptest::proptest! {
        #[test]
        fn trim_is_str_trim(s in "[ \\t\u{3000}\u{a0}\u{85}\u{2028}a岁😀\u{4000}\u{3fff}]{0,6}", t in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(trim(&s), s.trim());
            proptest::prop_assert_eq!(trim(&t), t.trim());
        }
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
        assert!(is_exact_age("45") && is_exact_age(" 45岁") && is_exact_age("7"));
        assert!(!is_exact_age("40-49") && !is_exact_age("151") && !is_exact_age("") && !is_exact_age("青年"));
        assert!(is_raw_id("U10086") && is_raw_id("M-2026-0001") && is_raw_id("10086"));
        assert!(!is_raw_id(&"a1".repeat(32)) && !is_raw_id("无") && !is_raw_id("abc") && !is_raw_id("U 1"));
    }
}
