//! Command-line interface: argument types and dispatch. One file per subcommand in `cli/`.
//! (Over 500 lines: the clap definitions of every subcommand are one table, kept together.)

/// `println!` to standard output through [`emit`]: redacted; a closed pipe ends the process.
macro_rules! outln {
    () => { $crate::cli::emit("\n") };
    ($($arg:tt)*) => { $crate::cli::emit(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` through [`emit_err`]: redacted.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::emit_err(&format!($($arg)*)) };
}

/// `eprintln!` through [`emit_err`]: redacted.
macro_rules! errln {
    () => { $crate::cli::emit_err("\n") };
    ($($arg:tt)*) => { $crate::cli::emit_err(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) mod check;
mod explain;
pub(crate) mod fmt;
mod help;
mod init;
mod lint;
mod mask;
pub mod meta;
mod render;
mod report;
pub(crate) mod rules;
mod test;
mod verify;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code of a process whose standard output was closed by its reader (`zhidu rules | head`):
/// what a shell reports for a process ended by SIGPIPE, so a pipeline with `pipefail` does not
/// take a cut-off run for a passing one.
pub const EXIT_BROKEN_PIPE: i32 = 141;

/// Writes to standard output, through the redaction step ([`crate::base::redact`]). When the
/// reader has gone (a closed pipe), the process ends quietly with [`EXIT_BROKEN_PIPE`] instead
/// of panicking; any other write error ends it with [`EXIT_ERROR`] and a message.
pub(crate) fn emit(text: &str) {
    use std::io::Write;
    let text = crate::base::redact::redact(text);
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(EXIT_BROKEN_PIPE),
        Err(e) => {
            errln!("error: cannot write to standard output: {e}");
            std::process::exit(i32::from(EXIT_ERROR));
        }
    }
}

/// A date, or `today` (the day of the run, asked for explicitly).
fn as_of_date(s: &str) -> Result<jiff::civil::Date, String> {
    if s.trim() == "today" {
        return Ok(jiff::Zoned::now().date());
    }
    s.trim().parse().map_err(|_| format!("`{s}` is not a date such as 2026-06-30 (or `today`)"))
}

/// A percentage from 0 to 100 (`NaN`, `inf` and out-of-range values are refused: a threshold
/// no coverage can fall below would always pass).
fn percentage(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        Ok(_) => Err(format!("`{s}` is not a percentage from 0 to 100")),
        Err(e) => Err(format!("`{s}` is not a number: {e}")),
    }
}

/// Writes to standard error, through the redaction step (diagnostics quote source lines, and
/// a line of a record file may hold anything). A failed write to standard error is ignored:
/// there is nowhere left to say so.
pub(crate) fn emit_err(text: &str) {
    use std::io::Write;
    let text = crate::base::redact::redact(text);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes an output file of a run as `fill` makes it, through the redaction step (line by line,
/// as [`write_output`] would redact the whole text): no document is held in memory.
pub(crate) fn write_output_with(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    crate::base::files::write_with(path, |w| {
        let mut r = crate::base::redact::Redacting::new(w);
        fill(&mut r)?;
        r.finish().map(drop)
    })
}

/// Writes to standard output as `fill` makes it, through the redaction step; a closed pipe ends
/// the process as [`emit`] does.
pub(crate) fn emit_with(fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    let stdout = std::io::stdout().lock();
    let mut r = crate::base::redact::Redacting::new(std::io::BufWriter::with_capacity(1 << 16, stdout));
    let written = fill(&mut r).and_then(|()| r.finish()).and_then(|mut w| std::io::Write::flush(&mut w));
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(EXIT_BROKEN_PIPE),
        Err(e) => {
            errln!("error: cannot write to standard output: {e}");
            std::process::exit(i32::from(EXIT_ERROR));
        }
    }
}

/// Writes an output file of a run (findings, a baseline, a report) through the redaction step.
pub(crate) fn write_output(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    crate::base::files::write_atomic(path, crate::base::redact::redact(text).as_bytes())
}

/// Exit code: success, no finding at or above the failure level.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the failure level.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not run (bad policy, bad data, bad arguments).
pub const EXIT_ERROR: u8 = 2;

/// zhidu (制度): company operating regulations as code — check, render, report.
#[derive(Debug, Parser)]
#[command(name = "zhidu", version, about, long_about = None, after_help = help::ZHIDU)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Do not colour output (same as `--color never`; the `NO_COLOR` variable also works).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// What `zhidu schema` prints.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SchemaFormat {
    /// JSON Schema (draft 2020-12).
    Json,
    /// The data reference in Markdown.
    Md,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an organisation's data against every rule of the pack.
    #[command(after_help = help::CHECK)]
    Check {
        /// The org dir (default: the nearest directory from the current one up that holds
        /// zhidu.toml, else the current directory).
        org: Option<PathBuf>,
        /// Policy directory (default: `policy` in zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output format: human, json, sarif, junit, github; `FORMAT=FILE` writes to a file.
        /// Repeatable: `--format json=out.json --format sarif=out.sarif`.
        #[arg(long = "format", value_name = "FORMAT[=FILE]")]
        formats: Vec<String>,
        /// Write the (single) format given without `=FILE` to this file.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Lowest severity that makes the run fail (exit 1).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Run only these rules (IDs or chapters such as `APV`); repeatable.
        #[arg(long = "rule", value_name = "ID")]
        rules: Vec<String>,
        /// Skip these rules (IDs or chapters); repeatable.
        #[arg(long = "skip", value_name = "ID")]
        skip: Vec<String>,
        /// Check as of this date (or `today`) instead of `as_of` in zhidu.toml.
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<jiff::civil::Date>,
        /// Audit period instead of `period` in zhidu.toml.
        #[arg(long, value_name = "FROM..TO", value_parser = report::parse_period)]
        period: Option<(jiff::civil::Date, jiff::civil::Date)>,
        /// Explain each finding: the sub-condition that failed and the values bound there.
        #[arg(long)]
        explain: bool,
        /// Allow writing outputs inside the org dir or the policy dir (an input file is never
        /// overwritten).
        #[arg(long)]
        force: bool,
        /// Print the wall time of each stage to stderr.
        #[arg(long)]
        timings: bool,
        /// Human output: one line per finding, no snippets, no summary.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Report only findings that are not in this baseline file, and list fixed ones.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record the current findings (by fingerprint) in this baseline file.
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Language of zhidu's own messages (rule messages use `message_en` with `en` if given).
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        /// Show the values of fields the schema marks `personal` (a person's name) whole
        /// instead of masked (`王*`).
        #[arg(long)]
        show_personal: bool,
        /// Human output: list at most N findings per rule, count the others (0: list all).
        /// JSON, SARIF and JUnit are not affected.
        #[arg(long, value_name = "N", default_value_t = crate::output::human::MAX_PER_RULE)]
        max_per_rule: usize,
        /// Human output: a table of findings per rule instead of the findings.
        #[arg(long)]
        statistics: bool,
    },
    /// Run every static check of a policy pack (syntax, names, types, the pack's policy rules).
    #[command(after_help = help::LINT)]
    Lint {
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Run the language server for editors over stdio (diagnostics, definition, references,
    /// hover, completion and outline for the pack's `.zd` files).
    #[command(after_help = help::LSP)]
    Lsp {
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the pack of the
        /// first opened file: the nearest directory above it that holds main.zd).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Desensitise CSV exports by the pack's mask rules (address → province, age → band,
    /// ID → hash, ID-card and mobile numbers in free text → marker). Streams; never overwrites
    /// the input; writes atomically.
    #[command(after_help = help::MASK)]
    Mask {
        /// Input CSV file.
        input: Option<PathBuf>,
        /// Output CSV file.
        #[arg(short = 'o', long = "output", requires = "input")]
        output: Option<PathBuf>,
        /// Mask every CSV under this directory...
        #[arg(long, requires = "out_dir", conflicts_with = "input")]
        in_dir: Option<PathBuf>,
        /// ...into this directory (same relative paths).
        #[arg(long, requires = "in_dir")]
        out_dir: Option<PathBuf>,
        /// Input encoding: auto (UTF-8 or GBK/GB18030, detected), utf-8, gbk.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Render the wall-posted handbook and the SOP sheets from the policy pack (Markdown and
    /// print-ready HTML); with `--check`, exit 1 when the copies in `--out` are stale.
    #[command(after_help = help::RENDER)]
    Render {
        /// What to render.
        #[arg(value_enum, default_value_t = RenderWhat::All)]
        what: RenderWhat,
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output directory (required unless one document in one format goes to stdout).
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Output format; repeatable (default: md and html). `pdf` is typeset by zhidu itself
        /// (no browser) with the system's CJK fonts (package fonts-noto-cjk).
        #[arg(long = "format", value_enum)]
        formats: Vec<crate::render::DocFormat>,
        /// A directory of templates that override the built-in ones (same names).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Compare with the files in `--out` instead of writing; exit 1 if any is stale.
        #[arg(long, requires = "out")]
        check: bool,
        /// Which edition: `wall` (上墙版, the articles as issued) or `annotated` (审计版: rule IDs,
        /// sources, how each article is checked, the values the pack chose); the annotated
        /// edition's files are named `handbook-annotated.*`, `sop-annotated.*`.
        #[arg(long, value_enum, default_value_t = crate::render::Edition::Wall)]
        edition: crate::render::Edition,
        /// The day whose values the handbook prints, for a pack with dated values (`from DATE
        /// …`); default: `as_of` of the nearest zhidu.toml, else the values as first written.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<jiff::civil::Date>,
    },
    /// Print the JSON Schema (draft 2020-12) of the org data files the pack reads, or
    /// (`--format md`) the data reference `docs/data.md`.
    #[command(after_help = help::SCHEMA)]
    Schema {
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// `json` (JSON Schema, for editors) or `md` (the data reference in Markdown).
        #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
        format: SchemaFormat,
    },
    /// Run policy test cases (dirs with `expected.toml`) and report rule coverage.
    #[command(after_help = help::TEST)]
    Test {
        /// Directory of cases.
        #[arg(default_value = "tests/cases")]
        dir: PathBuf,
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Fail when fewer than this percentage of org rules have a passing and a failing case.
        #[arg(long, default_value_t = 0.0, value_parser = percentage)]
        threshold: f64,
    },
    /// Start a working org dir for a company: zhidu.toml, a policy overlay over the built-in
    /// pack, one commented template per record kind, `exports/` and a README.
    #[command(after_help = help::INIT)]
    Init {
        /// The directory to create (default: the current directory).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write into a directory that is not empty (existing files are never overwritten).
        #[arg(long)]
        force: bool,
    },
    /// Format policy files canonically (comments kept; files written atomically).
    #[command(after_help = help::FMT)]
    Fmt {
        /// Report files that are not formatted instead of rewriting them (exit 1).
        #[arg(long)]
        check: bool,
        /// Files or directories (default: `policies/`).
        files: Vec<PathBuf>,
    },
    /// List the rules of a pack.
    #[command(after_help = help::RULES)]
    Rules {
        /// Policy directory (default: `policy` in the nearest zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
        /// Which rules are pending is judged on this date (default: today).
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<jiff::civil::Date>,
    },
    /// Explain a rule: its text, source clause, the regulation's words and the data it reads;
    /// with `--org` and `--subject`, why it fails for that record.
    #[command(after_help = help::EXPLAIN)]
    Explain {
        /// Rule ID, e.g. `APV-3`.
        rule: String,
        /// Policy directory (default: `policy` in the org's zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// An org dir to explain a finding in.
        #[arg(long, requires = "subject")]
        org: Option<PathBuf>,
        /// The record, as `kind:id` (e.g. `change:CHG-1`).
        #[arg(long, requires = "org")]
        subject: Option<String>,
        /// Show the values of fields the schema marks `personal` (a person's name) whole
        /// instead of masked (`王*`).
        #[arg(long)]
        show_personal: bool,
    },
    /// The auditors' conformance report: every rule of the pack with its status for the org,
    /// the subjects checked, the findings as evidence, the waivers in force, the pack's lint and
    /// SHA-256 digests of every input. Exit 0 whatever the rules' status.
    #[command(after_help = help::REPORT)]
    Report {
        /// The org dir (default: the nearest directory from the current one up that holds
        /// zhidu.toml, else the current directory).
        org: Option<PathBuf>,
        /// Policy directory (default: `policy` in zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Audit period instead of `period` in zhidu.toml.
        #[arg(long, value_name = "FROM..TO", value_parser = report::parse_period)]
        period: Option<(jiff::civil::Date, jiff::civil::Date)>,
        /// Report as of this date (or `today`) instead of `as_of` in zhidu.toml.
        #[arg(long, value_name = "DATE", value_parser = as_of_date)]
        as_of: Option<jiff::civil::Date>,
        /// Output format (default: from the `--out` file's extension, else md). `pdf` is
        /// typeset by zhidu itself (needs `--out` and the fonts of fonts-noto-cjk).
        #[arg(long, value_enum)]
        format: Option<crate::report::ReportFormat>,
        /// Language of the report's labels (Markdown, HTML, PDF).
        #[arg(long, value_enum, default_value_t = crate::base::lang::Lang::Zh)]
        lang: crate::base::lang::Lang,
        /// Write the report to this file (default: standard output).
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
        /// A previous JSON report: list new, fixed and unchanged findings and each rule's trend.
        #[arg(long, value_name = "PREVIOUS.json")]
        compare: Option<PathBuf>,
        /// Allow writing outputs inside the org dir or the policy dir (an input file is never
        /// overwritten).
        #[arg(long)]
        force: bool,
        /// Show the values of fields the schema marks `personal` (a person's name) whole
        /// instead of masked (`王*`).
        #[arg(long)]
        show_personal: bool,
    },
    /// Check that a JSON report is what its inputs give: its own digest, every path it lists,
    /// the input files' digests, then its results made again from the inputs; names each
    /// difference (exit 1).
    #[command(after_help = help::VERIFY)]
    Verify {
        /// The report (`zhidu report --format json`).
        report: PathBuf,
        /// The org dir (default: the nearest directory from the current one up that holds
        /// zhidu.toml, else the current directory).
        org: Option<PathBuf>,
        /// Policy directory (default: `policy` in zhidu.toml, else the built-in pack).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The report was made with `--show-personal`: make it again so.
        #[arg(long)]
        show_personal: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = help::COMPLETIONS)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page of zhidu, or write one page per command into a directory.
    #[command(after_help = help::MAN)]
    Man {
        /// Write `zhidu.1` and `zhidu-COMMAND.1` for every command into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

pub use crate::base::lang::Lang;

/// Lowest severity that fails a run.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// Errors fail (default).
    Error,
    /// Warnings and errors fail.
    Warning,
    /// Any finding fails.
    Info,
    /// Never fail on findings.
    Never,
}

/// Documents of `zhidu render`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RenderWhat {
    /// The handbook.
    Handbook,
    /// The SOP sheets.
    Sop,
    /// Both.
    All,
}

/// Formats of `zhidu rules`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RulesFormat {
    /// Aligned text table.
    Table,
    /// JSON array.
    Json,
}

