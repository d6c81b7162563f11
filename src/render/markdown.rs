//! Narrative text of the pack (Markdown) to HTML. Policy text is data, not markup: raw HTML in
//! the text is escaped, never passed through; a link stays a link only to an `#anchor`, a
//! relative path or an `http(s)` URL (any other scheme — `javascript:`, `data:`, `file:`,
//! `mailto:` … — leaves its text only); an image is printed as its alt text, so the handbook
//! fetches nothing and runs nothing, whatever the pack says.

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// Renders Markdown to an HTML fragment.
pub fn to_html(text: &str) -> String {
    // Control characters pass pulldown-cmark untouched: make them visible first (the layout,
    // line breaks and tabs, stays), as every value the templates print.
    let text = &join_cjk_lines(&crate::base::visible::text(text));
    // One entry per open link: whether its `<a>` is written (a link dropped for its target
    // leaves its text, so its end must be dropped too).
    let mut links: Vec<bool> = Vec::new();
    let parser =
        Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).filter_map(|e| match e {
            Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => match href(link_type, &dest_url) {
                Some(dest_url) => {
                    links.push(true);
                    Some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
                }
                None => {
                    links.push(false);
                    None
                }
            },
            Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
            // The alt text between these two is written as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            e => Some(e),
        });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// The target a link keeps in the handbook, or `None` when it is printed as its text only: an
/// `#anchor`, a relative path or an `http(s)` URL (scheme in lower case, so print.css can add
/// the address after it) stays; every other scheme goes, and so does a protocol-relative
/// `//host` (a fetch from the network by another name) and a target with control characters
/// or spaces around it (browsers drop those before reading the scheme: `java\tscript:`).
/// An autolink (`<https://…>`) is its own text already: it is printed as that text, so the
/// address is not printed twice on paper.
fn href(link_type: LinkType, dest: &str) -> Option<CowStr<'static>> {
    if matches!(link_type, LinkType::Autolink | LinkType::Email) {
        return None;
    }
    if dest.chars().any(|c| c.is_control() || c == '\\') || dest.trim() != dest || dest.starts_with("//") {
        return None;
    }
    // A colon before the first `/`, `?` or `#` ends a scheme (`javascript:`, `HTTPS:`).
    let end = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    let Some(colon) = dest[..end].find(':') else {
        return Some(CowStr::from(dest.to_string()));
    };
    let scheme = dest[..colon].to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https").then(|| CowStr::from(format!("{scheme}{}", &dest[colon..])))
}

/// Joins a line break between two CJK characters: Chinese has no spaces between words, so a
/// break in the source must not become a space in print.
pub(crate) fn join_cjk_lines(text: &str) -> String {
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
    fn raw_html_blocks_and_comments_are_escaped() {
        let h = to_html(
            "<div onclick=\"x()\">\n<img src=x onerror=alert(1)>\n</div>\n\n<!-- c -->\n\n段落 <a href=\"javascript:x\">y</a>",
        );
        assert!(!h.contains("<div") && !h.contains("<img") && !h.contains("<a ") && !h.contains("<!--"), "{h}");
        assert!(h.contains("&lt;div onclick=\"x()\"&gt;") && h.contains("&lt;!-- c --&gt;"), "{h}");
    }

    #[test]
    fn links_keep_only_anchors_relative_paths_and_http() {
        let h = to_html_inline(
            "[a](#rule-APV-1) [b](docs/a.md) [c](../up.md?x=1#y) [d](/abs) [e](https://example.com/x) [f](HTTP://Example.com)",
        );
        assert_eq!(
            h,
            "<a href=\"#rule-APV-1\">a</a> <a href=\"docs/a.md\">b</a> <a href=\"../up.md?x=1#y\">c</a> \
             <a href=\"/abs\">d</a> <a href=\"https://example.com/x\">e</a> <a href=\"http://Example.com\">f</a>"
        );
        for hostile in [
            "[t](javascript:alert(1))",
            "[t](JaVaScRiPt:alert(1))",
            "[t](<java\tscript:alert(1)>)",
            "[t](<java\nscript:alert(1)>)",
            "[t](< javascript:alert(1)>)",
            "[t](&#106;avascript:alert(1))",
            "[t](data:text/html,x)",
            "[t](vbscript:x)",
            "[t](file:///etc/passwd)",
            "[t](mailto:a@b.example)",
            "[t](//evil.example/x)",
            "[t](\\\\evil.example/x)",
            "[t](/\\evil.example/x)",
            "[t][r]\n\n[r]: javascript:alert(1)",
            "[t](javascript:alert(1) \"title\")",
        ] {
            let h = to_html_inline(hostile);
            assert!(!h.contains("<a") && !h.contains("href"), "{hostile}: {h}");
            assert!(
                h == "t" || h.starts_with("[t]"),
                "the text stays (a target with a line break is no link at all): {h}"
            );
        }
        // A dropped link keeps everything inside it, markup included.
        assert_eq!(to_html_inline("[**粗** `c`](javascript:x) 后"), "<strong>粗</strong> <code>c</code> 后");
        // Autolinks and e-mail autolinks are their own text.
        assert_eq!(to_html_inline("<https://a.example/x> <a@b.example>"), "https://a.example/x a@b.example");
    }

    #[test]
    fn images_are_their_alt_text() {
        assert_eq!(to_html_inline("![示意 *图*](https://evil.example/t.png \"t\")"), "示意 <em>图</em>");
        assert_eq!(to_html_inline("![本地](img/a.png) ![](data:image/png;base64,AAAA)"), "本地 ");
        // An image inside a link: the link stays (if allowed), the image is its alt text.
        assert_eq!(to_html_inline("[![logo](x.png)](#top)"), "<a href=\"#top\">logo</a>");
        assert!(!to_html("![a](https://evil.example/t.png)").contains("<img"));
    }

    #[test]
    fn control_characters_are_shown_not_passed_through() {
        assert_eq!(to_html_inline("甲\x1b[2J乙\x07"), "甲\\u{1b}[2J乙\\u{7}");
        assert!(to_html("```\n\tcode\n```").contains("\tcode"), "tabs are layout");
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
