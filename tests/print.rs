//! The print test of `zhidu render --format pdf` (Typst, no browser): the PDF embeds its fonts
//! (no Type 3), numbers chapters 第一章… and articles 第一条…, has a contents with page numbers,
//! the wall edition labels no article with its rule and the annotated edition labels every one,
//! section headings use a Kai face when one is installed, and every role poster and SOP sheet
//! starts a page under its title (28pt), continues under "title（续）", and prints at 14pt,
//! flowcharts included.
//!
//! Needs poppler-utils and fonts-noto-cjk (`.ci/run` installs them). Without them the test skips
//! with a message, unless `CI` is set: then it fails.

mod common;

use std::path::Path;
use std::process::Command;

use common::zhidu;

fn have(cmd: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {cmd}")]).output().is_ok_and(|o| o.status.success())
}

fn tools_present() -> bool {
    let fonts = Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("Noto Serif CJK SC"));
    have("pdftotext") && have("pdffonts") && have("pdfinfo") && fonts
}

/// Runs a poppler tool and returns its standard output (pdftotext writes to `-`).
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(pdf);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().expect(tool);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// Text without whitespace (pdftotext spaces CJK text by layout).
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect()
}

/// How many declarations of `kind` the built-in pack has.
fn count_decls(kind: &str) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir("policies").expect("policies") {
        let text = std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default();
        n += text.lines().filter(|l| l.starts_with(&format!("{kind} "))).count();
    }
    n
}

/// (ID, title) of every rule of the built-in pack (not zhidu's own data checks).
fn rules() -> Vec<(String, String)> {
    let (code, out, err) = zhidu(&["rules", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .filter(|r| r["builtin"].as_bool() != Some(true))
        .filter_map(|r| Some((r["id"].as_str()?.to_string(), r["title"].as_str()?.to_string())))
        .collect()
}

#[test]
fn pdf_is_typeset_with_embedded_fonts_numbered_articles_and_one_page_posters() {
    if !tools_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but poppler-utils or fonts-noto-cjk is missing (`.ci/run` installs them)"
        );
        eprintln!("SKIPPED pdf print test: poppler-utils or fonts-noto-cjk (Noto Serif CJK SC) not installed");
        return;
    }
    let t = tempfile::tempdir().expect("tempdir");
    let wall = t.path().join("wall");
    let annotated = t.path().join("annotated");
    for (dir, edition) in [(&wall, "wall"), (&annotated, "annotated")] {
        let (code, _, err) =
            zhidu(&["render", "--format", "pdf", "--edition", edition, "--out", dir.to_str().expect("utf8")]);
        assert_eq!(code, 0, "{err}");
    }
    for pdf in [wall.join("handbook.pdf"), wall.join("sop.pdf"), annotated.join("handbook-annotated.pdf")] {
        let fonts = poppler("pdffonts", &[], &pdf);
        assert!(fonts.contains("CID"), "{}: no CID font\n{fonts}", pdf.display());
        assert!(!fonts.contains("Type 3"), "{}: Type 3 fonts\n{fonts}", pdf.display());
    }

    let handbook = wall.join("handbook.pdf");
    let text = poppler("pdftotext", &[], &handbook);
    let flat = squeezed(&text);
    for k in ["第一章", "第二章", "第一条", "第十条", "附录一", "目录"] {
        assert!(flat.contains(k), "handbook.pdf lacks `{k}`");
    }
    // The contents (page 2): chapters with dot leaders and page numbers.
    let contents = poppler("pdftotext", &["-f", "2", "-l", "2", "-layout"], &handbook);
    let entry = regex::Regex::new(r"第一章\s*\S+\s*(\.\s*){3,}\D{0,3}(\d+)").expect("regex");
    let caps = entry.captures(&contents).unwrap_or_else(|| panic!("no contents entry with page number:\n{contents}"));
    assert_eq!(&caps[2], "1", "chapter 1 starts on page 1 after the contents");
    // Page numbers in the footer, as "— 1 —".
    assert!(flat.contains("—1—") && flat.contains("—2—"), "no page numbers \"— 1 —\"");

    // The annotated edition labels every article with its rule (ID then title); the wall edition
    // labels none. (Rule IDs the pack's article text itself quotes are the pack's to remove.)
    let rules = rules();
    assert!(rules.len() > 20, "{rules:?}");
    let annotated_text = squeezed(&poppler("pdftotext", &[], &annotated.join("handbook-annotated.pdf")));
    for (id, title) in &rules {
        let label = squeezed(&format!("{id} {title}"));
        assert!(annotated_text.contains(&label), "annotated edition lacks `{label}`");
        assert!(!flat.contains(&label), "wall edition labels an article `{label}`");
    }
    assert!(annotated_text.contains("条款索引") && !flat.contains("条款索引"));

    // 楷体-style section headings when a Kai face is installed (`.ci/run` installs
    // fonts-arphic-ukai; without it the serif face stands in).
    let kai = Command::new("fc-list").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("UKai"));
    if kai {
        let fonts = poppler("pdffonts", &[], &handbook);
        assert!(fonts.contains("UKai"), "fonts-arphic-ukai installed but no Kai face in handbook.pdf\n{fonts}");
    }

    // Every role poster, SOP sheet and emergency sheet starts a page under its own title; one
    // that does not fit continues on pages headed by the title again with （续）, never shrunk.
    let sheets = count_decls("role") + count_decls("sop") + count_decls("emergency");
    let sop = wall.join("sop.pdf");
    let n = pages(&sop);
    let mut titles: Vec<String> = Vec::new();
    for p in 1..=n {
        let page = p.to_string();
        let first = poppler("pdftotext", &["-f", &page, "-l", &page], &sop);
        let title = squeezed(first.lines().find(|l| !l.trim().is_empty()).unwrap_or_default());
        let continued = title.ends_with("（续）");
        match title.strip_suffix("（续）") {
            Some(t) => assert_eq!(titles.last().map(String::as_str), Some(t), "page {p}: （续） of another poster"),
            None => titles.push(title),
        }
        // A step table continued on this page starts with a whole row (its step number), never
        // with the tail of a row split across the page break.
        let layout = poppler("pdftotext", &["-layout", "-f", &page, "-l", &page], &sop);
        let mut lines = layout.lines().map(str::trim).filter(|l| !l.is_empty()).skip(1);
        if continued && lines.next().is_some_and(|l| l.starts_with("步骤")) {
            let row = lines.next().unwrap_or_default();
            assert!(
                row.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())),
                "page {p}: the continued step table starts inside a row: `{row}`"
            );
        }
        // Sizes from pdftotext's word boxes (a box is as high as its font size): the title at
        // 28pt, and on every sheet no word above the footer below 14pt — the text in an SOP
        // sheet's flowchart too (the chart is drawn in pt, so its text is real text at its
        // printed size).
        let boxes = poppler("pdftotext", &["-bbox", "-f", &page, "-l", &page], &sop);
        let words: Vec<(f64, f64, String)> = boxes
            .lines()
            .filter(|l| l.trim_start().starts_with("<word"))
            .filter_map(|l| {
                let num =
                    |k: &str| -> Option<f64> { l.split(&format!("{k}=\"")).nth(1)?.split('"').next()?.parse().ok() };
                let text = l.split('>').nth(1)?.split('<').next()?.to_string();
                Some((num("yMin")?, num("yMax")? - num("yMin")?, text))
            })
            .collect();
        assert!(words.first().is_some_and(|w| w.1 >= 27.9), "page {p}: title under 28pt: {:?}", words.first());
        // The footer sits in the bottom margin (24 mm = 68pt of the 842pt A4 page).
        for (y, h, w) in words.iter().filter(|w| w.0 < 842.0 - 68.0) {
            assert!(*h >= 13.9, "page {p}: `{w}` at {h}pt (y {y}) is under 14pt");
        }
    }
    assert_eq!(titles.len(), sheets, "sop.pdf: one poster or sheet per title\n{titles:?}");
    assert!(titles.iter().all(|t| !t.is_empty()));
    let sop_text = squeezed(&poppler("pdftotext", &[], &sop));
    assert!(sop_text.contains("岗位职责：") && sop_text.contains("内容审核SOP") && sop_text.contains("应急预案"));
    assert!(sop_text.contains("发布日期") && !sop_text.contains("第1页"), "sheets carry their own footer");
}

