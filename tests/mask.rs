//! `zhidu mask`: masked exports pass MASK-2, masking is idempotent, the input is never touched,
//! GBK input is read correctly, and a keyed hash is used when the pack asks for one.

mod common;
use std::path::Path;

use common::*;

const FAIL: &str = "tests/cases/MASK-2/fail";

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).expect("read")
}

#[test]
fn masked_exports_pass_mask2_and_masking_is_idempotent() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    std::fs::create_dir_all(&org).expect("mkdir");
    std::fs::copy(Path::new(FAIL).join("zhidu.toml"), org.join("zhidu.toml")).expect("copy");
    let before = read(&Path::new(FAIL).join("exports/users.csv"));
    let out = org.join("exports");
    let (code, _, err) =
        zhidu(&["mask", "--in-dir", &format!("{FAIL}/exports"), "--out-dir", &out.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&Path::new(FAIL).join("exports/users.csv")), before, "the input is untouched");
    assert!(err.contains("free text: 1 ID-card number(s)"), "{err}");
    assert!(err.contains("unsalted SHA-256"), "warns about the plain hash: {err}");
    let gbk = String::from_utf8(read(&out.join("gbk.csv"))).expect("UTF-8 output");
    assert_eq!(gbk, "手机,地址\n[手机号已脱敏],北京市\n", "GBK input decoded");
    let (code, stdout, _) = zhidu(&["check", &org.display().to_string(), "--rule", "MASK-2"]);
    assert_eq!(code, 0, "masked exports pass MASK-2\n{stdout}");

    let once = read(&out.join("users.csv"));
    let again = tmp.path().join("again.csv");
    let (code, _, err) =
        zhidu(&["mask", &out.join("users.csv").display().to_string(), "-o", &again.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(&again), once, "masking a masked file changes nothing");
}

#[test]
fn never_overwrites_the_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let f = tmp.path().join("x.csv");
    std::fs::write(&f, "备注\n13812345678\n").expect("write");
    let p = f.display().to_string();
    let (code, _, err) = zhidu(&["mask", &p, "-o", &p]);
    assert_eq!(code, 2);
    assert!(err.contains("never overwrites"), "{err}");
    assert_eq!(read(&f), b"\xe5\xa4\x87\xe6\xb3\xa8\n13812345678\n");
    let (code, _, _) = zhidu(&[
        "mask",
        "--in-dir",
        tmp.path().to_str().unwrap_or("."),
        "--out-dir",
        tmp.path().to_str().unwrap_or("."),
    ]);
    assert_eq!(code, 2);
}

#[test]
fn keyed_hash_from_the_environment() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pack = tmp.path().join("pack");
    std::fs::create_dir_all(&pack).expect("mkdir");
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")).expect("policies").flatten() {
        std::fs::copy(e.path(), pack.join(e.file_name())).expect("copy");
    }
    let masking = pack.join("masking.zd");
    let text = std::fs::read_to_string(&masking).expect("read");
    std::fs::write(
        &masking,
        text.replace("algorithm   sha256", "algorithm   hmac_sha256\n  key_env     ZHIDU_TEST_KEY"),
    )
    .expect("write");
    let input = Path::new(FAIL).join("exports/users.csv").display().to_string();
    let out = tmp.path().join("keyed.csv");
    let args = ["mask", &input, "-o", out.to_str().unwrap_or("o.csv"), "--policy", pack.to_str().unwrap_or(".")];
    let (code, _, err) = zhidu(&args);
    assert_eq!(code, 2, "the key must be set");
    assert!(err.contains("ZHIDU_TEST_KEY"), "{err}");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(args)
        .env("ZHIDU_TEST_KEY", "s3cret")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let keyed = String::from_utf8(read(&out)).expect("utf8");
    let plain_hash = "5a94bebd9f140dbcffe804e9a48829602908a57f0d841bc1513775c87d72018a";
    let row2 = keyed.lines().nth(2).unwrap_or_default();
    assert!(row2.starts_with(|c: char| c.is_ascii_hexdigit()), "{keyed}");
    assert!(!row2.contains(plain_hash), "HMAC of U10086 differs from its plain SHA-256\n{keyed}");
    assert!(!String::from_utf8_lossy(&run.stderr).contains("unsalted"), "no weak-hash warning with a key");
}

