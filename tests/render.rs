//! `zhidu render`: every doc rule in the handbook with its key content, no unfilled placeholder,
//! deterministic output, valid HTML, the committed copy kept fresh, template overrides and
//! sandboxing, and printing to PDF with headless Chromium.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, zhidu, zhidu_in};

fn render_into(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = dir.to_string_lossy().into_owned();
    let mut args = vec!["render", "--out", out.as_str()];
    args.extend_from_slice(extra);
    let (code, _, err) = zhidu(&args);
    (code, err)
}

fn rendered() -> (tempfile::TempDir, String, String, String, String) {
    let t = tempfile::tempdir().expect("tempdir");
    let (code, err) = render_into(t.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let read = |n: &str| std::fs::read_to_string(t.path().join(n)).expect(n);
    let (hm, hh, sm, sh) = (read("handbook.md"), read("handbook.html"), read("sop.md"), read("sop.html"));
    (t, hm, hh, sm, sh)
}

/// Key content of the catalog rules stated in the handbook (catalog column *doc*): what a reader
/// of the wall-posted rulebook must find, as the policy fixes it.
const KEY_CONTENT: &[(&str, &[&str])] = &[
    ("ORG-1", &["管理部主任", "管理部督导专员"]),
    ("ORG-2", &["区域经理"]),
    ("ORG-3", &["区域经理助理"]),
    ("ORG-5", &["门店"]),
    ("ORG-6", &["运营部门", "技术部门", "市场部门", "销售部门", "客服部门"]),
    ("ROLE-1", &["运营经理", "运营专员", "数据分析员", "产品运营经理"]),
    ("ROLE-2", &["市场运营", "用户运营", "内容运营", "技术运营", "NPS"]),
    ("APV-1", &["日常优化", "重大改革", "复杂项目", "运营总监", "技术总监", "决策委员会"]),
    ("APV-6", &["财务经理", "董事"]),
    ("APV-7", &["项目背景", "客户需求", "合同金额", "须一致同意"]),
    ("KPI-1", &["日增用户数", "今日新注册数", "≥ 500", "20%", "ROI", "利润/营销投入"]),
    ("KPI-4", &["转化率 ≥ 2%", "用户留存次日", "≥ 30%"]),
    ("KPI-5", &["季度评优", "15%"]),
    ("APR-1", &["上级评价", "40%", "同事评价", "自我评价", "数据分析"]),
    ("APR-6", &["绩效奖金发放", "职位晋升与调整", "培训与发展"]),
    ("APR-7", &["口头警告", "书面通报", "降级处理", "开除"]),
    ("PERM-1", &["数据分析师", "系统管理员", "脱敏数据", "查看、修改、删除"]),
    ("MASK-1", &["地址只保留省份", "年龄以年龄段表示", "25-30岁", "SHA-256"]),
    ("CAD-1", &["数据安全培训", "每半年"]),
    ("CAD-2", &["周例会", "会议纪要", "待办事项", "月度复盘会"]),
    ("CAD-7", &["Excel", "SQL", "用户增长策略", "操作考核"]),
    ("DEV-1", &["轮岗", "3个月至6个月"]),
    ("DEV-2", &["导师", "1页学习笔记", "30分钟面谈记录"]),
    ("SOP-1", &["内容审核SOP", "收集内容素材", "初步筛选", "人工审核", "标签化分类", "发布前预览", "4小时"]),
    ("SOP-7", &["系统崩溃", "技术运营经理", "用户投诉激增", "用户运营主管", "分批恢复服务"]),
    ("SOP-8", &["投诉受理", "跟踪与反馈"]),
    ("SOP-10", &["项目计划书"]),
    ("RISK-1", &["市场", "技术", "运营", "法律", "财务", "可能性"]),
];

#[test]
fn handbook_states_every_doc_rule_with_its_key_content() {
    let (_t, md, html, sop_md, sop_html) = rendered();
    let (code, out, _) = zhidu(&["rules", "--format", "json"]);
    assert_eq!(code, 0);
    let rules: serde_json::Value = serde_json::from_str(&out).expect("json");
    let doc: Vec<String> = rules
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["where"].as_array().is_some_and(|w| w.iter().any(|x| x == "doc")))
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    assert!(doc.len() >= 50, "the pack states most rules in the handbook: {doc:?}");
    // Rule IDs are the auditors' (the annotated edition); the wall edition states the articles.
    let t = tempfile::tempdir().expect("tempdir");
    let (code, err) = render_into(t.path(), &["--edition", "annotated"]);
    assert_eq!(code, 0, "{err}");
    let ann_md = std::fs::read_to_string(t.path().join("handbook-annotated.md")).expect("md");
    let ann_html = std::fs::read_to_string(t.path().join("handbook-annotated.html")).expect("html");
    for id in &doc {
        assert!(ann_md.contains(&format!("**{id} ")), "{id} is missing from handbook-annotated.md");
        assert!(ann_html.contains(&format!(">{id}</span>")), "{id} is missing from handbook-annotated.html");
        assert!(ann_html.contains(&format!("id=\"rule-{id}\"")), "{id} has no anchor");
        assert!(!md.contains(&format!("**{id} ")) && !html.contains(&format!(">{id}</span>")), "{id} on the wall");
    }
    let both = format!("{md}\n{sop_md}");
    let both_html = format!("{html}\n{sop_html}");
    for (id, keys) in KEY_CONTENT {
        assert!(doc.iter().any(|d| d == id), "{id} is a doc rule");
        for k in *keys {
            assert!(both.contains(k), "{id}: `{k}` missing from the Markdown handbook/SOP sheets");
            assert!(both_html.contains(k), "{id}: `{k}` missing from the HTML handbook/SOP sheets");
        }
    }
}

