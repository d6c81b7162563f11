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

/// Texts longer than this skip the counting pass (a block of output always has 11 digits).
const LONG: usize = 4096;

/// Whether `b` may hold an ID-card or mobile number (see the module doc); `false` means that
/// it surely holds none.
pub fn may_contain_number(b: &[u8]) -> bool {
    let n = b.len();
    if n < MIN_DIGITS {
        return false;
    }
    if n > LONG {
        // A block of output: it holds digits enough, and the group scan is the cheaper pass.
        return number_group(b);
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
///
/// Such a group is a run of at least 11 bytes that are digits, `X`/`x`, spaces or dashes, and it
/// lies within one *segment*: a maximal stretch of ASCII letters, digits, spaces and dashes (any
/// other byte ends a group and starts the scan afresh). So eight bytes at a time, with a few
/// integer operations ([`candidates`]), the scan looks for such runs, and only the segment
/// around one is searched byte by byte ([`segment_group`]). Text without long digit runs
/// (messages, hex fingerprints, dates) passes at a fraction of a byte-by-byte scan's cost.
fn number_group(b: &[u8]) -> bool {
    let n = b.len();
    let mut from = 0;
    while let Some(at) = candidates(b, from) {
        let hard = |x: &u8| !(x.is_ascii_alphanumeric() || *x == b' ' || *x == b'-');
        let start = b.get(..at).and_then(|head| head.iter().rposition(hard)).map_or(0, |p| p + 1);
        let end = b.get(at..).and_then(|tail| tail.iter().position(hard)).map_or(n, |p| at + p);
        if segment_group(b.get(start..end).unwrap_or_default()) {
            return true;
        }
        from = end;
    }
    false
}

/// Bytes that may be part of a number group, one flag per byte (its top bit): ASCII digits,
/// `X`, `x`, space and dash. Every operation stays within its byte (no carries: each byte is
/// below 0x80 after the mask, and each sum below 0x100).
#[inline]
fn group_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    const LOW: u64 = ONES * 0x7f;
    let y = w & LOW;
    // The top bit of each byte that is zero.
    let zero = |z: u64| !((z + LOW) | z) & HIGH;
    let digit = (y + (ONES * 0x50)) & !(y + (ONES * 0x46)) & HIGH;
    let x = zero((y | (ONES * 0x20)) ^ (ONES * 0x78));
    let space = zero(y ^ (ONES * 0x20));
    let dash = zero(y ^ (ONES * 0x2d));
    (digit | x | space | dash) & !w & HIGH
}

/// The position of a byte, at or after `from`, in a run of at least [`MIN_DIGITS`] bytes that
/// [`group_bytes`] flags, if there is one. Bytes before `from` are taken as not flagged.
fn candidates(b: &[u8], from: usize) -> Option<usize> {
    // Flagged bytes just before the word.
    let mut run = 0usize;
    let rest = b.get(from..).unwrap_or_default();
    let mut words = rest.chunks_exact(8);
    let mut i = from;
    for w in &mut words {
        let flags = group_bytes(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        if let Some(at) = step(&mut run, flags, i) {
            return Some(at);
        }
        i += 8;
    }
    let tail = words.remainder();
    let mut word = [0u8; 8];
    word.get_mut(..tail.len())?.copy_from_slice(tail);
    // Bytes past the end are zero: not flagged.
    step(&mut run, group_bytes(u64::from_le_bytes(word)), i)
}

/// One word of [`candidates`] at position `i`: `run` flagged bytes before it, `flags` its own.
#[inline]
fn step(run: &mut usize, flags: u64, i: usize) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if flags == 0 {
        // Most words of text: nothing to count.
        *run = 0;
    } else if flags == HIGH {
        *run += 8;
        if *run >= MIN_DIGITS {
            return Some(i + 7);
        }
    } else {
        let gaps = !flags & HIGH;
        // Flagged bytes at the start of the word continue the run; a run inside the word
        // (at most 6 bytes) is too short; those at its end start the next one.
        let lead = (gaps.trailing_zeros() / 8) as usize;
        if *run + lead >= MIN_DIGITS {
            return Some(i + lead - 1);
        }
        *run = (gaps.leading_zeros() / 8) as usize;
    }
    None
}

/// [`number_group`] by a scan of every byte: for a segment, and the reference the fast scan
/// is tested against.
fn segment_group(b: &[u8]) -> bool {
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..proptest::prelude::ProptestConfig::default() })]

        /// The word-at-a-time scan finds a group exactly when the byte-by-byte scan does, at
        /// every alignment: texts of digits, separators, check characters, letters, other ASCII
        /// and CJK bytes.
        #[test]
        fn the_fast_scan_is_the_byte_scan(s in "[0-9 \\-xXa:\"\n号]{0,80}", skip in 0usize..8) {
            let b = s.as_bytes();
            let b = b.get(skip.min(b.len())..).unwrap_or_default();
            proptest::prop_assert_eq!(number_group(b), segment_group(b), "{:?}", s);
        }
    }

    /// Long runs, in every position of the word, on both sides of a word boundary.
    #[test]
    fn runs_at_every_offset() {
        for pad in 0..17 {
            for (body, want) in [
                ("13812345678", true),
                ("1381234567", false),
                ("138-1234-5678", true),
                ("138 1234  5678", false),
                ("1234567890X", true),
                ("1a345678901234", false),
            ] {
                for (before, after) in [("", ""), ("\"", "\""), ("a ", " b"), ("号", "号")] {
                    let text = format!("{}{before}{body}{after}", "：".repeat(pad / 3) + &"-".repeat(pad % 3));
                    assert_eq!(number_group(text.as_bytes()), segment_group(text.as_bytes()), "{text}");
                    // In a block of output longer than `LONG`, as in a cell.
                    let block = format!("{}{text}\n", "、\"a\": 12,\n".repeat(LONG / 8));
                    assert_eq!(may_contain_number(block.as_bytes()), segment_group(text.as_bytes()), "{text}");
                    if before != "a " && pad % 3 == 0 {
                        assert_eq!(number_group(text.as_bytes()), want, "{text}");
                    }
                }
            }
        }
    }
}
