//! Folding on small hand-made expressions; the pack's stream checks are held against full
//! evaluation in `stream::plan`.

use super::*;
use crate::base::store::Store;
use crate::eval::interp::Indexes;
use crate::policy::Policy;

fn with_ctx(f: impl FnOnce(&Policy, &Ctx)) {
    let p = crate::compile::load_policy(None).expect("built-in pack").0;
    let (org, indexes) = (Store::default(), Indexes::default());
    let d = jiff::civil::date(2026, 6, 30);
    let ctx = Ctx::new(&p.schema, &p.decls, &org, &indexes, d, (jiff::civil::date(2026, 1, 1), d));
    f(&p, &ctx);
}

fn c(v: Value) -> Box<Ir> {
    Box::new(Ir::Const(v))
}

#[test]
fn logic_with_a_constant_side_keeps_a_boolean() {
    let x = || Ir::Var(7);
    let t = || Ir::Const(Value::Bool(true));
    let f = || Ir::Const(Value::Bool(false));
    assert!(matches!(logic(BinOp::And, f(), x()), Ir::Const(Value::Bool(false))));
    assert!(matches!(logic(BinOp::Or, x(), t()), Ir::Const(Value::Bool(true))));
    assert!(matches!(logic(BinOp::Implies, f(), x()), Ir::Const(Value::Bool(true))));
    // `true and x` is `x` as a boolean: a variable is wrapped, a comparison is not.
    assert!(matches!(logic(BinOp::And, t(), x()), Ir::Not(_)));
    let cmp = || Ir::Bin(BinOp::Lt, Box::new(x()), c(Value::Int(1)));
    assert!(matches!(logic(BinOp::And, t(), cmp()), Ir::Bin(BinOp::Lt, ..)));
    assert!(matches!(logic(BinOp::Implies, x(), f()), Ir::Not(_)));
}

#[test]
fn quantifiers_over_known_lists_are_unrolled() {
    with_ctx(|p, ctx| {
        let kind = p.schema.id("export_cell").expect("export_cell");
        let list = Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
        let all_below = |n: i64| Ir::Quant {
            q: Quant::Forall,
            slot: 1,
            src: Source::Expr(c(list.clone())),
            filter: None,
            body: Some(Box::new(Ir::Bin(BinOp::Lt, Box::new(Ir::Var(1)), c(Value::Int(n))))),
        };
        let known = Known { var: 0, kind, fields: &[] };
        assert!(matches!(specialize(ctx, &all_below(5), &known, 2), Ir::Const(Value::Bool(true))));
        assert!(matches!(specialize(ctx, &all_below(3), &known, 2), Ir::Const(Value::Bool(false))));
        // An instance that depends on the unknown variable stays, the others fold away.
        let value = || Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(kind, 4)));
        let mixed = Ir::Quant {
            q: Quant::Exists,
            slot: 1,
            src: Source::Expr(c(list.clone())),
            filter: Some(Box::new(Ir::Bin(BinOp::Eq, Box::new(Ir::Var(1)), c(Value::Int(2))))),
            body: Some(Box::new(Ir::Bin(BinOp::Eq, value(), c(Value::str("x"))))),
        };
        assert!(matches!(specialize(ctx, &mixed, &known, 2), Ir::Bin(BinOp::Eq, ..)));
    });
}

#[test]
fn known_fields_fold_but_not_under_a_binder_of_the_same_slot() {
    with_ctx(|p, ctx| {
        let kind = p.schema.id("export_cell").expect("export_cell");
        let column = p.schema.kind(kind).slot("column").expect("column");
        let is_addr = || {
            Box::new(Ir::Bin(
                BinOp::Eq,
                Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(kind, column))),
                c(Value::str("地址")),
            ))
        };
        let fields = [(column, Value::str("地址"))];
        let known = Known { var: 0, kind, fields: &fields };
        assert!(matches!(specialize(ctx, &is_addr(), &known, 1), Ir::Const(Value::Bool(true))));
        // `exists x in export_cell: x.column == "地址"` with x in the same slot: another record.
        let inner =
            Ir::Quant { q: Quant::Exists, slot: 0, src: Source::Kind(kind), filter: None, body: Some(is_addr()) };
        match specialize(ctx, &inner, &known, 1) {
            Ir::Quant { body: Some(b), .. } => assert!(!matches!(*b, Ir::Const(_)), "{b:?}"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_quantifier_over_a_comprehension_runs_over_its_source() {
    with_ctx(|p, ctx| {
        let kind = p.schema.id("export_cell").expect("export_cell");
        let column = p.schema.kind(kind).slot("column").expect("column");
        let column_of_0 = || Box::new(Ir::Field(Box::new(Ir::Var(0)), FieldAcc::Slot(kind, column)));
        let list = Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]);
        // `forall r in [d for d in [1, 2, 3] where d != x.column] where r > 1: x.column == r`:
        // the list depends on the subject, so it cannot be computed once.
        let comp = Ir::Comp {
            slot: 2,
            src: Source::Expr(c(list)),
            filter: Some(Box::new(Ir::Bin(BinOp::Ne, Box::new(Ir::Var(2)), column_of_0()))),
            body: Box::new(Ir::Var(2)),
        };
        let check = |q| Ir::Quant {
            q,
            slot: 1,
            src: Source::Expr(Box::new(comp.clone())),
            filter: Some(Box::new(Ir::Bin(BinOp::Gt, Box::new(Ir::Var(1)), c(Value::Int(1))))),
            body: Some(Box::new(Ir::Bin(BinOp::Eq, column_of_0(), Box::new(Ir::Var(1))))),
        };
        let known = Known { var: 0, kind, fields: &[] };
        // Unrolled over 2 and 3 (1 is filtered out): no list is built per subject.
        for (q, op) in [(Quant::Forall, BinOp::And), (Quant::Exists, BinOp::Or)] {
            let folded = specialize(ctx, &check(q), &known, 3);
            assert!(matches!(&folded, Ir::Bin(o, ..) if *o == op), "{q:?}: {folded:?}");
            let mut loops = 0;
            folded.visit(&mut |n| loops += matches!(n, Ir::Comp { .. } | Ir::Quant { .. }) as usize);
            assert_eq!(loops, 0, "{folded:?}");
            let mut ints = Vec::new();
            folded.visit(&mut |n| {
                if let Ir::Const(Value::Int(i)) = n {
                    ints.push(*i)
                }
            });
            assert!(!ints.contains(&1) && ints.contains(&2) && ints.contains(&3), "{folded:?}");
        }
    });
}
