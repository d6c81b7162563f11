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
