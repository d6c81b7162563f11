//! Calls of built-in functions: arity and argument types (`policy::builtin` holds the
//! signatures), and `cyclic(x, "field")`, whose field name is resolved to a slot here.

use super::{Compiler, Typed, any};
use crate::base::diag::suggest;
use crate::base::source::Loc;
use crate::base::value::Value;
use crate::compile::error::PolicyErrorKind as K;
use crate::policy::builtin::{self as builtins, Builtin};
use crate::policy::ir::Ir;
use crate::policy::types::Type;
use crate::syntax::ast;

impl Compiler<'_> {
    /// `f(args…)`: a built-in function, its arity and argument types.
    pub(super) fn call(&mut self, f: &ast::Ident, args: &[ast::Expr], loc: Loc) -> Typed {
        let Some((mut b, arity)) = builtins::lookup(&f.name) else {
            let help = suggest(&f.name, builtins::NAMES.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("built-in functions: {}", builtins::NAMES.join(", ")));
            let e = self.err(K::UnknownFunction { name: f.name.clone() }, f.loc);
            e.help = Some(help);
            for a in args {
                self.expr(a);
            }
            return any();
        };
        if args.len() != arity {
            let e = self.err(K::Arity { name: f.name.clone(), expected: arity.to_string(), found: args.len() }, loc);
            e.help = Some("see docs/language.md for the built-in functions".into());
            return any();
        }
        let mut irs = Vec::new();
        let mut tys = Vec::new();
        for a in args {
            let (i, t) = self.expr(a);
            irs.push(i);
            tys.push(t);
        }
        if let Builtin::Cyclic { .. } = b {
            match (&tys[0], &irs[1]) {
                (Type::Record(k), Ir::Const(Value::Str(field))) => {
                    let kind = self.names.schema.kind(*k);
                    match kind.slot(field) {
                        Some(slot) => b = Builtin::Cyclic { slot },
                        None => {
                            let e = self.err(
                                K::UnknownField { on: format!("`{}`", kind.name), field: field.to_string() },
                                args[1].loc,
                            );
                            e.help = Some("`cyclic(x, \"field\")` follows a list of references of x's own kind".into());
                        }
                    }
                }
                _ => self.mismatch(
                    loc,
                    "`cyclic` takes a record and a field name string".into(),
                    "write `cyclic(t, \"depends\")`",
                ),
            }
            return (Ir::Call(b, irs), Type::Bool);
        }
        match builtins::signature(b, &tys) {
            Ok(t) => (Ir::Call(b, irs), t),
            Err(expected) => {
                let found: Vec<String> = tys.iter().map(|t| self.show(t)).collect();
                let d = format!("`{}` takes {expected}, found ({})", f.name, found.join(", "));
                self.mismatch(loc, d, "see docs/language.md for the built-in functions");
                any()
            }
        }
    }
}
