//! Stable fingerprints of findings: `sha256(rule, subject, content of the subject record,
//! discriminator)`. The record content is taken from parsed values in schema order, so reordering
//! records, moving them between files or reformatting a file does not change a fingerprint;
//! changing the record does. See `docs/baseline.md`.

use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::base::store::Rec;
use crate::base::value::Value;
use crate::data::{OrgData, kind_for};
use crate::policy::Policy;

/// What tells apart findings of one rule about one subject.
#[derive(Clone, Copy, Debug)]
pub enum Discriminator<'a> {
    /// The check of the rule that failed (several checks of a rule may fail for one record).
    Check(usize),
    /// A text that does not depend on the language shown: what a data or waiver check found
    /// (in Chinese), or the message of a check without a subject.
    Text(&'a str),
}

/// A finding's fingerprint: 32 lower-case hex digits, held inline (a finding of hundreds of
/// thousands does not allocate a string for it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// From the first 16 bytes of a digest (`0` digits for missing bytes).
    pub fn from_digest(bytes: &[u8]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'0'; 32];
        for (pair, b) in out.chunks_exact_mut(2).zip(bytes.iter().take(16)) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        Fingerprint(out)
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        // Always ASCII hex digits: made only by `from_digest`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl std::ops::Deref for Fingerprint {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The fingerprint of a finding of `rule` about `subject` (32 hex digits).
pub fn of(policy: &Policy, org: &OrgData, rule: &str, subject: Option<&str>, d: Discriminator) -> Fingerprint {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update([0]);
    if let Some(subject) = subject {
        h.update(subject.as_bytes());
        h.update([0]);
        if let Some(rec) = record(policy, org, subject) {
            // Fed to the hash as it is written: the same bytes as `content`, no string built.
            write_content(rec, &mut Hashed(&mut h));
        }
        h.update([0]);
    }
    match d {
        Discriminator::Check(c) => h.update(c.to_le_bytes()),
        Discriminator::Text(t) => h.update(t.as_bytes()),
    }
    Fingerprint::from_digest(&h.finalize())
}

/// The record a `kind:id` subject names (org records, or `policy.kind` declarations).
fn record<'a>(policy: &'a Policy, org: &'a OrgData, subject: &str) -> Option<Rec<'a>> {
    let (kind, id) = subject.split_once(':')?;
    if let Some(decl) = kind.strip_prefix("policy.") {
        let k = policy.schema.decl_kind(decl)?;
        return policy.decls.get(policy.decls.by_id(k, id)?);
    }
    let k = kind_for(&policy.schema, kind)?;
    org.store.get(org.store.by_id(k, id)?)
}

/// A canonical text of a record's values (schema order, then extra fields by name).
pub fn content(rec: Rec) -> String {
    let mut s = String::new();
    write_content(rec, &mut s);
    s
}

/// A hash as a text sink: what is written is hashed, byte for byte.
struct Hashed<'a>(&'a mut Sha256);

impl Write for Hashed<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Writes [`content`] into `out`.
fn write_content(rec: Rec, out: &mut impl Write) {
    for v in rec.fields.iter() {
        canonical(v, out);
        let _ = out.write_char('\u{1f}');
    }
    if rec.extra.is_empty() {
        return;
    }
    let mut extra: Vec<&(crate::base::value::Str, Value)> = rec.extra.iter().collect();
    extra.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in extra {
        let _ = out.write_str(k);
        let _ = out.write_char('=');
        canonical(v, out);
        let _ = out.write_char('\u{1f}');
    }
}

/// `s` as Rust's `{:?}` writes it — the form fingerprints were first made with — without its
/// per-character escape tables for the common text: printable ASCII other than `"` and `\`,
/// and the CJK ideographs, are written as they are by `{:?}` too.
fn quoted(s: &str, out: &mut impl Write) {
    let plain =
        |c: char| (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' || ('\u{4e00}'..='\u{9fff}').contains(&c);
    if s.chars().all(plain) {
        let _ = out.write_char('"');
        let _ = out.write_str(s);
        let _ = out.write_char('"');
    } else {
        let _ = write!(out, "{s:?}");
    }
}

fn canonical(v: &Value, out: &mut impl Write) {
    match v {
        Value::List(l) => {
            let _ = out.write_char('[');
            for x in l.iter() {
                canonical(x, out);
                let _ = out.write_char(',');
            }
            let _ = out.write_char(']');
        }
        Value::Object(o) => {
            let mut fields: Vec<_> = o.fields().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            let _ = out.write_char('{');
            for (k, x) in fields {
                let _ = write!(out, "{k}:");
                canonical(x, out);
                let _ = out.write_char(',');
            }
            let _ = out.write_char('}');
        }
        Value::Str(s) => quoted(s, out),
        // The Chinese form, as fingerprints were first made: changing it changes every
        // fingerprint of a record holding such a value.
        other => {
            let _ = write!(out, "{}:{}", other.type_name(), other.shown(crate::base::lang::Lang::Zh));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick form of a string is `{:?}` exactly, whatever the string holds.
    #[test]
    fn quoted_is_debug() {
        for s in [
            "",
            "plain ASCII 123",
            "王芳",
            "运营专员·高级",
            "a\"b",
            "back\\slash",
            "tab\there",
            "新\n行",
            "\u{1b}[2J",
            "\u{301}combining",
            "全角　空格",
            "emoji 😀",
            "\u{9fff}\u{4e00}\u{3400}",
            "\u{202e}bidi",
            "~`!@#$%^&*()_+{}|:<>?",
        ] {
            let mut got = String::new();
            quoted(s, &mut got);
            assert_eq!(got, format!("{s:?}"), "{s}");
        }
    }
}
