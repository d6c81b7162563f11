//! The one redaction step every text zhidu emits passes through on its way out (standard
//! output, standard error, and the files `check` and `report` write): ID-card numbers (check
//! digit, birth date and region valid), mainland mobile numbers and full mainland addresses
//! (`北京市朝阳区建国路88号`) become markers that say what was there, never the value. Any field of any record may hold one — a change's title, a
//! person's name, an id, a waiver's reason, a reference to a missing record — and so may a
//! source line a diagnostic quotes; catching them where text leaves the process catches them
//! in every format and every path that made the text.
//!
//! Numbers only count as tokens of their own (not inside a hex hash or a longer number), so
//! fingerprints and digests are never touched. Values that are personal by where they sit (a
//! field the schema marks `personal`, such as a person's name) are masked by [`mask_personal`]
//! where they enter a message or an explanation (`crate::eval::message`, `crate::eval::explain`).

use std::borrow::Cow;

use crate::base::detect::{may_contain_address, may_contain_number, redact_addresses, redact_free_text_cow};

/// `text` with every ID-card number, mobile number and full address replaced by its marker.
/// Costs one vectorised pass when there is nothing to replace (the common case), and searches
/// only the lines that may hold a number or an address.
pub fn redact(text: &str) -> Cow<'_, str> {
    let numbers = may_contain_number(text.as_bytes());
    if !numbers && !may_contain_address(text) {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut done = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(clean) = redact_line(line, numbers) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[done..at]);
            o.push_str(&clean);
            done = at + line.len();
        }
        at += line.len();
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[done..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(text),
    }
}

/// One line redacted, or `None` if nothing in it is replaced. Addresses go first: an ID-card
/// or mobile marker inside one would break it up.
fn redact_line(line: &str, numbers: bool) -> Option<String> {
    let (after, addresses) = redact_addresses(line);
    let (clean, ids, mobiles) = if numbers && may_contain_number(after.as_bytes()) {
        redact_free_text_cow(&after)
    } else {
        (Cow::Borrowed(after.as_ref()), 0, 0)
    };
    (addresses + ids + mobiles > 0).then(|| clean.into_owned())
}

/// The masked form of the value of a `personal` field (a name): its first character, then one
/// `*` for each further character of a Chinese name (`王芳` → `王*`, `张三丰` → `张**`), or a
/// single `*` for any other (`Li Lei` → `L*`), so the length of a Latin name is not told
/// either. A value of one character becomes `*`.
pub fn mask_personal(value: &str) -> String {
    let v = value.trim();
    let mut chars = v.chars();
    let Some(first) = chars.next() else { return String::new() };
    let rest = chars.count();
    if rest == 0 {
        return "*".into();
    }
    let cjk = v.chars().all(|c| matches!(c, '\u{3400}'..='\u{9fff}' | '\u{20000}'..='\u{3134f}' | '·' | '•'));
    let mut out = String::with_capacity(first.len_utf8() + rest);
    out.push(first);
    out.push_str(&"*".repeat(if cjk { rest } else { 1 }));
    out
}

/// A writer that redacts what goes through it as [`redact`] redacts a whole text, line by
/// line, so that an output of hundreds of megabytes can stream into its file: it holds back at
/// most the last incomplete line (and one block of whole lines), redacts whole lines only and
/// writes exactly the bytes `redact(whole output)` would. Call [`Redacting::finish`] at the end
/// for the last line.
pub struct Redacting<W: std::io::Write> {
    inner: W,
    buf: Vec<u8>,
    /// The first `searched` bytes of `buf` hold no line break.
    searched: usize,
}

/// Bytes gathered before whole lines are redacted and passed on.
const BLOCK: usize = 1 << 16;

impl<W: std::io::Write> Redacting<W> {
    /// Redacts into `inner`.
    pub fn new(inner: W) -> Self {
        Redacting { inner, buf: Vec::with_capacity(BLOCK * 2), searched: 0 }
    }