impl Cli {
    /// Whether to colour output written to stderr.
    pub fn color(&self) -> bool {
        if self.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return false;
        }
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal(),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let color = cli.color();
    let code = match &cli.command {
        Command::Check {
            org,
            policy,
            formats,
            output,
            fail_on,
            rules,
            skip,
            as_of,
            period,
            explain,
            force,
            timings,
            quiet,
            baseline,
            write_baseline,
            lang,
            show_personal,
            max_per_rule,
            statistics,
        } => check::run(check::Args {
            org: &org_dir(org.as_deref()),
            policy: policy.as_deref(),
            formats,
            output: output.as_deref(),
            fail_on: *fail_on,
            selection: crate::engine::Selection { only: rules.clone(), skip: skip.clone() },
            explain: *explain,
            force: *force,
            as_of: *as_of,
            period: *period,
            color: color && std::io::stdout().is_terminal(),
            timings: *timings,
            quiet: *quiet,
            baseline: baseline.as_deref(),
            write_baseline: write_baseline.as_deref(),
            lang: *lang,
            show_personal: *show_personal,
            max_per_rule: *max_per_rule,
            statistics: *statistics,
        }),
        Command::Mask { input, output, in_dir, out_dir, encoding, policy } => mask::run(mask::Args {
            input: input.as_deref(),
            output: output.as_deref(),
            in_dir: in_dir.as_deref(),
            out_dir: out_dir.as_deref(),
            encoding,
            policy: policy.as_deref(),
            color,
        }),
        Command::Schema { policy, format } => {
            match pack_dir(policy.as_deref(), color).and_then(|d| load_or_report(d.as_deref(), color)) {
                Ok(p) => {
                    match format {
                        SchemaFormat::Json => {
                            let schema = crate::schema_export::json_schema(&p);
                            outln!("{}", crate::base::visible::json(&schema).unwrap_or_default());
                        }
                        SchemaFormat::Md => crate::cli::emit(&crate::schema_export::markdown(&p)),
                    }
                    EXIT_OK
                }
                Err(code) => code,
            }
        }
        Command::Render { what, policy, out, formats, templates, check, edition, as_of } => render::run(render::Args {
            what: *what,
            as_of: *as_of,
            edition: *edition,
            policy: policy.as_deref(),
            out: out.as_deref(),
            formats,
            templates: templates.as_deref(),
            check: *check,
            color,
        }),
        Command::Test { dir, policy, threshold } => match pack_dir(policy.as_deref(), color) {
            Ok(p) => test::run(dir, p.as_deref(), *threshold, color),
            Err(code) => code,
        },
        Command::Lint { policy } => match pack_dir(policy.as_deref(), color) {
            Ok(p) => lint::run(p.as_deref(), color),
            Err(code) => code,
        },
        Command::Fmt { check, files } => fmt::run(*check, files, color),
        Command::Lsp { policy } => match pack_dir(policy.as_deref(), color) {
            Ok(p) => match crate::lsp::run(p) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    err!("{}", crate::base::diag::render_one(&e, color));
                    EXIT_ERROR
                }
            },
            Err(code) => code,
        },
        Command::Rules { policy, format, as_of } => match pack_dir(policy.as_deref(), color) {
            Ok(p) => rules::run(p.as_deref(), *format, as_of.unwrap_or_else(|| jiff::Zoned::now().date()), color),
            Err(code) => code,
        },
        Command::Explain { rule, policy, org, subject, show_personal } => {
            explain::run(rule, policy.as_deref(), org.as_deref().zip(subject.as_deref()), *show_personal, color)
        }
        Command::Report { org, policy, period, as_of, format, lang, out, compare, force, show_personal } => {
            report::run(report::Args {
                lang: *lang,
                org: &org_dir(org.as_deref()),
                policy: policy.as_deref(),
                period: *period,
                as_of: *as_of,
                format: *format,
                out: out.as_deref(),
                compare: compare.as_deref(),
                force: *force,
                show_personal: *show_personal,
                color,
            })
        }
        Command::Verify { report, org, policy, show_personal } => {
            verify::run(report, &org_dir(org.as_deref()), policy.as_deref(), *show_personal, color)
        }
        Command::Completions { shell } => meta::completions(*shell),
        Command::Man { out_dir } => meta::man(out_dir.as_deref()),
        Command::Init { dir, force } => init::run(dir, *force, color),
    };
    ExitCode::from(code)
}

