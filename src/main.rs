//! The `zhidu` command line: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

// Loading a large org allocates millions of small values from two threads at once; mimalloc is
// faster at that than the system allocator and returns memory with less fragmentation. Built as
// its v2 line without transparent huge pages (Cargo.toml): at a million people that peaks
// 150 MB lower than v3 with them (1.59 against 1.74 GB), and the kernel no longer spends
// seconds zeroing 2 MB pages that are only partly used.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = zhidu::cli::meta::parse();
    zhidu::cli::run(cli)
}
