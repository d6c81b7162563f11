//! SOP flowcharts: numbered steps left to right in rows of four, joined by arrows (a row ends
//! with an arrow down to the start of the next), so a sheet keeps room for its step table.
//! Each box names the step, its owner and its deadline.

use super::{Canvas, FONT, SMALL, wrap};

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

const WIDTH: f64 = 680.0;
const COLS: usize = 4;
const BOX: f64 = 146.0;
const GAP: f64 = (WIDTH - 8.0 - COLS as f64 * BOX) / (COLS as f64 - 1.0);
const PAD: f64 = 7.0;
const ROW_GAP: f64 = 30.0;

struct Laid {
    title: Vec<String>,
    meta: Vec<String>,
}

/// Draws the steps as a flowchart.
pub fn flowchart(steps: &[Step], label: &str) -> String {
    let inner = BOX - 2.0 * PAD;
    let laid: Vec<Laid> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let title = wrap(&format!("{}. {}", i + 1, s.title), FONT, inner);
            let mut meta = Vec::new();
            if let Some(o) = &s.owner {
                meta.extend(wrap(&format!("负责：{o}"), SMALL, inner));
            }
            if let Some(w) = &s.within {
                meta.extend(wrap(&format!("时限：{w}内"), SMALL, inner));
            }
            Laid { title, meta }
        })
        .collect();
    let height = |l: &Laid| PAD * 2.0 + l.title.len() as f64 * (FONT + 4.0) + l.meta.len() as f64 * (SMALL + 4.0);
    let mut c = Canvas::new();
    let mut y = 4.0;
    let rows: Vec<&[Laid]> = laid.chunks(COLS).collect();
    for (r, row) in rows.iter().enumerate() {
        let h = row.iter().map(height).fold(0.0, f64::max);
        for (k, l) in row.iter().enumerate() {
            let x = 4.0 + k as f64 * (BOX + GAP);
            c.rect(x, y, BOX, h, "zd-box");
            let mut ty = y + PAD + FONT;
            for s in &l.title {
                c.text(x + PAD, ty, s, "zd-b", "start");
                ty += FONT + 4.0;
            }
            for s in &l.meta {
                c.text(x + PAD, ty, s, "zd-s", "start");
                ty += SMALL + 4.0;
            }
            if k + 1 < row.len() {
                c.line(&[(x + BOX, y + h / 2.0), (x + BOX + GAP - 1.0, y + h / 2.0)], true);
            }
        }
        if r + 1 < rows.len() {
            // From the last box of this row down, back left, and into the first box of the next.
            let last_x = 4.0 + (row.len() - 1) as f64 * (BOX + GAP) + BOX / 2.0;
            let mid = y + h + ROW_GAP / 2.0;
            let first_x = 4.0 + BOX / 2.0;
            c.line(&[(last_x, y + h), (last_x, mid), (first_x, mid), (first_x, y + h + ROW_GAP - 1.0)], true);
        }
        y += h + ROW_GAP;
    }
    c.finish(WIDTH, y - ROW_GAP + 4.0, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_step_with_arrows_between() {
        let steps: Vec<Step> = ["收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览"]
            .iter()
            .map(|t| Step { title: t.to_string(), owner: Some("内容运营".into()), ..Default::default() })
            .collect();
        let svg = flowchart(&steps, "内容审核");
        assert_eq!(svg.matches("<rect").count(), 5);
        assert_eq!(svg.matches("<polyline").count(), 4, "one arrow into every step but the first");
        assert!(svg.contains("5. 发布前预览"));
        assert!(svg.contains("负责：内容运营"));
    }

    #[test]
    fn no_steps_is_an_empty_chart() {
        assert!(flowchart(&[], "x").starts_with("<svg"));
    }
}
