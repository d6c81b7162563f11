//! Which rules of a pack a run is about (`--rule`, `--skip`).

/// A selection of rules by ID or chapter.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these rule IDs or chapters (empty: all).
    pub only: Vec<String>,
    /// Skip these rule IDs or chapters.
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether a rule ID is selected (IDs compare case-insensitively; `APV` selects a chapter).
    pub fn selects(&self, id: &str) -> bool {
        let m = |pat: &String| {
            pat.eq_ignore_ascii_case(id) || id.split('-').next().is_some_and(|c| c.eq_ignore_ascii_case(pat))
        };
        (self.only.is_empty() || self.only.iter().any(m)) && !self.skip.iter().any(m)
    }
}
