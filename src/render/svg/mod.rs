//! Inline SVG drawn by zhidu: SOP flowcharts, the org chart and the approval chart. No
//! JavaScript, no external renderer; text is measured with a simple CJK-aware width model so
//! boxes fit their labels in print.

mod approval;
mod flow;
mod tree;

pub use approval::{Tier, approval_chart};
pub use flow::{Columns, Layout, POSTER_WIDTH, Step, flowchart, flowchart_with};
pub use tree::{Node, org_chart};

use std::fmt::Write;

/// Font size of body text in charts, px.
const FONT: f64 = 13.0;
/// Font size of org chart labels, px (the chart is wide and is scaled down to the page).
const LARGE: f64 = 16.0;
/// Font size of secondary lines, px.
const SMALL: f64 = 11.0;

/// Width of a text in px at a font size: full-width characters 1 em, others about 0.55 em.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(|c| if is_wide(c) { 1.0 } else { 0.56 }).sum::<f64>() * size
}

/// A width no line of the text exceeds in print, in the CJK faces regular or bold: full-width
/// characters are exactly 1 em; Latin capitals (and m, w) are given 0.75 em, narrow marks
/// (`.`, `,`, space, i, l …) 0.35 em, other letters, digits and marks 0.6 em, each above what
/// the faces set.
fn safe_width(s: &str, size: f64) -> f64 {
    let em = |c: char| match c {
        c if is_wide(c) => 1.0,
        'A'..='Z' | 'm' | 'w' => 0.75,
        '.' | ',' | ':' | ';' | ' ' | '!' | '\'' | '|' | 'i' | 'l' => 0.35,
        _ => 0.6,
    };
    s.chars().map(em).sum::<f64>() * size
}

/// The width of a text in em, as [`safe_width`] measures it (no less than it prints at in the
/// CJK faces): what a template uses to tell how many lines a title takes.
pub fn ems(s: &str) -> f64 {
    safe_width(s, 1.0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// Breaks a text into lines no wider than `max` px (breaks anywhere: CJK has no spaces).
fn wrap(s: &str, size: f64, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), size);
        if w + cw > max && !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
            w = 0.0;
        }
        cur.push(c);
        w += cw;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Closing marks that never start a line (禁则: 、，。 and the closing brackets).
fn closes(c: char) -> bool {
    "、，。；：？！）」』》〉】〕…·,.;:?!)]}%".contains(c)
}

/// Opening marks that never end a line.
fn opens(c: char) -> bool {
    "（「『《〈【〔([{".contains(c)
}

/// Breaks a text into lines no wider than `max` px as a typesetter of Chinese would: between
/// any two CJK characters, but not inside a run of Latin letters and digits (`SOP`, `2026`),
/// never with a closing mark at the start of a line or an opening one at its end, and never
/// leaving one character alone on the last line. Only a run wider than a whole line is broken
/// inside, so no line is wider than `max`.
fn wrap_text(s: &str, size: f64, max: f64) -> Vec<String> {
    // Tokens: a run of ASCII letters and digits, or one other character.
    let mut tokens: Vec<String> = Vec::new();
    for c in s.chars() {
        match tokens.last_mut() {
            Some(t) if c.is_ascii_alphanumeric() && t.chars().all(|x| x.is_ascii_alphanumeric()) => t.push(c),
            _ => tokens.push(c.to_string()),
        }
    }
    // A token wider than a line is broken into characters.
    let tokens: Vec<String> = tokens
        .into_iter()
        .flat_map(|t| if safe_width(&t, size) > max { t.chars().map(String::from).collect() } else { vec![t] })
        .collect();
    let width = |line: &[String]| line.iter().map(|t| safe_width(t, size)).sum::<f64>();
    let first = |t: &str| t.chars().next().unwrap_or(' ');
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for t in tokens {
        if !cur.is_empty() && width(&cur) + safe_width(&t, size) > max {
            let mut next = Vec::new();
            // A closing mark takes the character before it to the new line; an opening mark at
            // the end of the line goes down with what it opens.
            if closes(first(&t)) && cur.len() > 1 {
                next.extend(cur.pop());
            }
            while cur.len() > 1 && cur.last().is_some_and(|x| opens(first(x))) {
                next.insert(0, cur.pop().unwrap_or_default());
            }
            // A word begun after a space (`1. 收` of `1. 收集素材`) goes down whole when only
            // a character or two of it would stay: the line breaks at the space.
            if next.is_empty()
                && let Some(sp) = cur.iter().rposition(|x| x == " ")
                && sp > 0
                && cur.len() - sp <= 3
            {
                next = cur.split_off(sp + 1);
                cur.pop();
            }
            lines.push(std::mem::replace(&mut cur, next));
        }
        cur.push(t);
    }
    lines.push(cur);
    // No single character alone on the last line: the line above gives it one more, when that
    // one is no closing mark and the two fit.
    let n = lines.len();
    if n >= 2 && lines[n - 1].len() == 1 && lines[n - 1][0].chars().count() == 1 && lines[n - 2].len() > 2 {
        let moved = lines[n - 2].last().cloned().unwrap_or_default();
        if !closes(first(&moved)) && width(&lines[n - 1]) + safe_width(&moved, size) <= max {
            lines[n - 2].pop();
            lines[n - 1].insert(0, moved);
        }
    }
    lines.into_iter().map(|l| l.concat()).collect()
}

