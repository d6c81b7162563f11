//! A lowered expression has the value the interpreter gives the original: every check of the
//! pack, lowered whole (not simplified), on every subject of acme and of every rule's cases.

use std::path::Path;

use super::*;
use crate::eval::gen_org;
use crate::eval::interp::Indexes;
use crate::policy::Policy;

/// The org in `dir`, loaded against `policy`'s schema (as of the tests' fixed date).
fn load(policy: &Policy, dir: &Path) -> crate::data::OrgData {
    let config = crate::data::read_config(dir, jiff::civil::date(2026, 11, 23)).expect("config");
    crate::data::load_except(dir, config, &policy.schema, &[]).expect("org loads")
}

/// A run's context over `data` with `indexes`.
fn context<'a>(policy: &'a Policy, data: &'a crate::data::OrgData, indexes: &'a Indexes) -> Ctx<'a> {
    Ctx::new(&policy.schema, &policy.decls, &data.store, indexes, data.config.as_of, data.config.period)
}

/// Compares, for each check over a kind and each of its subjects, the filter's and the body's
/// values; returns how many values were compared.
fn compare(policy: &Policy, dir: &Path) -> usize {
    let data = load(policy, dir);
    let indexes = Indexes::build(&policy.index_keys, &policy.schema, &policy.decls, &data.store);
    let ctx = context(policy, &data, &indexes);
    let mut compared = 0;
    for rule in &policy.rules {
        for check in &rule.checks {
            let mut env = vec![Value::None; check.slots.max(1)];
            let Ir::Quant { slot, src: Source::Kind(kind), filter, body: Some(body), .. } = check.ir.unwrapped() else {
                // A check that is not over a kind's records: the whole expression, once.
                let full = format!("{:?}", ctx.eval(&check.ir, &mut env));
                let mut env = vec![Value::None; check.slots.max(1)];
                let (op, mut memo, _) = lower(&ctx, &check.ir, check.slots, None);
                assert_eq!(format!("{:?}", op.eval(&ctx, &mut env, &mut memo)), full, "{}", rule.id);
                compared += 1;
                continue;
            };
            // What a batch knows of the simplified check's filter and body is what the
            // interpreter finds.
            let all: Vec<u32> = (0..ctx.store(*kind).kind(*kind).len() as u32).collect();
            for (&idx, (f, b)) in
                all.iter().zip(crate::eval::run::batch_verdicts(&ctx, check, &all).unwrap_or_default())
            {
                let mut env = vec![Value::None; check.slots.max(1)];
                env[*slot] = Value::Record(crate::base::value::RecordRef { kind: *kind, idx });
                let kept = filter.as_deref().is_none_or(|f| ctx.eval(f, &mut env).truthy());
                assert!(
                    f.admits(kept),
                    "{} `{}` in {} on {idx}: filter {kept}, a batch {f:?}",
                    rule.id,
                    check.text,
                    dir.display()
                );
                if kept {
                    let holds = ctx.eval(body, &mut env).truthy();
                    assert!(
                        b.admits(holds),
                        "{} `{}` in {} on {idx}: {holds}, a batch {b:?}",
                        rule.id,
                        check.text,
                        dir.display()
                    );
                }
                compared += 1;
                BATCHED.with(|n| n.set(n.get() + (f != Tri::Unknown) as usize + (b != Tri::Unknown) as usize));
            }
            let parts: Vec<&Ir> = filter.as_deref().into_iter().chain([&**body]).collect();
            for ir in parts {
                // One table for all subjects, as a thread of a run keeps it.
                let (op, mut memo, slots) = lower(&ctx, ir, check.slots, Some(*slot));
                // Decided in batches: true where the interpreter finds it true, false where false.
                let subjects = Subjects { slot: *slot, kind: *kind, fixed: 0..0, env: &[] };
                if op.batchable(&subjects) {
                    let mut tri = Vec::new();
                    op.test_batch(&ctx, &subjects, &all, &mut tri);
                    for (&idx, t) in all.iter().zip(&tri) {
                        let mut env = vec![Value::None; check.slots.max(1)];
                        env[*slot] = Value::Record(crate::base::value::RecordRef { kind: *kind, idx });
                        let want = ctx.eval(ir, &mut env).truthy();
                        assert!(
                            t.admits(want),
                            "{} `{}` in {} on {idx}: {want}, a batch {t:?}",
                            rule.id,
                            check.text,
                            dir.display()
                        );
                        compared += 1;
                    }
                }
                for idx in 0..ctx.store(*kind).kind(*kind).len() as u32 {
                    let subject = Value::Record(crate::base::value::RecordRef { kind: *kind, idx });
                    let mut env = vec![Value::None; check.slots.max(1)];
                    env[*slot] = subject.clone();
                    let full = format!("{:?}", ctx.eval(ir, &mut env));
                    let mut env = vec![Value::None; slots.max(1)];
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
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
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
    // Batches decide subjects of the rules' checks (APR-3's arithmetic, filters on fields).
    let batched = BATCHED.with(std::cell::Cell::get);
    assert!(batched > 1_000, "{batched} subjects known from batches");
}

thread_local! {
    /// Subjects of the rules' checks a batch knew something of ([`compare`]).
    static BATCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn a_field_through_a_reference_is_read_by_position() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = Path::new("examples/acme");
    let data = load(&policy, dir);
    let indexes = Indexes::default();
    let ctx = context(&policy, &data, &indexes);
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
    let (op, mut memo, _) = lower(&ctx, &ir, 1, None);
    assert!(matches!(op, Op::Linked { .. }), "{op:?}");
    let mut env = vec![Value::Record(crate::base::value::RecordRef { kind: person, idx: 0 })];
    assert!(matches!(op.eval(&ctx, &mut env, &mut memo), Value::Str(_)));
    // `p.mentor.level` of a person without a mentor is `none`, as the interpreter has it.
    let mentor = k.slot("mentor").expect("mentor");
    let level = k.slot("level").expect("level");
    let ir = Ir::Field(
        Box::new(Ir::Deref(person, Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(person, mentor))))),
        FieldAcc::Slot(person, level),
    );
    let (op, mut memo, _) = lower(&ctx, &ir, 1, None);
    assert!(matches!(op, Op::Linked { .. }), "{op:?}");
    let people = (0..ctx.store(person).kind(person).len() as u32)
        .map(|idx| Value::Record(crate::base::value::RecordRef { kind: person, idx }));
    let (with, without) = compare_reads(&ctx, &ir, &op, &mut memo, people);
    assert!(with > 0 && without > 0, "{with} with a mentor's level, {without} without");
}

/// For each value bound to variable 0: the lowered read `op` gives what the interpreter gives
/// for `ir`, and reads the same in place where it reads in place. Returns how many gave a
/// value and how many `none`. Bound to `none` (not a record or object), it gives `none`.
fn compare_reads(
    ctx: &Ctx,
    ir: &Ir,
    op: &Op,
    memo: &mut Memo,
    bound: impl IntoIterator<Item = Value>,
) -> (usize, usize) {
    let (mut with, mut without) = (0, 0);
    for v in bound {
        let mut env = vec![v];
        let full = ctx.eval(ir, &mut env);
        assert_eq!(format!("{:?}", op.eval(ctx, &mut env, memo)), format!("{full:?}"), "{:?}", env[0]);
        if let Some(v) = op.direct(&env) {
            assert_eq!(format!("{v:?}"), format!("{full:?}"), "{:?}", env[0]);
        }
        if full.is_none() { without += 1 } else { with += 1 }
    }
    assert!(op.eval(ctx, &mut [Value::None], memo).is_none());
    (with, without)
}

#[test]
fn a_field_through_an_id_is_read_where_the_record_keeps_it() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = Path::new("examples/acme");
    let data = load(&policy, dir);
    let indexes = Indexes::default();
    let ctx = context(&policy, &data, &indexes);
    let person = policy.schema.id("person").expect("person");
    let level = policy.schema.kind(person).slot("level").expect("level");
    let people = ctx.store(person).kind(person);
    let id = |idx: usize| Value::Str(people.id(idx).expect("an id").clone());
    // `a.by.level`, `a` an object (an approval of a change): the id is not a resolved reference.
    let ir = Ir::Field(
        Box::new(Ir::Deref(person, Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Name("by".into()))))),
        FieldAcc::Slot(person, level),
    );
    let (op, mut memo, _) = lower(&ctx, &ir, 1, None);
    assert!(matches!(op, Op::ById { .. }), "{op:?}");
    let approval = |by: Value| Value::Object(crate::base::value::Object::new(vec![("by".into(), by)]));
    // Each person's id and record, then no such id, no id, not a string, a record of another kind.
    let mut bys: Vec<Value> = (0..people.len()).map(id).collect();
    bys.extend((0..people.len() as u32).map(|idx| Value::Record(crate::base::value::RecordRef { kind: person, idx })));
    bys.extend([
        Value::str("P-nobody"),
        Value::None,
        Value::Int(3),
        Value::Record(crate::base::value::RecordRef { kind: policy.schema.id("unit").expect("unit"), idx: 0 }),
    ]);
    // Read in place where the id is read in place, as the comparisons read it.
    let (with, without) = compare_reads(&ctx, &ir, &op, &mut memo, bys.into_iter().map(approval));
    assert!(with > 0 && without > 0, "{with} with a level, {without} without");
}

