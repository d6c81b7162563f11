//! SOP flowcharts: numbered steps left to right in rows, joined by arrows (a row ends with an
//! arrow down to the start of the next), so a sheet keeps room for its step table. Each box
//! names the step, its owner and its deadline.
//!
//! Two layouts. [`Layout::PAGE`] (the handbook, HTML) draws rows of four at 13 px and is
//! scaled to the page. [`Layout::POSTER`] (the SOP sheets posted on a wall) is drawn at its
//! print size, in pt, with the sheet's body size (14pt and more): boxes are as
//! wide as the page allows for the most columns that keep every title short (one line for
//! four to a row, two or three for three or two), one column (top to bottom) when not even two
//! columns do; text is wrapped inside its box as Chinese is set.

use super::{Canvas, FONT, SMALL, wrap, wrap_text};

/// One step of a flowchart.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// Step title.
    pub title: String,
    /// Who does it.
    pub owner: Option<String>,
    /// Deadline (`4小时`).
    pub within: Option<String>,
    /// Required outputs.
    pub outputs: Vec<String>,
}

/// How a flowchart is laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Width of the drawing, px.
    pub width: f64,
    /// How many boxes a row holds.
    pub columns: Columns,
    /// Font size of the step title (bold), px.
    pub font: f64,
    /// Font size of the owner and deadline lines, px.
    pub small: f64,
    /// Space between a box's edge and its text, px.
    pub pad: f64,
    /// Gap between the boxes of a row (the arrow), px.
    pub gap: f64,
    /// Gap between rows, px.
    pub row_gap: f64,
    /// Wrap as Chinese is set (no closing mark at a line start, Latin words whole).
    pub kinsoku: bool,
    /// Drawn in pt, at print size (the `<svg>` states its size in pt); else in px, scaled to
    /// the page.
    pub points: bool,
}

/// How many boxes a row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// Always this many (a box's width does not depend on the steps).
    Fixed(usize),
    /// The first of these (columns, most lines of any title) that the steps fit, boxes as
    /// wide as the row allows; else one column, top to bottom.
    Fit(&'static [(usize, usize)]),
}

/// Width of an SOP sheet's text block in pt: A4 (210 mm) less the sheet's 22 mm side margins
/// (templates/sop.typ.j2), 166 mm = 470.55pt, rounded down so the figure is never scaled.
pub const POSTER_WIDTH: f64 = 470.0;

impl Layout {
    /// The handbook's and the HTML sheets' chart: rows of four, scaled to the page width.
    pub const PAGE: Layout = Layout {
        width: 680.0,
        columns: Columns::Fixed(4),
        font: FONT,
        small: SMALL,
        pad: 7.0,
        gap: (680.0 - 8.0 - 4.0 * 146.0) / 3.0,
        row_gap: 30.0,
        kinsoku: false,
        points: false,
    };

    /// The SOP sheet's chart, drawn in pt and placed at its natural size (`width: auto` in the
    /// template), so the sizes here are the printed sizes: titles 15pt bold, the rest 14pt.
    pub const POSTER: Layout = Layout {
        width: POSTER_WIDTH,
        // Four to a row only when every title takes one line (a box is then five characters
        // wide); three or two when each takes two, then three; else one column.
        columns: Columns::Fit(&[(4, 1), (3, 2), (2, 2), (3, 3), (2, 3)]),
        font: 15.0,
        small: 14.0,
        pad: 8.0,
        gap: 26.0,
        row_gap: 24.0,
        kinsoku: true,
        points: true,
    };

    /// Width of one box when a row holds `cols` boxes.
    fn box_width(&self, cols: usize) -> f64 {
        (self.width - 8.0 - (cols as f64 - 1.0) * self.gap) / cols as f64
    }

    fn wrap(&self, s: &str, size: f64, max: f64) -> Vec<String> {
        if self.kinsoku { wrap_text(s, size, max) } else { wrap(s, size, max) }
    }

    /// Line pitch of text at `size`.
    fn pitch(&self, size: f64) -> f64 {
        if self.kinsoku { (size * 1.3).round() } else { size + 4.0 }
    }
}

struct Laid {
    title: Vec<String>,
    meta: Vec<String>,
}

/// Draws the steps as a flowchart, laid out for the page ([`Layout::PAGE`]).
pub fn flowchart(steps: &[Step], label: &str) -> String {
    flowchart_with(steps, label, &Layout::PAGE)
}