/// Escapes text for SVG/XML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    o
}

/// An SVG document being drawn.
struct Canvas {
    body: String,
    /// Font sizes of the text classes: `zd-t`/`zd-b`, `zd-l`, `zd-s`.
    sizes: (f64, f64, f64),
    /// The unit of the `<svg>`'s width and height: `""` (px, scaled to the page) or `"pt"`
    /// (one drawing unit is one pt: Typst places it at that size, where px would be ¾ pt).
    unit: &'static str,
}

impl Canvas {
    fn new() -> Self {
        Canvas { body: String::new(), sizes: (FONT, LARGE, SMALL), unit: "" }
    }

    /// A canvas drawn in pt, at print size: body text (`zd-t`, `zd-b`) `font` pt and secondary
    /// text (`zd-s`) `small` pt.
    fn in_points(font: f64, small: f64) -> Self {
        Canvas { body: String::new(), sizes: (font, LARGE, small), unit: "pt" }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="4"/>"#
        );
    }

    fn text(&mut self, x: f64, y: f64, s: &str, class: &str, anchor: &str) {
        let _ = writeln!(
            self.body,
            r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
            esc(s)
        );
    }

    fn line(&mut self, pts: &[(f64, f64)], arrow: bool) {
        let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let marker = if arrow { r#" marker-end="url(#zd-arrow)""# } else { "" };
        let _ = writeln!(self.body, r#"<polyline class="zd-edge" points="{}"{marker}/>"#, d.join(" "));
    }

    /// The finished `<svg>` element, `w`×`h` px, scaled to the page width when wider.
    fn finish(self, w: f64, h: f64, label: &str) -> String {
        format!(
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="zd-chart" role="img" aria-label="{label}" "#,
                r#"viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}{unit}" height="{h:.0}{unit}" style="max-width:100%;height:auto">"#,
                "\n<defs><marker id=\"zd-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n",
                "<style>.zd-box{{fill:#fff;stroke:#333;stroke-width:1.2}}.zd-head{{fill:#eef2f7;stroke:#333;stroke-width:1.2}}",
                ".zd-edge{{fill:none;stroke:#333;stroke-width:1.2}}.zd-t{{font-size:{font}px;fill:#000}}",
                ".zd-b{{font-size:{font}px;font-weight:bold;fill:#000}}.zd-l{{font-size:{large}px;font-weight:bold;fill:#000}}.zd-s{{font-size:{small}px;fill:#333}}",
                "text{{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif}}</style>\n",
                "{body}</svg>"
            ),
            label = esc(label),
            w = w,
            h = h,
            font = self.sizes.0,
            large = self.sizes.1,
            small = self.sizes.2,
            unit = self.unit,
            body = self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_width() {
        let lines = wrap("市场调研报告与产品长期发展规划", FONT, 5.0 * FONT);
        assert_eq!(lines, ["市场调研报", "告与产品长", "期发展规划"]);
        assert!(text_width("abc", FONT) < text_width("中文字", FONT));
        assert_eq!(wrap("", FONT, 10.0), [""]);
    }

    #[test]
    fn text_wraps_as_chinese_is_set() {
        let max = 7.0 * FONT;
        // No closing mark at the start of a line: the character before it comes along.
        assert_eq!(wrap_text("财务部门审核、汇总", FONT, 6.0 * FONT), ["财务部门审", "核、汇总"]);
        // Latin words and numbers are not broken.
        assert_eq!(wrap_text("审核流程SOP", FONT, 5.0 * FONT), ["审核流程", "SOP"]);
        // No orphan character on the last line.
        assert_eq!(wrap_text("产品运营与维护作", FONT, max), ["产品运营与维", "护作"]);
        // An opening bracket goes down with what it opens.
        assert_eq!(wrap_text("预算编制（每年", FONT, 5.0 * FONT), ["预算编制", "（每年"]);
        // A number before a space stays on its line; what follows goes down whole.
        assert_eq!(wrap_text("1. a. 收集素材", FONT, 5.0 * FONT), ["1. a.", "收集素材"]);
        for s in
            ["市场调研报告与产品长期发展规划", "a-very-long-ASCII-identifier-without-breaks", "、、、、、、、、、、"]
        {
            for l in wrap_text(s, FONT, max) {
                assert!(safe_width(&l, FONT) <= max, "`{l}` is wider than the line");
            }
            assert_eq!(wrap_text(s, FONT, max).concat(), s, "wrapping loses nothing");
        }
        assert_eq!(wrap_text("", FONT, max), [""]);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
