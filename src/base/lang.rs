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

/// A whole number in Chinese numerals, as chapters and articles are numbered (`第十二条`):
/// `1` → `一`, `10` → `十`, `21` → `二十一`, `105` → `一百零五`, `1000` → `一千`. Numbers of
/// ten thousand or more, and 0, are written in Arabic digits.
pub fn zh_numeral(n: u64) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 || n >= 10_000 {
        return n.to_string();
    }
    let digits: Vec<usize> = n.to_string().bytes().map(|b| usize::from(b - b'0')).collect();
    let len = digits.len();
    let mut out = String::new();
    let mut zero = false;
    for (i, d) in digits.iter().enumerate() {
        let unit = len - 1 - i;
        if *d == 0 {
            zero = true;
            continue;
        }
        if zero {
            out.push_str(DIGITS[0]);
            zero = false;
        }
        // 十, not 一十, when ten is the leading place (十二, but 一百一十).
        if !(*d == 1 && unit == 1 && i == 0) {
            out.push_str(DIGITS[*d]);
        }
        out.push_str(UNITS[unit]);
    }
    out
}

#[cfg(test)]
mod numeral_tests {
    use super::zh_numeral;

    #[test]
    fn numbers_read_as_chapters_and_articles_are_numbered() {
        let got: Vec<String> =
            [1, 9, 10, 12, 20, 21, 100, 105, 110, 243, 1000, 1010, 0, 10_000].into_iter().map(zh_numeral).collect();
        assert_eq!(
            got,
            [
                "一",
                "九",
                "十",
                "十二",
                "二十",
                "二十一",
                "一百",
                "一百零五",
                "一百一十",
                "二百四十三",
                "一千",
                "一千零一十",
                "0",
                "10000"
            ]
        );
    }
}
