//! Wall-clock stage timings for `--timings`: what each stage of a run cost. Only ever printed to
//! standard error on request, so outputs stay deterministic.

use std::time::{Duration, Instant};

/// Stages in the order they ran, with their wall time.
#[derive(Debug, Clone, Default)]
pub struct Stages {
    /// `(stage, wall time)`.
    pub laps: Vec<(String, Duration)>,
    last: Option<Instant>,
}

impl Stages {
    /// Starts the clock.
    pub fn start() -> Self {
        Stages { laps: Vec::new(), last: Some(Instant::now()) }
    }

    /// Ends the current stage under `name` and starts the next.
    pub fn lap(&mut self, name: &str) {
        let now = Instant::now();
        let since = self.last.map_or(Duration::ZERO, |l| now - l);
        self.laps.push((name.to_string(), since));
        self.last = Some(now);
    }
}

/// What one check of a rule cost.
#[derive(Debug, Clone)]
pub struct CheckTime {
    /// Rule ID.
    pub rule: String,
    /// Index of the check in the rule.
    pub check: usize,
    /// Wall time of the check (checks run in parallel, so these add up to more than the stage).
    pub time: Duration,
}
