//! Property tests of the org data loader: arbitrary TOML and CSV text (and arbitrary bytes)
//! never make it panic; it returns records and `DATA-…` findings, or located diagnostics; and
//! every rule of the pack then evaluates on the records without panicking.
//!
//! Hostile shapes (issue 21): deeply nested or unbalanced TOML arrays and tables, long lines
//! and keys, odd bytes (NUL, lone CR, BOMs, invalid UTF-8, UTF-16), ragged CSV rows with
//! unbalanced quotes, in record files and in exports (the MASK-2 scan): in process, the loader
//! and every rule finish within a watchdog's time without panicking; through the binary,
//! `check` and `mask` exit 0, 1 or 2 (never 101 for a panic or 134 for an abort) in bounded
//! time. The watchdog catches hangs, not slowness: the times are far above what a case takes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use zhidu::compile::load_policy;
use zhidu::policy::Policy;

static POLICY: LazyLock<Policy> = LazyLock::new(|| match load_policy(None) {
    Ok((p, _)) => p,
    Err(d) => panic!("built-in pack: {}", d.render(false)),
});

fn load(files: &[(&str, &[u8])]) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), files);
    let config = zhidu::data::config::default_config(dir.path(), jiff::civil::date(2026, 6, 30));
    match zhidu::data::load(dir.path(), config, &POLICY.schema) {
        Ok(org) => {
            // Every finding is located in a real file of the org dir.
            for f in &org.issues {
                if let Some(l) = &f.location {
                    assert!(dir.path().join(l.file.as_str()).exists(), "{l:?}");
                    assert!(l.line >= 1 && l.column >= 1);
                }
            }
            // And every rule of the pack evaluates on whatever was loaded.
            let _ = zhidu::engine::run(&POLICY, &org, &zhidu::engine::Options::default());
        }
        Err(d) => assert!(d.error_count() > 0),
    }
}

fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write");
    }
}

/// Runs `f` on a thread of its own; fails if it panics or is not done within `secs`.
fn within(secs: u64, what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            f();
            let _ = tx.send(());
        })
        .expect("spawn");
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => {
            let _ = worker.join();
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after {secs} s"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// Runs the binary in `dir`; its exit code, or a failure if it runs longer than `secs`.
fn run_zhidu(dir: &Path, args: &[&str], secs: u64) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhidu"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn zhidu");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut err = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut err);
        String::from_utf8_lossy(&err).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zhidu {args:?} hangs: still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (status.code().unwrap_or(-1), reader.join().unwrap_or_default())
}

/// Pieces of hostile text: deep and unbalanced nesting, long runs, odd bytes.
fn odd_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (1usize..3000).prop_map(|n| format!("x = {}{}\n", "[".repeat(n), "]".repeat(n)).into_bytes()),
        (1usize..3000, 0usize..3000)
            .prop_map(|(n, m)| format!("x = {}1{}\n", "[".repeat(n), "]".repeat(m)).into_bytes()),
        (1usize..600).prop_map(|n| format!("y = {}1{}\n", "{ a = ".repeat(n), " }".repeat(n)).into_bytes()),
        (1usize..2000).prop_map(|n| format!("{} = 1\n", vec!["k"; n].join(".")).into_bytes()),
        (1usize..2000).prop_map(|n| format!("[{}]\n", vec!["t"; n].join(".")).into_bytes()),
        (1usize..200_000).prop_map(|n| format!("name = \"{}\"\n", "长".repeat(n / 3)).into_bytes()),
        (1usize..100_000).prop_map(|n| "k".repeat(n).into_bytes()),
        Just(b"\0".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(vec![0xff, 0xfe, b'i', 0, b'd', 0, b'\n', 0]),
        Just(vec![0xc3]),
        Just(vec![0xe4, 0xb8]),
        Just(b"\"\"\"".to_vec()),
        Just(b"[[person]]\nid = \"P1\"\n".to_vec()),
        "\\PC{0,20}".prop_map(String::into_bytes),
    ]
}

/// Bytes made of hostile pieces.
fn odd_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(odd_piece(), 0..6).prop_map(|v| v.concat())
}

