//! Type checker and resolver tests over small in-memory packs: which diagnostics (by code) a
//! rule body produces, and that well-typed bodies compile (with joins planned as index lookups).

use zhidu::compile::load::{PackSource, load};
use zhidu::compile::resolve::resolve;

const HEAD: &str = r#"
policy 测试 { version "1"; effective 2026-01-01 }
role 运营总监 {}
role 技术总监 {}
approval 重大改革 { applies_to change; requires all(运营总监, 技术总监) }
param 宽限 { value 2 days }
pattern 季度 { regex "^\\d{4}-Q[1-4]$" }
record person { id: string; name: string; unit: ref unit; roles: [role]; joined: date; left?: date; mentor?: ref person }
record unit { id: string; name: string; type: enum(department, store) }
record change {
  id: string; title: string; tier: approval; author: ref person; submitted: date; golive?: date
  approvals: [{ by: ref person, role: role, date: date, decision: enum(approve, reject) }]
}
record training { id: string; topic: string; date: date; attendees: [ref person] }
"#;

/// Diagnostic codes for a pack made of HEAD plus one rule with this check.
fn codes(check: &str) -> Vec<String> {
    let main = format!("{HEAD}\nrule T-1 error \"t\" {{\n  source \"s\"\n  message \"m\"\n  check {check}\n}}\n");
    let files = [("main.zd", main.as_str())];
    let loaded = match load(&PackSource::Memory(&files)) {
        Ok(l) => l,
        Err((_, d)) => return d.items.iter().map(|x| x.code()).collect(),
    };
    match resolve(loaded) {
        Ok(_) => Vec::new(),
        Err((_, d)) => d.items.iter().map(|x| x.code()).collect(),
    }
}

#[test]
fn well_typed_bodies_compile() {
    for ok in [
        "forall c in change: forall a in c.approvals: a.by != c.author",
        "forall c in change: c.golive == none or c.submitted <= c.golive",
        "forall c in change: c.author.unit.type == \"store\" implies c.tier == 重大改革",
        "forall c in change: forall r in policy.approval[c.tier].requires.roles: exists a in c.approvals where a.role == r",
        "forall c in change: c.tier.requires.mode == \"all\"",
        "forall p in person: exists t in training where p in t.attendees and t.date >= as_of - 6 months",
        "forall u in unit: count(p in person where p.unit == u) >= 1",
        "forall p in person: (p.left ?? as_of) - p.joined >= 宽限",
        "forall p in person: p.mentor == none or p.mentor.joined < p.joined",
        "forall w in windows(period, 6 months): exists t in training where t.date in w",
        "forall c in change: \"运营总监\" in [a.role for a in c.approvals] or len(c.approvals) == 0",
        "forall c in change: label(c.submitted, 3 months) matches 季度",
        "forall p in person: not cyclic(p, \"roles\") or true",
        "sum(c in change: len(c.approvals)) >= 0",
    ] {
        assert_eq!(codes(ok), Vec::<String>::new(), "{ok}");
    }
}

#[test]
fn type_errors_are_reported_with_codes() {
    let cases = [
        ("forall c in change: c.submitted > 500", "zhidu::types::mismatch"),
        ("forall c in change: c.golve != none", "zhidu::types::unknown_field"),
        ("forall c in change: c.approvals.by != none", "zhidu::types::unknown_field"),
        ("forall c in chang: true", "zhidu::types::unknown_name"),
        ("forall c in change: lenght(c.approvals) > 0", "zhidu::types::unknown_function"),
        ("forall c in change: len(c.approvals, 1) > 0", "zhidu::types::arity"),
        ("forall c in change: c.submitted", "zhidu::types::check_not_bool"),
        ("forall c in change: c.tier == \"重大改格\"", "zhidu::resolve::unknown_reference"),
        ("forall c in change: \"运营总裁\" in [a.role for a in c.approvals]", "zhidu::resolve::unknown_reference"),
        ("forall u in unit: u.type == \"shop\"", "zhidu::types::mismatch"),
        ("forall c in change: c.title matches 月度", "zhidu::resolve::unknown_reference"),
        ("forall c in change: c.author == c.submitted", "zhidu::types::mismatch"),
        ("forall c in change: c.submitted + 1 > as_of", "zhidu::types::mismatch"),
        ("forall c in policy.aproval: true", "zhidu::types::unknown_name"),
        ("forall c in change", "zhidu::types::forall_without_body"),
        ("forall c in 5: true", "zhidu::types::mismatch"),
        ("policy.approval[\"不存在\"].example == \"x\"", "zhidu::resolve::unknown_reference"),
    ];
    for (check, code) in cases {
        let got = codes(check);
        assert!(got.iter().any(|c| c == code), "{check}: expected {code}, got {got:?}");
    }
}

