//! Following references and joining on them by record position (resolved when loaded) gives
//! exactly what looking ids up gives, and what scanning without indexes gives.

use std::path::Path;

use super::*;
use crate::base::store::KindData;
use crate::eval::run::run_check;

/// acme, plus records for the corners: a repeated person id (joins on it must find the
/// records naming it whichever person is meant), references to missing records, a grant on
/// every dataset (`*`).
fn org_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in std::fs::read_dir("examples/acme").expect("acme").flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).expect("copy");
        }
    }
    let extra = r#"
[[person]]
id = "P0004"
name = "重名"
unit = "U-OPS"
roles = ["运营专员"]
joined = 2020-01-01
level = "新人"
mentor = "P0004"

[[person]]
id = "P9001"
name = "无导师"
unit = "U-NOPE"
roles = ["运营专员"]
joined = 2020-01-01
level = "新人"
mentor = "P9999"

[[grant]]
id = "G-X-1"
person = "P0004"
dataset = "*"
ops = ["查看"]
view = "raw"

[[grant]]
id = "G-X-2"
person = "P9999"
dataset = "DS-01"
ops = ["查看"]
view = "raw"

[[appraisal]]
id = "A-X-1"
person = "P9999"
cycle = "2026-05"
total = 80
scores = { "上级评价" = 80, "同事评价" = 80, "自我评价" = 80, "数据分析" = 80 }
"#;
    std::fs::write(dir.path().join("zz-extra.toml"), extra).expect("write");
    dir
}

/// Every violation of every check, as text.
fn violations(
    policy: &crate::policy::Policy,
    org: &Store,
    indexes: &Indexes,
    data: &crate::data::OrgData,
) -> Vec<String> {
    let ctx = Ctx::new(&policy.schema, &policy.decls, org, indexes, data.config.as_of, data.config.period);
    let mut out = Vec::new();
    for rule in &policy.rules {
        for check in &rule.checks {
            for v in run_check(&ctx, check) {
                out.push(format!("{} {:?} {}", rule.id, v.subject, v.message));
            }
        }
    }
    out
}

#[test]
fn resolved_references_agree_with_id_lookups_and_scans() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = org_dir();
    let today = jiff::civil::date(2026, 11, 23);
    let config = crate::data::read_config(dir.path(), today).expect("config");
    let data = crate::data::load_except(dir.path(), config, &policy.schema, &[Path::new("nothing")]).expect("org");
    let person = policy.schema.id("person").expect("person kind");
    let unit_slot = policy.schema.kind(person).slot("unit").expect("unit field");
    assert!(data.store.kind(person).link(unit_slot).is_some(), "the loader resolves person.unit");
    assert!(data.store.kind(person).repeated_ids, "the extra file repeats P0004");

    let indexed = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let fast = violations(&policy, &data.store, &indexed, &data);
    assert!(fast.iter().any(|v| v.contains("P9001")), "the unresolved mentor is reported: {fast:#?}");

    let mut unresolved = data.store.clone();
    unresolved.kinds.iter_mut().for_each(KindData::forget_links);
    assert!(unresolved.kind(person).link(unit_slot).is_none());
    let by_id = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &unresolved);
    assert_eq!(fast, violations(&policy, &unresolved, &by_id, &data), "resolved vs id lookups");
    assert_eq!(fast, violations(&policy, &unresolved, &Indexes::default(), &data), "resolved vs scans");
}

/// A resolved field is followed by position only into its own target kind: `unit[p.mentor]`
/// looks the mentor's id up among units (and finds none).
#[test]
fn a_reference_read_as_another_kind_is_looked_up() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = org_dir();
    let config = crate::data::read_config(dir.path(), jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir.path(), config, &policy.schema, &[]).expect("org");
    let (person, unit) = (policy.schema.id("person").expect("person"), policy.schema.id("unit").expect("unit"));
    let mentor = policy.schema.kind(person).slot("mentor").expect("mentor field");
    let mentee = data.store.kind(person).position("P9001").expect("P9001");
    let indexes = Indexes::default();
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let field = Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(person, mentor));
    let mut env = vec![Value::Record(RecordRef { kind: person, idx: mentee })];
    // P9001's mentor P9999 does not exist.
    assert!(ctx.eval(&Ir::Deref(person, Box::new(field.clone())), &mut env).is_none());
    // The second P0004 (the repeated id) names P0004 as mentor: the first P0004 as a person,
    // nothing as a unit.
    let people = data.store.kind(person);
    let second = (0..people.len())
        .filter(|&i| people.id(i).is_some_and(|id| &**id == "P0004"))
        .nth(1)
        .expect("the repeated P0004") as u32;
    let mut env = vec![Value::Record(RecordRef { kind: person, idx: second })];
    let first = people.position("P0004").expect("P0004");
    let m = ctx.eval(&Ir::Deref(person, Box::new(field.clone())), &mut env);
    assert!(matches!(m, Value::Record(r) if r.kind == person && r.idx == first), "{m:?}");
    assert!(ctx.eval(&Ir::Deref(unit, Box::new(field)), &mut env).is_none(), "no unit has a person's id");
}