/// Ragged CSV: rows of any number of fields, quotes that do not close, quoted line breaks,
/// long fields and odd bytes, under a header that may be empty or repeated.
fn ragged_csv() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        "[a-zP0-9 运营-]{0,8}".prop_map(String::into_bytes),
        Just(b"\"".to_vec()),
        Just(b"\"a,\nb\"".to_vec()),
        Just(b"\"\"\"".to_vec()),
        Just(b"13812345678".to_vec()),
        Just("广东省深圳市南山区科技园路1号".as_bytes().to_vec()),
        (1usize..50_000).prop_map(|n| "x".repeat(n).into_bytes()),
        Just(vec![0xff]),
        Just(b"\0".to_vec()),
        Just(b"\r".to_vec()),
    ];
    let row = prop::collection::vec(field, 0..12).prop_map(|f| f.join(&b","[..]));
    (
        prop::sample::select(vec![
            "id,name,unit,roles,joined",
            "user_id,地址,年龄,备注",
            "",
            "id,id,id",
            "\u{feff}备注",
        ]),
        prop::collection::vec(row, 0..30),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(h, rows, eol)| {
            let mut out = h.as_bytes().to_vec();
            for r in rows {
                out.extend_from_slice(eol.as_bytes());
                out.extend_from_slice(&r);
            }
            out
        })
}

/// TOML-ish text built from the pieces record files are made of.
fn tomlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("[[person]]\n".to_string()),
            Just("[[change]]\n".to_string()),
            Just("[[unit]]\n".to_string()),
            Just("[person]\n".to_string()),
            "(id|name|unit|roles|joined|level|mentor|approvals|tier|author) = ".prop_map(String::from),
            Just("\"P1\"\n".to_string()),
            Just("2026-13-01\n".to_string()),
            Just("2026-01-01\n".to_string()),
            Just("[\"运营专员\", 3]\n".to_string()),
            Just("{ by = \"P1\", date = 2026-01-02 }\n".to_string()),
            Just("[{ by = \"P2\" }]\n".to_string()),
            "[0-9]{1,5}\n".prop_map(String::from),
            "\\PC{0,12}".prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// CSV-ish text for `person.csv`.
fn csvish() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["id,name,unit,roles,joined", "id,name,scores.a,roles", "", "id", "\u{feff}id,name"]),
        prop::collection::vec("[a-zP0-9,;\"\\n 运营-]{0,30}", 0..20),
    )
        .prop_map(|(h, rows)| format!("{h}\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn toml_files_never_panic(text in tomlish()) {
        load(&[("data.toml", text.as_bytes())]);
    }

    #[test]
    fn csv_files_never_panic(text in csvish()) {
        load(&[("person.csv", text.as_bytes())]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        load(&[("data.toml", &bytes), ("person.csv", &bytes)]);
    }
}

/// A record file the loader takes.
const VALID: &[u8] = "[[unit]]\nid = \"U0\"\nname = \"示例公司\"\ntype = \"company\"\n".as_bytes();

/// The zhidu.toml of the generated orgs (so nothing depends on today's date).
const CONFIG: &[u8] = b"[org]\nname = \"props\"\nas_of = 2026-06-30\nperiod = { from = 2026-01-01, to = 2026-06-30 }\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Record files and exports of hostile shapes: loaded (or refused with diagnostics), every
    /// rule and the exports' scan run, no panic, no hang.
    #[test]
    fn hostile_record_files_and_exports_never_panic_or_hang(
        toml in odd_bytes(), csv in ragged_csv(), export in ragged_csv(), mixed in odd_bytes()
    ) {
        within(60, "load and run", move || {
            load(&[("people.toml", &toml), ("person.csv", &csv), ("exports/e.csv", &export), ("exports/f.csv", &mixed)]);
            // Valid records, so the run gets as far as the exports' scan.
            load(&[("units.toml", VALID), ("exports/e.csv", &export), ("exports/f.csv", &mixed)]);
        });
    }
}

proptest! {
    // Each case starts the binary twice: few cases, the in-process test above covers the shapes.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Through the binary: `check` on an org of hostile files and `mask` of a hostile export
    /// exit 0, 1 or 2, in bounded time.
    #[test]
    fn check_and_mask_exit_at_most_2(toml in odd_bytes(), csv in ragged_csv(), export in ragged_csv()) {
        let dir = tempfile::tempdir().expect("tempdir");
        write_files(dir.path(), &[
            ("org/zhidu.toml", CONFIG),
            ("org/people.toml", &toml),
            ("org/person.csv", &csv),
            ("org/exports/e.csv", &export),
            ("in.csv", &export),
        ]);
        let (code, err) = run_zhidu(dir.path(), &["check", "org", "--format", "json"], 60);
        prop_assert!((0..=2).contains(&code), "check exits {}: {}", code, err);
        let (code, err) = run_zhidu(dir.path(), &["mask", "in.csv", "-o", "out.csv"], 60);
        prop_assert!((0..=2).contains(&code), "mask exits {}: {}", code, err);
        prop_assert!(!err.contains("panicked"), "{}", err);
    }
}
