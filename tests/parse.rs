//! Parser tests: every construct of the language, precedence, error recovery, and a property
//! test that the parser and formatter never panic.

use proptest::prelude::*;
use zhidu::base::source::FileId;
use zhidu::syntax::ast::{Entry, Item};
use zhidu::syntax::{parse_expr, parse_file};

fn expr(src: &str) -> String {
    match parse_expr(FileId(0), 0, src) {
        Ok(e) => e.sexpr(),
        Err(e) => panic!("{src}: {e}"),
    }
}

#[test]
fn literals() {
    assert_eq!(expr("\"文案\""), "\"文案\"");
    assert_eq!(expr("500"), "500");
    assert_eq!(expr("3.5"), "3.5");
    assert_eq!(expr("20%"), "20%");
    assert_eq!(expr("2026-01-01"), "2026-01-01");
    assert_eq!(expr("2026-03-01T09:30:00+08:00"), "2026-03-01T01:30:00Z");
    assert_eq!(expr("4h"), "<4h>");
    assert_eq!(expr("30min"), "<30min>");
    assert_eq!(expr("2 weeks"), "<2 weeks>");
    assert_eq!(expr("6 months"), "<6 months>");
    assert_eq!(expr("1 year"), "<1 year>");
    assert_eq!(expr("3个月"), "<3 months>");
    assert_eq!(expr("4小时"), "<4h>");
    assert_eq!(expr(">= 500"), "(target >= 500)");
    assert_eq!(expr(">= 2%"), "(target >= 2%)");
    assert_eq!(expr("true"), "true");
    assert_eq!(expr("none"), "none");
    assert_eq!(expr("[a, \"b\", 3]"), "[a \"b\" 3]");
    assert_eq!(expr("\"\"\"\n  多行\n  文本\n\"\"\""), "\"多行\\n文本\"");
}

#[test]
fn operators_and_precedence() {
    assert_eq!(expr("a and b or c"), "(or (and a b) c)");
    assert_eq!(expr("a or b implies c"), "(implies (or a b) c)");
    assert_eq!(expr("not a == b"), "(not (== a b))");
    assert_eq!(expr("a + b * c >= d - e / f"), "(>= (+ a (* b c)) (- d (/ e f)))");
    assert_eq!(expr("x in [1, 2] and y not in p.roles"), "(and (in x [1 2]) (not in y (. p roles)))");
    assert_eq!(expr("s matches 省份"), "(matches s 省份)");
    assert_eq!(expr("p.left ?? as_of >= w.to"), "(>= (?? (. p left) as_of) (. w to))");
    assert_eq!(expr("-x + 1"), "(+ (neg x) 1)");
    assert_eq!(expr("c.author.unit.name"), "(. (. (. c author) unit) name)");
    assert_eq!(expr("policy.approval[c.tier].requires"), "(. ([] (. policy approval) (. c tier)) requires)");
    assert_eq!(expr("len(distinct(xs)) == 2"), "(== (len (distinct xs)) 2)");
    assert_eq!(expr("if a then 1 else 2"), "(if a 1 2)");
}

#[test]
fn quantifiers_and_aggregates() {
    assert_eq!(
        expr("forall c in change: forall a in c.approvals: a.by != c.author"),
        "(forall c in change: (forall a in (. c approvals): (!= (. a by) (. c author))))"
    );
    assert_eq!(
        expr("exists t in training where p in t.attendees and t.date in w"),
        "(exists t in training where (and (in p (. t attendees)) (in (. t date) w)))"
    );
    assert_eq!(expr("count(p in person where p.unit == u) == 1"), "(== (count p in person where (== (. p unit) u)) 1)");
    assert_eq!(expr("sum(k in s.kpi: k.weight) == 100%"), "(== (sum k in (. s kpi): (. k weight)) 100%)");
    assert_eq!(
        expr("[r.module for r in rotation where r.person == p]"),
        "[(. r module) for r in rotation where (== (. r person) p)]"
    );
    assert_eq!(expr("forall x in xs: a and b"), "(forall x in xs: (and a b))", "the body extends to the right");
}