/// The English PDF report numbers its sections `1. Audit conclusion`, with a space after the
/// number (the Chinese one writes `一、审计结论`, which needs none).
#[test]
fn english_pdf_report_headings_have_a_space_after_the_number() {
    if !tools_present() {
        assert!(std::env::var_os("CI").is_none(), "CI is set but poppler-utils or fonts-noto-cjk is missing");
        eprintln!("SKIPPED english pdf report test: poppler-utils or fonts-noto-cjk not installed");
        return;
    }
    let t = tempfile::tempdir().expect("tempdir");
    let pdf = t.path().join("report.pdf");
    let org = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme");
    let (code, _, err) =
        zhidu(&["report", org, "--format", "pdf", "--lang", "en", "--out", pdf.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let text = poppler("pdftotext", &["-l", "2"], &pdf);
    assert!(text.lines().any(|l| l.trim() == "1. Audit conclusion"), "{text}");
    assert!(!text.contains("1.Audit"), "{text}");
}

/// Without the CJK faces, `render --format pdf` and `report --format pdf` fail closed (exit 2)
/// with an error that names the package to install, and write nothing. The fonts are hidden by
/// pointing fontconfig (which zhidu's font scan reads, via `FONTCONFIG_FILE`) at an empty
/// directory, so this runs whether or not fonts-noto-cjk is installed.
#[test]
fn a_missing_cjk_font_is_an_error_naming_the_package() {
    let t = tempfile::tempdir().expect("tempdir");
    let empty = t.path().join("no-fonts");
    std::fs::create_dir(&empty).expect("mkdir");
    let conf = t.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir></fontconfig>\n",
            empty.display()
        ),
    )
    .expect("write fonts.conf");
    let out = t.path().join("out");
    let report = t.path().join("report.pdf");
    let org = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/acme");
    for args in [
        vec!["render", "--format", "pdf", "--out", out.to_str().expect("utf8")],
        vec!["report", org, "--format", "pdf", "--out", report.to_str().expect("utf8")],
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_zhidu"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env("FONTCONFIG_FILE", &conf)
            .output()
            .expect("run zhidu");
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("zhidu::render::fonts"), "{args:?}: no stable code\n{err}");
        assert!(err.contains("Noto Serif CJK SC is not installed"), "{args:?}: the face is not named\n{err}");
        assert!(err.contains("apt-get install fonts-noto-cjk"), "{args:?}: the package is not named\n{err}");
    }
    assert!(!out.join("handbook.pdf").exists() && !out.join("sop.pdf").exists(), "a PDF was written");
    assert!(!report.exists(), "a report PDF was written");
}
