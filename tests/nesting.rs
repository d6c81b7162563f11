//! The nesting limit (issue 21 #17): for every way an expression or declaration can nest or
//! chain, the deepest input accepted parses, formats, compiles, evaluates and explains on a
//! thread with half the main thread's stack, and one level more is a located
//! `zhidu::parse::too_deep` error instead of a stack overflow.

use std::path::Path;

use zhidu::base::source::FileId;
use zhidu::compile::load::{PackSource, load};
use zhidu::compile::resolve::resolve;
use zhidu::syntax::depth::MAX_DEPTH;
use zhidu::syntax::{SyntaxError, parse_expr, parse_file};

/// The stack the stages get here: half the 8 MiB of the binary's main thread, so the binary has
/// twice what it needs at the limit. (Evaluation runs on rayon's workers, 2 MiB each.)
const STACK: usize = 4 << 20;

/// Runs `f` on a thread with [`STACK`] bytes of stack. An overflow aborts the test binary.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(STACK).spawn(f).expect("spawn").join().expect("no panic")
}

const HEAD: &str = "policy 测试 {\n  version   \"1\"\n  effective 2026-01-01\n}\n\nrecord change {\n  id: string\n}\n";

/// A pack whose one rule checks `check` on every change `c`, with `message`.
fn rule(check: &str, message: &str) -> String {
    format!(
        "{HEAD}\nrule T-1 error \"深\" {{\n  source  \"x\"\n  check   forall c in change: {check}\n  message \"{message}\"\n}}\n"
    )
}

/// `c.id == "C1"`: true for the one record of the org.
const X: &str = "c.id == \"C1\"";

/// One way to nest or chain, `n` times.
struct Shape {
    name: &'static str,
    pack: fn(usize) -> String,
    /// Levels each repetition adds.
    step: usize,
    /// The pack compiles at the limit, so it can be evaluated.
    evaluates: bool,
}

