//! Property tests of masking: idempotent, and no raw ID-card or mobile number survives in any
//! column, whatever text surrounds it.

use proptest::prelude::*;
use zhidu::base::detect::{contains_cn_id, contains_cn_mobile};
use zhidu::mask::{MaskRule, Method, Plan, mask_csv};

fn plan() -> Plan {
    Plan {
        rules: vec![
            rule("地址", "地址", Method::Province),
            rule("年龄", "年龄", Method::AgeBand(5)),
            rule("ID", "user_id", Method::Hash(None)),
        ],
        unkeyed_hash: Vec::new(),
        categories: Vec::new(),
    }
}

fn rule(name: &str, field: &str, method: Method) -> MaskRule {
    MaskRule { name: name.into(), fields: vec![field.into()], except: Vec::new(), categories: Vec::new(), method }
}

/// A valid 18-digit ID number with the GB 11643 check digit.
fn id_number() -> impl Strategy<Value = String> {
    (prop::sample::select(vec!["110105", "440301", "310101", "510104"]), 1950u32..2010, 1u32..13, 1u32..29, 0u32..1000)
        .prop_map(|(region, y, m, d, seq)| {
            let body = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
            const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            let sum: u32 = body.bytes().zip(W).map(|(b, w)| (b - b'0') as u32 * w).sum();
            let check = b"10X98765432"[(sum % 11) as usize] as char;
            format!("{body}{check}")
        })
}

fn mobile() -> impl Strategy<Value = String> {
    (
        3u8..10,
        0u32..100_000_000,
        prop::sample::select(vec!["", "+86 ", "0086"]),
        prop::sample::select(vec!["", " ", "-"]),
    )
        .prop_map(|(second, rest, prefix, sep)| {
            let digits = format!("1{second}{rest:09}");
            let digits = &digits[..11];
            format!("{prefix}{}{sep}{}{sep}{}", &digits[..3], &digits[3..7], &digits[7..])
        })
}

fn text() -> impl Strategy<Value = String> {
    // Numbers are tokens of their own: what surrounds them is not a letter or digit (a number
    // glued to letters or digits is not an ID or mobile number, by design).
    prop::sample::select(vec!["", "备注：", "客户来电 ", "，请回电。", "订单号：", " ", "电话:", "ID="])
        .prop_map(String::from)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn masking_is_idempotent_and_removes_raw_numbers(
        id in id_number(), phone in mobile(), pre in text(), post in text(), age in 0u32..120, uid in "[A-Z][0-9]{3,8}"
    ) {
        let note = format!("{pre}{id}，{post}{phone}。{post}").replace(',', "，");
        let input = format!("user_id,地址,年龄,备注\n{uid},广东省广州市天河区{post},{age},{note}\n");
        let mut once = Vec::new();
        mask_csv(input.as_bytes(), &mut once, &plan(), None, |_| {}).unwrap();
        let once = String::from_utf8(once).unwrap();
        let row = once.lines().nth(1).unwrap_or_default();
        prop_assert!(!contains_cn_id(row), "raw ID survives: {}", row);
        prop_assert!(!contains_cn_mobile(row), "raw mobile survives: {}", row);
        prop_assert!(!row.contains(&id), "{}", row);
        let mut twice = Vec::new();
        mask_csv(once.as_bytes(), &mut twice, &plan(), None, |_| {}).unwrap();
        prop_assert_eq!(String::from_utf8(twice).unwrap(), once);
    }
}