#[test]
fn the_run_date_is_a_constant() {
    with_empty_org(|ctx| {
        let (op, mut memo, _) = lower(ctx, &Ir::AsOf, 1, None);
        assert!(matches!(op, Op::Const(Value::Date(d)) if d == ctx.as_of), "{op:?}");
        let (op, _, _) = lower(ctx, &Ir::Period, 1, None);
        assert_eq!(format!("{:?}", op.eval(ctx, &mut [Value::None], &mut memo)), format!("{:?}", ctx.period));
    });
}

#[test]
fn a_computation_repeated_about_the_subject_is_computed_once() {
    with_empty_org(|ctx| {
        let int = |i: i64| Box::new(Ir::Const(Value::Int(i)));
        // `(x + 1) * 2 > 0 and (x + 1) * 2 < 10 and (y + 1) > 0`: y (slot 1) is not the subject.
        let sum = |s: usize| Box::new(Ir::Bin(BinOp::Add, Box::new(Ir::Var(s)), int(1)));
        let twice = || Box::new(Ir::Bin(BinOp::Mul, sum(0), int(2)));
        let and = |a: Ir, b: Ir| Ir::Bin(BinOp::And, Box::new(a), Box::new(b));
        let ir = and(
            and(Ir::Bin(BinOp::Gt, twice(), int(0)), Ir::Bin(BinOp::Lt, twice(), int(10))),
            and(Ir::Bin(BinOp::Gt, sum(1), int(0)), Ir::Bin(BinOp::Lt, sum(1), int(5))),
        );
        let (op, mut memo, slots) = lower(ctx, &ir, 2, Some(0));
        let mut shared = Vec::new();
        fn walk(op: &Op, out: &mut Vec<usize>) {
            match op {
                Op::Shared { slot, op } => {
                    out.push(*slot);
                    walk(op, out);
                }
                Op::Logic(_, a, b) | Op::Compare(_, a, b) | Op::Arith(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                // Numeric forms keep their values in the slots of the generic form they fall back on.
                Op::NumCompare(.., generic) | Op::NumArith(_, generic) => walk(generic, out),
                _ => {}
            }
        }
        walk(&op, &mut shared);
        // `(x + 1) * 2` is kept (not `x + 1` within it, nor `y + 1`, which is not about x).
        let kept = shared.first().copied().expect("a kept value");
        assert_eq!(shared, vec![kept, kept], "{op:?}");
        assert!(kept >= 2 && kept < slots, "after the two variables: {kept} of {slots}");
        for (x, y, want) in [(1, 1, true), (4, 1, false), (1, 9, false)] {
            let mut env = vec![Value::None; slots];
            (env[0], env[1]) = (Value::Int(x), Value::Int(y));
            assert_eq!(op.test(ctx, &mut env, &mut memo), want, "x = {x}, y = {y}");
            assert_eq!(env[kept].as_f64(), Some(((x + 1) * 2) as f64), "kept for the subject");
        }
    });
}

/// `exists a in appraisal where <the cycle and the person, in either order>`, over either
/// lookup first: when the lookup with fewer records (the person's) is followed, the filter
/// drops its condition and keeps the other, and the verdicts stay the interpreter's.
#[test]
fn a_lookup_drops_only_its_own_condition() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = tempfile::tempdir().expect("temp dir");
    gen_org::generate(2_000, dir.path(), 11, false);
    let data = load(&policy, dir.path());
    let (person, appraisal) =
        (policy.schema.id("person").expect("person"), policy.schema.id("appraisal").expect("kind"));
    let a = policy.schema.kind(appraisal);
    let (of, cycle) = (a.slot("person").expect("person"), a.slot("cycle").expect("cycle"));
    let id = policy.schema.kind(person).slot("id").expect("id");
    let indexes = Indexes::build(&[(appraisal, of), (appraisal, cycle)], &policy.schema, &policy.decls, &data.store);
    let ctx = context(&policy, &data, &indexes);
    let month = Ir::Const(Value::str("2026-05"));
    let p_id = || Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(person, id));
    let field = |s: usize| Box::new(Ir::Field(Box::new(Ir::Var(1)), FieldAcc::Slot(appraisal, s)));
    let is_month = Ir::Bin(BinOp::Eq, field(cycle), Box::new(month.clone()));
    let is_theirs = Ir::Bin(BinOp::Eq, field(of), Box::new(p_id()));
    let (mut missing, mut compared) = (0, 0);
    for cycle_first in [true, false] {
        for month_first in [true, false] {
            let (first, other) = if month_first { (&is_month, &is_theirs) } else { (&is_theirs, &is_month) };
            let filter = Ir::Bin(BinOp::And, Box::new(first.clone()), Box::new(other.clone()));
            let src = if cycle_first {
                Source::Index { kind: appraisal, slot: cycle, key: Box::new(month.clone()), also: vec![(of, p_id())] }
            } else {
                Source::Index { kind: appraisal, slot: of, key: Box::new(p_id()), also: vec![(cycle, month.clone())] }
            };
            let ir = Ir::Quant { q: Quant::Exists, slot: 1, src, filter: Some(Box::new(filter)), body: None };
            let (op, mut memo, slots) = lower(&ctx, &ir, 2, Some(0));
            assert!(matches!(&op, Op::Quant { joins, .. } if joins.iter().all(Option::is_some)), "{op:?}");
            for idx in 0..ctx.store(person).kind(person).len() as u32 {
                let mut env = vec![Value::Record(crate::base::value::RecordRef { kind: person, idx }), Value::None];
                let full = ctx.eval(&ir, &mut env).truthy();
                env.resize(slots, Value::None);
                assert_eq!(op.test(&ctx, &mut env, &mut memo), full, "person {idx}, {cycle_first} {month_first}");
                missing += !full as usize;
                compared += 1;
            }
        }
    }
    assert!(missing > 0 && missing < compared, "{missing} of {compared} without an appraisal for the month");
}