/// The masked file is not left private to its writer (a temporary file is 0600): a new one
/// gets the permissions the umask gives any new file (as `cp` or a redirect would), whatever
/// the input's; a replaced one keeps its own.
#[cfg(unix)]
#[test]
fn the_masked_file_follows_the_umask_or_keeps_what_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, output) = (tmp.path().join("raw.csv"), tmp.path().join("masked.csv"));
    std::fs::write(&input, "备注\n13812345678\n").expect("write");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let reference = tmp.path().join("reference");
    std::fs::write(&reference, "").expect("write");
    let args = ["mask", input.to_str().unwrap_or("."), "-o", output.to_str().unwrap_or(".")];
    let (code, _, err) = zhidu(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&output), mode(&reference), "a new output follows the umask");
    std::fs::set_permissions(&output, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let (code, _, err) = zhidu(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(mode(&output), 0o640, "the replaced file's permissions are kept");
}

/// A record longer than `csvio::MAX_RECORD_BYTES` (16 MiB; made here, too big to keep in the
/// repo): `mask` is exit 2 naming the file and the line the record starts on, and leaves
/// neither output nor temporary file; `check` reports the export unreadable at that line.
#[test]
fn an_overlong_record_is_an_error_that_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    std::fs::create_dir_all(org.join("exports")).expect("mkdir");
    std::fs::copy(Path::new(FAIL).join("zhidu.toml"), org.join("zhidu.toml")).expect("copy");
    let input = org.join("exports/long.csv");
    let mut text = "备注,地址\n电话13812345678,北京\n".as_bytes().to_vec();
    text.extend(std::iter::repeat_n(b'x', (16 << 20) + 1));
    text.extend_from_slice("\n[手机号已脱敏],北京\n".as_bytes());
    std::fs::write(&input, &text).expect("write");
    let out = tmp.path().join("out");
    let (code, _, err) =
        zhidu(&["mask", &input.display().to_string(), "-o", &out.join("masked.csv").display().to_string()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("long.csv`: the CSV record that starts on line 3 is longer than 16 MiB"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&out).expect("the output dir is made").flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let (code, stdout, _) = zhidu(&["check", &org.display().to_string(), "--rule", "MASK-2", "--format", "human"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("exports/long.csv 无法读取：the CSV record that starts on line 3"), "{stdout}");
    assert!(stdout.contains("exports/long.csv:3:1"), "{stdout}");
    assert!(stdout.contains("exports/long.csv:2:1"), "the rows before it are checked: {stdout}");
}

/// An export's data category decides which masks apply; a category the pack does not know is
/// an error with a suggestion (in `check` and in `mask`), never a silent "no category".
#[test]
fn unknown_categories_are_errors_and_missing_ones_are_the_strictest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let org = tmp.path().join("org");
    let typo = org.join("exports/用户画象");
    std::fs::create_dir_all(&typo).expect("mkdir");
    std::fs::copy(Path::new(FAIL).join("zhidu.toml"), org.join("zhidu.toml")).expect("copy");
    std::fs::write(typo.join("m.csv"), "会员ID,等级\nM-1,金卡\n").expect("write");
    std::fs::write(org.join("exports/o.csv"), "订单编号,金额\nSO-1,9\n").expect("write");
    std::fs::write(org.join("exports/o.csv.toml"), "category = \"交易纪录\"\n").expect("write");
    let (code, stdout, _) = zhidu(&["check", &org.display().to_string(), "--rule", "MASK-2", "--format", "json"]);
    assert_eq!(code, 1, "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let of = |rule: &str| findings.iter().filter(|f| f["rule"] == rule).collect::<Vec<_>>();
    let unknown = of("DATA-CATEGORY");
    assert_eq!(unknown.len(), 2, "{stdout}");
    assert!(unknown.iter().any(|f| f["message"].as_str().unwrap_or("").contains("「用户画像」")), "{stdout}");
    assert!(unknown.iter().any(|f| f["message"].as_str().unwrap_or("").contains("「交易记录」")), "{stdout}");
    // Checked as the strictest: the raw member ID and order number must be hashes.
    let cells: Vec<&str> = of("MASK-2").iter().filter_map(|f| f["subject"].as_str()).collect();
    assert_eq!(
        cells,
        ["export_cell:exports/o.csv#1/订单编号", "export_cell:exports/用户画象/m.csv#1/会员ID"],
        "{stdout}"
    );

    let out = tmp.path().join("out.csv");
    let (code, _, err) = zhidu(&["mask", &typo.join("m.csv").display().to_string(), "-o", &out.display().to_string()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `用户画像`"), "{err}");
    assert!(!out.exists());
}
