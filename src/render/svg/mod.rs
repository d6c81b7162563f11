//! Inline SVG drawn by zhidu: SOP flowcharts, the org chart and the approval chart. No
//! JavaScript, no external renderer; text is measured with a simple CJK-aware width model so
//! boxes fit their labels in print.

mod approval;
mod flow;
mod tree;

pub use approval::{Tier, approval_chart};
pub use flow::{Step, flowchart};
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
}

impl Canvas {
    fn new() -> Self {
        Canvas { body: String::new() }
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
                r#"viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" style="max-width:100%;height:auto">"#,
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
            font = FONT,
            large = LARGE,
            small = SMALL,
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
    fn escapes_markup() {
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