#[test]
fn a_computation_about_a_quantifier_variable_is_kept_until_it_is_bound_again() {
    with_empty_org(|ctx| {
        let int = |i: i64| Box::new(Ir::Const(Value::Int(i)));
        // `exists a in [1, 2, 3]: (a + x) * 2 > 5 and (a + x) * 2 < 8`, x the subject (slot 0).
        let twice = || {
            Box::new(Ir::Bin(
                BinOp::Mul,
                Box::new(Ir::Bin(BinOp::Add, Box::new(Ir::Var(1)), Box::new(Ir::Var(0)))),
                int(2),
            ))
        };
        let body = Ir::Bin(
            BinOp::And,
            Box::new(Ir::Bin(BinOp::Gt, twice(), int(5))),
            Box::new(Ir::Bin(BinOp::Lt, twice(), int(8))),
        );
        let list = Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
        let ir = Ir::Quant {
            q: Quant::Exists,
            slot: 1,
            src: Source::Expr(Box::new(Ir::Const(list))),
            filter: None,
            body: Some(Box::new(body)),
        };
        let (op, mut memo, slots) = lower(ctx, &ir, 2, Some(0));
        assert!(matches!(&op, Op::Quant { clears, .. } if !clears.is_empty()), "{op:?}");
        for (x, want) in [(0, true), (1, true), (2, true), (3, false), (-1, false)] {
            let mut env = vec![Value::None; slots];
            env[0] = Value::Int(x);
            let full = ctx.eval(&ir, &mut env.clone()).truthy();
            assert_eq!(full, want, "x = {x}");
            assert_eq!(op.test(ctx, &mut env, &mut memo), want, "x = {x}");
        }
    });
}

