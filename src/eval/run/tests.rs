//! The simplified check ([`Quick`]) gives, for every subject, what full evaluation gives: on
//! acme, on every rule's pass and fail cases, and on a generated org with every kind of
//! injected violation.

use std::path::Path;

use super::*;
use crate::eval::interp::Indexes;
use crate::policy::Policy;

use crate::eval::gen_org;

/// For each check with a [`Quick`], each subject's answer from it and from the full check.
/// Returns the number of subjects compared and how many of them failed.
fn compare(policy: &Policy, dir: &Path) -> (usize, usize) {
    let config = crate::data::read_config(dir, jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir, config, &policy.schema, &[]).expect("org loads");
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let (mut compared, mut failing) = (0, 0);
    for rule in &policy.rules {
        for check in &rule.checks {
            let Some(quick) = Quick::new(&ctx, check) else { continue };
            let Ir::Quant { slot, src, filter, body: Some(body), .. } = check.ir.unwrapped() else { continue };
            let mut env = vec![Value::None; check.slots.max(1)];
            let Value::List(items) = ctx.eval(&source_list(src), &mut env) else { continue };
            let (mut quick_env, mut memo) = (quick.env.clone(), quick.memo.clone());
            for item in items.iter() {
                env.iter_mut().for_each(|v| *v = Value::None);
                env[*slot] = item.clone();
                let full = if filter.as_ref().is_some_and(|f| !ctx.eval(f, &mut env).truthy()) {
                    Some(false)
                } else {
                    ctx.eval(body, &mut env).truthy().then_some(true)
                };
                let got = quick.holds(&ctx, &mut quick_env, &mut memo, item.clone());
                assert_eq!(got, full, "{} `{}` on {item:?} in {}", rule.id, check.text, dir.display());
                compared += 1;
                failing += full.is_none() as usize;
            }
        }
    }
    (compared, failing)
}

#[test]
fn the_simplified_check_agrees_with_the_full_one() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let (mut compared, mut failing) = compare(&policy, Path::new("examples/acme"));
    let mut cases: Vec<_> = std::fs::read_dir("tests/cases").expect("cases").flatten().map(|e| e.path()).collect();
    cases.sort();
    for rule in cases {
        for case in std::fs::read_dir(&rule).expect("case dir").flatten() {
            if case.path().join("zhidu.toml").exists() {
                let (c, f) = compare(&policy, &case.path());
                compared += c;
                failing += f;
            }
        }
    }
    let generated = tempfile::tempdir().expect("temp dir");
    gen_org::generate(5_000, generated.path(), 7, false);
    let (c, f) = compare(&policy, generated.path());
    // APR-2, CAD-1 and CAD-7 cover 运营人员 only, so fewer of the 5 000 people fail them.
    assert!(f >= 12, "the generated org injects violations: {f}");
    compared += c;
    failing += f;
    assert!(compared > 10_000 && failing > 100, "{compared} subjects compared, {failing} failing");
}

/// Each failing subject's message from a run (its full evaluation lowered, with verdicts kept
/// per element where that binds nothing the message prints) and from the interpreter.
fn compare_messages(policy: &Policy, dir: &Path) -> usize {
    let config = crate::data::read_config(dir, jiff::civil::date(2026, 11, 23)).expect("config");
    let data = crate::data::load_except(dir, config, &policy.schema, &[]).expect("org loads");
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let ctx = Ctx::new(&policy.schema, &policy.decls, &data.store, &indexes, data.config.as_of, data.config.period);
    let mut failing = 0;
    for rule in &policy.rules {
        for check in &rule.checks {
            let Ir::Quant { q: Quant::Forall, slot, src, filter, body: Some(body) } = check.ir.unwrapped() else {
                continue;
            };
            let mut env = vec![Value::None; check.slots.max(1)];
            let Value::List(items) = ctx.eval(&source_list(src), &mut env) else { continue };
            let mut want = Vec::new();
            for item in items.iter() {
                let mut env = vec![Value::None; check.slots.max(1)];
                let subject = match item {
                    Value::Record(r) => Some(*r),
                    _ => None,
                };
                if verdict(&ctx, filter.as_deref(), body, *slot, check.slots, &mut env, item.clone()).is_none() {
                    want.push((subject, violation(&ctx, check, subject, &mut env).message));
                }
            }
            let have: Vec<_> = run_check(&ctx, check).into_iter().map(|v| (v.subject, v.message)).collect();
            assert_eq!(have, want, "{} `{}` in {}", rule.id, check.text, dir.display());
            failing += want.len();
        }
    }
    failing
}

#[test]
fn a_failing_subjects_message_is_the_interpreters() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let mut failing = compare_messages(&policy, Path::new("examples/acme"));
    let generated = tempfile::tempdir().expect("temp dir");
    // Over CHUNK people, so that one thread's kept verdicts serve several failing subjects.
    gen_org::generate(20_000, generated.path(), 11, false);
    failing += compare_messages(&policy, generated.path());
    assert!(failing > 50, "{failing} failing subjects compared");
}
