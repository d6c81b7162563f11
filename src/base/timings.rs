//! Wall-clock stage timings for `--timings`: what each stage of a run cost. Only ever printed to
//! standard error on request, so outputs stay deterministic.

use std::time::{Duration, Instant};

/// Stages in the order they ran, with their wall time.
#[derive(Debug, Clone, Default)]
pub struct Stages {
    /// The stages run so far.
    pub laps: Vec<Lap>,
    last: Option<Instant>,
}

/// One stage of a run.
#[derive(Debug, Clone)]
pub struct Lap {
    /// What ran.
    pub name: String,
    /// Its wall time.
    pub time: Duration,
    /// The process's peak resident memory at its end, where the system tells it.
    pub peak_rss: Option<u64>,
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
        self.laps.push(Lap { name: name.to_string(), time: since, peak_rss: peak_rss() });
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

/// The process's peak resident set size in bytes (`VmHWM` on Linux; `None` elsewhere).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_record_time_and_memory() {
        let mut s = Stages::start();
        s.lap("one");
        s.lap("two");
        assert_eq!(s.laps.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["one", "two"]);
        if cfg!(target_os = "linux") {
            assert!(s.laps.iter().all(|l| l.peak_rss.is_some_and(|b| b > 0)));
        }
    }
}
