//! The org chart: a tidy tree drawn left to right (depth in columns, leaves stacked), which fits
//! a portrait page however many units there are.

use rustc_hash::FxHashMap as HashMap;

use super::{Canvas, LARGE as FONT, SMALL, wrap};

/// One unit of the chart.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Unique name.
    pub name: String,
    /// Label printed in the box.
    pub title: String,
    /// Parent's name.
    pub parent: Option<String>,
    /// A second, smaller line (e.g. the positions).
    pub note: Option<String>,
}

const BOX: f64 = 104.0;
const COL: f64 = 124.0;
const ROW_GAP: f64 = 8.0;
const PAD: f64 = 6.0;

struct Laid {
    lines: Vec<String>,
    note: Vec<String>,
    h: f64,
    y: f64,
    depth: usize,
}

/// Draws the units as a tree; units whose parent is unknown are roots.
pub fn org_chart(nodes: &[Node], label: &str) -> String {
    let by_name: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        match n.parent.as_deref().and_then(|p| by_name.get(p)) {
            Some(&p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let mut laid: Vec<Laid> = nodes
        .iter()
        .map(|n| {
            let lines = wrap(&n.title, FONT, BOX - 2.0 * PAD);
            let note = n.note.as_deref().map(|t| wrap(t, SMALL, BOX - 2.0 * PAD)).unwrap_or_default();
            let h = 2.0 * PAD + lines.len() as f64 * (FONT + 3.0) + note.len() as f64 * (SMALL + 3.0);
            Laid { lines, note, h, y: 0.0, depth: 0 }
        })
        .collect();
    let mut next_y = 4.0;
    let mut visited = vec![false; nodes.len()];
    for &r in &roots {
        place(r, 0, &children, &mut laid, &mut next_y, &mut visited);
    }
    let max_depth = laid.iter().map(|l| l.depth).max().unwrap_or(0);
    let w = max_depth as f64 * COL + BOX + 8.0;
    let mut c = Canvas::new();
    for (i, l) in laid.iter().enumerate() {
        if !visited[i] {
            continue;
        }
        let x = 4.0 + l.depth as f64 * COL;
        c.rect(x, l.y, BOX, l.h, if l.depth == 0 { "zd-head" } else { "zd-box" });
        let mut ty = l.y + PAD + FONT - 1.0;
        for s in &l.lines {
            c.text(x + BOX / 2.0, ty, s, "zd-l", "middle");
            ty += FONT + 3.0;
        }
        for s in &l.note {
            c.text(x + BOX / 2.0, ty, s, "zd-s", "middle");
            ty += SMALL + 3.0;
        }
        for &k in &children[i] {
            let ch = &laid[k];
            let (x0, y0) = (x + BOX, l.y + l.h / 2.0);
            let (x1, y1) = (4.0 + ch.depth as f64 * COL, ch.y + ch.h / 2.0);
            let mid = x0 + (x1 - x0) / 2.0;
            c.line(&[(x0, y0), (mid, y0), (mid, y1), (x1 - 1.0, y1)], false);
        }
    }
    c.finish(w, next_y + 4.0 - ROW_GAP, label)
}

/// Lays out a subtree: leaves take the next free row; a parent sits centred on its children.
fn place(i: usize, depth: usize, children: &[Vec<usize>], laid: &mut [Laid], next_y: &mut f64, visited: &mut [bool]) {
    if visited[i] {
        return;
    }
    visited[i] = true;
    laid[i].depth = depth;
    let kids: Vec<usize> = children[i].iter().copied().filter(|k| !visited[*k]).collect();
    if kids.is_empty() {
        laid[i].y = *next_y;
        *next_y += laid[i].h + ROW_GAP;
        return;
    }
    for &k in &kids {
        place(k, depth + 1, children, laid, next_y, visited);
    }
    let first = &laid[kids[0]];
    let last = &laid[kids[kids.len() - 1]];
    let centre = (first.y + first.h / 2.0 + last.y + last.h / 2.0) / 2.0;
    let start = *next_y;
    laid[i].y = (centre - laid[i].h / 2.0).max(0.0);
    // A tall parent must not overlap the rows below its children.
    let bottom = laid[i].y + laid[i].h + ROW_GAP;
    if bottom > start {
        *next_y = bottom;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(name: &str, parent: Option<&str>) -> Node {
        Node { name: name.into(), title: name.into(), parent: parent.map(Into::into), note: None }
    }

    #[test]
    fn parents_are_centred_on_children_and_cycles_do_not_hang() {
        let svg = org_chart(&[n("公司", None), n("甲", Some("公司")), n("乙", Some("公司"))], "组织");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert_eq!(svg.matches("<polyline").count(), 2);
        // A cycle: neither is a root, so nothing is drawn, but it terminates.
        let svg = org_chart(&[n("a", Some("b")), n("b", Some("a"))], "x");
        assert!(svg.starts_with("<svg"));
    }
}
