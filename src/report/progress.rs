//! The progress bar over the run's cases (indicatif, on stderr), drawn by
//! the console reporter ([`crate::report::ConsoleReporter::with_progress`]).
//! Shown only when stderr is a terminal and not on CI ([`crate::ci::is_ci`]);
//! the console lines are printed above the bar (the bar is suspended while
//! they are written) and the bar is cleared at the end.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether a progress bar should be drawn: stderr is a terminal and this is
/// not CI ([`crate::ci::is_ci`]).
pub fn wanted() -> bool {
    wanted_for(crate::ci::is_ci(), std::io::stderr().is_terminal())
}

/// The rule behind [`wanted`]: a terminal, and not CI.
pub fn wanted_for(ci: bool, terminal: bool) -> bool {
    !ci && terminal
}

/// The bar [`crate::report::ConsoleReporter::with_progress`] draws on stderr.
pub(crate) fn bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} cases {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ConsoleReporter;
    use crate::runner::{EventSink, RunEvent, Summary};

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

    fn events() -> Vec<RunEvent> {
        vec![
            RunEvent::RunStarted {
                target: "t".into(),
                suites: 1,
                cases: 1,
            },
            RunEvent::CaseStarted {
                suite: "s.yaml".into(),
                case: "c".into(),
            },
            RunEvent::RunFinished {
                summary: Summary::default(),
                duration_ms: 0,
            },
        ]
    }

    #[test]
    fn the_console_writes_the_same_lines_with_or_without_a_bar() {
        let mut outputs = Vec::new();
        for enabled in [false, true] {
            let mut console =
                ConsoleReporter::new(Vec::new(), false, vec![]).with_progress(enabled);
            assert_eq!(console.is_drawing(), enabled);
            for e in events() {
                console.event(&e);
            }
            outputs.push(String::from_utf8(console.into_inner()).expect("utf-8"));
        }
        assert!(outputs[0].ends_with("Summary: 0 passed, 0 failed, 0 skipped\n"));
        assert_eq!(outputs[0], outputs[1]);
    }
}