/// `cyclic(t, "depends")` holds exactly for the tasks that reach themselves through
/// `depends`: a self-loop, every task of a ring, not a task that only leads into a ring or
/// names a missing task.
#[test]
fn records_on_cycles_are_those_that_reach_themselves() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = org_dir();
    let task = |id: &str, depends: &[&str]| {
        let depends: Vec<String> = depends.iter().map(|d| format!("\"{d}\"")).collect();
        format!(
            "[[task]]\nid = \"{id}\"\nproject = \"环\"\nname = \"{id}\"\nowner = \"P0001\"\n\
             start = 2026-01-01\nend = 2026-01-02\ndepends = [{}]\n\n",
            depends.join(", ")
        )
    };
    let tasks = [
        task("C1", &["C1"]),
        task("C2", &["C3"]),
        task("C3", &["C4"]),
        task("C4", &["C2"]),
        task("C5", &["C2"]),
        task("C6", &["C7", "C9999"]),
        task("C7", &[]),
        task("C8", &["C5", "C8"]),
    ];
    std::fs::write(dir.path().join("zz-tasks.toml"), tasks.concat()).expect("write");
    let config = crate::data::read_config(dir.path(), jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir.path(), config, &policy.schema, &[]).expect("org");
    let kind = policy.schema.id("task").expect("task kind");
    let slot = policy.schema.kind(kind).slot("depends").expect("depends field");
    let indexes = Indexes::default();
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let tasks = data.store.kind(kind);
    // The tasks a task names directly, by position.
    let next = |i: u32| -> Vec<u32> {
        match tasks.field(i as usize, slot) {
            Some(Value::List(l)) => l.iter().filter_map(|v| v.as_str()).filter_map(|id| tasks.position(id)).collect(),
            _ => Vec::new(),
        }
    };
    let reaches_itself = |start: u32| {
        let (mut seen, mut todo) = (std::collections::HashSet::new(), next(start));
        while let Some(i) = todo.pop() {
            if i == start {
                return true;
            }
            if seen.insert(i) {
                todo.extend(next(i));
            }
        }
        false
    };
    let mut on = Vec::new();
    for idx in 0..tasks.len() as u32 {
        let cyclic = ctx.on_cycle(RecordRef { kind, idx }, slot);
        assert_eq!(cyclic, reaches_itself(idx), "task {:?}", tasks.id(idx as usize));
        if cyclic {
            on.extend(tasks.id(idx as usize).map(|id| id.to_string()));
        }
    }
    on.sort();
    assert_eq!(on, ["C1", "C2", "C3", "C4", "C8"]);
}

/// The subjects (by position) failing each check of a small pack on a small org (TOML), each
/// check run as a run runs it (join indexes, lowered, simplified).
fn failing(main: &str, org: &str) -> Vec<Vec<u32>> {
    use crate::compile::load::{PackSource, load};
    let files = [("main.zd", main)];
    let loaded = load(&PackSource::Memory(&files)).map_err(|(_, d)| d.render(false)).expect("loads");
    let policy = match crate::compile::resolve::resolve(loaded) {
        Ok((p, _)) => p,
        Err((_, d)) => panic!("{}", d.render(false)),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("org.toml"), org).expect("write");
    let given = crate::data::config::Given {
        as_of: Some(jiff::civil::date(2026, 6, 30)),
        period: Some((jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 6, 30))),
    };
    let config = crate::data::read_config_given(dir.path(), jiff::civil::date(2026, 6, 30), &given).expect("config");
    let data = crate::data::load(dir.path(), config, &policy.schema).expect("org");
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let checks = policy.rules.iter().flat_map(|r| &r.checks);
    checks.map(|c| run_check(&ctx, c).iter().filter_map(|v| v.subject.map(|s| s.idx)).collect()).collect()
}

