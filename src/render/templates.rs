//! The template environment: built-in templates (`templates/`, compiled in) overridable from a
//! directory, HTML auto-escaping for `.html` templates, and the filters and functions the
//! templates call (Markdown, SVG charts). Policy text only ever enters as values, never as
//! template source.

use std::path::PathBuf;

use include_dir::{Dir, include_dir};
use minijinja::value::Value as J;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use super::svg::{self, Node, Step, Tier};
use super::{markdown, typeset, typmark};
use crate::base::visible;

/// The built-in templates, compiled into the binary.
pub static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Builds the environment; templates in `overrides` take precedence over the built-in ones.
pub fn environment(overrides: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|name| {
        if name.contains(".html") {
            AutoEscape::Html
        } else if name.contains(".typ") {
            AutoEscape::Custom(TYPST.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(visible_formatter);
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build() {
        env.set_syntax(syntax);
    }
    env.set_loader(move |name: &str| {
        if name.contains("..") || name.starts_with('/') {
            return Ok(None);
        }
        if let Some(dir) = &overrides {
            let p = dir.join(name);
            match std::fs::read_to_string(&p) {
                Ok(s) => return Ok(Some(s)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::new(ErrorKind::InvalidOperation, format!("cannot read {}: {e}", p.display())));
                }
            }
        }
        Ok(BUILTIN.get_file(name).and_then(|f| f.contents_utf8()).map(str::to_string))
    });
    env.add_filter("markdown", |s: Option<String>| J::from_safe_string(markdown::to_html(s.as_deref().unwrap_or(""))));
    env.add_filter("markdown_inline", |s: Option<String>| {
        J::from_safe_string(markdown::to_html_inline(s.as_deref().unwrap_or("")))
    });
    // Typst: pack Markdown as markup, any value as a string literal (figures, `bytes(..)`).
    env.add_filter("typst", |s: Option<String>| {
        J::from_safe_string(typmark::to_typst(s.as_deref().unwrap_or(""), false))
    });
    env.add_filter("typst_inline", |s: Option<String>| {
        J::from_safe_string(typmark::to_typst(s.as_deref().unwrap_or(""), true))
    });
    env.add_filter("typ_str", |s: J| J::from_safe_string(typeset::string(&display(&s).unwrap_or_default())));
    env.add_filter("flatten", |v: Vec<J>| {
        v.iter()
            .flat_map(|x| {
                if x.as_str().is_none() {
                    x.try_iter().map(|i| i.collect()).unwrap_or_else(|_| vec![x.clone()])
                } else {
                    vec![x.clone()]
                }
            })
            .collect::<Vec<J>>()
    });
    env.add_filter(
        "as_step",
        |title: String, owner: Option<String>| minijinja::context! { title => title, owner => owner },
    );
    // How wide a text is in em (full-width characters 1 em): a poster's title takes
    // `ems / (line width / size)` lines.
    env.add_filter("ems", |s: String| svg::ems(&s));
    env.add_filter("num", |n: f64| crate::base::value::Value::Num(n).shown(crate::base::lang::Lang::Zh).to_string());
    // Words with a Chinese character: the wall edition lists a field by its Chinese names only.
    env.add_test("cjk", |s: String| !s.is_ascii());
    env.add_filter("cn_num", |n: u64| crate::base::lang::zh_numeral(n));
    env.add_filter("css_str", |s: J| J::from_safe_string(css_str(&display(&s).unwrap_or_default())));
    env.add_filter("md_cell", |s: J| md_cell(&display(&s).unwrap_or_default()));
    // `flowchart(steps, label)` for the page; `flowchart(steps, label, "poster")` for an SOP
    // sheet, at print size (placed with `width: auto`).
    env.add_function("flowchart", |steps: Vec<J>, label: Option<String>, layout: Option<String>| {
        let steps: Vec<Step> = steps
            .iter()
            .map(|s| Step {
                title: attr(s, "title").or_else(|| attr(s, "name")).unwrap_or_default(),
                owner: attr(s, "owner"),
                within: attr(s, "within"),
                outputs: list(&s.get_attr("outputs").unwrap_or_default()),
            })
            .collect();
        let layout = if layout.as_deref() == Some("poster") { svg::Layout::POSTER } else { svg::Layout::PAGE };
        J::from_safe_string(svg::flowchart_with(&steps, label.as_deref().unwrap_or("流程图"), &layout))
    });
    env.add_function("org_chart", |units: Vec<J>, label: Option<String>| {
        let nodes: Vec<Node> = units
            .iter()
            .map(|u| Node {
                name: attr(u, "name").unwrap_or_default(),
                title: attr(u, "title").unwrap_or_default(),
                parent: attr(u, "parent"),
                note: None,
            })
            .collect();
        J::from_safe_string(svg::org_chart(&nodes, label.as_deref().unwrap_or("组织架构图")))
    });
    env.add_function("approval_chart", |tiers: Vec<J>, label: Option<String>| {
        let tiers: Vec<Tier> = tiers
            .iter()
            .map(|t| {
                let req = t.get_attr("requires").unwrap_or_default();
                Tier {
                    title: attr(t, "title").unwrap_or_default(),
                    example: attr(t, "example"),
                    mode: attr(&req, "mode").unwrap_or_else(|| "all".into()),
                    roles: list(&req.get_attr("roles").unwrap_or_default()),
                }
            })
            .collect();
        J::from_safe_string(svg::approval_chart(&tiers, label.as_deref().unwrap_or("分级审批图")))
    });
    env.add_function("rules_in", |rules: Vec<J>, chapters: Vec<String>| {
        rules
            .into_iter()
            .filter(|r| {
                let c = attr(r, "chapter").unwrap_or_default();
                chapters.contains(&c)
            })
            .collect::<Vec<_>>()
    });
    env
}

/// The name of the Typst auto-escaping (`.typ` templates): see [`typeset::escape`].
pub(crate) const TYPST: &str = "typst";

/// The handbook's chapter titles by rule chapter (`ORG` → `组织架构`), from the `layout` of
/// `_lib.j2`, so that the report names chapters as the rulebook does.
pub fn chapter_titles() -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let env = environment(None);
    let Ok(captured) = env.get_template("_lib.j2").and_then(|t| t.render_captured(minijinja::context! {})) else {
        return out;
    };
    let Some(layout) = captured.state().lookup("layout") else { return out };
    for ch in layout.try_iter().into_iter().flatten() {
        let title = attr(&ch, "title").unwrap_or_default();
        for code in list(&ch.get_attr("rules").unwrap_or_default()) {
            out.insert(code, title.clone());
        }
    }
    out
}

/// The formatter of the handbook's templates: every string a template prints has its control
/// characters escaped (`\u{1b}`; the layout of pack text, line breaks and tabs, kept: see
/// [`visible::text`]) before the auto-escaping of its format, so a rendered document printed to
/// a terminal (`render --format md` without `--out`) cannot drive it. Safe strings (the HTML of
/// the `markdown` filters, the charts) were made by zhidu from escaped text already.
fn visible_formatter(out: &mut minijinja::Output, state: &mut minijinja::State, value: &J) -> Result<(), Error> {
    shown_formatter(out, state, value, visible::text)
}

/// Prints `value` through the auto-escaping of its format, a string first through `escape`.
pub(crate) fn shown_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &J,
    escape: fn(&str) -> std::borrow::Cow<'_, str>,
) -> Result<(), Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(n) if n == TYPST) {
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        let text = value.to_string();
        let shown = if value.is_safe() { text } else { typeset::escape(&escape(&text)) };
        return out.write_str(&shown).map_err(Error::from);
    }
    match value.as_str().filter(|_| !value.is_safe()).map(escape) {
        Some(std::borrow::Cow::Owned(shown)) => minijinja::escape_formatter(out, state, &J::from(shown)),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The printed form of a value; `None` for none/undefined and empty strings.
fn display(v: &J) -> Option<String> {
    if v.is_undefined() || v.is_none() {
        return None;
    }
    let s = v.to_string();
    (!s.is_empty()).then_some(s)
}

/// The printed form of an attribute of a map value.
fn attr(v: &J, key: &str) -> Option<String> {
    display(&v.get_attr(key).unwrap_or_default())
}

/// The items of a list value as strings.
fn list(v: &J) -> Vec<String> {
    match v.try_iter() {
        Ok(it) if v.as_str().is_none() => it.filter_map(|x| display(&x)).collect(),
        _ => display(v).into_iter().collect(),
    }
}

/// Text for a Markdown table cell: no line breaks, pipes escaped.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("<br>")
}

