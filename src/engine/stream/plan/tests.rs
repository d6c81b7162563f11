//! Plans against full evaluation: for the pack's stream checks, on columns named by the mask
//! rules and others, and on values of every kind (masked, raw, numbers in free text), a plan
//! that says a check holds agrees with evaluating the check on the record, and a plan that is a
//! cell test agrees with it both ways.

use proptest::prelude::*;

use super::*;
use crate::base::store::{Record, Store};
use crate::base::value::RecordRef;
use crate::eval::interp::{Ctx, Indexes};
use crate::policy::Policy;

fn pack() -> &'static Policy {
    static P: std::sync::LazyLock<Policy> =
        std::sync::LazyLock::new(|| crate::compile::load_policy(None).expect("built-in pack").0);
    &P
}

/// The pack's checks over `export_cell`, as (variable slot, condition, slots).
fn stream_checks(p: &Policy) -> Vec<(usize, Ir, usize)> {
    p.rules
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|c| crate::engine::stream_kind(p, c).is_some())
        .filter_map(|c| super::super::condition(&c.ir).map(|(v, cond)| (v, cond, c.slots)))
        .collect()
}

/// Evaluates a condition on one cell the way the stream does without plans.
fn full(
    ctx: &Ctx,
    p: &Policy,
    var: usize,
    cond: &Ir,
    slots: usize,
    (column, category): (&str, &Value),
    value: &str,
) -> bool {
    let kind = p.schema.id("export_cell").expect("export_cell");
    let ks = p.schema.kind(kind);
    let mut fields = vec![Value::None; ks.fields.len()];
    for (name, v) in [
        ("file", Value::str("exports/x.csv")),
        ("row", Value::Int(3)),
        ("line", Value::Int(4)),
        ("column", Value::str(column)),
        ("category", category.clone()),
        ("value", Value::str(value)),
    ] {
        if let Some(s) = ks.slot(name) {
            fields[s] = v;
        }
    }
    let mut scratch = Store::with_kinds(p.schema.kinds.len());
    scratch.kind_mut(kind).add(Record { id: None, loc: Default::default(), fields: fields.into(), extra: vec![] });
    let c = ctx.with_stream(&scratch);
    let mut env = vec![Value::None; slots];
    env[var] = Value::Record(RecordRef { kind, idx: 0 });
    c.eval(cond, &mut env).truthy()
}

fn plan_for(ctx: &Ctx, p: &Policy, var: usize, cond: &Ir, slots: usize, column: &str) -> Plan {
    plan_in(ctx, p, var, cond, slots, (column, &Value::None))
}

/// The plan for a column of an export of a category (`none`: no category), as the stream makes it.
fn plan_in(ctx: &Ctx, p: &Policy, var: usize, cond: &Ir, slots: usize, (column, category): (&str, &Value)) -> Plan {
    let kind = p.schema.id("export_cell").expect("export_cell");
    let ks = p.schema.kind(kind);
    let known: Vec<(usize, Value)> =
        [("file", Value::str("exports/x.csv")), ("column", Value::str(column)), ("category", category.clone())]
            .into_iter()
            .filter_map(|(n, v)| Some((ks.slot(n)?, v)))
            .collect();
    plan(ctx, cond, slots, &Cell { var, kind, value: ks.slot("value") }, &known)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "广东省",
            "广东",
            "广东省广州市天河区体育西路1号",
            "27",
            "25-30岁",
            "60岁以上",
            "30-25岁",
            "e71c0f1c6009aa3a483b3c86f5ffa73e195a996cade8a58c77921b6fd5c75b25",
            "U10086",
            "11010519491231002X",
            "客户来电 13812345678 咨询退货",
            "+86 138-1234-5678",
            "订单 213812345678901",
            "[手机号已脱敏]",
            "45",
            "45岁",
            "40-49",
            "M-2026-0001",
            "10086",
        ])
        .prop_map(String::from),
        "[0-9a-f广东省岁 -]{0,20}",
        "\\PC{0,12}",
    ]
}

fn column() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "地址",
        "address",
        "年龄",
        "age",
        "ID",
        "user_id",
        "uid",
        "备注",
        "姓名",
        "#3",
        "",
        "会员ID",
        "客户编号",
        "年龄段",
        "客户年龄段",
        "收货地址",
        "paid",
    ])
    .prop_map(String::from)
}

#[test]
fn columns_decide_the_mask_rules_once() {
    let p = pack();
    let (org, indexes) = (Store::default(), Indexes::default());
    let ctx = Ctx::new(
        &p.schema,
        &p.decls,
        &org,
        &indexes,
        jiff::civil::date(2026, 6, 30),
        (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 6, 30)),
    );
    let checks = stream_checks(p);
    assert_eq!(checks.len(), 2, "MASK-2's two checks");
    // Free text: no mask rule applies, whatever the cell holds.
    for (var, cond, slots) in &checks[1..] {
        assert!(matches!(plan_for(&ctx, p, *var, cond, *slots, "备注"), Plan::Holds));
        assert!(matches!(plan_for(&ctx, p, *var, cond, *slots, "地址"), Plan::Test(_)));
        // Patterns, exceptions and categories are decided per column too.
        for col in ["会员ID", "年龄段", "收货地址"] {
            assert!(matches!(plan_for(&ctx, p, *var, cond, *slots, col), Plan::Test(_)), "{col}");
        }
        let orders = Value::str("交易记录");
        assert!(matches!(plan_in(&ctx, p, *var, cond, *slots, ("会员ID", &orders)), Plan::Holds));
    }
    // Every cell is scanned for numbers: a test on the text, never a full evaluation.
    assert!(matches!(plan_for(&ctx, p, checks[0].0, &checks[0].1, checks[0].2, "备注"), Plan::Test(_)));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn plans_agree_with_full_evaluation(
        col in column(), v in value(), category in prop::sample::select(vec!["", "用户画像", "交易记录"])
    ) {
        let category = if category.is_empty() { Value::None } else { Value::str(category) };
        let p = pack();
        let (org, indexes) = (Store::default(), Indexes::default());
        let ctx = Ctx::new(&p.schema, &p.decls, &org, &indexes, jiff::civil::date(2026, 6, 30), (jiff::civil::date(2026, 1, 1), jiff::civil::date(2026, 6, 30)));
        for (var, cond, slots) in stream_checks(p) {
            let expected = full(&ctx, p, var, &cond, slots, (&col, &category), &v);
            match plan_in(&ctx, p, var, &cond, slots, (&col, &category)) {
                Plan::Holds => prop_assert!(expected, "{col} {v}"),
                Plan::Test(t) => prop_assert_eq!(t.holds(&v, &mut None), expected, "{} {}", col, v),
                Plan::Full => {}
            }
        }
    }
}