/// Runs `f` with the built-in pack and no org data.
fn with_empty_org(f: impl FnOnce(&Ctx)) {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let (org, indexes) = (crate::base::store::Store::default(), Indexes::default());
    let d = jiff::civil::date(2026, 6, 30);
    f(&Ctx::new(&policy.schema, &policy.decls, &org, &indexes, d, (d, d)));
}

/// `exists d in dataset where d.id == g.dataset: …` (an id source keyed by a resolved
/// reference) finds the record by position: named, `*` (no such dataset) and dangling.
#[test]
fn an_id_named_by_a_reference_is_found_by_position() {
    let policy = crate::compile::load_policy(None).expect("built-in pack").0;
    let dir = tempfile::tempdir().expect("temp dir");
    let org = r#"[[unit]]
id = "U1"
name = "总部"
type = "company"

[[person]]
id = "P1"
name = "甲"
unit = "U1"
roles = ["运营专员"]
joined = 2020-01-01

[[dataset]]
id = "DS-0"
name = "画像"
category = "用户画像"
owner = "U1"
class = "核心"

[[dataset]]
id = "DS-1"
name = "活动"
category = "活动数据"
owner = "U1"
class = "内部"
"#;
    let mut org = org.to_string();
    for (g, ds) in [("G1", "DS-1"), ("G2", "*"), ("G3", "DS-9"), ("G4", "DS-0")] {
        org.push_str(&format!(
            "\n[[grant]]\nid = \"{g}\"\nperson = \"P1\"\ndataset = \"{ds}\"\nops = [\"查看\"]\nview = \"raw\"\n"
        ));
    }
    std::fs::write(dir.path().join("zhidu.toml"), "[org]\nname = \"t\"\nas_of = 2026-06-30\n").expect("write");
    std::fs::write(dir.path().join("org.toml"), org).expect("write org");
    let data = load(&policy, dir.path());
    // The dangling reference is reported; `*` is not.
    let refs: Vec<_> = data.issues.iter().filter(|f| f.code == "DATA-REF").map(|f| f.subject.clone()).collect();
    assert_eq!(refs, [Some("grant:G3".to_string())], "{:?}", data.issues);
    let indexes = Indexes::default();
    let ctx = context(&policy, &data, &indexes);
    let (grant, dataset) = (policy.schema.id("grant").expect("grant"), policy.schema.id("dataset").expect("dataset"));
    let field = |var: usize, kind: KindId, name: &str| {
        let slot = policy.schema.kind(kind).slot(name).expect("field");
        Ir::Field(Box::new(Ir::Var(var)), FieldAcc::Slot(kind, slot))
    };
    let ir = Ir::Quant {
        q: Quant::Exists,
        slot: 1,
        src: Source::Id { kind: dataset, key: Box::new(field(0, grant, "dataset")) },
        filter: Some(Box::new(Ir::Bin(
            BinOp::Eq,
            Box::new(field(1, dataset, "id")),
            Box::new(field(0, grant, "dataset")),
        ))),
        body: Some(Box::new(Ir::Bin(
            BinOp::Eq,
            Box::new(field(1, dataset, "class")),
            Box::new(Ir::Const(Value::str("内部"))),
        ))),
    };
    let (op, mut memo, slots) = lower(&ctx, &ir, 2, Some(0));
    assert!(matches!(&op, Op::Quant { by_link: Some(_), .. }), "{op:?}");
    let mut verdicts = Vec::new();
    for idx in 0..ctx.store(grant).kind(grant).len() as u32 {
        let subject = Value::Record(crate::base::value::RecordRef { kind: grant, idx });
        let mut env = vec![subject.clone(), Value::None];
        let full = ctx.eval(&ir, &mut env).truthy();
        let mut env = vec![Value::None; slots.max(2)];
        env[0] = subject;
        assert_eq!(op.test(&ctx, &mut env, &mut memo), full, "grant {idx}");
        verdicts.push(full);
    }
    assert_eq!(verdicts, [true, false, false, false]);
}