/// What a run's outputs must not be written over or into: every input file of the org and of
/// the pack (always), and the org dir and the policy dir themselves (unless `--force`).
pub(crate) fn protected(
    org: &crate::data::OrgData,
    policy: &crate::policy::Policy,
    policy_dir: Option<&std::path::Path>,
    force: bool,
) -> crate::base::files::Protected {
    let mut p = crate::base::files::Protected::default();
    for rel in &org.inputs {
        p.file(&org.dir.join(rel));
    }
    if policy_dir.is_some() {
        // A pack file's name is its path as read (an overlay's base files included); the
        // built-in pack's files are not on disk.
        for (_, f) in policy.sources.files().filter(|(_, f)| !f.name.starts_with("<builtin>/")) {
            p.file(std::path::Path::new(f.name.as_str()));
        }
    }
    if !force {
        p.dir(&org.dir, "the org dir (give `--force` to write there)");
        if let Some(dir) = policy_dir {
            p.dir(dir, "the policy dir (give `--force` to write there)");
        }
    }
    p
}

/// Prints why each refused output is refused; true if any was.
pub(crate) fn refused(p: &crate::base::files::Protected, outputs: &[&std::path::Path]) -> bool {
    let mut any = false;
    for o in outputs {
        if let Some(why) = p.refuses(o) {
            errln!("error: will not write `{}`: {why}; zhidu never overwrites its input", o.display());
            any = true;
        }
    }
    any
}

