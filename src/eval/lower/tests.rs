//! A lowered expression has the value the interpreter gives the original: every check of the
//! pack, lowered whole (not simplified), on every subject of acme and of every rule's cases.

use std::path::Path;

use super::*;
use crate::eval::interp::Indexes;
use crate::policy::Policy;

/// Compares, for each check over a kind and each of its subjects, the filter's and the body's
/// values; returns how many values were compared.
fn compare(policy: &Policy, dir: &Path) -> usize {
    let config = crate::data::read_config(dir, jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir, config, &policy.schema, &[]).expect("org loads");
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let mut compared = 0;
    for rule in &policy.rules {
        for check in &rule.checks {
            let mut env = vec![Value::None; check.slots.max(1)];
            let Ir::Quant { slot, src: Source::Kind(kind), filter, body: Some(body), .. } = check.ir.unwrapped() else {
                // A check that is not over a kind's records: the whole expression, once.
                let full = format!("{:?}", ctx.eval(&check.ir, &mut env));
                let mut env = vec![Value::None; check.slots.max(1)];
                let (op, mut memo) = lower(&ctx, &check.ir, check.slots);
                assert_eq!(format!("{:?}", op.eval(&ctx, &mut env, &mut memo)), full, "{}", rule.id);
                compared += 1;
                continue;
            };
            let parts: Vec<&Ir> = filter.as_deref().into_iter().chain([&**body]).collect();
            for ir in parts {
                // One table for all subjects, as a thread of a run keeps it.
                let (op, mut memo) = lower(&ctx, ir, check.slots);
                for idx in 0..ctx.store(*kind).kind(*kind).len() as u32 {
                    let subject = Value::Record(crate::eval::value::RecordRef { kind: *kind, idx });
                    let mut env = vec![Value::None; check.slots.max(1)];
                    env[*slot] = subject.clone();
                    let full = format!("{:?}", ctx.eval(ir, &mut env));
                    let mut env = vec![Value::None; check.slots.max(1)];
                    env[*slot] = subject;
                    let lowered = op.eval(&ctx, &mut env, &mut memo);
                    assert_eq!(format!("{lowered:?}"), full, "{} `{}` in {}", rule.id, check.text, dir.display());
                    compared += 1;
                }
            }
        }
    }
    compared
}

#[test]
fn lowered_checks_have_the_interpreters_values() {
    let policy = crate::policy::load_policy(None).expect("built-in pack").0;
    let mut compared = compare(&policy, Path::new("examples/acme"));
    let mut cases: Vec<_> = std::fs::read_dir("tests/cases").expect("cases").flatten().map(|e| e.path()).collect();
    cases.sort();
    for rule in cases {
        for case in std::fs::read_dir(&rule).expect("case dir").flatten() {
            if case.path().join("zhidu.toml").exists() {
                compared += compare(&policy, &case.path());
            }
        }
    }
    assert!(compared > 10_000, "{compared} values compared");
}

#[test]
fn a_field_through_a_reference_is_read_by_position() {
    let policy = crate::policy::load_policy(None).expect("built-in pack").0;
    let dir = Path::new("examples/acme");
    let config = crate::data::read_config(dir, jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir, config, &policy.schema, &[]).expect("org loads");
    let indexes = Indexes::default();
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let person = policy.schema.id("person").expect("person");
    let k = policy.schema.kind(person);
    let unit = k.slot("unit").expect("unit");
    let unit_kind = policy.schema.id("unit").expect("unit kind");
    let uname = policy.schema.kind(unit_kind).slot("name").expect("unit name");
    // `p.unit.name`, lowered to a read through the resolved reference.
    let ir = Ir::Field(
        Box::new(Ir::Deref(unit_kind, Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(person, unit))))),
        FieldAcc::Slot(unit_kind, uname),
    );
    let (op, mut memo) = lower(&ctx, &ir, 1);
    assert!(matches!(op, Op::Linked { .. }), "{op:?}");
    let mut env = vec![Value::Record(crate::eval::value::RecordRef { kind: person, idx: 0 })];
    assert!(matches!(op.eval(&ctx, &mut env, &mut memo), Value::Str(_)));
    // `p.mentor.level` of a person without a mentor is `none`, as the interpreter has it.
    let mentor = k.slot("mentor").expect("mentor");
    let level = k.slot("level").expect("level");
    let ir = Ir::Field(
        Box::new(Ir::Deref(person, Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(person, mentor))))),
        FieldAcc::Slot(person, level),
    );
    let (op, mut memo) = lower(&ctx, &ir, 1);
    assert!(matches!(op, Op::Linked { .. }), "{op:?}");
    let (mut with, mut without) = (0, 0);
    for idx in 0..ctx.store(person).kind(person).len() as u32 {
        let mut env = vec![Value::Record(crate::eval::value::RecordRef { kind: person, idx })];
        let full = ctx.eval(&ir, &mut env);
        assert_eq!(format!("{:?}", op.eval(&ctx, &mut env, &mut memo)), format!("{full:?}"));
        if full.is_none() { without += 1 } else { with += 1 }
    }
    assert!(with > 0 && without > 0, "{with} with a mentor's level, {without} without");
    // Bound to something that is not a person: read as the interpreter reads it.
    let mut env = vec![Value::None];
    assert!(op.eval(&ctx, &mut env, &mut memo).is_none());
}
