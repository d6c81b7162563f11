//! ID-card and mobile numbers inside free text: detection and redaction by markers. Every
//! entry point first asks the byte-level [`may_contain_number`] prefilter, so the common cell
//! (a name, an amount, a date) costs one pass over its bytes and no allocation.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::is_cn_id;
use super::prefilter::may_contain_number;

/// Whether some ID-card number occurs anywhere inside `s` (free text). A number counts only as
/// a token of its own: digits that run on into letters or more digits (a hex hash, an order
/// number) are not an ID.
pub fn contains_cn_id(s: &str) -> bool {
    may_contain_number(s.as_bytes()) && id_token(s)
}

/// [`contains_cn_id`] without the prefilter, for a caller that asked [`may_contain_number`]
/// already (and got `true`).
pub fn id_token(s: &str) -> bool {
    digit_tokens(s).any(|run| (run.len() == 18 || run.len() == 15) && is_cn_id(run))
}

/// Whether some mobile number occurs anywhere inside `s` (free text).
pub fn contains_cn_mobile(s: &str) -> bool {
    may_contain_number(s.as_bytes()) && mobile_match(s)
}

/// [`contains_cn_mobile`] without the prefilter, for a caller that asked
/// [`may_contain_number`] already (and got `true`).
pub fn mobile_match(s: &str) -> bool {
    static MOBILE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?:^|[^0-9A-Za-z])(?:\+?86[ -]?|0086[ -]?)?(1[3-9]\d(?:[ -]?\d{4}){2})(?:$|[^0-9A-Za-z])")
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
    let (t, ids, mobiles) = redact_free_text_cow(s);
    (t.into_owned(), ids, mobiles)
}

/// Like [`redact_free_text`], without allocating when nothing is replaced (the common case).
pub fn redact_free_text_cow(s: &str) -> (Cow<'_, str>, usize, usize) {
    // Most cells (dates, amounts, names) cannot hold a number.
    if !may_contain_number(s.as_bytes()) {
        return (Cow::Borrowed(s), 0, 0);
    }
    redact_unfiltered(s)
}

/// [`redact_free_text_cow`] without the prefilter.
fn redact_unfiltered(s: &str) -> (Cow<'_, str>, usize, usize) {
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
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let end = if j < b.len() && (b[j] == b'X' || b[j] == b'x') { j + 1 } else { j };
            let run = &s[i..end];
            let token = end == b.len() || !b[end].is_ascii_alphanumeric();
            if token && (run.len() == 18 || run.len() == 15) && is_cn_id(run) {
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
    if ids == 0 {
        out.clear();
        out.push_str(s);
    } else {
        out.push_str(&s[last..]);
    }
    if !MOBILE.is_match(&out) {
        return (if ids == 0 { Cow::Borrowed(s) } else { Cow::Owned(out) }, ids, 0);
    }
    let mut mobiles = 0;
    let replaced = MOBILE.replace_all(&out, |caps: &regex::Captures| {
        // Only whole numbers: not part of a longer digit run.
        let m = caps.get(0).map_or("", |m| m.as_str());
        let start = caps.get(0).map_or(0, |m| m.start());
        let end = caps.get(0).map_or(0, |m| m.end());
        let before = out[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let after = out[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if before || after {
            m.to_string()
        } else {
            mobiles += 1;
            MOBILE_MARKER.to_string()
        }
    });
    if ids == 0 && mobiles == 0 {
        return (Cow::Borrowed(s), 0, 0);
    }
    (Cow::Owned(replaced.into_owned()), ids, mobiles)
}

/// Maximal runs of ASCII digits (with a trailing `X`/`x`) that stand as tokens: not preceded or
/// followed by another ASCII letter or digit.
fn digit_tokens(s: &str) -> impl Iterator<Item = &str> {
    let b = s.as_bytes();
    digit_runs(s).filter(move |run| {
        let start = run.as_ptr() as usize - s.as_ptr() as usize;
        let end = start + run.len();
        let before = start > 0 && b[start - 1].is_ascii_alphanumeric();
        let after = end < b.len() && b[end].is_ascii_alphanumeric();
        !before && !after
    })
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
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    /// A valid 18-digit ID number (GB 11643 check character) for a region code and birth date.
    fn id18(region: u32, y: u32, m: u32, d: u32, seq: u32) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let body = format!("{region:02}0101{y:04}{m:02}{d:02}{seq:03}");
        let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
        format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    /// Pieces of text rich in near-misses: numbers of every length, valid IDs (both forms) and
    /// mobiles with prefixes and separators, separators, check characters, letters, CJK text.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,20}",
            (prop::sample::select(vec![11u32, 44, 65, 81]), 1950u32..2010, 1u32..13, 1u32..29, 0u32..1000)
                .prop_map(|(r, y, m, d, s)| id18(r, y, m, d, s)),
            (prop::sample::select(vec![11u32, 44]), 50u32..99, 1u32..13, 1u32..29, 0u32..1000)
                .prop_map(|(r, y, m, d, s)| format!("{r:02}0101{y:02}{m:02}{d:02}{s:03}")),
            (
                3u8..10,
                0u32..100_000_000,
                prop::sample::select(vec!["", "+86", "+86 ", "0086", "86-"]),
                prop::sample::select(vec!["", " ", "-", "  ", "\u{3000}"])
            )
                .prop_map(|(a, rest, p, sep)| {
                    let d = format!("1{a}{rest:09}");
                    format!("{p}{}{sep}{}{sep}{}", &d[..3], &d[3..7], &d[7..11])
                }),
            prop::sample::select(vec![
                " ", "-", "X", "x", "+", "a", "Z", "，", "电话", "\u{3000}", ".", "#", "e7", "0f1c"
            ])
            .prop_map(String::from),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The prefilter never changes an answer: it only rejects what the detectors reject.
        #[test]
        fn prefilter_is_conservative(s in text()) {
            prop_assert_eq!(contains_cn_id(&s), id_token(&s), "{}", s);
            prop_assert_eq!(contains_cn_mobile(&s), mobile_match(&s), "{}", s);
            prop_assert_eq!(redact_free_text_cow(&s), redact_unfiltered(&s), "{}", s);
        }
    }

    #[test]
    fn strategy_is_not_vacuous() {
        // The texts above hold IDs and mobiles often, and often are rejected by the prefilter.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut ids, mut mobiles, mut rejected) = (0, 0, 0);
        for _ in 0..1000 {
            let s = text().new_tree(&mut runner).map(|t| t.current()).unwrap_or_default();
            ids += id_token(&s) as u32;
            mobiles += mobile_match(&s) as u32;
            rejected += !may_contain_number(s.as_bytes()) as u32;
        }
        assert!(ids > 100 && mobiles > 100 && rejected > 100, "{ids} {mobiles} {rejected}");
    }
}