#[test]
fn every_error_in_a_pack_is_reported() {
    let got = codes("forall c in change: c.golve != none and c.submited > 1 and lenght(c) > 0");
    assert_eq!(got.len(), 3, "{got:?}");
}

#[test]
fn enforcement_level_as_word_or_string() {
    for level in ["advisory", "\"advisory\"", "mandatory"] {
        let main = format!(
            "{HEAD}\nrule T-1 error \"t\" {{\n  source \"s\"\n  message \"m\"\n  level {level}\n  check forall c in change: true\n}}\n"
        );
        let files = [("main.zd", main.as_str())];
        let loaded = load(&PackSource::Memory(&files)).map_err(|(_, d)| d.render(false)).expect("loads");
        match resolve(loaded) {
            Ok((p, _)) => assert_eq!(p.rules[0].advisory, level.contains("advisory"), "{level}"),
            Err((_, d)) => panic!("{level}: {}", d.render(false)),
        }
    }
    let got = codes_with_level("sometimes");
    assert_eq!(got, vec!["zhidu::resolve::bad_value".to_string()]);
}

fn codes_with_level(level: &str) -> Vec<String> {
    let main = format!(
        "{HEAD}\nrule T-1 error \"t\" {{\n  source \"s\"\n  message \"m\"\n  level {level}\n  check forall c in change: true\n}}\n"
    );
    let files = [("main.zd", main.as_str())];
    match load(&PackSource::Memory(&files)) {
        Ok(l) => match resolve(l) {
            Ok(_) => Vec::new(),
            Err((_, d)) => d.items.iter().map(|x| x.code()).collect(),
        },
        Err((_, d)) => d.items.iter().map(|x| x.code()).collect(),
    }
}

/// A pack whose units have types of its own: `enum unit_type` declares them, and the engine
/// knows no unit type of its own.
const OWN_UNIT_TYPES: &str = r#"
policy 测试 { version "1"; effective 2026-01-01 }
role 店长 {}
enum unit_type {
  values headquarters, warehouse, "门市部"
  titles { headquarters "总部"; warehouse "仓库" }
}
enum permission_range { values 全公司, 本仓库 }
unit 总部 { type headquarters }
unit 一号仓 { type warehouse; parent 总部 }
unit 门市部一 { type "门市部"; parent 总部 }
permission 店长本仓库 { role 店长; range 本仓库; ops 查看 }
"#;

/// Resolves a pack of one file; on failure the rendered diagnostics.
fn resolve_pack(main: &str) -> Result<zhidu::policy::Policy, String> {
    let files = [("main.zd", main)];
    let loaded = load(&PackSource::Memory(&files)).map_err(|(_, d)| d.render(false))?;
    resolve(loaded).map(|(p, _)| p).map_err(|(_, d)| d.render(false))
}