/// A CSS string literal (for `@page` margin boxes): quotes, backslashes, line breaks and `<`
/// escaped, so no value can end the string or the `<style>` element.
pub(crate) fn css_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            '<' => o.push_str("\\3c "),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_values_are_escaped_for_their_format_and_the_terminal() {
        let env = environment(None);
        let v = "<b>标题</b>\x1b[2J\x07\n\t第二行";
        let html = env.template_from_named_str("t.html", "{{ v }}|{{ v|markdown_inline }}").expect("template");
        let out = html.render(minijinja::context! { v => v }).expect("render");
        assert_eq!(
            out,
            "&lt;b&gt;标题&lt;&#x2f;b&gt;\\u{1b}[2J\\u{7}\n\t第二行|&lt;b&gt;标题&lt;/b&gt;\\u{1b}[2J\\u{7}\n第二行"
        );
        let md = env.template_from_named_str("t.md", "{{ v }}").expect("template");
        assert_eq!(md.render(minijinja::context! { v => v }).expect("render"), "<b>标题</b>\\u{1b}[2J\\u{7}\n\t第二行");
        // The shared macros of _lib.j2 print into the calling template: escaped as HTML there.
        let lib = env
            .template_from_named_str("t.html", "{% import \"_lib.j2\" as lib %}{{ lib.word(set, \"store\") }}")
            .expect("template");
        let set =
            minijinja::context! { titles => vec![minijinja::context! { name => "store", value => "<i>门店</i>" }] };
        assert_eq!(lib.render(minijinja::context! { set => set }).expect("render"), "&lt;i&gt;门店&lt;&#x2f;i&gt;");
    }
}
