//! The approval chart: one row per tier — what is approved, then who approves it: a chain of
//! arrows for `seq`, a bus with an arrow to each box for `all` (joint) or `any` (one of them).

use super::{Canvas, FONT, SMALL, wrap};

/// One approval tier.
#[derive(Debug, Clone, Default)]
pub struct Tier {
    /// What is approved.
    pub title: String,
    /// An example.
    pub example: Option<String>,
    /// `all`, `any` or `seq`.
    pub mode: String,
    /// Approving roles.
    pub roles: Vec<String>,
}

const HEAD: f64 = 150.0;
const ROLE: f64 = 118.0;
const GAP: f64 = 34.0;
const PAD: f64 = 6.0;
const ROW_GAP: f64 = 14.0;
const LINE: f64 = FONT + 3.0;

/// Draws the tiers.
pub fn approval_chart(tiers: &[Tier], label: &str) -> String {
    let mut c = Canvas::new();
    let mut y = 4.0;
    let mut width: f64 = 0.0;
    for t in tiers {
        let head = wrap(&t.title, FONT, HEAD - 2.0 * PAD);
        let ex = t.example.as_deref().map(|e| wrap(&format!("如：{e}"), SMALL, HEAD - 2.0 * PAD)).unwrap_or_default();
        let head_h = 2.0 * PAD + head.len() as f64 * LINE + ex.len() as f64 * (SMALL + 3.0);
        let role_lines: Vec<Vec<String>> = t.roles.iter().map(|r| wrap(r, FONT, ROLE - 2.0 * PAD)).collect();
        let role_h = |ls: &Vec<String>| 2.0 * PAD + ls.len() as f64 * LINE;
        let seq = t.mode == "seq" || t.roles.len() <= 1;
        let roles_h = if seq {
            role_lines.iter().map(role_h).fold(0.0, f64::max)
        } else {
            role_lines.iter().map(role_h).sum::<f64>() + (t.roles.len().saturating_sub(1)) as f64 * 6.0 + 16.0
        };
        let row_h = head_h.max(roles_h);
        let hy = y + (row_h - head_h) / 2.0;
        c.rect(4.0, hy, HEAD, head_h, "zd-head");
        let mut ty = hy + PAD + FONT - 1.0;
        for l in &head {
            c.text(4.0 + HEAD / 2.0, ty, l, "zd-b", "middle");
            ty += LINE;
        }
        for l in &ex {
            c.text(4.0 + HEAD / 2.0, ty, l, "zd-s", "middle");
            ty += SMALL + 3.0;
        }
        let mid = y + row_h / 2.0;
        let x0 = 4.0 + HEAD;
        if seq {
            let mut x = x0;
            for ls in &role_lines {
                let h = role_h(ls);
                c.line(&[(x, mid), (x + GAP - 1.0, mid)], true);
                x += GAP;
                let ry = mid - h / 2.0;
                c.rect(x, ry, ROLE, h, "zd-box");
                let mut ty = ry + PAD + FONT - 1.0;
                for l in ls {
                    c.text(x + ROLE / 2.0, ty, l, "zd-t", "middle");
                    ty += LINE;
                }
                x += ROLE;
            }
            width = width.max(x + 4.0);
        } else {
            // A bus from the item to every member of the group: each approver gets its own
            // arrow, so the drawing says that the item goes to all of them (or any one).
            let x = x0 + GAP;
            let bus = x0 + GAP / 2.0;
            let word = if t.mode == "any" { "任一人审批" } else { "共同审批" };
            let mut ry = mid - roles_h / 2.0 + 16.0;
            c.text(x + ROLE / 2.0, ry - 5.0, word, "zd-s", "middle");
            let mut centres = Vec::with_capacity(role_lines.len());
            let mut cy = ry;
            for ls in &role_lines {
                let h = role_h(ls);
                centres.push(cy + h / 2.0);
                cy += h + 6.0;
            }
            let (top, bottom) = (centres.first().copied().unwrap_or(mid), centres.last().copied().unwrap_or(mid));
            c.line(&[(x0, mid), (bus, mid)], false);
            c.line(&[(bus, top.min(mid)), (bus, bottom.max(mid))], false);
            for &cy in &centres {
                c.line(&[(bus, cy), (x - 1.0, cy)], true);
            }
            for ls in &role_lines {
                let h = role_h(ls);
                c.rect(x, ry, ROLE, h, "zd-box");
                let mut ty = ry + PAD + FONT - 1.0;
                for l in ls {
                    c.text(x + ROLE / 2.0, ty, l, "zd-t", "middle");
                    ty += LINE;
                }
                ry += h + 6.0;
            }
            width = width.max(x + ROLE + 4.0);
        }
        y += row_h + ROW_GAP;
    }
    c.finish(width.max(HEAD + 8.0), y + 4.0 - ROW_GAP, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_drawn_differently() {
        let t = |mode: &str| Tier {
            title: "预算".into(),
            example: None,
            mode: mode.into(),
            roles: vec!["财务部门".into(), "管理层".into(), "董事会".into()],
        };
        let seq = approval_chart(&[t("seq")], "x");
        assert_eq!(seq.matches("marker-end").count(), 3, "an arrow before each role in a sequence");
        let all = approval_chart(&[t("all")], "x");
        assert!(all.contains("共同审批"));
        assert_eq!(all.matches("marker-end").count(), 3, "an arrow to each member of a joint group");
        let any = approval_chart(&[t("any")], "x");
        assert!(any.contains("任一人审批"));
        assert_eq!(any.matches("marker-end").count(), 3, "an arrow to each member of an any-group");
    }
}
