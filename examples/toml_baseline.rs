//! Baseline for the benchmarks: parse every TOML file of an org dir with the `toml` crate into
//! `toml::Table` values, in parallel on all cores, and report the wall time. `zhidu check` is
//! measured against this floor.
//!
//! ```sh
//! cargo run --release --example toml_baseline -- /tmp/org100k
//! ```

use rayon::prelude::*;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let start = std::time::Instant::now();
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml"))
        .map(|e| e.into_path())
        .collect();
    let (bytes, tables): (usize, usize) = files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let t: toml::Table = toml::from_str(&text).unwrap_or_default();
            (text.len(), t.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"files\": {}, \"bytes\": {bytes}, \"top_level_keys\": {tables}, \"seconds\": {secs:.3}, \"mb_per_s\": {:.1}}}",
        files.len(),
        bytes as f64 / 1e6 / secs
    );
}
