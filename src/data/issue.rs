//! Problems found while reading org data (`DATA-…` codes): which check, about which record,
//! where, and what, in both languages. The findings layer makes them findings (title,
//! severity, fingerprint, the language shown), as it does every other finding.

use crate::base::lang::Text;
use crate::base::source::Location;

/// One problem found in the org data.
#[derive(Clone, Debug)]
pub struct Issue {
    /// The check's code (`DATA-TYPE`, …; its title and severity are in the findings catalog).
    pub code: &'static str,
    /// `kind:id` of the record, if the problem is about one.
    pub subject: Option<String>,
    /// What is wrong (never a field's value).
    pub message: Text,
    /// Where.
    pub location: Option<Location>,
    /// What tells it apart from other findings of the check (for the fingerprint), when not
    /// the message: a message that counts records would change with the count.
    pub key: Option<String>,
    /// A did-you-mean: the word or field name as written in the first record, and the declared
    /// one it most likely stands for (an editor offers the replacement).
    pub fix: Option<(String, String)>,
}

impl Issue {
    /// A problem of check `code`.
    pub fn new(code: &'static str, subject: Option<String>, message: Text, location: Option<Location>) -> Self {
        Issue { code, subject, message, location, key: None, fix: None }
    }

    /// The same, told apart from others of its check by `key` rather than by its message.
    pub fn keyed(mut self, key: String) -> Self {
        self.key = Some(key);
        self
    }

    /// The same, with a did-you-mean replacement of `written` by `meant`.
    pub fn fixed(mut self, fix: Option<(String, String)>) -> Self {
        self.fix = fix;
        self
    }
}
