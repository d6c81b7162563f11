//! Policy values as template values: scalars stay scalars; percentages, durations and targets
//! become [`Shown`] objects that print in Chinese (`20%`, `4小时`, `≥ 2%`) and still expose a
//! number for sorting and sums (`x.num`).

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Value as J};

use crate::base::lang::Lang;
use crate::base::value::Value;

/// A value that prints as text and sorts by number.
#[derive(Debug)]
pub struct Shown {
    /// How the value prints.
    pub text: String,
    /// A number for sorting and arithmetic: percent points, seconds, the target's bound.
    pub num: f64,
    /// For durations: the frequency wording (`每周`, `每季度`).
    pub every: Option<String>,
}

impl Object for Shown {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &J) -> Option<J> {
        match key.as_str()? {
            "text" => Some(J::from(self.text.clone())),
            "num" => Some(J::from(self.num)),
            "every" => self.every.clone().map(J::from),
            _ => None,
        }
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn shown(text: String, num: f64, every: Option<String>) -> J {
    J::from_object(Shown { text, num, every })
}

/// Frequency wording of a duration: `每周`, `每月`, `每季度`, `每半年`, `每年`, else `每 2周`.
pub fn every(d: &crate::base::value::Duration) -> String {
    d.every_zh()
}

/// Converts a policy value into a template value.
pub fn to_template(v: &Value) -> J {
    match v {
        Value::None => J::from(()),
        Value::Bool(b) => J::from(*b),
        Value::Int(i) => J::from(*i),
        Value::Num(n) => J::from(*n),
        Value::Percent(p) => shown(v.shown(Lang::Zh).to_string(), *p, None),
        Value::Str(s) => J::from(&**s),
        Value::Date(_) | Value::DateTime(..) => J::from(v.shown(Lang::Zh).to_string()),
        Value::Duration(d) => shown(d.to_zh(), d.approx_secs() as f64, Some(every(d))),
        Value::Target(t) => {
            let text = Value::Target(t.clone()).shown(Lang::Zh).to_string();
            // `≥2%` → `≥ 2%`: the operator stands apart in print.
            let split = text.char_indices().find(|(_, c)| !"≥≤<>=≠".contains(*c)).map_or(text.len(), |(i, _)| i);
            let spaced = format!("{} {}", &text[..split], &text[split..]);
            shown(spaced, t.value.as_f64().unwrap_or(0.0), None)
        }
        Value::List(items) => J::from(items.iter().map(to_template).collect::<Vec<_>>()),
        Value::Object(o) => J::from(
            o.fields().map(|(k, v)| (k.to_string(), to_template(v))).collect::<std::collections::BTreeMap<_, _>>(),
        ),
        Value::Record(_) => J::from(v.shown(Lang::Zh).to_string()),
        Value::Window(w) => J::from(&*w.label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::value::{CmpOp, Duration, Target};

    #[test]
    fn values_print_in_chinese() {
        let t = Value::Target(Arc::new(Target { op: CmpOp::Ge, value: Value::Percent(2.0) }));
        assert_eq!(to_template(&t).to_string(), "≥ 2%");
        let d = Value::Duration(Duration { months: 0, secs: 4 * 3600 });
        assert_eq!(to_template(&d).to_string(), "4小时");
        assert_eq!(every(&Duration { months: 3, secs: 0 }), "每季度");
        assert_eq!(every(&Duration { months: 0, secs: 2 * 604_800 }), "每2周");
        assert_eq!(to_template(&Value::Percent(20.0)).to_string(), "20%");
        assert!(to_template(&Value::Percent(0.0)).is_true(), "a shown value is present, whatever its number");
    }
}