/// Lays the steps out in boxes `cols` to a row.
fn lay(steps: &[Step], l: &Layout, cols: usize) -> Vec<Laid> {
    let inner = l.box_width(cols) - 2.0 * l.pad;
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let title = l.wrap(&format!("{}. {}", i + 1, s.title), l.font, inner);
            let mut meta = Vec::new();
            if let Some(o) = &s.owner {
                meta.extend(l.wrap(&format!("负责：{o}"), l.small, inner));
            }
            if let Some(w) = &s.within {
                meta.extend(l.wrap(&format!("时限：{w}内"), l.small, inner));
            }
            Laid { title, meta }
        })
        .collect()
}

/// Draws the steps as a flowchart in layout `l` (see [`Columns`] for how many to a row).
pub fn flowchart_with(steps: &[Step], label: &str, l: &Layout) -> String {
    let (cols, laid) = match l.columns {
        Columns::Fixed(cols) => (cols, lay(steps, l, cols)),
        Columns::Fit(tries) => tries
            .iter()
            .filter(|(cols, _)| *cols <= steps.len())
            .map(|&(cols, lines)| (cols, lines, lay(steps, l, cols)))
            .find(|(_, lines, laid)| laid.iter().all(|x| x.title.len() <= *lines))
            .map_or_else(
                || (1, lay(steps, l, 1)),
                |(cols, _, laid)| {
                    // As many rows, but the fewest columns that make them (two and two, not
                    // three and one): wider boxes, never more lines.
                    let even = steps.len().div_ceil(steps.len().div_ceil(cols));
                    if even < cols { (even, lay(steps, l, even)) } else { (cols, laid) }
                },
            ),
    };
    let bw = l.box_width(cols);
    let (tp, mp) = (l.pitch(l.font), l.pitch(l.small));
    let height = |x: &Laid| {
        l.pad * 2.0 + x.title.len() as f64 * tp + x.meta.len() as f64 * mp - if l.kinsoku { tp - l.font } else { 0.0 }
    };
    let mut c = if l.points { Canvas::in_points(l.font, l.small) } else { Canvas::new() };
    let mut y = 4.0;
    let rows: Vec<&[Laid]> = laid.chunks(cols).collect();
    for (r, row) in rows.iter().enumerate() {
        let h = row.iter().map(height).fold(0.0, f64::max);
        for (k, b) in row.iter().enumerate() {
            let x = 4.0 + k as f64 * (bw + l.gap);
            c.rect(x, y, bw, h, "zd-box");
            // The first baseline: a line's ascent is about 0.88 em in the CJK faces.
            let mut ty = y + l.pad + if l.kinsoku { (l.font * 0.88).round() } else { l.font };
            for s in &b.title {
                c.text(x + l.pad, ty, s, "zd-b", "start");
                ty += tp;
            }
            if l.kinsoku && !b.meta.is_empty() {
                // From the title's baseline to the meta line's: the meta size's pitch.
                ty += mp - tp;
            }
            for s in &b.meta {
                c.text(x + l.pad, ty, s, "zd-s", "start");
                ty += mp;
            }
            if k + 1 < row.len() {
                c.line(&[(x + bw, y + h / 2.0), (x + bw + l.gap - 1.0, y + h / 2.0)], true);
            }
        }
        if r + 1 < rows.len() {
            let last_x = 4.0 + (row.len() - 1) as f64 * (bw + l.gap) + bw / 2.0;
            let first_x = 4.0 + bw / 2.0;
            if row.len() == 1 {
                // One column: straight down into the next box.
                c.line(&[(first_x, y + h), (first_x, y + h + l.row_gap - 1.0)], true);
            } else {
                // From the last box of this row down, back left, and into the first of the next.
                let mid = y + h + l.row_gap / 2.0;
                c.line(&[(last_x, y + h), (last_x, mid), (first_x, mid), (first_x, y + h + l.row_gap - 1.0)], true);
            }
        }
        y += h + l.row_gap;
    }
    c.finish(l.width, y - l.row_gap + 4.0, label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::svg::safe_width;

    fn steps(titles: &[&str], owner: Option<&str>) -> Vec<Step> {
        titles
            .iter()
            .map(|t| Step {
                title: t.to_string(),
                owner: owner.map(str::to_string),
                within: Some("2个工作日".into()),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn draws_every_step_with_arrows_between() {
        let steps = steps(&["收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览"], Some("内容运营"));
        let svg = flowchart(&steps, "内容审核");
        assert_eq!(svg.matches("<rect").count(), 5);
        assert_eq!(svg.matches("<polyline").count(), 4, "one arrow into every step but the first");
        assert!(svg.contains("5. 发布前预览"));
        assert!(svg.contains("负责：内容运营"));
    }

    #[test]
    fn no_steps_is_an_empty_chart() {
        assert!(flowchart(&[], "x").starts_with("<svg"));
        assert!(flowchart_with(&[], "x", &Layout::POSTER).starts_with("<svg"));
    }

    /// A number attribute of an SVG element's line.
    fn attr(line: &str, name: &str) -> f64 {
        let v = line.split(&format!(" {name}=\"")).nth(1).and_then(|r| r.split('"').next());
        v.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {name} in {line}"))
    }

    /// The font size, px, of each text class in the SVG's style.
    fn class_size(svg: &str, class: &str) -> f64 {
        let rule = svg.split(&format!(".{class}{{")).nth(1).expect("class in style");
        rule.split("font-size:").nth(1).and_then(|r| r.split("px").next()).and_then(|v| v.parse().ok()).expect("size")
    }

    /// Checks a poster chart: drawn at print size (no wider than the sheet's text block, so
    /// never scaled down), every text at 14pt or more and inside a box with the box's padding,
    /// every step drawn and one arrow into every step but the first.
    fn check_poster(steps: &[Step]) -> String {
        let svg = flowchart_with(steps, "x", &Layout::POSTER);
        let head = svg.lines().next().expect("svg");
        assert!(head.contains(r#"width="470pt""#), "drawn in pt, as wide as the sheet's text: {head}");
        assert!(head.contains("viewBox=\"0 0 470 "), "one unit is one pt: {head}");
        let rects: Vec<(f64, f64, f64, f64)> = svg
            .lines()
            .filter(|l| l.starts_with("<rect"))
            .map(|l| (attr(l, "x"), attr(l, "y"), attr(l, "width"), attr(l, "height")))
            .collect();
        assert_eq!(rects.len(), steps.len(), "one box per step");
        assert_eq!(svg.matches("<polyline").count(), steps.len().saturating_sub(1), "an arrow into each step");
        let mut texts = 0;
        for l in svg.lines().filter(|l| l.starts_with("<text")) {
            let class = l.split("class=\"").nth(1).and_then(|r| r.split('"').next()).expect("class");
            let size = class_size(&svg, class);
            assert!(size >= 14.0, "`{l}` at {size}pt");
            let (x, y) = (attr(l, "x"), attr(l, "y"));
            let s = l.split('>').nth(1).and_then(|r| r.split('<').next()).expect("text");
            let w = safe_width(s, size);
            let inside = rects.iter().any(|&(rx, ry, rw, rh)| {
                x >= rx + 4.0 && x + w <= rx + rw - 4.0 && y - size >= ry && y + 0.2 * size <= ry + rh
            });
            assert!(inside, "`{s}` ({x}, {y}, {w} wide at {size}) overflows its box\n{svg}");
            texts += 1;
        }
        assert!(texts >= steps.len());
        svg
    }

    #[test]
    fn poster_text_is_14pt_and_stays_in_its_box() {
        let ys =
            |svg: &str| -> Vec<f64> { svg.lines().filter(|l| l.starts_with("<rect")).map(|l| attr(l, "y")).collect() };
        // Short titles: one row of four.
        let svg = check_poster(&steps(&["获取", "激活", "留存", "转化"], None));
        assert!(ys(&svg).iter().all(|y| *y == ys(&svg)[0]), "four short steps in one row: {:?}", ys(&svg));
        // Titles that take two lines four to a row: two rows of two, not three and one.
        let rows = ys(&check_poster(&steps(&["用户获取渠道", "用户激活", "用户留存", "用户转化"], None)));
        assert!(rows[0] == rows[1] && rows[2] == rows[3] && rows[1] < rows[2], "two and two: {rows:?}");
        // Longer titles, owners and deadlines: fewer columns, more rows, wrapped.
        check_poster(&steps(
            &["预算编制（每年年初）", "财务部门审核、汇总", "管理层审核", "董事会批准", "预算执行与监控"],
            Some("财务经理"),
        ));
        check_poster(&steps(&["收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览"], Some("内容运营")));
        // Titles too long for two columns: one column, top to bottom, straight arrows.
        let long = "根据市场调研结果结合公司战略目标明确产品的定位核心价值和目标用户群体并制定长期发展规划";
        let svg = check_poster(&steps(&[long, long, "结束"], Some("产品运营经理")));
        let xs: Vec<f64> = svg.lines().filter(|l| l.starts_with("<rect")).map(|l| attr(l, "x")).collect();
        assert!(xs.iter().all(|x| *x == xs[0]), "one column: {xs:?}");
        // One step, and a Latin word longer than a box.
        check_poster(&steps(&["REVIEW-AND-PUBLISH-EVERYTHING-ACCORDING-TO-THE-CHECKLIST"], Some("Ops")));
    }
}
