//! The `zhidu` command line: parse arguments, run the command, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = zhidu::cli::Cli::parse();
    zhidu::cli::run(cli)
}
