//! The org chart: a tree drawn top-down and centred, each parent over its children; the leaves
//! under one parent are stacked, so the chart fits a portrait page at a readable size.

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
/// Horizontal gap between sibling subtrees.
const HGAP: f64 = 14.0;
/// Vertical gap between a parent and its children.
const VGAP: f64 = 30.0;
/// Gap between stacked leaves.
const ROW_GAP: f64 = 8.0;
/// How far stacked leaves stand right of their parent.
const INDENT: f64 = 22.0;
const PAD: f64 = 6.0;
/// More children than this, some of them leaves: the leaves are stacked.
const WIDE: usize = 4;

struct Laid {
    lines: Vec<String>,
    note: Vec<String>,
    h: f64,
    x: f64,
    y: f64,
    /// Drawn stacked under its parent (connector on the left) rather than below it.
    stacked: bool,
}

/// Draws the units as a tree, top-down with each parent centred over its children; a parent
/// whose children are all leaves has them stacked below it, so a wide level does not shrink
/// the chart to an unreadable width. Units whose parent is unknown are roots.
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
            Laid { lines, note, h, x: 0.0, y: 0.0, stacked: false }
        })
        .collect();
    let mut visited = vec![false; nodes.len()];
    let mut drawn: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut x = 4.0;
    for &r in &roots {
        let w = place(r, x, 4.0, &children, &mut laid, &mut visited, &mut drawn);
        x += w + HGAP;
    }
    let mut c = Canvas::new();
    let (mut w, mut h) = (8.0_f64, 8.0_f64);
    for (i, l) in laid.iter().enumerate() {
        if !visited[i] {
            continue;
        }
        w = w.max(l.x + BOX + 4.0);
        h = h.max(l.y + l.h + 4.0);
        c.rect(l.x, l.y, BOX, l.h, if roots.contains(&i) { "zd-head" } else { "zd-box" });
        let mut ty = l.y + PAD + FONT - 1.0;
        for s in &l.lines {
            c.text(l.x + BOX / 2.0, ty, s, "zd-l", "middle");
            ty += FONT + 3.0;
        }
        for s in &l.note {
            c.text(l.x + BOX / 2.0, ty, s, "zd-s", "middle");
            ty += SMALL + 3.0;
        }
        // One connector per child: every edge of the tree is drawn.
        for &k in &drawn[i] {
            let ch = &laid[k];
            if ch.stacked {
                let bx = l.x + INDENT / 2.0;
                c.line(&[(bx, l.y + l.h), (bx, ch.y + ch.h / 2.0), (ch.x - 1.0, ch.y + ch.h / 2.0)], false);
            } else {
                let (x0, y0) = (l.x + BOX / 2.0, l.y + l.h);
                let (x1, y1) = (ch.x + BOX / 2.0, ch.y);
                let mid = y0 + (y1 - y0) / 2.0;
                c.line(&[(x0, y0), (x0, mid), (x1, mid), (x1, y1 - 1.0)], false);
            }
        }
    }
    c.finish(w, h, label)
}

/// Stacks `nodes` one under another, indented from `left`, below a parent whose box ends at
/// `bottom`: the layout for leaves, which need no width of their own.
fn stack(nodes: &[usize], left: f64, bottom: f64, laid: &mut [Laid]) {
    let mut y = bottom + ROW_GAP * 2.0;
    for &k in nodes {
        laid[k].x = left + INDENT;
        laid[k].y = y;
        laid[k].stacked = true;
        y += laid[k].h + ROW_GAP;
    }
}

/// Lays out the subtree of `i` with its left edge at `left` and its top at `top`; returns its
/// width. `drawn` collects the children each node is connected to.
fn place(
    i: usize,
    left: f64,
    top: f64,
    children: &[Vec<usize>],
    laid: &mut [Laid],
    visited: &mut [bool],
    drawn: &mut [Vec<usize>],
) -> f64 {
    visited[i] = true;
    laid[i].x = left;
    laid[i].y = top;
    let kids: Vec<usize> = children[i].iter().copied().filter(|k| !visited[*k]).collect();
    for &k in &kids {
        visited[k] = true;
    }
    drawn[i].clone_from(&kids);
    if kids.is_empty() {
        return BOX;
    }
    let below = top + laid[i].h + VGAP;
    if kids.len() > 1 && kids.iter().all(|&k| children[k].iter().all(|g| visited[*g])) {
        stack(&kids, left, top + laid[i].h, laid);
        return BOX + INDENT;
    }
    // Many children, some with subtrees of their own: the leaves are stacked under the parent
    // and the subtrees laid out to their right, so a wide level stays readable.
    let leaves: Vec<usize> = kids.iter().copied().filter(|&k| children[k].iter().all(|g| visited[*g])).collect();
    if kids.len() > WIDE && !leaves.is_empty() && leaves.len() < kids.len() {
        stack(&leaves, left, top + laid[i].h, laid);
        let mut x = left + INDENT + BOX + HGAP;
        for &k in kids.iter().filter(|k| !leaves.contains(k)) {
            visited[k] = false;
            let w = place(k, x, below, children, laid, visited, drawn);
            x += w + HGAP;
        }
        return x - HGAP - left;
    }
    let mut x = left;
    for &k in &kids {
        visited[k] = false;
        let w = place(k, x, below, children, laid, visited, drawn);
        x += w + HGAP;
    }
    let width = x - HGAP - left;
    let (first, last) = (laid[kids[0]].x, laid[kids[kids.len() - 1]].x);
    let centre = (first + last + BOX) / 2.0;
    if width > BOX {
        laid[i].x = centre - BOX / 2.0;
        width
    } else {
        // A parent wider than its subtree: the children move under its centre.
        let shift = (BOX - width) / 2.0;
        for &k in &kids {
            shift_subtree(k, shift, laid, drawn);
        }
        BOX
    }
}

/// Moves a laid-out subtree right by `dx`.
fn shift_subtree(i: usize, dx: f64, laid: &mut [Laid], drawn: &[Vec<usize>]) {
    let mut stack = vec![i];
    while let Some(n) = stack.pop() {
        laid[n].x += dx;
        stack.extend(drawn[n].iter().copied());
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
        // Top-down: the root's box is above its children's, and centred over them.
        let svg = org_chart(
            &[n("公司", None), n("甲", Some("公司")), n("乙", Some("公司")), n("丙", Some("甲")), n("丁", Some("乙"))],
            "组织",
        );
        let ys: Vec<f64> = svg
            .lines()
            .filter(|l| l.starts_with("<rect"))
            .filter_map(|l| l.split("y=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert_eq!(ys.len(), 5);
        assert!(ys[0] < ys[1] && ys[1] < ys[3], "{ys:?}");
        assert_eq!(svg.matches("<polyline").count(), 4, "an edge to every child");
        // A cycle: neither is a root, so nothing is drawn, but it terminates.
        let svg = org_chart(&[n("a", Some("b")), n("b", Some("a"))], "x");
        assert!(svg.starts_with("<svg"));
    }
}