/// Loads an org's data, printing its diagnostics and what was not done (`nothing was checked`)
/// on failure.
pub(crate) fn load_org_or_report(
    org: &std::path::Path,
    config: crate::data::OrgConfig,
    schema: &crate::policy::Schema,
    color: bool,
    not_done: &str,
) -> Result<crate::data::OrgData, u8> {
    crate::data::load(org, config, schema).map_err(|d| {
        err!("{}", d.render(color));
        errln!("error: the org data has {} error(s); {not_done}", d.error_count());
        EXIT_ERROR
    })
}

/// The nearest directory, from the current one up, that holds `zhidu.toml` (as git and cargo
/// look for theirs).
pub(crate) fn nearest_org() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().find(|d| d.join("zhidu.toml").is_file()).map(std::path::Path::to_path_buf)
}

/// The org dir of a command: the one given, else [`nearest_org`], else the current directory.
fn org_dir(given: Option<&std::path::Path>) -> PathBuf {
    given.map(std::path::Path::to_path_buf).or_else(nearest_org).unwrap_or_else(|| PathBuf::from("."))
}

/// The pack of a command that reads no org data: `--policy`, else `policy` in the nearest
/// zhidu.toml, else `None` (the built-in pack). A zhidu.toml that cannot be read is an error.
pub(crate) fn pack_dir(given: Option<&std::path::Path>, color: bool) -> Result<Option<PathBuf>, u8> {
    if let Some(p) = given {
        return Ok(Some(p.to_path_buf()));
    }
    let Some(dir) = nearest_org() else { return Ok(None) };
    crate::data::read_config_policy(&dir).map_err(|d| {
        err!("{}", d.render(color));
        errln!("error: `{}` is not a valid zhidu.toml; nothing was run", dir.join("zhidu.toml").display());
        EXIT_ERROR
    })
}

/// Loads a pack, printing its diagnostics on failure.
pub(crate) fn load_or_report(policy: Option<&std::path::Path>, color: bool) -> Result<crate::policy::Policy, u8> {
    match crate::compile::load_policy(policy) {
        Ok((p, _warnings)) => Ok(p),
        Err(diags) => {
            err!("{}", diags.render(color));
            errln!("error: the policy has {} error(s); nothing was run", diags.error_count());
            Err(EXIT_ERROR)
        }
    }
}
