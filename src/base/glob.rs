//! Header patterns: `*` stands for any run of characters (none included), `?` for one
//! character. A name without wildcards matches the header exactly, ASCII letters in either case
//! (`ID` matches `id`); a pattern with wildcards matches case by case, so `*ID` matches `会员ID`
//! but not `paid`. Used by `mask` declarations to name columns by meaning.

/// Whether `text` (trimmed) matches the glob `pattern`.
pub fn matches(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern.trim().eq_ignore_ascii_case(text.trim());
    }
    let p: Vec<char> = pattern.trim().chars().collect();
    let t: Vec<char> = text.trim().chars().collect();
    // Iterative wildcard matching with one backtrack point: linear in practice, never
    // exponential (each `*` only moves the restart point forward).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || t.get(ti) == Some(&c) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Whether `text` matches any of `patterns`.
pub fn matches_any<'a>(patterns: impl IntoIterator<Item = &'a str>, text: &str) -> bool {
    patterns.into_iter().any(|p| matches(p, text))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards_and_case() {
        assert!(matches("*ID", "会员ID"));
        assert!(!matches("*ID", "paid"));
        assert!(matches("*_id", "user_id"));
        assert!(matches("ID", "id"));
        assert!(!matches("*ID", "IDENTITY"));
        assert!(matches("*年龄*", "年龄段"));
        assert!(matches("*年龄*", "年龄"));
        assert!(matches("*年龄段", "客户年龄段"));
        assert!(!matches("*年龄段", "年龄"));
        assert!(matches("*地址*", "收货地址"));
        assert!(matches("?号", "编号"));
        assert!(!matches("?号", "号"));
        assert!(matches("**", ""));
        assert!(!matches("a*b*c", "abab"));
        assert!(matches("a*b*c", "aXbYbc"));
    }
}
