//! Rendering a rule's message: its literal parts and the values of its `{…}` holes, with the
//! variables a failing subject left bound.

use crate::base::lang::Lang;
use crate::base::redact::mask_personal;
use crate::base::value::Value;
use crate::eval::interp::Ctx;
use crate::policy::Part;

/// The message of a check for one failing subject (`env` holds the variables it bound), from a
/// template written in `lang`: records print as their ids, other values as readers of `lang`
/// read them (lists joined by `、` or `, `). The value of a `personal` field prints masked
/// (`王*`, each item of a list of them) unless the run shows personal data
/// ([`Ctx::show_personal`]): this is where such values enter every output.
pub fn render(parts: &[Part], ctx: &Ctx, env: &mut [Value], lang: Lang) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Part::Lit(t) => s.push_str(t),
            Part::Hole(ir) => {
                let personal = !ctx.show_personal && ir.prints_personal(ctx.schema);
                let shown = |x: String| if personal { mask_personal(&x) } else { x };
                match ctx.eval(ir, env) {
                    Value::Record(r) => s.push_str(ctx.id_of(r).as_deref().unwrap_or("-")),
                    Value::List(l) => {
                        let items: Vec<String> = l
                            .iter()
                            .map(|v| match v {
                                Value::Record(r) => ctx.id_of(*r).map(|x| x.to_string()).unwrap_or_default(),
                                v => shown(v.shown(lang).to_string()),
                            })
                            .collect();
                        s.push_str(&items.join(lang.pick("、", ", ")));
                    }
                    Value::None => s.push_str(&Value::None.shown(lang).to_string()),
                    v => s.push_str(&shown(v.shown(lang).to_string())),
                }
            }
        }
    }
    s
}
