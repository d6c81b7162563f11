//! A cheap byte-level test that rules out ID-card and mobile numbers in most text before the
//! detectors run. It is conservative: whatever it rejects, the detectors would reject too (a
//! property test in `free_text` checks that the detectors give the same answers with and
//! without it).
//!
//! Why it is conservative. The detectors only accept a number that stands as a token: what
//! precedes and follows it is not an ASCII letter or digit. Cut the text into maximal runs of
//! ASCII letters and digits ("words"): an ID-card number is a word of 15 digits, or 17 digits
//! and a check character `X`; a mobile number (`+86 138-1234-5678`) is 11 digits in words made
//! of digits only, joined by single spaces or dashes. Either way the text holds a group of
//! all-digit words (a final `X` allowed), joined by single spaces or dashes, with at least 11
//! digits in all. A hex hash, a timestamp or an order code has no such group.

/// Fewest digits in an ID-card or mobile number.
const MIN_DIGITS: usize = 11;

/// Whether `b` may hold an ID-card or mobile number (see the module doc); `false` means that
/// it surely holds none.
pub fn may_contain_number(b: &[u8]) -> bool {
    let n = b.len();
    if n < MIN_DIGITS {
        return false;
    }
    // Counting is a tight loop the compiler vectorises; most cells stop here.
    let (digits, alnum) = counts(b);
    if digits < MIN_DIGITS {
        false
    } else if alnum == n {
        // One word (a hex hash, a long number): all digits, or digits and a final `X`.
        digits == n || (digits == n - 1 && matches!(b[n - 1], b'X' | b'x'))
    } else {
        number_group(b)
    }
}

/// The numbers of ASCII digits and of ASCII letters or digits, 16 bytes at a time (a loop the
/// compiler turns into a few vector instructions), then the tail byte by byte.
fn counts(b: &[u8]) -> (usize, usize) {
    let digit = |x: u8| x.is_ascii_digit() as u8;
    let alnum = |x: u8| x.is_ascii_alphanumeric() as u8;
    let mut blocks = b.chunks_exact(16);
    let (mut d, mut a) = (0, 0);
    for c in &mut blocks {
        let (mut cd, mut ca) = (0u8, 0u8);
        for &x in c {
            cd += digit(x);
            ca += alnum(x);
        }
        d += cd as usize;
        a += ca as usize;
    }
    for &x in blocks.remainder() {
        d += digit(x) as usize;
        a += alnum(x) as usize;
    }
    (d, a)
}

/// Whether `b` has a group of all-digit words (a final `X`/`x` allowed) joined by single
/// spaces or dashes, with at least 11 digits in all.
fn number_group(b: &[u8]) -> bool {
    let n = b.len();
    let mut group = 0;
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_alphanumeric() {
            group = 0;
            i += 1;
            continue;
        }
        // A word: its leading digits, an optional check character, and whatever follows.
        let start = i;
        while i < n && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        if digits > 0 && i < n && (b[i] == b'X' || b[i] == b'x') {
            i += 1;
        }
        let numeric = digits > 0 && !(i < n && b[i].is_ascii_alphanumeric());
        while i < n && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if !numeric {
            group = 0;
            continue;
        }
        group += i - start;
        if group >= MIN_DIGITS {
            return true;
        }
        // A single space or dash before the next word keeps the group going.
        if i + 1 < n && (b[i] == b' ' || b[i] == b'-') && b[i + 1].is_ascii_alphanumeric() {
            i += 1;
        } else {
            group = 0;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_digit_words() {
        assert!(may_contain_number(b"13812345678"));
        assert!(may_contain_number("电话 +86 138-1234-5678。".as_bytes()));
        assert!(may_contain_number(b"138 1234 5678"));
        assert!(may_contain_number(b"110105491231002"));
        assert!(!may_contain_number(b"138  1234 5678"), "two spaces break the group");
        assert!(!may_contain_number(b"2026-01-01T10:00:00+08:00"), "a timestamp is no number");
        assert!(!may_contain_number("订单备注 12".as_bytes()));
        assert!(!may_contain_number(b"1234567890"));
        assert!(!may_contain_number(b""));
        assert!(may_contain_number(b"11010519491231002X"));
        assert!(may_contain_number(b"ID:11010519491231002x."));
        assert!(!may_contain_number(b"e71c0f1c6009aa3a483b3c86f5ffa73e195a996cade8a58c77921b6fd5c75b25"), "hex hash");
        assert!(!may_contain_number(b"a13812345678"), "glued to a letter");
        assert!(!may_contain_number(b"13812345678b"), "glued to a letter");
        assert!(may_contain_number(b"a 13812345678"));
    }
}