/// A numeric expression made a flat program ([`num::NumOp::flat`]) computes what its tree
/// computes: the same number or the same giving up, with the same values kept in shared slots,
/// over random trees of arithmetic on constants, reads and evaluated values (numbers of each
/// kind, `none`, a string, an overflow, a division by zero); a tree deeper than the program's
/// stack stays a tree.
#[test]
fn a_flat_program_computes_what_its_tree_computes() {
    use num::{N, NumOp};
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }
    const CONSTS: [N; 6] = [N::Int(2), N::Int(0), N::Int(i64::MAX), N::Num(2.5), N::Percent(40.0), N::Num(-0.5)];
    const OPS: [BinOp; 4] = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div];
    // Slots 0..3 hold the reads' values, 3 and 4 are shared slots.
    fn tree<'a>(seed: &mut u64, depth: u32) -> NumOp<'a> {
        let r = next(seed);
        let pick = |n: usize| (r >> 8) as usize % n;
        if depth == 0 || r.is_multiple_of(5) {
            return match r % 3 {
                0 => NumOp::Const(CONSTS[pick(CONSTS.len())]),
                1 => NumOp::Read(Op::Var(pick(3))),
                _ => NumOp::Eval(Op::Var(pick(3))),
            };
        }
        match r % 7 {
            0 => NumOp::Shared { slot: 3 + pick(2), op: Box::new(tree(seed, depth - 1)) },
            // Right-deep chains, so that some trees are deeper than the program's stack.
            1 => NumOp::Arith(OPS[pick(4)], Box::new(tree(seed, 0)), Box::new(tree(seed, depth - 1))),
            _ => NumOp::Arith(OPS[pick(4)], Box::new(tree(seed, depth - 1)), Box::new(tree(seed, depth - 1))),
        }
    }
    let values = [
        Value::Int(3),
        Value::Int(-7),
        Value::Int(i64::MAX),
        Value::Num(2.5),
        Value::Num(0.0),
        Value::Percent(40.0),
        Value::None,
        Value::str("x"),
    ];
    with_empty_org(|ctx| {
        let (mut flat, mut deep, mut numbers) = (0, 0, 0);
        for case in 1..4000u64 {
            let seed = case.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let depth = 1 + (case % 12) as u32;
            let (a, b) = (tree(&mut seed.clone(), depth), tree(&mut seed.clone(), depth).flat());
            match b {
                NumOp::Flat(_) => flat += 1,
                NumOp::Arith(..) | NumOp::Shared { .. } => deep += 1,
                _ => {}
            }
            let mut env: Vec<Value> = (0..5)
                .map(|i| match i {
                    0..3 => values[(seed >> (8 * i)) as usize % values.len()].clone(),
                    _ => Value::None,
                })
                .collect();
            let mut env2 = env.clone();
            let mut memo = Memo::new(0);
            let want = a.num(ctx, &mut env, &mut memo);
            let got = b.num(ctx, &mut env2, &mut memo);
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "case {case}: {a:?}");
            assert_eq!(format!("{env2:?}"), format!("{env:?}"), "case {case}: shared slots of {a:?}");
            numbers += usize::from(want.is_some());
        }
        assert!(flat > 1000 && deep > 10 && numbers > 500, "flat {flat}, deep {deep}, numbers {numbers}");
    });
}
