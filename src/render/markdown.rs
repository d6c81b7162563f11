//! Narrative text of the pack (Markdown) to HTML. Raw HTML in the text is escaped, never passed
//! through: policy text is data, not markup.

use pulldown_cmark::{Event, Options, Parser, html};

/// Renders Markdown to an HTML fragment.
pub fn to_html(text: &str) -> String {
    let text = &join_cjk_lines(text);
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        e => e,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// Joins a line break between two CJK characters: Chinese has no spaces between words, so a
/// break in the source must not become a space in print.
fn join_cjk_lines(text: &str) -> String {
    let wide = |c: char| matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFF60);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        if c == '\n' && wide(prev) && chars.peek().is_some_and(|n| wide(*n)) {
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Renders Markdown inline (no wrapping `<p>` for a single paragraph).
pub fn to_html_inline(text: &str) -> String {
    let html = to_html(text);
    let t = html.trim_end();
    match t.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let h = to_html("**粗体** <script>alert(1)</script>");
        assert!(h.contains("<strong>粗体</strong>"));
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"));
    }

    #[test]
    fn cjk_line_breaks_join() {
        assert_eq!(to_html_inline("规章，\n明确"), "规章，明确");
        assert_eq!(to_html_inline("a\nb"), "a\nb");
        assert!(to_html("甲\n- 乙").contains("<li>乙</li>"));
    }

    #[test]
    fn inline_drops_the_paragraph() {
        assert_eq!(to_html_inline("a *b*"), "a <em>b</em>");
        assert!(to_html_inline("a\n\nb").contains("<p>b</p>"));
    }
}