#[test]
fn no_placeholder_or_template_syntax_is_left() {
    let (_t, md, html, sop_md, sop_html) = rendered();
    for (name, text) in [("handbook.md", &md), ("handbook.html", &html), ("sop.md", &sop_md), ("sop.html", &sop_html)] {
        for bad in ["[X]", "［X］", "{{", "{%", "undefined", "None", "[具体"] {
            assert!(!text.contains(bad), "{name} contains `{bad}`");
        }
    }
    // Vague clauses print the value the policy fixes.
    assert!(md.contains("附录一　参数取值") && md.contains("投诉反馈时限") && md.contains("| 2天 |"));
    assert!(md.contains("层级式"), "the seed's [具体组织架构形式] placeholder is filled");
}

#[test]
fn output_is_deterministic() {
    let (_a, m1, h1, s1, x1) = rendered();
    let (_b, m2, h2, s2, x2) = rendered();
    assert!(m1 == m2 && h1 == h2 && s1 == s2 && x1 == x2);
}

/// Parses with html5ever and returns its parse errors.
fn html_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    use html5ever::{ParseOpts, parse_document, tokenizer::TokenizerOpts, tree_builder::TreeBuilderOpts};
    let opts = ParseOpts {
        tokenizer: TokenizerOpts { exact_errors: true, ..Default::default() },
        tree_builder: TreeBuilderOpts { exact_errors: true, ..Default::default() },
    };
    let dom = parse_document(markup5ever_rcdom::RcDom::default(), opts).one(html.to_string());
    dom.errors.borrow().iter().map(|e| e.to_string()).collect()
}

#[test]
fn html_is_valid_self_contained_and_print_ready() {
    let (_t, _, html, _, sop) = rendered();
    for (name, h) in [("handbook.html", &html), ("sop.html", &sop)] {
        let errors = html_errors(h);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert!(h.starts_with("<!DOCTYPE html>"));
        for needle in ["size: A4", "Noto Sans CJK SC", "break-before: page", "counter(pages)", "<svg"] {
            assert!(h.contains(needle), "{name} lacks {needle}");
        }
        for remote in ["http://", "https://", "<script", "@import", "<link"] {
            let hits: Vec<&str> = h.match_indices(remote).map(|(i, _)| &h[i..(i + 40).min(h.len())]).collect();
            // The SVG namespace is an identifier, not a fetch.
            assert!(
                hits.iter().all(|s| s.starts_with("http://www.w3.org/2000/svg")),
                "{name} refers to {remote}: {hits:?}"
            );
        }
    }
    assert_eq!(sop.matches("class=\"sheet\"").count(), 24, "one sheet per SOP (22) and emergency plan (2)");
    assert_eq!(html.matches("class=\"poster\"").count(), 38, "one poster per role");
    // The flowchart of the content review SOP, drawn by zhidu.
    assert!(sop.contains("5. e. 发布前预览"));
    // The handbook names the hash used for IDs (issue 6).
    assert!(html.contains("用户ID使用 SHA-256（未加密钥）"));
}

