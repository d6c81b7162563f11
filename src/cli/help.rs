//! The examples and exit codes at the end of each subcommand's `--help` (clap `after_help`).
//! They run on the example organisation from a clone of the repository; `tests/doc_commands.rs`
//! runs every example line shown here (exit 0 or 1, or the `# exit N` a line states).

/// After `zhidu --help`.
pub const ZHIDU: &str = "\
Examples:
  zhidu check examples/acme                      # check the example organisation: exit 1, it has findings
  zhidu explain APV-3                            # a rule, its source clause and the data it reads
  zhidu render --out rulebook                    # the handbook and SOP sheets, Markdown and HTML
  zhidu report examples/acme --out report.html   # the auditors' conformance report

Exit codes: 0 success, 1 findings (or stale / failing, see each command), 2 the tool could not run,
141 standard output closed by its reader. `zhidu help COMMAND` shows a command's examples.";

/// After `zhidu check --help`: the exit codes are part of the interface.
pub const CHECK: &str = "\
Examples:
  zhidu check examples/acme
  zhidu check examples/acme --rule APV-3 --explain
  zhidu check examples/acme --skip MASK --fail-on warning
  zhidu check examples/acme -q --lang en
  zhidu check examples/acme --format json=zhidu.json --format sarif=zhidu.sarif
  zhidu check examples/acme --write-baseline baseline.json
  zhidu check examples/acme --baseline baseline.json

Exit codes:
  0    no finding at or above --fail-on (default: error); waived findings, findings in the
       --baseline, advisory rules and rules not yet in force never fail a run
  1    findings at or above --fail-on
  2    the tool could not run: bad policy, unreadable or malformed data, bad arguments, an output
       it will not write (an input file, or inside the org dir without --force)
  141  standard output was closed by its reader (zhidu check … | head): the output is cut off";

/// After `zhidu lint --help`.
pub const LINT: &str = "\
Examples:
  zhidu lint
  zhidu lint --policy policies

Exit codes: 0 the pack has no error, 2 it has errors (each located, with a code and a help line).";

/// After `zhidu mask --help`.
pub const MASK: &str = "\
Examples:
  zhidu mask examples/acme/exports/user-profile-2026-06.csv -o masked.csv
  zhidu mask --in-dir examples/acme/exports --out-dir masked --encoding auto

Exit codes: 0 written, 2 the input cannot be read or the output would overwrite an input.";

/// After `zhidu render --help`.
pub const RENDER: &str = "\
Examples:
  zhidu render --out rulebook
  zhidu render handbook --format md > handbook.md
  zhidu render --check --out docs/rulebook

Exit codes: 0 written (or up to date with --check), 1 a committed copy is stale (--check),
2 the pack or a template has errors.";

/// After `zhidu schema --help`.
pub const SCHEMA: &str = "\
Examples:
  zhidu schema > zhidu.schema.json
  (then put `#:schema ./zhidu.schema.json` on the first line of an org TOML file)";

/// After `zhidu test --help`.
pub const TEST: &str = "\
Examples:
  zhidu test tests/cases --threshold 100
  zhidu test tests/cases --policy policies

Exit codes: 0 every case passes (and coverage reaches --threshold), 1 a case fails or coverage is
below the threshold, 2 a case or the pack cannot be read.";

/// After `zhidu fmt --help`.
pub const FMT: &str = "\
Examples:
  zhidu fmt --check
  zhidu fmt policies/approval.zd

Exit codes: 0 formatted (or already formatted), 1 files need formatting (--check), 2 a file
does not parse.";

/// After `zhidu lsp --help`.
pub const LSP: &str = "\
Examples:
  zhidu lsp --policy policies   # an editor starts it and speaks LSP on stdin/stdout; alone: exit 2

The editor's client sends the pack's .zd files; diagnostics are those of `zhidu lint`. See
docs/lsp.md.

Exit codes: 0 after the client's shutdown and exit, 2 the client went away or broke the protocol.";

/// After `zhidu rules --help`.
pub const RULES: &str = "\
Examples:
  zhidu rules
  zhidu rules --format json --as-of 2026-06-30

The last line counts the rules as `check` and `report` do: checked, documented only (no check,
stated in the handbook), pending (not yet in force), skipped.";

/// After `zhidu explain --help`.
pub const EXPLAIN: &str = "\
Examples:
  zhidu explain APV-3
  zhidu explain APV-3 --org examples/acme --subject change:CHG-2026-011";

/// After `zhidu report --help`.
pub const REPORT: &str = "\
Examples:
  zhidu report examples/acme --out report.html
  zhidu report examples/acme --format json --out 2026H1.json
  zhidu report examples/acme --format oscal --out assessment-results.json
  zhidu report examples/acme --period 2026-01-01..2026-06-30 --compare 2026H1.json

Exit codes: 0 written, whatever the rules' status; 2 the pack or the data cannot be read.";

/// After `zhidu verify --help`.
pub const VERIFY: &str = "\
Examples:
  zhidu report examples/acme --format json --out 2026H1.json
  zhidu verify 2026H1.json examples/acme

Exit codes: 0 the report is what its inputs give, 1 a digest or a result differs (each named),
2 the results cannot be made again (the pack or the data no longer load).";

/// After `zhidu completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  zhidu completions bash > zhidu.bash          # then: ~/.local/share/bash-completion/completions/zhidu
  zhidu completions zsh > _zhidu               # then: into a directory on $fpath
  zhidu completions fish > zhidu.fish          # then: ~/.config/fish/completions/zhidu.fish
  zhidu completions powershell > zhidu.ps1     # then: . zhidu.ps1 in $PROFILE";

/// After `zhidu man --help`.
pub const MAN: &str = "\
Examples:
  zhidu man > zhidu.1          # then: man -l zhidu.1
  zhidu man --out-dir man      # zhidu.1 and one page per command: zhidu-check.1, …";

/// After `zhidu init --help`.
pub const INIT: &str = "\
Examples:
  zhidu init newco                  # zhidu.toml, policy/main.zd (extends \"builtin\"), record templates
  zhidu check newco                 # exit 1 or 0: the starter data is checked, never refused
  zhidu init newco --force          # add the files a newer zhidu writes; existing files are kept";
