//! The run's circuit breaker: it decides, from the outcome of every request,
//! when the target has stopped answering, and then stops the whole run with
//! one reason. It owns the counting (consecutive requests without an answer,
//! consecutive requests still throttled after the 429 policy gave up) and the
//! trip itself, which the run deadline also uses. It never sends anything and
//! never decides a case's outcome: the client asks it before and after each
//! request, and cases read the reason once it has tripped.
//!
//! Rules (a success, i.e. any HTTP answer, resets both counts):
//! - a connection failure (refused, DNS, TLS) trips at once: the next request
//!   would fail the same way;
//! - [`NO_ANSWER_LIMIT`] consecutive requests without a usable answer
//!   (timeouts, broken connections, bodies over the cap) trip it;
//! - [`THROTTLED_LIMIT`] consecutive requests still answered `429` after the
//!   whole 429 policy trip it;
//! - the run deadline trips it whatever the counts.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

use crate::runner::{RunError, RunErrorKind};

/// Consecutive requests without a usable answer that stop the run.
pub(crate) const NO_ANSWER_LIMIT: u32 = 3;
/// Consecutive requests still throttled after the 429 policy that stop the run.
pub(crate) const THROTTLED_LIMIT: u32 = 2;

#[derive(Debug, Default)]
struct Counts {
    no_answer: u32,
    /// Every counted no-answer was a timeout (for the wording).
    all_timeouts: bool,
    throttled: u32,
}

/// Counts consecutive bad outcomes and holds the reason once tripped.
#[derive(Debug)]
pub(crate) struct Breaker {
    counts: Mutex<Counts>,
    tripped: watch::Sender<Option<RunError>>,
    /// The request timeout, for the wording of the reason.
    request_timeout: Duration,
}

impl Breaker {
    /// A closed breaker; `request_timeout` only words the reason.
    pub(crate) fn new(request_timeout: Duration) -> Self {
        Self {
            counts: Mutex::new(Counts::default()),
            tripped: watch::Sender::new(None),
            request_timeout,
        }
    }

    /// The reason, once tripped.
    pub(crate) fn tripped(&self) -> Option<RunError> {
        self.tripped.borrow().clone()
    }

    /// Resolves with the reason when the breaker trips (at once if it has).
    pub(crate) async fn wait(&self) -> RunError {
        let mut rx = self.tripped.subscribe();
        match rx.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone().unwrap_or_else(|| stopped("the run stopped")),
            // The sender lives as long as `self`: unreachable, but never hang.
            Err(_) => stopped("the run stopped"),
        }
    }

    /// Trips with `reason` unless already tripped; returns the reason in force.
    pub(crate) fn trip(&self, reason: RunError) -> RunError {
        self.tripped.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(reason);
            true
        });
        self.tripped().unwrap_or_else(|| stopped("the run stopped"))
    }

    /// The target answered (any status but an exhausted 429).
    pub(crate) fn answered(&self) {
        if let Ok(mut c) = self.counts.lock() {
            *c = Counts::default();
        }
    }

    /// `request` got no usable answer (`err`). Returns the breaker's reason
    /// when this trips it (or it had tripped), else `None`.
    pub(crate) fn no_answer(&self, request: &str, err: &RunError) -> Option<RunError> {
        if let Some(reason) = self.tripped() {
            return Some(reason);
        }
        if err.kind == RunErrorKind::Unreachable {
            return Some(self.trip(RunError::new(
                RunErrorKind::Unreachable,
                format!("the target is unreachable: {err}"),
            )));
        }
        let (count, all_timeouts) = {
            let Ok(mut c) = self.counts.lock() else {
                return None;
            };
            if c.no_answer == 0 {
                c.all_timeouts = true;
            }
            c.no_answer += 1;
            c.all_timeouts &= err.kind == RunErrorKind::Timeout;
            (c.no_answer, c.all_timeouts)
        };
        if count < NO_ANSWER_LIMIT {
            return None;
        }
        let reason = if all_timeouts {
            RunError::new(
                RunErrorKind::Timeout,
                format!(
                    "the target stopped answering: {count} consecutive requests timed out \
                     after {} (--request-timeout); last: {request}",
                    crate::runner::options::format_duration(self.request_timeout)
                ),
            )
        } else {
            RunError::new(
                err.kind,
                format!(
                    "the target stopped answering: {count} consecutive requests got no usable \
                     answer; last: {request}: {err}"
                ),
            )
        };
        Some(self.trip(reason))
    }

    /// `request` was still answered `429` after `attempts` attempts and
    /// `waited` of waiting. Returns the reason when this trips the breaker.
    pub(crate) fn throttled(
        &self,
        request: &str,
        attempts: u32,
        waited: Duration,
    ) -> Option<RunError> {
        if let Some(reason) = self.tripped() {
            return Some(reason);
        }
        let count = {
            let Ok(mut c) = self.counts.lock() else {
                return None;
            };
            c.throttled += 1;
            c.throttled
        };
        if count < THROTTLED_LIMIT {
            return None;
        }
        Some(self.trip(RunError::new(
            RunErrorKind::Throttled,
            format!(
                "the target answers 429 Too Many Requests to everything: {count} consecutive \
                 requests were still throttled after {attempts} attempts and {} of waiting \
                 (--max-throttle-wait); last: {request}",
                crate::runner::options::format_duration(waited)
            ),
        )))
    }
}