#[test]
fn committed_rulebook_is_fresh() {
    for edition in ["wall", "annotated"] {
        let (code, _, err) = zhidu(&["render", "--check", "--out", "docs/rulebook", "--edition", edition]);
        assert_eq!(
            code, 0,
            "docs/rulebook is stale: run `cargo run -- render --out docs/rulebook --edition {edition}`\n{err}"
        );
    }
}

#[test]
fn check_reports_stale_and_missing_files() {
    let t = tempfile::tempdir().expect("tempdir");
    assert_eq!(render_into(t.path(), &[]).0, 0);
    assert_eq!(render_into(t.path(), &["--check"]).0, 0);
    let p = t.path().join("sop.md");
    let mut text = std::fs::read_to_string(&p).expect("read");
    text.push('x');
    std::fs::write(&p, text).expect("write");
    std::fs::remove_file(t.path().join("handbook.html")).expect("rm");
    let (code, err) = render_into(t.path(), &["--check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("sop.md differs"), "{err}");
    assert!(err.contains("handbook.html is missing"), "{err}");
}

#[test]
fn policy_text_is_data_never_template_or_markup() {
    let t = tempfile::tempdir().expect("tempdir");
    let pol = t.path().join("policies");
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies"), &pol);
    let f = pol.join("structure.zd");
    let text = std::fs::read_to_string(&f).expect("read");
    let text = text.replacen(
        "公司采用**层级式**组织架构",
        "公司采用{{ 7 * 7 }}{% raw %}<script>alert(1)</script><b onclick=x> [点此](javascript:alert(1)) \
         ![图标](https://evil.example/t.png) [数据](data:text/html,x) [规章](https://example.com/a) [见上](#toc)",
        1,
    );
    std::fs::write(&f, text).expect("write");
    let out = t.path().join("out");
    let (code, _, err) =
        zhidu(&["render", "handbook", "--policy", pol.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(out.join("handbook.html")).expect("html");
    assert!(html.contains("公司采用{{ 7 * 7 }}{% raw %}&lt;script&gt;"), "text is printed as written, escaped");
    assert!(!html.contains("<script") && !html.contains("<b onclick"));
    // Links only to anchors, relative paths and http(s); images as their alt text (issue 21 #22).
    for banned in ["javascript:", "data:text", "evil.example", "<img"] {
        assert!(!html.contains(banned), "handbook.html holds `{banned}`");
    }
    assert!(html.contains("<a href=\"https://example.com/a\">规章</a> <a href=\"#toc\">见上</a>"));
    assert!(html.contains(" 点此 图标 数据 "), "dropped links and images leave their text");
    assert!(html_errors(&html).is_empty(), "{:?}", html_errors(&html));
    let md = std::fs::read_to_string(out.join("handbook.md")).expect("md");
    assert!(md.contains("公司采用{{ 7 * 7 }}"), "not evaluated in Markdown either");
}

#[test]
fn unit_types_print_with_the_titles_the_pack_gives_them() {
    let t = tempfile::tempdir().expect("tempdir");
    let pol = t.path().join("policies");
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies"), &pol);
    let f = pol.join("structure.zd");
    let text = std::fs::read_to_string(&f).expect("read");
    // A retitled type, and a new type without a title (printed as the word itself).
    let text = text.replacen("store      \"门店\"", "store      \"直营门店\"", 1).replacen(
        "values company,",
        "values warehouse, company,",
        1,
    ) + "\nunit 中心仓库 {\n  type   warehouse\n  parent 运营中心\n}\n";
    std::fs::write(&f, text).expect("write");
    let out = t.path().join("out");
    let (code, _, err) =
        zhidu(&["render", "handbook", "--policy", pol.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(out.join("handbook.md")).expect("md");
    assert!(md.contains("| 门店 | 直营门店 | 区域 |"), "the pack's title of `store`");
    assert!(md.contains("| 中心仓库 | warehouse | 运营中心 |"), "a type without a title prints as its word");
    let html = std::fs::read_to_string(out.join("handbook.html")).expect("html");
    assert!(html.contains("<td>门店</td><td>直营门店</td>") && html.contains("<td>warehouse</td>"));
}

#[test]
fn templates_can_be_overridden_and_errors_are_located() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("tpl");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("handbook.md.j2"),
        "# {{ meta.title }} v{{ meta.version }}\n{{ decls.role|length }} roles\n",
    )
    .expect("write");
    let (code, out, err) =
        zhidu_in(t.path(), &["render", "handbook", "--format", "md", "--templates", dir.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "# 运营管理制度（上墙版） v2026.1\n38 roles\n");
    std::fs::write(dir.join("handbook.md.j2"), "line one\n{% for x in %}\n").expect("write");
    let (code, _, err) =
        zhidu_in(t.path(), &["render", "handbook", "--format", "md", "--templates", dir.to_str().expect("utf8")]);
    assert_eq!(code, 2);
    assert!(err.contains("zhidu::render::template") && err.contains("line 2") && err.contains("help:"), "{err}");
    let (code, _, err) = zhidu(&["render"]);
    assert_eq!(code, 2, "several documents need --out");
    assert!(err.contains("--out"), "{err}");
}

/// The print test: headless Chromium prints the HTML to PDF; the page count is plausible and the
/// PDF's text holds key Chinese strings, so CJK glyphs really render. `.ci/run` installs Chromium,
/// the CJK fonts and poppler and sets `ZHIDU_PRINT_TEST=required`; elsewhere the test skips with a
/// message when they are missing.
#[test]
fn prints_to_pdf_with_headless_chromium() {
    let required = std::env::var("ZHIDU_PRINT_TEST").is_ok_and(|v| v == "required");
    let have = |cmd: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {cmd}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let chromium = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|c| have(c));
    let (Some(chromium), true) = (chromium, have("pdftotext") && have("pdfinfo")) else {
        assert!(!required, "ZHIDU_PRINT_TEST=required but chromium or poppler-utils is missing");
        eprintln!(
            "SKIPPED prints_to_pdf_with_headless_chromium: chromium or pdftotext/pdfinfo not installed (`.ci/run` installs them)"
        );
        return;
    };
    let t = tempfile::tempdir().expect("tempdir");
    assert_eq!(render_into(t.path(), &["--format", "html"]).0, 0);
    // The auditors' report prints with the same layout and in the same test as the rulebook.
    let report = t.path().join("report.html");
    let (code, _, err) = zhidu(&["report", "examples/acme", "--format", "html", "--out", &report.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let profile = t.path().join("profile");
    for (doc, min_pages, max_pages, keys) in [
        ("handbook", 40, 160, &["运营管理制度", "转化率", "地址只保留省份", "第 1 页"][..]),
        ("sop", 21, 40, &["内容审核SOP", "发布前预览", "应急预案"][..]),
        ("report", 5, 20, &["制度符合性审计报告", "ORG-2", "不符合", "输入文件摘要", "第 1 页"][..]),
    ] {
        let html = t.path().join(format!("{doc}.html"));
        let pdf = t.path().join(format!("{doc}.pdf"));
        let status = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()))
            .output()
            .expect("run chromium");
        assert!(pdf.exists(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&status.stderr));
        let info = std::process::Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
        let info = String::from_utf8_lossy(&info.stdout);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("page count");
        assert!((min_pages..=max_pages).contains(&pages), "{doc}: {pages} pages");
        let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext");
        // pdftotext spaces CJK text differently per layout; compare without whitespace.
        let text: String = String::from_utf8_lossy(&text.stdout).split_whitespace().collect();
        for k in keys {
            let k: String = k.split_whitespace().collect();
            assert!(text.contains(&k), "{doc}.pdf lacks `{k}` (CJK glyphs not rendered?)");
        }
    }
}
