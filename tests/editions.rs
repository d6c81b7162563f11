//! The two editions of the rulebook (issue 25): the wall edition states the articles as issued —
//! no rule IDs, no field names of the schema, no English — and the annotated edition names every
//! rule; and texts follow the values: changing any declared param or weight in a copy of the
//! pack changes every page that states it, leaving no page with the old value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use zhidu::base::value::Value;
use zhidu::compile::load::{PackSource, load};
use zhidu::compile::resolve::resolve;
use zhidu::policy::{KindOrigin, Policy};
use zhidu::render::{Doc, DocFormat, Edition, render};

/// The files of the built-in pack, by name.
fn pack() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    std::fs::read_dir(&dir)
        .expect("policies/")
        .map(|e| {
            let p = e.expect("entry").path();
            (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

fn compile(files: &BTreeMap<String, String>) -> Policy {
    let list: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let loaded = load(&PackSource::Memory(&list)).map_err(|(_, d)| d.render(false)).expect("loads");
    match resolve(loaded) {
        Ok((p, _)) => p,
        Err((_, d)) => panic!("{}", d.render(false)),
    }
}

/// Every page of an edition (handbook and SOP sheets, Markdown and HTML) as the text a reader
/// sees: HTML without its markup, styles and entities.
fn pages(policy: &Policy, edition: Edition) -> Vec<(String, String)> {
    let docs = [Doc::Handbook, Doc::Sop];
    let formats = [DocFormat::Md, DocFormat::Html];
    let out = render(policy, &docs, &formats, edition, None).expect("renders");
    out.into_iter()
        .map(|r| (r.name.clone(), if r.name.ends_with(".html") { visible(&r.text) } else { r.text }))
        .collect()
}

fn visible(html: &str) -> String {
    let no_style = regex::Regex::new(r"(?s)<style.*?</style>").expect("re").replace_all(html, " ");
    let no_tags = regex::Regex::new(r"(?s)<[^>]*>").expect("re").replace_all(&no_style, " ");
    no_tags
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// ASCII words of a text (`[A-Za-z0-9_]+`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty())
}

#[test]
fn wall_edition_has_no_rule_ids_field_names_or_english() {
    let policy = compile(&pack());
    let ids: BTreeSet<&str> = policy.rules.iter().map(|r| r.id.as_str()).collect();
    let fields: BTreeSet<&str> = policy
        .schema
        .kinds
        .iter()
        .flat_map(|k| k.fields.iter().map(|f| f.name.as_str()))
        .filter(|f| f.is_ascii() && f.len() >= 3)
        .collect();
    let id_like = regex::Regex::new(r"[A-Z]{2,5}-[0-9]+").expect("re");
    for (name, text) in pages(&policy, Edition::Wall) {
        for m in id_like.find_iter(&text) {
            // A hash algorithm's name is no rule ID.
            assert!(m.as_str() == "SHA-256", "{name} states the rule ID `{}`", m.as_str());
        }
        for id in &ids {
            assert!(!text.contains(&format!("{id} ")) && !text.contains(&format!("{id}）")), "{name} states {id}");
        }
        for w in words(&text) {
            assert!(!fields.contains(w), "{name} states the field name `{w}`");
            let english = w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(!english, "{name} holds the English word `{w}`");
        }
        // Sources are cited by title in the appendix, never by code (`004 §2(一)2`).
        assert!(!text.contains('§'), "{name} cites a source by its code");
        for note in ["组织数据检查", "制度自检", "手册载明", "不再重复报告", "policies/", ".zd"] {
            assert!(!text.contains(note), "{name} holds the checking note `{note}`");
        }
    }
    let hb = pages(&policy, Edition::Wall).into_iter().find(|(n, _)| n == "handbook.md").expect("handbook.md").1;
    assert!(hb.contains("## 第一章　总则") && hb.contains("**第一条**"), "chapters and articles in Chinese numerals");
    assert_eq!(hb.matches("### 目的").count(), 1, "one 总则: its purpose once");
    for doc in policy.decls_of("document") {
        let title = policy.decl_field(doc, "title").and_then(Value::as_str).expect("document title");
        assert!(hb.contains(&format!("《{title}》")), "引用文件 lists {title}");
    }
}

#[test]
fn annotated_edition_names_every_rule_and_each_choice() {
    let policy = compile(&pack());
    let pages = pages(&policy, Edition::Annotated);
    for (name, text) in pages.iter().filter(|(n, _)| n.starts_with("handbook")) {
        for r in &policy.rules {
            assert!(text.contains(&r.id), "{name} lacks {}", r.id);
        }
        assert!(text.contains("本制度补充"), "{name} marks the chosen values");
        assert!(text.contains("检查说明"), "{name} explains the checks");
    }
    // Every choice the pack marks is printed with its reason (its first words, references filled).
    let md = &pages.iter().find(|(n, _)| n == "handbook-annotated.md").expect("handbook-annotated.md").1;
    let head = |t: &str| t.chars().take(12).collect::<String>();
    for r in policy.rules.iter().filter_map(|r| r.chosen.as_deref().map(|c| (r.id.as_str(), c))) {
        assert!(md.contains(&head(r.1)), "{}: its choice is not printed", r.0);
    }
    let mut marked = 0;
    for k in policy.schema.kinds.iter().filter(|k| k.origin == KindOrigin::Decl) {
        let kind = k.name.strip_prefix("policy.").unwrap_or(&k.name);
        for d in policy.decls_of(kind) {
            let Some(c) = policy.decl_field(d, "chosen").and_then(Value::as_str) else { continue };
            marked += 1;
            let c = zhidu::compile::textref::resolve(&policy.schema, &policy.decls, c);
            let name = policy.decls.get(d).and_then(|r| r.id_str().map(str::to_string)).unwrap_or_default();
            assert!(md.contains(&head(&c)), "{kind} {name}: its choice is not printed");
        }
    }
    assert!(marked >= 20, "the pack marks its choices: {marked}");
}

/// A declared value to change: its file, the text to find and the text that replaces it.
struct Change {
    what: String,
    file: &'static str,
    find: String,
    replace: String,
    old: String,
    new: String,
}

/// Every param with a quantity and every weight (appraisal and KPI sheets), each with a new
/// value that no page states yet.
fn changes(files: &BTreeMap<String, String>, policy: &Policy) -> Vec<Change> {
    let mut out = Vec::new();
    let mut fresh = 101;
    // Odd numbers that are no whole weeks (21 days would print as 3周).
    let mut next = || {
        fresh += 2;
        if fresh % 7 == 0 {
            fresh += 2;
        }
        fresh
    };
    let params = &files["params.zd"];
    for p in &policy.params {
        let head = format!("param {} {{", p.name);
        let rest = &params[params.find(&head).expect("param block")..];
        let vstart = rest.find("\n  value").expect("value line") + 1;
        let vend = vstart + rest[vstart..].find('\n').expect("line end");
        let (line, new) = match &p.value {
            Value::Duration(_) => {
                let n = next();
                (format!("  value {n} days"), format!("{n}天"))
            }
            Value::Int(_) => {
                let n = next();
                (format!("  value {n}"), n.to_string())
            }
            Value::Num(_) => {
                let n = next();
                (format!("  value {n}.25"), format!("{n}.25"))
            }
            _ => continue,
        };
        let old = p.value.shown(zhidu::base::lang::Lang::Zh).to_string();
        let find = rest[..vend].to_string();
        let replace = format!("{}{line}", &rest[..vstart]);
        out.push(Change { what: format!("param {}", p.name), file: "params.zd", find, replace, old, new });
    }
    let appraisal = &files["appraisal.zd"];
    for w in ["上级评价", "同事评价", "自我评价", "数据分析"] {
        let line =
            appraisal.lines().find(|l| l.trim_start().starts_with(w) && l.trim_end().ends_with('%')).expect("weight");
        let old = line.split_whitespace().nth(1).expect("value").to_string();
        let n = next();
        out.push(Change {
            what: format!("weight {w}"),
            file: "appraisal.zd",
            find: line.to_string(),
            replace: line.replace(&old, &format!("{n}%")),
            old,
            new: format!("{n}%"),
        });
    }
    let kpi = &files["kpi.zd"];
    for (i, _) in kpi.match_indices("\n  kpi ") {
        let block: String = kpi[i + 1..].split_inclusive('\n').take_while(|l| !l.starts_with("  }")).collect();
        let Some(line) = block.lines().find(|l| l.trim_start().starts_with("weight")) else { continue };
        let old = line.split_whitespace().nth(1).expect("value").to_string();
        let n = next();
        let name = block.split_whitespace().nth(1).expect("kpi name").to_string();
        out.push(Change {
            what: format!("kpi weight {name}"),
            file: "kpi.zd",
            find: block.clone(),
            replace: block.replace(line, &line.replace(&old, &format!("{n}%"))),
            old,
            new: format!("{n}%"),
        });
    }
    out
}

/// How often `v` is stated in `text` as a whole quantity (no digit or point next to it), outside
/// quotations of the regulations (“…”).
fn stated(text: &str, v: &str) -> usize {
    let unquoted: String = text
        .split('“')
        .enumerate()
        .map(|(i, part)| if i == 0 { part } else { part.split_once('”').map_or("", |(_, rest)| rest) })
        .collect::<Vec<_>>()
        .join(" ");
    unquoted
        .match_indices(v)
        .filter(|(i, _)| {
            let before = unquoted[..*i].chars().next_back();
            let after = unquoted[i + v.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '.')
                && !after.is_some_and(|c| {
                    c.is_ascii_digit() || c == '.' || (v.ends_with(|d: char| d.is_ascii_digit()) && c == '%')
                })
        })
        .count()
}

/// The shown forms of every quantity the declarations hold, with how many declarations hold it.
fn declared_forms(policy: &Policy) -> BTreeMap<String, usize> {
    fn walk(v: &Value, out: &mut BTreeMap<String, usize>) {
        match v {
            Value::Percent(_) | Value::Duration(_) | Value::Int(_) | Value::Num(_) => {
                *out.entry(v.shown(zhidu::base::lang::Lang::Zh).to_string()).or_default() += 1;
            }
            Value::Target(t) => walk(&t.value, out),
            Value::List(l) => l.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.fields().filter(|(k, _)| k.as_str() != "order").for_each(|(_, x)| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for k in policy.schema.kinds.iter().filter(|k| k.origin == KindOrigin::Decl) {
        let kind = k.name.strip_prefix("policy.").unwrap_or(&k.name);
        for r in policy.decls_of(kind) {
            for (f, v) in k.fields.iter().zip(policy.decls.get(r).expect("decl").fields.iter()) {
                if !["order", "rank"].contains(&f.name.as_str()) {
                    walk(v, &mut out);
                }
            }
        }
    }
    out
}

#[test]
fn changing_a_param_or_weight_changes_every_page_that_states_it() {
    let files = pack();
    let policy = compile(&files);
    let forms = declared_forms(&policy);
    let base: Vec<(String, String)> =
        [Edition::Wall, Edition::Annotated].into_iter().flat_map(|e| pages(&policy, e)).collect();
    let changes = changes(&files, &policy);
    assert!(changes.len() >= 15, "every param and weight: {}", changes.len());
    for c in &changes {
        let mut copy = files.clone();
        let text = copy.get_mut(c.file).expect("file");
        assert_eq!(text.matches(&c.find).count(), 1, "{}: `{}` once in {}", c.what, c.find, c.file);
        *text = text.replacen(&c.find, &c.replace, 1);
        let changed = compile(&copy);
        let after: Vec<(String, String)> =
            [Edition::Wall, Edition::Annotated].into_iter().flat_map(|e| pages(&changed, e)).collect();
        // Held by this declaration only: no page may state it any more.
        let unique = forms.get(&c.old).copied().unwrap_or(0) <= 1;
        for ((name, before), (_, now)) in base.iter().zip(after.iter()) {
            assert_eq!(stated(before, &c.new), 0, "{}: {} is no fresh value", c.what, c.new);
            let (b, a, n) = (stated(before, &c.old), stated(now, &c.old), stated(now, &c.new));
            // Every statement of the old value moved to the new one (a period may also print as a
            // frequency, `每季度` before and `每115天` after, so the new value may print more often).
            assert!(
                a + n >= b && a <= b,
                "{}: {name} states {} {b} time(s) before, {a} after and {} {n} time(s)",
                c.what,
                c.old,
                c.new
            );
            if name.starts_with("handbook") {
                assert!(n > 0, "{}: {name} never states the new value {}", c.what, c.new);
            }
            if unique {
                assert_eq!(a, 0, "{}: {name} still states the old value {}", c.what, c.old);
            }
        }
    }
}

/// The pack with `from` replaced by `to` in `file`, compiled through `zhidu lint`: exit code and
/// stderr.
fn lint_edited(file: &str, from: &str, to: &str) -> (i32, String) {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("policies");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, text) in pack() {
        let text = if name == file {
            assert!(text.contains(from), "{file} holds `{from}`");
            text.replacen(from, to, 1)
        } else {
            text
        };
        std::fs::write(dir.join(name), text).expect("write");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(["lint", "--policy", dir.to_str().expect("utf8")])
        .env("NO_COLOR", "1")
        .output()
        .expect("run zhidu");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn an_unknown_reference_is_a_located_error_with_a_suggestion() {
    let (code, err) = lint_edited("params.zd", "{param 投诉反馈时限}内，须", "{param 投诉反馈时线}内，须");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("zhidu::resolve::text_reference"), "{err}");
    assert!(err.contains("params.zd") && err.contains("did you mean `投诉反馈时限`?"), "{err}");
    let (code, err) = lint_edited("params.zd", "{param 投诉反馈时限}内，须", "{parm 投诉反馈时限}内，须");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `{param 投诉反馈时限}`?"), "{err}");
    let (code, err) = lint_edited("appraisal.zd", "{appraisal 绩效考核.low_score}", "{appraisal 绩效考核.low_scor}");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no attribute or key `low_scor`") && err.contains("did you mean `low_score`?"), "{err}");
}

#[test]
fn lint_warns_of_literal_values_and_unmarked_choices() {
    let (code, err) = lint_edited("params.zd", "{param 投诉反馈时限}内，须", "2 天内，须");
    assert_eq!(code, 0, "warnings only: {err}");
    assert!(err.contains("zhidu::lint::literal_value") && err.contains("`{param 投诉反馈时限}`"), "{err}");
    let (code, err) = lint_edited("params.zd", "param 区域最少门店数 {", "# chosen: 取 4。\nparam 区域最少门店数 {");
    assert_eq!(code, 0, "the declaration is marked: {err}");
    assert!(!err.contains("unmarked_choice"), "{err}");
    let (code, err) = lint_edited("params.zd", "pattern 季度 {", "# chosen: 季度标签。\npattern 季度 {");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("zhidu::lint::unmarked_choice") && err.contains("1 warning(s)"), "{err}");
}

/// 总则 states purpose, scope and principles in that order: a group of principles prints right
/// after the section that introduces it (titled like the group), before the chapter's other
/// articles, in every format and edition (the PDF's Typst markup too when the fonts are there).
#[test]
fn principles_follow_the_section_that_introduces_them() {
    let policy = compile(&pack());
    let mut formats = vec![DocFormat::Md, DocFormat::Html];
    if zhidu::render::typeset::check_fonts().is_ok() {
        formats.push(DocFormat::Pdf);
    }
    for edition in [Edition::Wall, Edition::Annotated] {
        for r in render(&policy, &[Doc::Handbook], &formats, edition, None).expect("renders") {
            let text = r.text.replace('\\', "");
            let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{}: no `{s}`", r.name));
            let (purpose, scope, intro) = (at("特制定本制度"), at("本制度适用于公司全体员工"), at("遵循下列基本原则"));
            let (first, last, next) = (at("合法性原则"), at("创新发展原则"), at("产品运营中心成员"));
            assert!(purpose < scope && scope < intro, "{}: purpose, scope, principles out of order", r.name);
            assert!(intro < first && last < next, "{}: the principles are not right after their section", r.name);
            assert_eq!(text.matches("合法性原则").count(), 1 + usize::from(r.name.ends_with("html")), "{}", r.name);
        }
    }
}
