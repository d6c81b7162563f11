//! Narrative text of the pack (Markdown) to Typst markup, for the PDF. As for HTML
//! ([`super::markdown`]), pack text is data: every text run is escaped ([`escape`]), links keep
//! their text only (paper has no links to follow), images their alt text, raw HTML is printed
//! as text; only the Markdown structure (paragraphs, emphasis, lists, code, quotes, tables)
//! becomes markup.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::typeset::{escape, string};

/// Renders Markdown to Typst markup; `inline` drops the break after the last paragraph.
pub fn to_typst(text: &str, inline: bool) -> String {
    let text = super::markdown::join_cjk_lines(&crate::base::visible::text(text));
    let mut out = String::with_capacity(text.len() * 5 / 4);
    // Open lists: whether each is numbered.
    let mut lists: Vec<bool> = Vec::new();
    // The text of an open code block.
    let mut code: Option<String> = None;
    for e in Parser::new_ext(&text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        if let Some(c) = code.as_mut() {
            match e {
                Event::Text(s) => c.push_str(&s),
                Event::End(TagEnd::CodeBlock) => {
                    out.push_str(&format!("#raw(block: true, {})\n\n", string(c.trim_end())));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match e {
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => out.push_str(if lists.is_empty() { "\n\n" } else { " " }),
            Event::Text(s) | Event::Html(s) | Event::InlineHtml(s) => out.push_str(&escape(&s).replace('\n', " ")),
            Event::Code(s) => out.push_str(&format!("#raw({})", string(&s))),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str("\\\n"),
            Event::Start(Tag::Strong) => out.push_str("#strong["),
            Event::Start(Tag::Emphasis) => out.push_str("#emph["),
            Event::Start(Tag::Strikethrough) => out.push_str("#strike["),
            Event::Start(Tag::Heading { .. }) => out.push_str("#block(sticky: true)[#strong["),
            Event::End(TagEnd::Heading(_)) => out.push_str("]]\n\n"),
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough) => out.push(']'),
            Event::Start(Tag::BlockQuote(_)) => out.push_str("#quote(block: true)["),
            Event::End(TagEnd::BlockQuote(_)) => out.push_str("]\n\n"),
            Event::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
            Event::Start(Tag::List(first)) => {
                lists.push(first.is_some());
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                let indent = "  ".repeat(lists.len().saturating_sub(1));
                let marker = if lists.last().copied().unwrap_or(false) { "+ " } else { "- " };
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&indent);
                out.push_str(marker);
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::Start(Tag::Table(cols)) => out.push_str(&format!("#table(columns: {}, ", cols.len().max(1))),
            Event::End(TagEnd::Table) => out.push_str(")\n\n"),
            Event::Start(Tag::TableCell) => out.push('['),
            Event::End(TagEnd::TableCell) => out.push_str("], "),
            Event::Rule => out.push_str("#line(length: 100%)\n\n"),
            // Links and images: their text only; everything else adds no markup.
            _ => {}
        }
    }
    if inline {
        let t = out.trim_end().len();
        out.truncate(t);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_markup_and_text_stays_text() {
        assert_eq!(to_typst("**粗** *斜* `c`", true), "#strong[粗] #emph[斜] #raw(\"c\")");
        assert_eq!(to_typst("#set page(x) = 标题\n\n[a](javascript:x)", true), "\\#set page(x) \\= 标题\n\na");
        assert_eq!(to_typst("- 甲\n- 乙", true), "- 甲\n- 乙");
        assert_eq!(to_typst("1. 甲\n2. 乙", true), "+ 甲\n+ 乙");
        assert_eq!(to_typst("规章，\n明确", true), "规章，明确");
        assert_eq!(to_typst("```\n#x\n```", true), "#raw(block: true, \"#x\")");
        assert_eq!(to_typst("<b>x</b>", true), "\\<b\\>x\\<\\/b\\>");
    }
}