#[test]
fn unit_types_and_permission_ranges_are_the_packs_words() {
    let p = resolve_pack(OWN_UNIT_TYPES).expect("a unit of a type the pack declares is accepted");
    assert_eq!(p.decls_of("unit").len(), 3);
    let rule =
        "rule T-1 error \"t\" { source \"s\"; message \"m\"; check forall u in policy.unit: u.type != \"门市部\" }";
    resolve_pack(&format!("{OWN_UNIT_TYPES}\n{rule}\n")).expect("a declared word compares with a unit's type");

    // A type the pack does not declare (`store` is one of the built-in pack's, not of this one).
    let err = resolve_pack(&format!("{OWN_UNIT_TYPES}\nunit 门店 {{ type store }}\n")).expect_err("undeclared type");
    assert!(err.contains("zhidu::resolve::bad_value"), "{err}");
    assert!(err.contains("`type` expects one of headquarters, warehouse, 门市部"), "{err}");
    assert!(err.contains("allowed: headquarters, warehouse, 门市部"), "{err}");
    // A misspelt one gets a did-you-mean against the pack's list.
    let err = resolve_pack(&format!("{OWN_UNIT_TYPES}\nunit 二号仓 {{ type warehous }}\n")).expect_err("misspelt");
    assert!(err.contains("`type` expects one of headquarters, warehouse, 门市部"), "{err}");
    assert!(err.contains("did you mean `warehouse`?"), "{err}");
    // So does a permission's range, and a literal compared with a unit's type in a rule.
    let bad_range = "permission 店长全局 { role 店长; range 全局; ops 查看 }";
    let err = resolve_pack(&format!("{OWN_UNIT_TYPES}\n{bad_range}\n")).expect_err("undeclared range");
    assert!(err.contains("`range` expects one of 全公司, 本仓库"), "{err}");
    let rule =
        "rule T-1 error \"t\" { source \"s\"; message \"m\"; check forall u in policy.unit: u.type != \"warehous\" }";
    let err = resolve_pack(&format!("{OWN_UNIT_TYPES}\n{rule}\n")).expect_err("undeclared literal");
    assert!(err.contains("zhidu::types::mismatch") && err.contains("did you mean `warehouse`?"), "{err}");
}

#[test]
fn an_enum_must_be_declared_and_its_titles_must_name_its_words() {
    let no_enum = "policy 测试 { version \"1\"; effective 2026-01-01 }\nunit 总部 { type headquarters }\n";
    let err = resolve_pack(no_enum).expect_err("no enum unit_type");
    assert!(err.contains("`type` expects a word of `enum unit_type`"), "{err}");
    assert!(err.contains("enum unit_type { values … }"), "{err}");
    let bad_title = OWN_UNIT_TYPES.replace("warehouse \"仓库\"", "warehose \"仓库\"");
    let err = resolve_pack(&bad_title).expect_err("title of no word");
    assert!(err.contains("`titles` expects one of headquarters, warehouse, 门市部"), "{err}");
    assert!(err.contains("did you mean `warehouse`?"), "{err}");
}

/// A stream kind's records are never held, so no lookup is planned over them: a `where` that
/// compares a field of the cell with a string (`c.column == "手机"`) stays a filter, and the
/// check compiles as the outermost `forall` it is (it was refused as not outermost once the
/// comparison had been planned as an index lookup of the stream).
#[test]
fn a_filter_on_a_stream_field_is_not_planned_as_a_lookup() {
    use zhidu::policy::ir::{Ir, Source};
    let main = r#"
policy 测试 { version "1"; effective 2026-01-01 }
record export_cell stream "exports" { file: string; row: int; line: int; column: string; value: secret string }
rule S-1 error "s" {
  source "s"
  message "{c.file} {c.row}"
  check forall c in export_cell where c.column == "手机": not looks_like_cn_mobile(c.value)
  check forall c in export_cell where "a" == c.value and c.row > 1: true
}
"#;
    let files = [("main.zd", main)];
    let loaded = load(&PackSource::Memory(&files)).map_err(|(_, d)| d.render(false)).expect("loads");
    let policy = match resolve(loaded) {
        Ok((p, _)) => p,
        Err((_, d)) => panic!("{}", d.render(false)),
    };
    for check in &policy.rules[0].checks {
        assert!(
            matches!(check.ir.unwrapped(), Ir::Quant { src: Source::Kind(_), filter: Some(_), .. }),
            "{:?}",
            check.ir
        );
    }
    assert!(policy.index_keys.is_empty(), "{:?}", policy.index_keys);
}
