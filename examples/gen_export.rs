//! Writes a large, deterministic CSV data export for the masking benchmark: masked and raw
//! columns mixed, with raw ID-card and mobile numbers planted in free text at a fixed rate.
//!
//! ```sh
//! cargo run --release --example gen_export -- --mb 1024 --out /tmp/export-1g.csv
//! ```

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let mb: u64 = get("--mb").and_then(|s| s.parse().ok()).unwrap_or(100);
    let out = get("--out").unwrap_or_else(|| "target/export.csv".into());
    let file = std::fs::File::create(&out).expect("create");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    writeln!(w, "user_id,姓名,地址,年龄,消费金额,下单时间,备注").expect("write");
    let provinces = ["广东省", "浙江省", "北京市", "四川省", "江苏省"];
    let streets =
        ["天河区体育西路1号", "西湖区文三路88号", "朝阳区建国路9号", "武侯区人民南路4段", "鼓楼区中山路321号"];
    let mut written: u64 = 0;
    let mut i: u64 = 0;
    let limit = mb * 1_000_000;
    let mut line = String::new();
    while written < limit {
        line.clear();
        let p = (i % 5) as usize;
        let raw_address = i.is_multiple_of(97);
        let note = match i % 1000 {
            0 => "客户来电 13812345678 咨询退货".to_string(),
            500 => "身份证 11010519491231002X 已核验".to_string(),
            _ => format!("订单备注 {}", i % 13),
        };
        let address = if raw_address { format!("{}{}", provinces[p], streets[p]) } else { provinces[p].to_string() };
        let age = if i.is_multiple_of(89) {
            format!("{}", 20 + i % 40)
        } else {
            format!("{}-{}岁", 20 + (i % 8) * 5, 25 + (i % 8) * 5)
        };
        line.push_str(&format!(
            "U{:09},用户{},{address},{age},{}.{:02},2026-0{}-{:02}T10:{:02}:00+08:00,{note}\n",
            i,
            i % 10007,
            i % 5000,
            i % 100,
            1 + i % 6,
            1 + i % 28,
            i % 60
        ));
        w.write_all(line.as_bytes()).expect("write");
        written += line.len() as u64;
        i += 1;
    }
    w.flush().expect("flush");
    println!("{{\"rows\": {i}, \"bytes\": {written}}}");
}
