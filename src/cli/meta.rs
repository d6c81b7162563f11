//! What a command-line tool is expected to ship besides its commands: shell completions
//! (`zhidu completions SHELL`, clap_complete), man pages (`zhidu man`, clap_mangen) and a
//! `--version` that names the built-in pack too (name, version and the content digest the JSON
//! output gives as `policy.digest`).

use std::path::Path;

use clap::{CommandFactory, FromArgMatches};

use super::{Cli, EXIT_ERROR, EXIT_OK};

/// The parsed command line. The built-in pack is compiled for `--version` only when it is asked
/// for, so no other command pays for it.
pub fn parse() -> Cli {
    let asks_version = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--version" || a == "-V");
    let mut cmd = Cli::command();
    if asks_version {
        // clap keeps `&'static str`s; one string for a process that prints it and ends.
        cmd = cmd.long_version(&*Box::leak(long_version().into_boxed_str()));
    }
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `zhidu --version`: the tool's version, then the built-in pack's name, version and digest
/// (a pack is versioned on its own: `docs/versioning.md`).
pub fn long_version() -> String {
    let tool = env!("CARGO_PKG_VERSION");
    match crate::compile::load_policy(None) {
        Ok((p, _)) => format!(
            "{tool}\nbuilt-in pack: {} {} (effective {}), sha256:{}",
            p.meta.name,
            p.meta.version,
            p.meta.effective,
            crate::output::policy_digest(&p)
        ),
        // Cannot happen in a released binary (tests compile the pack); say so rather than panic.
        Err(d) => format!("{tool}\nbuilt-in pack: does not compile ({} error(s))", d.error_count()),
    }
}

/// `zhidu completions SHELL`: the completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "zhidu", &mut script);
    super::emit(&String::from_utf8_lossy(&script));
    EXIT_OK
}

/// Every man page: `zhidu.1` and one per subcommand (`zhidu-check.1`, …), as (file name, roff).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Building names each subcommand `zhidu-check`, the name of its page.
    cmd.build();
    let mut pages = Vec::new();
    let subs: Vec<clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned().collect();
    for c in std::iter::once(cmd).chain(subs) {
        let man = clap_mangen::Man::new(c);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        pages.push((man.get_filename(), roff));
    }
    Ok(pages)
}

/// `zhidu man [--out-dir DIR]`: `zhidu.1` on standard output, or every page written into `DIR`.
pub fn man(out_dir: Option<&Path>) -> u8 {
    let pages = match man_pages() {
        Ok(p) => p,
        Err(e) => {
            errln!("error: cannot make the man pages: {e}");
            return EXIT_ERROR;
        }
    };
    let Some(dir) = out_dir else {
        if let Some((_, roff)) = pages.first() {
            super::emit(&String::from_utf8_lossy(roff));
        }
        return EXIT_OK;
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        errln!("error: cannot create {}: {e}", dir.display());
        return EXIT_ERROR;
    }
    for (name, roff) in &pages {
        let path = dir.join(name);
        if let Err(e) = crate::base::files::write_atomic(&path, roff) {
            errln!("error: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
        errln!("wrote {}", path.display());
    }
    EXIT_OK
}
