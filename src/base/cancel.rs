//! A cancellation flag shared between whoever starts a long run and the run itself: the run
//! looks at it between units of work (the engine between checks) and stops early once it is
//! set. Cheap to clone and to read; a default token is never cancelled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag set once to ask a running job to stop.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks every holder of this token to stop (idempotent).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the token was cancelled: a run that sees it stops, and its result is incomplete.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled() && a.is_cancelled());
        assert!(!Cancel::default().is_cancelled(), "a fresh token is independent");
    }
}
