//! The `zhidu` command line: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

// Loading a large org allocates millions of small values from two threads at once; mimalloc is
// faster at that than the system allocator and returns memory with less fragmentation.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = zhidu::cli::meta::parse();
    zhidu::cli::run(cli)
}