fn chain(op: &str, n: usize) -> String {
    vec![X; n + 1].join(&format!(" {op} "))
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "parentheses",
        pack: |n| rule(&format!("{}{X}{}", "(".repeat(n), ")".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "lists",
        pack: |n| rule(&format!("len({}c.id{}) == 1", "[".repeat(n), "]".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "calls",
        pack: |n| rule(&format!("len({}[c.id]{}) == 1", "distinct(".repeat(n), ")".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "comprehensions",
        pack: |n| rule(&format!("len({}change{}) == 1", "[d for d in ".repeat(n), "]".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "index",
        pack: |n| rule(&format!("{}c.id{} == c.id", "[".repeat(n), "][0]".repeat(n)), "m"),
        step: 2,
        evaluates: true,
    },
    Shape {
        name: "else if",
        pack: |n| rule(&format!("{}{X}", format!("if {X} then {X} else ").repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "if in if",
        pack: |n| rule(&format!("{}{X}{}", "if ".repeat(n), format!(" then {X} else false").repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "forall",
        pack: |n| rule(&format!("{}{X}", "forall d in change: ".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "exists where",
        pack: |n| rule(&format!("{}{X}", "exists d in change where ".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "count",
        pack: |n| rule(&format!("{}{X}{}", "count(d in change where ".repeat(n), ") > 0".repeat(n)), "m"),
        step: 2,
        evaluates: true,
    },
    Shape { name: "and", pack: |n| rule(&chain("and", n), "m"), step: 1, evaluates: true },
    Shape { name: "or", pack: |n| rule(&chain("or", n), "m"), step: 1, evaluates: true },
    Shape { name: "implies", pack: |n| rule(&chain("implies", n), "m"), step: 1, evaluates: true },
    Shape {
        name: "plus",
        pack: |n| rule(&format!("len(c.id){} > 0", " + 1".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "minus",
        pack: |n| rule(&format!("len(c.id){} < 0", " - 1".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "coalesce",
        pack: |n| rule(&format!("c.id{} == \"C1\"", " ?? c.id".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape { name: "not", pack: |n| rule(&format!("{}({X})", "not ".repeat(n)), "m"), step: 1, evaluates: true },
    Shape {
        name: "negation",
        pack: |n| rule(&format!("{}len(c.id) != 0", "- ".repeat(n)), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "not and",
        pack: |n| rule(&vec![format!("not {X}"); n].join(" and "), "m"),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "member",
        pack: |n| rule(&format!("c{} == \"C1\"", ".id".repeat(n)), "m"),
        step: 1,
        evaluates: false,
    },
    Shape {
        name: "targets",
        pack: |n| rule(&format!("len(c.id) == {}3", ">= ".repeat(n)), "m"),
        step: 1,
        evaluates: false,
    },
    Shape {
        name: "message hole",
        pack: |n| rule(X, &format!("{{{}c.id{}}}", "(".repeat(n), ")".repeat(n))),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "declarations",
        pack: |n| format!("{HEAD}\n{}  order 1\n{}", "section 深 {\n".repeat(n), "}\n".repeat(n)),
        step: 1,
        evaluates: false,
    },
    Shape {
        name: "list types",
        pack: |n| format!("{HEAD}\nrecord deep {{\n  x: {}string{}\n}}\n", "[".repeat(n), "]".repeat(n)),
        step: 1,
        evaluates: true,
    },
    Shape {
        name: "object types",
        pack: |n| format!("{HEAD}\nrecord deep {{\n  x: {}string{}\n}}\n", "{ x: ".repeat(n), " }".repeat(n)),
        step: 1,
        evaluates: true,
    },
];

/// The depth errors of a pack (from parsing it, or from compiling its message holes), with the
/// line and column where each is located.
fn depth_errors(pack: &str) -> Vec<(String, zhidu::base::source::Loc)> {
    let files = [("main.zd", pack)];
    let diags = match load(&PackSource::Memory(&files)) {
        Ok(loaded) => match resolve(loaded) {
            Ok((_, d)) => d,
            Err((_, d)) => d,
        },
        Err((_, d)) => d,
    };
    let limit = format!("more than {MAX_DEPTH} levels");
    diags.items.iter().filter(|d| d.to_string().contains(&limit)).map(|d| (d.code(), d.loc)).collect()
}

/// The largest `n` whose pack has no depth error (accepting is monotonic in `n`).
fn deepest_accepted(shape: &Shape) -> usize {
    let (mut lo, mut hi) = (0, 4 * MAX_DEPTH);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if depth_errors(&(shape.pack)(mid)).is_empty() { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// Compiles a pack on disk and evaluates it (with explanations) on an org of one change.
fn compile_and_run(pack: &str, evaluates: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (policy_dir, org_dir) = (dir.path().join("pack"), dir.path().join("org"));
    std::fs::create_dir_all(&policy_dir).expect("mkdir");
    std::fs::create_dir_all(&org_dir).expect("mkdir");
    std::fs::write(policy_dir.join("main.zd"), pack).expect("write");
    std::fs::write(org_dir.join("data.toml"), "[[change]]\nid = \"C1\"\n").expect("write");
    let policy = match zhidu::compile::load_policy(Some(&policy_dir)) {
        Ok((p, _)) => p,
        Err(d) => {
            assert!(!evaluates, "the pack should compile:\n{}", d.render(false));
            return;
        }
    };
    assert!(evaluates, "the pack was expected not to compile");
    let config = zhidu::data::config::default_config(Path::new(&org_dir), jiff::civil::date(2026, 6, 30));
    let org = match zhidu::data::load(&org_dir, config, &policy.schema) {
        Ok(o) => o,
        Err(d) => panic!("org: {}", d.render(false)),
    };
    let opts = zhidu::engine::Options { explain: true, ..Default::default() };
    let outcome = zhidu::engine::run(&policy, &org, &opts);
    assert!(outcome.rules_run.len() <= 1);
}

#[test]
fn the_deepest_accepted_input_runs_on_half_the_stack() {
    on_small_stack(|| {
        for shape in SHAPES {
            let n = deepest_accepted(shape);
            // The rule's braces, its `forall` and a comparison take a few of the levels.
            let most = MAX_DEPTH / shape.step;
            assert!((most - 6..=most).contains(&n), "{}: {n} levels accepted", shape.name);
            let pack = (shape.pack)(n);
            let formatted = zhidu::syntax::fmt::format(&pack);
            assert!(formatted.is_ok(), "{}: {formatted:?}", shape.name);
            compile_and_run(&pack, shape.evaluates);
        }
    });
}

#[test]
fn one_level_more_is_a_located_error() {
    on_small_stack(|| {
        for shape in SHAPES {
            let n = deepest_accepted(shape) + 1;
            let text = (shape.pack)(n);
            let errors = depth_errors(&text);
            assert_eq!(errors.len(), 1, "{}: {errors:?}", shape.name);
            let (code, loc) = &errors[0];
            let expected =
                if shape.name == "message hole" { "zhidu::resolve::bad_hole" } else { "zhidu::parse::too_deep" };
            assert_eq!(code, expected, "{}", shape.name);
            let (start, end) = (loc.start as usize, loc.end as usize);
            assert!(start < end && end <= text.len(), "{}: {loc:?}", shape.name);
            // On the line that nests.
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line = text[line_start..].lines().next().unwrap_or_default();
            let nesting = match shape.name {
                "message hole" => "  message",
                "declarations" => "section",
                "list types" | "object types" => "  x:",
                _ => "  check",
            };
            assert!(line.starts_with(nesting), "{}: located on `{line}`", shape.name);
        }
    });
}

#[test]
fn nesting_is_refused_at_the_opening_of_the_level_past_the_limit() {
    let text = format!("{}x{}", "(".repeat(3000), ")".repeat(3000));
    let e = parse_expr(FileId(0), 10, &text).expect_err("too deep");
    assert!(matches!(e, SyntaxError::TooDeep { .. }), "{e:?}");
    // The 129th `(` opens level 129.
    assert_eq!((e.loc().start, e.loc().end), (10 + MAX_DEPTH as u32, 11 + MAX_DEPTH as u32));
    assert_eq!(e.label(), format!("level {} opens here", MAX_DEPTH + 1));
    let chain = vec!["a"; 5001].join(" and ");
    let e = parse_expr(FileId(0), 0, &chain).expect_err("too deep");
    // The 129th `and` makes the tree 129 levels deep.
    let at = (2 + 6 * MAX_DEPTH) as u32;
    assert_eq!((e.loc().start, e.loc().end), (at, at + 3), "{e:?}");
    let mut nots = "not ".repeat(5000);
    nots.push('a');
    let e = parse_expr(FileId(0), 0, &nots).expect_err("too deep");
    assert_eq!(e.loc().start as usize, 4 * MAX_DEPTH, "the 129th `not`: {e:?}");
}

#[test]
fn the_limit_does_not_count_what_does_not_nest() {
    // Siblings, strings, text blocks and comments do not add up.
    let list = format!("[{}]", vec!["[[[not a and (b)]]]"; 3000].join(", "));
    assert!(parse_expr(FileId(0), 0, &list).is_ok());
    let brackets_in_text = format!("\"{}\" # {}\n", "(".repeat(3000), "[".repeat(3000));
    assert!(parse_expr(FileId(0), 0, &brackets_in_text).is_ok());
    let block = format!("\"\"\"\n{}\n\"\"\"", "{".repeat(3000));
    assert!(parse_expr(FileId(0), 0, &block).is_ok());
    // Each entry closes its `if`, quantifier and target, also without `;`: a block of many is fine.
    let entries: String = (0..1000)
        .map(|i| {
            format!(
                "  check forall c in change: if c.id == \"{i}\" then 2 weeks > 1 day else c.n >= 5\n  limit >= 3 days\n"
            )
        })
        .collect();
    let (_, errors) = parse_file(FileId(0), &format!("rule T-1 error \"t\" {{\n{entries}}}\n"));
    assert!(errors.is_empty(), "{errors:?}");
}