/// A pack of kinds `a` and `b` with one rule: each check, then the same over plain lists
/// (`[w for w in a]`, which is never looked up in), so nothing is planned.
fn twinned(checks: &[&str]) -> String {
    let mut main = String::from(
        "policy 测试 { version \"1\"; effective 2026-01-01 }\n\
         record a { id: string; n?: int; s?: string; b?: ref b; v?: any }\n\
         record b { id: string; n?: int; s?: string; a?: ref a; tags?: [string] }\n\
         rule T-1 error \"t\" {\n  source \"s\"\n  message \"m\"\n",
    );
    for c in checks {
        main.push_str(&format!("  check {c}\n"));
        let plain = c.replace(" in a", " in [w for w in a]").replace(" in b", " in [w for w in b]");
        main.push_str(&format!("  check {plain}\n"));
    }
    main + "}\n"
}

/// A lookup planned for a join finds the records its condition holds for, as the condition
/// over a plain list does: for a `none` key (an absent field) the records without the field
/// (`y.f == none` holds for them); where ids repeat (the loader reports it), every record with
/// the id; never a record without an id (known by a made-up id, `#2`, which its `id` field does
/// not hold). Once a `none` key found nothing, and an id lookup one record at most.
#[test]
fn lookups_find_what_their_conditions_do() {
    // a1 has no `b`; b2 has no `a` and no `s`.
    let org = "[[a]]\nid = \"a1\"\n\n[[a]]\nid = \"a2\"\nb = \"b1\"\n\n[[b]]\nid = \"b1\"\na = \"a2\"\n\n[[b]]\nid = \"b2\"\n";
    let got = failing(
        &twinned(&[
            "forall x in a: exists y in b where y.id != x.b and y.s == x.b",
            "forall x in a: count(y in b where y.a == x.b) == 1",
            "forall x in a: exists y in b where y.a == x.s and not (\"t\" in y.tags)",
        ]),
        org,
    );
    assert_eq!(got, [vec![1], vec![1], vec![1], vec![1], vec![], vec![]]);
    // b1 twice (n 1 and 2); the second a has no id, and names no b.
    let org = "[[a]]\nid = \"a1\"\nb = \"b1\"\n\n[[a]]\nn = 1\nb = \"b9\"\n\n\
               [[b]]\nid = \"b1\"\nn = 1\n\n[[b]]\nid = \"b1\"\nn = 2\n\n[[b]]\nid = \"b3\"\n";
    let got = failing(
        &twinned(&[
            "forall x in b where x.id == \"b1\": x.n == 1",
            // Keyed by a resolved reference, which the lowered evaluator follows by position.
            "forall x in a: exists y in b where y.id == x.b and y.n == 2",
            "forall x in a: count(y in a where y.id == x) == 1",
            "forall x in b: not (exists y in a where y.id == x.a)",
        ]),
        org,
    );
    assert_eq!(got, [vec![1], vec![1], vec![1], vec![1], vec![1], vec![1], vec![0, 1, 2], vec![0, 1, 2]]);
}

/// A join on a field declared `any` is not planned as a lookup (an index holds string keys,
/// a list's items): `y.v == "t"` holds for no list `["t"]`, and `y.v == x.n` for equal numbers.
#[test]
fn a_join_on_a_field_of_any_type_compares_as_written() {
    let org = "[[a]]\nid = \"a1\"\nn = 1\nv = 1\n\n[[a]]\nid = \"a2\"\nv = [\"t\"]\n\n[[b]]\nid = \"b1\"\n";
    let got = failing(
        &twinned(&[
            "forall x in b: exists y in a where y.v == \"t\"",
            "forall x in a: exists y in a where y.v == x.n",
            "forall x in b: exists y in a where \"t\" in y.v",
        ]),
        org,
    );
    assert_eq!(got, [vec![0], vec![0], vec![1], vec![1], vec![], vec![]]);
}
