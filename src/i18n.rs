//! The language of zhidu's own messages (`--lang zh|en`), chosen once per process. Rule
//! messages are the policy's words; this covers data validation, waivers and the summary.

use std::sync::OnceLock;

static ENGLISH: OnceLock<bool> = OnceLock::new();

/// Switches zhidu's own messages to English for the rest of the process (first call wins).
pub fn use_english(yes: bool) {
    let _ = ENGLISH.set(yes);
}

/// Whether zhidu's own messages are in English.
pub fn english() -> bool {
    ENGLISH.get().copied().unwrap_or(false)
}

/// Picks the Chinese or English text.
pub fn tr(zh: String, en: String) -> String {
    if english() { en } else { zh }
}
