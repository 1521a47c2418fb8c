//! A progress bar over the run's cases (indicatif, on stderr), in front of
//! the console reporter. Shown only when stderr is a terminal and not on CI
//! ([`crate::ci::is_ci`]); the console lines are printed above the bar (the bar is
//! suspended while the inner sink writes) and the bar is cleared at the end.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report::case_label;
use crate::runner::{EventSink, RunEvent};
use crate::template::Redactor;

/// Whether a progress bar should be drawn: stderr is a terminal and this is
/// not CI ([`crate::ci::is_ci`]).
pub fn wanted() -> bool {
    wanted_for(crate::ci::is_ci(), std::io::stderr().is_terminal())
}

/// The rule behind [`wanted`]: a terminal, and not CI.
pub fn wanted_for(ci: bool, terminal: bool) -> bool {
    !ci && terminal
}

/// Passes events to `inner`, drawing a progress bar when enabled.
pub struct ProgressSink<S> {
    inner: S,
    bar: Option<ProgressBar>,
    redactor: Redactor,
}

impl<S> std::fmt::Debug for ProgressSink<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressSink")
            .field("bar", &self.bar.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: EventSink> ProgressSink<S> {
    /// A bar in front of `inner` when `enabled` (see [`wanted`]); secrets are
    /// redacted from the case names it shows.
    pub fn new(inner: S, enabled: bool, secrets: Vec<String>) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} cases {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Self {
            inner,
            bar,
            redactor: Redactor::new(secrets),
        }
    }

    /// Whether a bar is drawn.
    pub fn is_drawing(&self) -> bool {
        self.bar.is_some()
    }

    /// The wrapped sink back.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: EventSink> EventSink for ProgressSink<S> {
    fn event(&mut self, event: &RunEvent) {
        let Some(bar) = &self.bar else {
            self.inner.event(event);
            return;
        };
        match event {
            RunEvent::RunStarted { cases, .. } => bar.set_length(*cases as u64),
            RunEvent::CaseStarted { suite, case } => {
                let label = format!("{} › {case}", crate::report::suite_label(suite));
                bar.set_message(self.redactor.redact(&label));
            }
            RunEvent::CaseFinished(c) => {
                bar.inc(1);
                bar.set_message(self.redactor.redact(&case_label(c)));
            }
            RunEvent::RunFinished { .. } => bar.finish_and_clear(),
        }
        let inner = &mut self.inner;
        bar.suspend(|| inner.event(event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Summary, VecSink};

    #[test]
    fn the_bar_is_drawn_only_on_a_terminal_outside_ci() {
        let table = [
            (false, true, true),
            (false, false, false),
            (true, true, false),
            (true, false, false),
        ];
        for (ci, terminal, want) in table {
            assert_eq!(wanted_for(ci, terminal), want, "{ci:?} {terminal}");
        }
    }

    #[test]
    fn a_disabled_bar_passes_every_event_through() {
        let mut sink = ProgressSink::new(VecSink::default(), false, vec![]);
        assert!(!sink.is_drawing());
        sink.event(&RunEvent::RunStarted {
            target: "t".into(),
            suites: 1,
            cases: 1,
        });
        sink.event(&RunEvent::RunFinished {
            summary: Summary::default(),
            duration_ms: 0,
        });
        assert_eq!(sink.into_inner().0.len(), 2);
    }

    #[test]
    fn an_enabled_bar_still_passes_every_event_through() {
        let mut sink = ProgressSink::new(VecSink::default(), true, vec![]);
        assert!(sink.is_drawing());
        sink.event(&RunEvent::RunStarted {
            target: "t".into(),
            suites: 1,
            cases: 1,
        });
        sink.event(&RunEvent::CaseStarted {
            suite: "s.yaml".into(),
            case: "c".into(),
        });
        sink.event(&RunEvent::RunFinished {
            summary: Summary::default(),
            duration_ms: 0,
        });
        assert_eq!(sink.into_inner().0.len(), 3);
    }
}
