//! The language of zhidu's own words (`--lang zh|en`): a value handed to whatever writes text,
//! never a process-wide setting. Rule messages are the pack's words (`message`, `message_en`).

/// A language zhidu writes its own words in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, clap::ValueEnum)]
pub enum Lang {
    /// 中文.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The Chinese or the English of two things.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A text of zhidu's own in both languages. The language is chosen where the text is shown,
/// so that nothing that identifies a finding (its fingerprint) depends on it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its Chinese and its English.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }

    /// The text in a language.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_shown_in_the_language_asked() {
        let t = Text::new("编号重复", "duplicate id");
        assert_eq!(t.get(Lang::Zh), "编号重复");
        assert_eq!(t.get(Lang::En), "duplicate id");
        assert_eq!(Lang::En.pick(1, 2), 2);
    }
}
