//! A cheap byte-level test that rules out ID-card and mobile numbers in most text before the
//! detectors run. It is conservative: whatever it rejects, the detectors would reject too (a
//! property test in `free_text` checks that the detectors give the same answers with and
//! without it).
//!
//! Why it is conservative: a mobile number is 11 ASCII digits, joined at most by single spaces
//! or dashes (`+86 138-1234-5678`); an ID-card number is a token of 15 digits, or 17 digits and
//! a check character. Either way the text holds at least 11 ASCII digits, in one group of digits
//! joined by at most single spaces or dashes.

/// Fewest digits in an ID-card or mobile number.
const MIN_DIGITS: usize = 11;

/// Whether `b` may hold an ID-card or mobile number: at least 11 ASCII digits in all, and a
/// group of at least 11 digits joined by at most single spaces or dashes. `false` means that
/// it surely holds none.
pub fn may_contain_number(b: &[u8]) -> bool {
    // Counting digits is a tight loop the compiler vectorises; most cells stop here.
    b.len() >= MIN_DIGITS
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= MIN_DIGITS
        && has_digit_group(b, MIN_DIGITS)
}

/// Whether `b` has a group of at least `n` digits (an `X`/`x` after a digit counts as one)
/// joined by at most single spaces or dashes.
fn has_digit_group(b: &[u8], n: usize) -> bool {
    let mut cur = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() || ((c == b'X' || c == b'x') && cur > 0) {
            cur += 1;
            if cur >= n {
                return true;
            }
        } else if (c == b' ' || c == b'-') && cur > 0 && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            // A single separator inside a number keeps the group going.
        } else {
            cur = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_span_single_separators() {
        assert!(may_contain_number(b"13812345678"));
        assert!(may_contain_number("电话 +86 138-1234-5678。".as_bytes()));
        assert!(may_contain_number(b"138 1234 5678"));
        assert!(may_contain_number(b"110105491231002"));
        assert!(!may_contain_number(b"138  1234 5678"), "two spaces break the group");
        assert!(!may_contain_number(b"2026-01-01T10:00:00+08:00"), "a timestamp is no number");
        assert!(!may_contain_number("订单备注 12".as_bytes()));
        assert!(!may_contain_number(b"1234567890"));
        assert!(!may_contain_number(b""));
    }
}
