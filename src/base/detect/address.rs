//! Full mainland addresses inside free text (`北京市朝阳区建国路88号`,
//! `广东省深圳市南山区科技园路1号3栋`): detection and redaction by a marker.
//!
//! An address counts as full when it names where it is and the door: a province (full or short
//! name) or a city (`深圳市`), then a road, street or lane (`路 街 道 大道 巷 弄 胡同`) with a
//! number (`88号`), then optionally the building, unit and room (`3栋2单元501室`). Both ends are
//! needed: the names of units and shops (`北京区域`, `广州北京路店`), words such as `区域经理`
//! and a road without a number are not addresses. Every entry point first asks the cheap
//! [`may_contain_address`], so text without `号` and a digit costs one pass over its bytes.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::PROVINCES;

/// Marker that replaces a full address in free text.
pub const ADDRESS_MARKER: &str = "[地址已脱敏]";

/// Whether `s` may hold a full address: it has an ASCII digit and a `号`. `false` means that it
/// surely holds none.
pub fn may_contain_address(s: &str) -> bool {
    s.contains('号') && s.bytes().any(|b| b.is_ascii_digit())
}

/// The pattern of a full address (see the module doc).
static ADDRESS: LazyLock<regex::Regex> = LazyLock::new(|| {
    let mut shorts: Vec<&str> = PROVINCES.iter().map(|p| p.short.as_str()).collect();
    // Longest first, so `内蒙古` is not read as a shorter name.
    shorts.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    let province = format!("(?:{})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?", shorts.join("|"));
    // Below the province: cities, prefectures, districts, counties, towns (each a few
    // characters and its level word).
    let level = r"\p{Han}{1,8}?(?:市|州|盟|地区|新区|区|县|旗|镇|乡|街道)";
    let start = format!("(?:{province}(?:{level}){{0,4}}|\\p{{Han}}{{2,4}}市(?:{level}){{0,3}})");
    let road = r"[\p{Han}A-Za-z0-9]{0,16}?(?:大道|大街|路|街|道|巷|弄|胡同)";
    let door = r"(?:\s?[0-9]{1,5}\s?段)?\s?[0-9]{1,5}(?:-[0-9]{1,5})?\s?号";
    let inside = r"(?:\s?[0-9A-Za-z]{1,5}\s?(?:号楼|号院|栋|幢|座|单元|楼|层|室|号))*";
    regex::Regex::new(&format!("{start}{road}{door}{inside}")).expect("valid regex")
});

/// Whether a full address occurs anywhere inside `s`.
pub fn contains_address(s: &str) -> bool {
    may_contain_address(s) && ADDRESS.is_match(s)
}

/// `s` with every full address replaced by [`ADDRESS_MARKER`], and how many were replaced;
/// `s` itself (not a copy) when there is none.
pub fn redact_addresses(s: &str) -> (Cow<'_, str>, usize) {
    if !may_contain_address(s) {
        return (Cow::Borrowed(s), 0);
    }
    let mut n = 0;
    let out = ADDRESS.replace_all(s, |_: &regex::Captures| {
        n += 1;
        ADDRESS_MARKER
    });
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_addresses_are_replaced() {
        for (text, want) in [
            ("北京市朝阳区建国路88号", "[地址已脱敏]"),
            ("广东省深圳市南山区科技园路1号3栋", "[地址已脱敏]"),
            ("客户地址：广东省深圳市南山区科技园路1号3栋2单元501室，请核对", "客户地址：[地址已脱敏]，请核对"),
            ("寄至 上海浦东新区世纪大道100号", "寄至 [地址已脱敏]"),
            ("深圳市南山区科技园路 1 号", "[地址已脱敏]"),
            ("住在 四川省成都市武侯区人民南路4段12号 要求", "住在 [地址已脱敏] 要求"),
            ("内蒙古自治区呼和浩特市新城区新华大街1号", "[地址已脱敏]"),
            ("新疆维吾尔自治区乌鲁木齐市天山区解放北路12-3号", "[地址已脱敏]"),
        ] {
            let (out, n) = redact_addresses(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(n, 1, "{text}");
            assert!(contains_address(text), "{text}");
            // Idempotent: the marker is not an address.
            assert_eq!(redact_addresses(&out).0, out);
        }
    }

    #[test]
    fn unit_names_shops_and_roads_without_a_number_are_not_addresses() {
        for text in [
            "区域 R3（华北区域）不符合区域设置要求：须下辖同一地区 4 家以上门店，并由 1 名区域经理负责",
            "门店 S08（广州北京路店）缺少岗位 外卖员",
            "北京区域",
            "北京市朝阳区建国路",
            "建国路88号",
            "第 3 号文件",
            "P0012 在 2026 年第 2 号通知中",
            "导出文件 exports/a.csv 第 14 行「备注」列",
            "广东省",
            "深圳市南山区",
            "[地址已脱敏]",
        ] {
            assert!(!contains_address(text), "{text}");
            assert!(matches!(redact_addresses(text), (Cow::Borrowed(_), 0)), "{text}");
        }
    }

    /// The pack and the example org are full of unit names, shop names and roles: in all their
    /// text the only full address is the masking rule's example of one.
    #[test]
    fn the_pack_and_the_example_org_hold_one_address() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        let mut files = 0;
        for dir in ["policies", "examples/acme", "templates"] {
            for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten().filter(|e| e.file_type().is_file()) {
                let Ok(text) = std::fs::read_to_string(e.path()) else { continue };
                files += 1;
                for line in text.lines().filter(|l| contains_address(l)) {
                    found.push(format!("{}: {line}", e.path().display()));
                }
            }
        }
        assert!(files > 20, "{files}");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("广东省广州市天河区体育西路1号"), "{found:#?}");
    }
}
