//! Events the runner emits while it works; reporters consume them.

use crate::runner::result::{CaseResult, Summary};

/// Something that happened during a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEvent {
    /// The run is about to start.
    RunStarted {
        /// Target base URL.
        target: String,
        /// Number of suites selected.
        suites: usize,
        /// Number of cases selected.
        cases: usize,
    },
    /// A case is about to run.
    CaseStarted {
        /// Suite source path.
        suite: String,
        /// Case name.
        case: String,
    },
    /// A case finished (passed, failed, errored or skipped).
    CaseFinished(Box<CaseResult>),
    /// The run finished.
    RunFinished {
        /// Outcome counts.
        summary: Summary,
        /// Wall time in milliseconds.
        duration_ms: u64,
    },
}

/// Receives run events in order. The runner never prints; sinks do.
pub trait EventSink {
    /// Handles one event.
    fn event(&mut self, event: &RunEvent);
}

/// A sink that drops every event.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    fn event(&mut self, _event: &RunEvent) {}
}

/// A sink that keeps every event (for tests and tools).
#[derive(Debug, Default, Clone)]
pub struct VecSink(pub Vec<RunEvent>);

impl EventSink for VecSink {
    fn event(&mut self, event: &RunEvent) {
        self.0.push(event.clone());
    }
}