#[test]
fn items_of_every_kind() {
    let src = include_str!("fixtures/parse/all_constructs.zd");
    let (file, errors) = parse_file(FileId(0), src);
    assert!(errors.is_empty(), "{errors:?}");
    let kinds: Vec<String> = file
        .items
        .iter()
        .map(|i| match i {
            Item::Include(x) => format!("include {}", x.path),
            Item::Rule(r) => format!("rule {} {:?} {}", r.id.name, r.severity.map(|s| s.0), r.entries.len()),
            Item::Record(r) => format!("record {} {} {}", r.kind.name, r.aliases.len(), r.fields.len()),
            Item::Decl(d) => format!(
                "{} {} {}",
                d.kind.name,
                d.name.as_ref().map_or("-", |n| n.name.as_str()),
                d.entries.iter().filter(|e| matches!(e, Entry::Decl(_))).count()
            ),
            Item::Extends(x) => format!("extends {}", x.path),
            Item::Override(d) => format!("override {} {}", d.kind.name, d.entries.len()),
            Item::Disable(d) => format!("disable {} {}", d.id.name, d.entries.len()),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "include other.zd",
            "include sub/x.zd",
            "policy 运营管理制度 0",
            "approval 重大改革 0",
            "kpi_sheet 电商运营 2",
            "appraisal 绩效考核 1",
            "sop 内容审核 2",
            "role 25-30岁 0",
            "record change 1 7",
            "rule APV-3 Some(Error) 3",
            "rule KPI-2 Some(Warning) 5",
            "rule DOC-1 None 3",
        ]
    );
}

#[test]
fn several_syntax_errors_are_reported() {
    let src = "role A {\n  unit B\n  duties x,\n}\nrole C {\n  unit D\n}\nrole E { text \"unterminated }\nrole F { unit G }\n";
    let (file, errors) = parse_file(FileId(0), src);
    assert_eq!(errors.len(), 2, "{errors:?}");
    // The parser resumed after each error and kept the good items that followed.
    assert!(file.items.iter().any(|i| matches!(i, Item::Decl(d) if d.name.as_ref().is_some_and(|n| n.name == "F"))));
}

#[test]
fn reserved_words_are_not_names() {
    let (_, errors) = parse_file(FileId(0), "role in { }\n");
    assert_eq!(errors.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse_file(FileId(0), &s);
        let _ = parse_expr(FileId(0), 0, &s);
        let _ = zhidu::syntax::fmt::format(&s);
    }

    #[test]
    fn parser_never_panics_on_policy_like_text(s in "(role|rule|record|forall|exists|check|[{}();:,.\\[\\]\"#%<>=!+*/ \n-]|[a-z]{1,4}|运营|[0-9]{1,4}|APV-3|2026-01-01|4h|\"\"\"){0,60}") {
        let _ = parse_file(FileId(0), &s);
        if let Ok(out) = zhidu::syntax::fmt::format(&s) {
            prop_assert_eq!(zhidu::syntax::fmt::format(&out).ok(), Some(out.clone()), "formatting is idempotent");
        }
    }
}

#[test]
fn duration_literals_out_of_range_are_located() {
    // The longest a calendar date can be moved by is accepted, one unit more is not.
    for ok in ["7304484 days", "1043497 weeks", "175307616 hours", "10518456960 min", "9999 years"] {
        assert!(parse_expr(FileId(0), 0, ok).is_ok(), "{ok}");
    }
    for bad in ["7304485 days", "99999999 days", "2000000 weeks", "200000000 hours", "10000 years"] {
        let src = format!("as_of + {bad}");
        let e = parse_expr(FileId(0), 0, &src).expect_err(bad);
        let loc = e.loc();
        assert_eq!(&src[loc.start as usize..loc.end as usize], bad, "label on the literal");
        assert_eq!(
            miette::Diagnostic::code(&e).map(|c| c.to_string()).as_deref(),
            Some("zhidu::parse::invalid_literal")
        );
    }
}

#[test]
fn overlay_items() {
    let src = "extends \"builtin\"\noverride approval 预算 { requires seq(会计, 总经理, 董事) }\n\
               override param 时限 { value 3 days }\ndisable rule APV-6 { reason \"r\" approved_by \"b\" }\n";
    let (file, errors) = parse_file(FileId(0), src);
    assert!(errors.is_empty(), "{errors:?}");
    let kinds: Vec<String> = file
        .items
        .iter()
        .map(|i| match i {
            Item::Extends(x) => format!("extends {}", x.path),
            Item::Override(d) => {
                format!("override {} {} {}", d.kind.name, d.name.as_ref().map_or("-", |n| &n.name), d.entries.len())
            }
            Item::Disable(d) => format!("disable {} {}", d.id.name, d.entries.len()),
            _ => "other".into(),
        })
        .collect();
    assert_eq!(kinds, ["extends builtin", "override approval 预算 1", "override param 时限 1", "disable APV-6 2"]);
    // The formatter keeps the new items (and proves it by re-parsing).
    let formatted = zhidu::syntax::fmt::format(src).expect("formats");
    assert!(formatted.contains("override param 时限 {"), "{formatted}");
}
