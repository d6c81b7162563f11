//! Findings of the pack's own declarations name what the regulation expects (issue 22, item 3):
//! an overlay that breaks the appraisal dimensions, an approval tier, a permission row and a
//! mask's example gets APR-4, APV-1, PERM-1 and MASK-1 findings whose messages name the expected
//! words, and `--explain` names the declarations (`a = appraisal 绩效考核`), never `{…}`.

mod common;
use common::*;

#[test]
fn declaration_rules_name_the_expected_words() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (pack, org) = (tmp.path().join("pack"), tmp.path().join("org"));
    std::fs::create_dir_all(&pack).expect("pack dir");
    std::fs::create_dir_all(&org).expect("org dir");
    std::fs::write(
        pack.join("main.zd"),
        "extends \"builtin\"\n\
         override appraisal 绩效考核 { dimensions \"财务\", \"客户\" }\n\
         override approval 重大改革 { requires any(运营总监, 技术总监) }\n\
         override permission 数据分析师全局数据 { view raw }\n\
         override mask 地址 { example_out \"广东省深圳市南山区\" }\n",
    )
    .expect("pack");
    std::fs::write(
        org.join("zhidu.toml"),
        "[org]\nname = \"t\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n",
    )
    .expect("config");
    std::fs::write(org.join("data.toml"), "[[unit]]\nid = \"U0\"\nname = \"公司\"\ntype = \"company\"\n")
        .expect("data");
    let (pack_s, org_s) = (pack.to_str().expect("utf-8"), org.to_str().expect("utf-8"));
    let rules = ["--rule", "APR-4", "--rule", "APV-1", "--rule", "PERM-1", "--rule", "MASK-1"];
    let mut args = vec!["check", org_s, "--policy", pack_s, "--format", "json"];
    args.extend(rules);
    let (code, out, err) = zhidu(&args);
    assert_eq!(code, 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["subject"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected = [
        (
            "policy.appraisal:绩效考核",
            "考核 绩效考核 的评估维度须覆盖 财务、客户、流程、学习 四个维度（dimensions）：现有 财务、客户，缺少 流程、学习",
        ),
        (
            "policy.approval:重大改革",
            "审批分级 重大改革 须经 运营总监、技术总监 联合审批，即 requires all(运营总监, 技术总监)：现为 运营总监、技术总监（任一）",
        ),
        (
            "policy.mask:地址",
            "脱敏规则 地址（方法 province）须列出字段（fields，现列出 5 个），示例输出须为省份名称（如 广东省）（示例输出 example_out 不合此格式）",
        ),
        (
            "policy.permission:数据分析师全局数据",
            "权限矩阵行 数据分析师全局数据（岗位 数据分析师）访问全局数据须为脱敏视图（view masked）：现为 raw",
        ),
    ];
    let want: Vec<(String, String)> = expected.iter().map(|(s, m)| (s.to_string(), m.to_string())).collect();
    assert_eq!(found, want);
    let mut args = vec!["check", org_s, "--policy", pack_s, "--explain"];
    args.extend(rules);
    let (_, out, _) = zhidu(&args);
    assert!(out.contains("a = appraisal 绩效考核") && out.contains("x = permission 数据分析师全局数据"), "{out}");
    assert!(!out.contains("{…}"), "{out}");
}
