//! How the rules of a pack stand for one run, decided in one place so that `check`'s summary,
//! `rules` and `report` count them the same way (issue 28: the summary said 55 rules where the
//! pack has 61, with no word about the other 6).
//!
//! Every rule ID of the pack is in exactly one state, judged on the version that applies on
//! `as_of` (the latest in force, else the first pending):
//! - **skipped**: left out of the run by `--rule` / `--skip`;
//! - **disabled**: an overlay turned it off with `disable rule … { reason … }`;
//! - **documented**: the rule has no check; it is written into the handbook only;
//! - **pending**: it takes effect after `as_of` (it is evaluated, its findings are warnings at most);
//! - **checked**: in force and evaluated.

use jiff::civil::Date;

use super::{Policy, Rule, Selection};
use crate::base::lang::Lang;

/// The state of one rule ID for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleState {
    /// In force and evaluated.
    Checked,
    /// No check: stated in the handbook only.
    Documented,
    /// Takes effect on this date, after `as_of`.
    Pending(Date),
    /// Left out by the rule selection.
    Skipped,
    /// Turned off by an overlay (`disable rule`), with a reason.
    Disabled,
}

/// The rule IDs of a pack by [`RuleState`];
/// `checked + documented + pending + skipped + disabled == rules`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleCounts {
    /// Rule IDs in the pack (a rule with several versions counts once).
    pub rules: usize,
    /// In force and evaluated.
    pub checked: usize,
    /// Without a check: stated in the handbook only.
    pub documented: usize,
    /// Not yet in force on `as_of`.
    pub pending: usize,
    /// Left out by `--rule` / `--skip`.
    pub skipped: usize,
    /// Turned off by an overlay, with a reason.
    pub disabled: usize,
}

/// The version of a rule that applies on `as_of`: the latest in force, else the first pending.
pub fn applicable<'a>(policy: &'a Policy, id: &str, as_of: Date) -> Option<&'a Rule> {
    let versions = || policy.rules.iter().filter(move |r| r.id == id);
    let in_force = versions().filter(|r| r.effective.is_none_or(|d| d <= as_of)).max_by_key(|r| r.effective);
    in_force.or_else(|| versions().min_by_key(|r| r.effective))
}

/// The state of a rule version (as [`applicable`] gives it) for a run.
pub fn state(rule: &Rule, as_of: Date, selection: &Selection) -> RuleState {
    if rule.disabled.is_some() {
        RuleState::Disabled
    } else if !selection.selects(&rule.id) {
        RuleState::Skipped
    } else if rule.checks.is_empty() {
        RuleState::Documented
    } else if let Some(d) = rule.effective.filter(|d| *d > as_of) {
        RuleState::Pending(d)
    } else {
        RuleState::Checked
    }
}

/// Every rule ID of the pack once, in pack order, with the version that applies and its state.
pub fn states<'a>(policy: &'a Policy, as_of: Date, selection: &Selection) -> Vec<(&'a Rule, RuleState)> {
    let mut ids: Vec<&str> = Vec::new();
    for r in &policy.rules {
        if !ids.contains(&r.id.as_str()) {
            ids.push(&r.id);
        }
    }
    ids.into_iter().filter_map(|id| applicable(policy, id, as_of)).map(|r| (r, state(r, as_of, selection))).collect()
}

/// The rule IDs of a pack counted by state.
pub fn count(policy: &Policy, as_of: Date, selection: &Selection) -> RuleCounts {
    let mut c = RuleCounts::default();
    for (_, s) in states(policy, as_of, selection) {
        c.rules += 1;
        match s {
            RuleState::Checked => c.checked += 1,
            RuleState::Documented => c.documented += 1,
            RuleState::Pending(_) => c.pending += 1,
            RuleState::Skipped => c.skipped += 1,
            RuleState::Disabled => c.disabled += 1,
        }
    }
    c
}

impl RuleCounts {
    /// The breakdown in one line, the same words wherever it is shown: `共 61 条规则：检查 55 条，
    /// 仅写入制度文本 6 条，未生效 0 条` / `61 rules: 55 checked, 6 documented only, 0 pending`,
    /// `，停用 N 条` / `, N disabled` when an overlay turned rules off, and `，未选 N 条` /
    /// `, N skipped` when a selection left rules out (a report runs them all).
    pub fn describe(&self, lang: Lang) -> String {
        let RuleCounts { rules, checked, documented, pending, skipped, disabled } = *self;
        let mut s = match lang {
            Lang::Zh => {
                format!("共 {rules} 条规则：检查 {checked} 条，仅写入制度文本 {documented} 条，未生效 {pending} 条")
            }
            Lang::En => format!("{rules} rules: {checked} checked, {documented} documented only, {pending} pending"),
        };
        if disabled > 0 {
            s.push_str(&lang.pick(format!("，停用 {disabled} 条"), format!(", {disabled} disabled")));
        }
        if skipped > 0 {
            s.push_str(&lang.pick(format!("，未选 {skipped} 条"), format!(", {skipped} skipped")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    // Counting the built-in pack needs `compile` (a later layer): tests/rule_counts.rs does it.
    use super::*;

    #[test]
    fn the_breakdown_reads_the_same_in_both_languages() {
        let c = RuleCounts { rules: 61, checked: 55, documented: 6, pending: 0, skipped: 0, disabled: 0 };
        assert_eq!(c.describe(Lang::Zh), "共 61 条规则：检查 55 条，仅写入制度文本 6 条，未生效 0 条");
        assert_eq!(c.describe(Lang::En), "61 rules: 55 checked, 6 documented only, 0 pending");
        let c = RuleCounts { rules: 61, checked: 47, documented: 6, pending: 0, skipped: 7, disabled: 1 };
        assert_eq!(
            c.describe(Lang::Zh),
            "共 61 条规则：检查 47 条，仅写入制度文本 6 条，未生效 0 条，停用 1 条，未选 7 条"
        );
        assert_eq!(c.describe(Lang::En), "61 rules: 47 checked, 6 documented only, 0 pending, 1 disabled, 7 skipped");
    }
}