    /// Redacts and writes `bytes` (whole lines, or the last part of the output).
    fn pass(inner: &mut W, bytes: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(text) => inner.write_all(redact(text).as_bytes()),
            // Every writer of text writes UTF-8; bytes that are not text have no numbers to find.
            Err(_) => inner.write_all(bytes),
        }
    }

    /// Writes what is held back and flushes: the output is complete.
    pub fn finish(mut self) -> std::io::Result<W> {
        Self::pass(&mut self.inner, &self.buf)?;
        self.buf.clear();
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= BLOCK {
            // Only the bytes not searched yet: a line of any length costs one pass.
            match memchr::memrchr(b'\n', self.buf.get(self.searched..).unwrap_or_default()) {
                Some(at) => {
                    let end = self.searched + at;
                    Self::pass(&mut self.inner, self.buf.get(..=end).unwrap_or_default())?;
                    self.buf.drain(..=end);
                    self.searched = self.buf.len();
                }
                None => self.searched = self.buf.len(),
            }
        }
        Ok(bytes.len())
    }

    /// Flushes what has been passed on; an incomplete line stays held back until it ends.
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_values_keep_their_first_character() {
        assert_eq!(mask_personal("王芳"), "王*");
        assert_eq!(mask_personal("张三丰"), "张**");
        assert_eq!(mask_personal("Li Lei"), "L*");
        assert_eq!(mask_personal("Alexandra"), "A*");
        assert_eq!(mask_personal("王"), "*");
        assert_eq!(mask_personal(""), "");
        assert_eq!(mask_personal("  王芳 "), "王*");
    }

    #[test]
    fn numbers_are_replaced_by_markers_and_hashes_are_left_alone() {
        let text = "变更 客户11010519491231002X电话13812345678 不合规\n\
                    \"fingerprint\": \"0123456789012345678a9b\"\nline 2\n电话 +86 138-1234-5678";
        let out = redact(text);
        assert!(!out.contains("11010519491231002X"), "{out}");
        assert!(!out.contains("13812345678"), "{out}");
        assert!(!out.contains("138-1234-5678"), "{out}");
        assert!(out.contains("[身份证号已脱敏]") && out.contains("[手机号已脱敏]"), "{out}");
        assert!(out.contains("0123456789012345678a9b"), "a hash is not a number: {out}");
        assert!(out.contains("\nline 2\n"));
        // Nothing to replace: the text itself, not a copy.
        let plain = "nothing here 2026-06-30";
        assert!(matches!(redact(plain), Cow::Borrowed(_)));
        // An 18-digit number with a wrong check digit is not an ID-card number.
        assert!(redact("110105194912310021").contains("110105194912310021"));
    }

    #[test]
    fn addresses_are_replaced_on_the_lines_that_hold_them() {
        let text =
            "门店 S08（广州北京路店）缺少岗位\n客户 广东省深圳市南山区科技园路1号3栋 电话13812345678\n北京区域 第 3 号";
        let out = redact(text);
        assert_eq!(out, "门店 S08（广州北京路店）缺少岗位\n客户 [地址已脱敏] 电话[手机号已脱敏]\n北京区域 第 3 号");
        assert!(matches!(redact("北京区域 第 3 号\n区域经理"), Cow::Borrowed(_)));
    }

    /// Streamed through the writer in pieces of any size, a text comes out as `redact` makes it.
    #[test]
    fn the_writer_redacts_as_the_whole_text_is_redacted() {
        use std::io::Write;
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("{{\"n\": {i}, \"电话\": \"13812345678\", \"id\": \"11010519491231002X\"}}\n"));
            if i % 7 == 0 {
                text.push_str("no line end here, 1381234");
            }
        }
        text.push_str("last 13812345678");
        for piece in [1, 7, 4096, 100_000] {
            let mut w = Redacting::new(Vec::new());
            for chunk in text.as_bytes().chunks(piece) {
                w.write_all(chunk).expect("write");
            }
            let out = w.finish().expect("finish");
            assert_eq!(String::from_utf8(out).expect("utf-8"), redact(&text), "pieces of {piece}");
        }
    }
}
