//! Layer 0: the building blocks every other layer uses — values, the record store, source
//! files and locations, diagnostics, the output language, detectors of personal data, CSV
//! reading, timings, a cancellation flag for long runs and the escaping of control characters
//! in text bound for a terminal.
//! Nothing here knows a policy, a rule or a finding.
pub mod cancel;
pub mod csvio;
pub mod detect;
pub mod diag;
pub mod exports;
pub mod files;
pub mod glob;
pub mod lang;
pub mod redact;
pub mod source;
pub mod store;
pub mod timings;
pub mod value;
pub mod visible;

/// Lower-case hexadecimal of bytes (digests and fingerprints).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}