fn stopped(message: &str) -> RunError {
    RunError::new(RunErrorKind::Http, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout() -> RunError {
        RunError::new(RunErrorKind::Timeout, "http://x/Users: operation timed out")
    }

    #[test]
    fn three_consecutive_timeouts_trip_and_an_answer_resets_the_count() {
        let b = Breaker::new(Duration::from_secs(30));
        assert!(b.no_answer("GET http://x/Users", &timeout()).is_none());
        assert!(b.no_answer("GET http://x/Users", &timeout()).is_none());
        b.answered();
        assert!(b.no_answer("GET http://x/Users", &timeout()).is_none());
        assert!(b.no_answer("GET http://x/Users", &timeout()).is_none());
        let reason = b
            .no_answer("GET http://x/Groups", &timeout())
            .expect("the third consecutive timeout trips");
        assert_eq!(reason.kind, RunErrorKind::Timeout);
        assert_eq!(
            reason.message,
            "the target stopped answering: 3 consecutive requests timed out after 30s \
             (--request-timeout); last: GET http://x/Groups"
        );
        assert_eq!(b.tripped(), Some(reason));
    }

    #[test]
    fn mixed_failures_name_the_last_error() {
        let b = Breaker::new(Duration::from_secs(30));
        let broken = RunError::new(RunErrorKind::Http, "http://x/Users: connection reset");
        assert!(b.no_answer("GET http://x/Users", &timeout()).is_none());
        assert!(b.no_answer("GET http://x/Users", &broken).is_none());
        let reason = b.no_answer("GET http://x/Users", &broken).expect("trips");
        assert!(
            reason.message.ends_with(
                "got no usable answer; last: GET http://x/Users: http://x/Users: connection reset"
            ),
            "{reason}"
        );
    }

    #[test]
    fn a_refused_connection_trips_at_once() {
        let b = Breaker::new(Duration::from_secs(30));
        let refused = RunError::new(RunErrorKind::Unreachable, "http://x: connection refused");
        let reason = b.no_answer("GET http://x/Users", &refused).expect("trips");
        assert_eq!(reason.kind, RunErrorKind::Unreachable);
        assert!(reason.message.starts_with("the target is unreachable: "));
    }

    #[test]
    fn two_consecutive_exhausted_429s_trip_and_the_first_reason_stays() {
        let b = Breaker::new(Duration::from_secs(30));
        let waited = Duration::from_secs(30);
        assert!(b.throttled("GET http://x/Users", 6, waited).is_none());
        let reason = b
            .throttled("GET http://x/Groups", 6, waited)
            .expect("trips");
        assert_eq!(reason.kind, RunErrorKind::Throttled);
        assert!(
            reason
                .message
                .starts_with("the target answers 429 Too Many Requests to everything"),
            "{reason}"
        );
        let later = b.trip(RunError::new(RunErrorKind::Deadline, "deadline"));
        assert_eq!(later, reason, "the first reason stays");
    }

    #[test]
    fn an_answer_between_429s_resets_the_count() {
        let b = Breaker::new(Duration::from_secs(30));
        assert!(b.throttled("GET /a", 6, Duration::ZERO).is_none());
        b.answered();
        assert!(b.throttled("GET /a", 6, Duration::ZERO).is_none());
        assert!(b.tripped().is_none());
    }

    #[tokio::test]
    async fn wait_resolves_when_tripped() {
        let b = std::sync::Arc::new(Breaker::new(Duration::from_secs(30)));
        let waiter = {
            let b = std::sync::Arc::clone(&b);
            tokio::spawn(async move { b.wait().await })
        };
        tokio::task::yield_now().await;
        b.trip(RunError::new(RunErrorKind::Deadline, "run deadline"));
        let reason = waiter.await.expect("the waiter ends");
        assert_eq!(reason.message, "run deadline");
        assert_eq!(b.wait().await.message, "run deadline");
    }
}
