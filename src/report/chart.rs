//! The summary chart of the HTML report: an inline SVG with one horizontal bar per chapter, its
//! segments the chapter's rules by status. No scripts, no fonts fetched; text is escaped.

use std::fmt::Write;

use super::model::{Counts, Status, Summary};
use crate::base::lang::Lang;

/// Fill colour of a status (distinct in print, readable in grey).
pub fn colour(s: Status) -> &'static str {
    match s {
        Status::Pass => "#2e7d32",
        Status::Fail => "#c62828",
        Status::Waived => "#ef8f00",
        Status::NotApplicable => "#90a4ae",
        Status::NotChecked => "#d5dde1",
        Status::Pending => "#6a1b9a",
    }
}

/// A status in one language.
pub fn label_in(s: Status, lang: Lang) -> &'static str {
    let both = label(s);
    let (zh, en) = both.split_once(' ').unwrap_or((both, both));
    if lang == Lang::En { en } else { zh }
}

/// Chinese label of a status, with its JSON name.
pub fn label(s: Status) -> &'static str {
    match s {
        Status::Pass => "通过 pass",
        Status::Fail => "不符合 fail",
        Status::Waived => "已豁免 waived",
        Status::NotApplicable => "不适用 n/a",
        Status::NotChecked => "未检查 not checked",
        Status::Pending => "未生效 pending",
    }
}

const LABEL_W: usize = 132;
const BAR_W: usize = 440;
const ROW_H: usize = 22;
const BAR_H: usize = 14;

/// The chart as an `<svg>` element; rows named by chapter title (`names`: rule chapter → title,
/// else the chapter code), labels in `lang`.
pub fn svg(summary: &Summary, names: &std::collections::BTreeMap<String, String>, lang: Lang) -> String {
    let total = if lang == Lang::En { "Total" } else { "合计" };
    let rows: Vec<(&str, &Counts)> = summary
        .chapters
        .iter()
        .map(|c| (names.get(&c.chapter).map_or(c.chapter.as_str(), String::as_str), &c.counts))
        .chain(std::iter::once((total, &summary.total)))
        .collect();
    let max = summary.chapters.iter().map(|c| c.counts.rules).max().unwrap_or(1).max(1);
    let width = LABEL_W + BAR_W + 96;
    let legend_y = rows.len() * ROW_H + 16;
    let height = legend_y + 3 * ROW_H;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-labelledby="chart-title"><title id="chart-title">{}</title><style>text{{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei",sans-serif}}</style>"#,
        if lang == Lang::En { "Rules by status and chapter" } else { "各章规则状态" }
    );
    for (i, (name, counts)) in rows.iter().enumerate() {
        let y = i * ROW_H;
        // The total row is scaled to the same width as the largest chapter.
        let scale =
            if i + 1 == rows.len() { BAR_W as f64 / counts.rules.max(1) as f64 } else { BAR_W as f64 / max as f64 };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="11">{}</text>"#,
            LABEL_W - 6,
            y + BAR_H - 2,
            escape(name)
        );
        let mut x = LABEL_W as f64;
        for status in Status::ALL {
            let n = counts.of(status);
            if n == 0 {
                continue;
            }
            let w = n as f64 * scale;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="{BAR_H}" fill="{}"><title>{} {}: {n}</title></rect>"#,
                colour(status),
                escape(name),
                label_in(status, lang)
            );
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" font-size="10">{}/{}</text>"#,
            x + 4.0,
            y + BAR_H - 3,
            counts.pass,
            counts.rules
        );
    }
    for (i, status) in Status::ALL.iter().enumerate() {
        let (col, row) = (i % 3, i / 3);
        let x = LABEL_W + col * 170;
        let y = legend_y + row * ROW_H;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{y}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="10">{}</text>"#,
            colour(*status),
            x + 16,
            y + 10,
            label_in(*status, lang)
        );
    }
    s.push_str("</svg>");
    s
}

/// Escapes text for SVG/XML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::ChapterCounts;

    #[test]
    fn one_bar_per_chapter_and_a_total() {
        let mut a = Counts::default();
        a.add(Status::Pass, false);
        a.add(Status::Fail, false);
        let mut total = a.clone();
        total.add(Status::NotApplicable, false);
        let mut b = Counts::default();
        b.add(Status::NotApplicable, false);
        let summary = Summary {
            total,
            chapters: vec![
                ChapterCounts { chapter: "A<&>".into(), counts: a },
                ChapterCounts { chapter: "B".into(), counts: b },
            ],
            findings: 1,
            waived_findings: 0,
            records: 3,
            not_evaluated: 0,
        };
        let names = std::collections::BTreeMap::from([("B".to_string(), "乙章".to_string())]);
        let svg = svg(&summary, &names, Lang::Zh);
        assert!(svg.contains(">乙章<"), "rows by chapter name");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("A&lt;&amp;&gt;") && !svg.contains("A<&>"));
        assert_eq!(svg.matches(r##"fill="#c62828""##).count(), 3, "fail segments of A and the total, and the legend");
        assert!(!svg.contains("<script"));
    }
}
