//! Stage timings for `--timings`: what each stage of a run cost (wall and processor time). Only ever printed to
//! standard error on request, so outputs stay deterministic.

use std::time::{Duration, Instant};

/// Stages in the order they ran, with their wall time.
#[derive(Debug, Clone, Default)]
pub struct Stages {
    /// The stages run so far.
    pub laps: Vec<Lap>,
    last: Option<Instant>,
    last_cpu: Option<Duration>,
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
    /// The processor time (user + system, all threads) the process spent in it, where the
    /// system tells it: on a shared machine the wall time also counts waiting for a core.
    pub cpu: Option<Duration>,
}

impl Stages {
    /// Starts the clock.
    pub fn start() -> Self {
        Stages { laps: Vec::new(), last: Some(Instant::now()), last_cpu: cpu_time() }
    }

    /// Ends the current stage under `name` and starts the next.
    pub fn lap(&mut self, name: &str) {
        let now = Instant::now();
        let since = self.last.map_or(Duration::ZERO, |l| now - l);
        let cpu_now = cpu_time();
        let cpu = cpu_now.zip(self.last_cpu).map(|(n, l)| n.saturating_sub(l));
        self.laps.push(Lap { name: name.to_string(), time: since, peak_rss: peak_rss(), cpu });
        self.last = Some(now);
        self.last_cpu = cpu_now;
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

/// The processor time the process has used so far, user and system, all threads (`utime` and
/// `stime` of `/proc/self/stat`, in ticks of 10 ms; `None` elsewhere).
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after it are counted from its `)`.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
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
            assert!(s.laps.iter().all(|l| l.cpu.is_some()));
        }
    }
}
