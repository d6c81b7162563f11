//! Criterion benchmarks of the hot paths of `zhidu check` on a generated organisation:
//! loading (walk, parse, validate, index ids), evaluating all rules, and the slowest rules one
//! by one. `ZHIDU_BENCH_PEOPLE` sets the size (default 10 000); whole runs at 10k/100k/1M are
//! `scripts/bench`.

#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use zhidu::engine::{self, Options, Selection};

#[allow(dead_code, reason = "the generator's command-line parts are not used here")]
#[path = "../examples/gen_org.rs"]
mod gen_org;

/// The generated org dir for this size, written once (the generator is deterministic).
fn org_dir(people: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-org-{people}"));
    let done = dir.join(".complete");
    if !done.exists() {
        gen_org::generate(people, &dir, 7, false);
        std::fs::write(&done, "").expect("mark the generated org complete");
    }
    dir
}

fn people() -> usize {
    std::env::var("ZHIDU_BENCH_PEOPLE").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)
}

fn load(dir: &Path, policy: &zhidu::policy::Policy) -> zhidu::data::OrgData {
    let today = jiff::civil::date(2026, 6, 30);
    let config = zhidu::data::read_config(dir, today).expect("config");
    zhidu::data::load(dir, config, &policy.schema).expect("org loads")
}

fn benches(c: &mut Criterion) {
    let n = people();
    let dir = org_dir(n);
    let (policy, _) = zhidu::compile::load_policy(None).expect("built-in pack");
    let bytes: u64 =
        walkdir::WalkDir::new(&dir).into_iter().flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();

    let mut g = c.benchmark_group(format!("load/{n}"));
    g.sample_size(10).throughput(Throughput::Bytes(bytes));
    g.bench_function("all files", |b| b.iter(|| load(&dir, &policy)));
    g.finish();

    let org = load(&dir, &policy);
    let records: usize = org.store.kinds.iter().map(|k| k.len()).sum();
    let mut g = c.benchmark_group(format!("evaluate/{n}"));
    g.sample_size(10).throughput(Throughput::Elements(records as u64));
    g.bench_function("all rules", |b| b.iter(|| engine::run(&policy, &org, &Options::default())));
    // The slowest checks at 1M people (see `check --timings`).
    for rule in ["APR-2", "PERM-2", "DEV-2", "ROLE-4", "APR-3", "CAD-7", "KPI-3"] {
        let opts =
            Options { selection: Selection { only: vec![rule.to_string()], skip: Vec::new() }, ..Options::default() };
        g.bench_function(rule, |b| b.iter(|| engine::run(&policy, &org, &opts)));
    }
    g.finish();
}

criterion_group!(check_benches, benches);
criterion_main!(check_benches);
