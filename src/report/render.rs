//! Markdown and HTML reports through minijinja templates embedded in the binary
//! (`templates/report/`), laid out on the handbook's `base.html.j2` and `print.css`. The report is passed as data only: no policy or org text is ever
//! compiled as a template. HTML is auto-escaped; Markdown values go through the `cell` and
//! `code` filters so that data cannot break a table or add markup.

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};

use super::ReportError;
use super::chart;
use super::model::{Report, Status};
use crate::base::lang::Lang;
use crate::render::templates::BUILTIN;

const MD: &str = include_str!("../../templates/report/report.md.j2");
const HTML: &str = include_str!("../../templates/report/report.html.j2");
const TYP: &str = include_str!("../../templates/report/report.typ.j2");
const LABELS: &str = include_str!("../../templates/report/_labels.j2");

/// The report as Markdown.
pub fn markdown(r: &Report, lang: Lang) -> Result<String, ReportError> {
    render(r, "report.md.j2", "md", lang)
}

/// The report as one self-contained HTML page for print (A4).
pub fn html(r: &Report, lang: Lang) -> Result<String, ReportError> {
    render(r, "report.html.j2", "html", lang)
}

/// The report as PDF, typeset by zhidu ([`crate::render::typeset`]). The markup passes the
/// redaction step before it is laid out, as every text zhidu writes.
pub fn pdf(r: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let markup = render(r, "report.typ.j2", "pdf", lang)?;
    let markup = crate::base::redact::redact(&markup);
    crate::render::typeset::pdf("report.typ.j2", &markup).map_err(ReportError::Typeset)
}

fn render(r: &Report, name: &str, format: &'static str, lang: Lang) -> Result<String, ReportError> {
    let err = |e: minijinja::Error| ReportError::Template { format, reason: e.to_string() };
    let env = environment().map_err(err)?;
    let names = crate::render::templates::chapter_titles();
    let chart = Value::from_safe_string(chart::svg(&r.summary, &names, lang));
    let statuses: Vec<Value> = Status::ALL
        .iter()
        .map(|s| context! { name => s.as_str(), label => chart::label(*s), colour => chart::colour(*s) })
        .collect();
    let lang = match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    };
    let ctx = context! { r => Serde(r), chart => chart, statuses => statuses, lang => lang, chapter_names => names };
    let mut out = env.get_template(name).and_then(|t| t.render(ctx)).map_err(err)?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") {
            AutoEscape::Html
        } else if name.contains(".typ") {
            AutoEscape::Custom(crate::render::templates::TYPST.into())
        } else {
            AutoEscape::None
        }
    });
    // Every value the report prints (a title, a name, a message, a reason, a path) is one line
    // of org or pack data: its control characters, line breaks included, are escaped
    // (`\u{1b}`, `\n`), as in the human format, so neither the HTML nor the Markdown printed to
    // a terminal can drive it, and a row stays one row.
    env.set_formatter(|out, state, value| {
        crate::render::templates::shown_formatter(out, state, value, crate::base::visible::line)
    });
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax.trim_blocks(true).lstrip_blocks(true);
    env.set_syntax(syntax.build()?);
    env.add_filter("cell", cell);
    env.add_filter("code", code);
    env.add_filter("label", |s: String| {
        Status::ALL.iter().find(|x| x.as_str() == s).map_or(s.clone(), |x| chart::label(*x).to_string())
    });
    env.add_filter("css_str", |s: String| Value::from_safe_string(crate::render::templates::css_str(&s)));
    env.add_template("report.md.j2", MD)?;
    env.add_template("report.html.j2", HTML)?;
    env.add_template("report.typ.j2", TYP)?;
    env.add_template("report/_labels.j2", LABELS)?;
    env.add_filter("typ_str", |s: String| Value::from_safe_string(crate::render::typeset::string(&s)));
    // The handbook's page layout and print styles, so that report and rulebook print alike.
    for shared in ["base.html.j2", "print.css", "_lib.typ.j2", "_lib.j2"] {
        let source = BUILTIN.get_file(shared).and_then(|f| f.contents_utf8()).unwrap_or_default();
        env.add_template(shared, source)?;
    }
    Ok(env)
}

/// A value as the text of a Markdown table cell: markup characters escaped, one line.
pub fn cell(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value as a Markdown code span inside a table cell.
pub fn code(s: String) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ").replace('`', "'").replace('|', "\\|");
    format!("`{s}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_add_markup() {
        assert_eq!(cell("a|b\n<script>*x*".into()), "a\\|b &lt;script&gt;\\*x\\*");
        assert_eq!(code("change:C|1`".into()), "`change:C\\|1'`");
    }

    #[test]
    fn printed_values_are_one_line_without_control_characters() {
        let mut env = environment().expect("templates compile");
        env.add_template("t.html.j2", "{{ v }}").expect("template");
        let v = "<b>标题</b>\x1b[2J\x07\r\n::x\u{9b}";
        let html = env.get_template("t.html.j2").and_then(|t| t.render(context! { v => v })).expect("render");
        assert_eq!(html, "&lt;b&gt;标题&lt;&#x2f;b&gt;\\u{1b}[2J\\u{7}\\r\\n::x\\u{9b}");
        let md = env.template_from_str("{{ v|cell }}").and_then(|t| t.render(context! { v => v })).expect("render");
        // `cell` escapes the `[`; the escapes of control characters come after it.
        assert_eq!(md, "&lt;b&gt;标题&lt;/b&gt;\\u{1b}\\[2J\\u{7} ::x\\u{9b}");
    }

    #[test]
    fn data_is_never_a_template() {
        // A value that looks like template syntax is printed, not evaluated.
        let env = environment().expect("templates compile");
        let t = env.template_from_str("{{ v|cell }}").expect("template");
        assert_eq!(t.render(context! { v => "{{ 1 + 1 }}" }).expect("render"), "{{ 1 + 1 }}");
    }
}
