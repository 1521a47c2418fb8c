//! Redaction of recorded results: a typed walk over every string a result
//! holds (names, URLs, headers, bodies, failure texts, error messages,
//! snapshot notes), replacing each secret with `***`. It cannot fail, and
//! every struct is destructured without `..`, so a new field of a result
//! type does not compile until it says how it is redacted.

use crate::assert::Failure;
use crate::runner::RunError;
use crate::runner::result::{
    CaseResult, Exchange, Outcome, SnapshotCheck, SnapshotStatus, StepOutcome, StepResult,
};
use crate::template::Redactor;

/// A recorded value whose strings can hold secrets.
pub trait Redact {
    /// Replaces every secret `redactor` knows with `***`, in place.
    fn redact(&mut self, redactor: &Redactor);
}

impl Redact for String {
    fn redact(&mut self, redactor: &Redactor) {
        let redacted = redactor.redact(self);
        if redacted != *self {
            *self = redacted;
        }
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redact(&mut self, redactor: &Redactor) {
        if let Some(value) = self {
            value.redact(redactor);
        }
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn redact(&mut self, redactor: &Redactor) {
        for value in self {
            value.redact(redactor);
        }
    }
}

impl<A: Redact, B: Redact> Redact for (A, B) {
    fn redact(&mut self, redactor: &Redactor) {
        self.0.redact(redactor);
        self.1.redact(redactor);
    }
}

impl Redact for CaseResult {
    fn redact(&mut self, redactor: &Redactor) {
        let Self {
            suite,
            name,
            severity: _,
            why,
            tags,
            outcome,
            steps,
            cleanup,
            warnings,
            duration_ms: _,
        } = self;
        suite.redact(redactor);
        name.redact(redactor);
        why.redact(redactor);
        tags.redact(redactor);
        outcome.redact(redactor);
        steps.redact(redactor);
        cleanup.redact(redactor);
        warnings.redact(redactor);
    }
}

impl Redact for Outcome {
    fn redact(&mut self, redactor: &Redactor) {
        match self {
            Self::Passed => {}
            Self::Failed(failures) => failures.redact(redactor),
            Self::Errored(error) => error.redact(redactor),
            Self::Skipped(reason) => reason.redact(redactor),
        }
    }
}

impl Redact for StepResult {
    fn redact(&mut self, redactor: &Redactor) {
        let Self {
            index: _,
            name,
            request_line,
            origin,
            outcome,
            failures,
            exchanges,
            snapshot,
            duration_ms: _,
        } = self;
        name.redact(redactor);
        request_line.redact(redactor);
        origin.redact(redactor);
        outcome.redact(redactor);
        failures.redact(redactor);
        exchanges.redact(redactor);
        snapshot.redact(redactor);
    }
}

impl Redact for StepOutcome {
    fn redact(&mut self, redactor: &Redactor) {
        match self {
            Self::Passed | Self::Failed => {}
            Self::Errored(error) => error.redact(redactor),
            Self::Skipped(reason) => reason.redact(redactor),
        }
    }
}

impl Redact for Exchange {
    fn redact(&mut self, redactor: &Redactor) {
        let Self {
            method,
            url,
            request_headers,
            request_body,
            status: _,
            response_headers,
            response_body,
            duration_ms: _,
            origin,
            note,
        } = self;
        method.redact(redactor);
        url.redact(redactor);
        request_headers.redact(redactor);
        request_body.redact(redactor);
        response_headers.redact(redactor);
        response_body.redact(redactor);
        origin.redact(redactor);
        note.redact(redactor);
    }
}

impl Redact for SnapshotCheck {
    fn redact(&mut self, redactor: &Redactor) {
        let Self {
            name,
            path,
            outcome,
        } = self;
        name.redact(redactor);
        path.redact(redactor);
        match outcome {
            SnapshotStatus::Matched | SnapshotStatus::Recorded | SnapshotStatus::Updated => {}
            SnapshotStatus::Skipped { reason } => reason.redact(redactor),
            SnapshotStatus::Drift { diff, pending } => {
                diff.redact(redactor);
                pending.redact(redactor);
            }
        }
    }
}

impl Redact for Failure {
    fn redact(&mut self, redactor: &Redactor) {
        let Self {
            kind: _,
            subject,
            message,
            expected,
            actual,
            diff,
        } = self;
        subject.redact(redactor);
        message.redact(redactor);
        expected.redact(redactor);
        actual.redact(redactor);
        diff.redact(redactor);
    }
}

impl Redact for RunError {
    fn redact(&mut self, redactor: &Redactor) {
        let Self { kind: _, message } = self;
        message.redact(redactor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assert::FailureKind;
    use crate::runner::RunErrorKind;
    use crate::suite::model::Severity;

    const CANARY: &str = "canary-9d2e";

    fn exchange() -> Exchange {
        Exchange {
            method: "POST".into(),
            url: format!("https://t.example/Users?filter=userName%20eq%20%22{CANARY}%22"),
            request_headers: vec![("x-secret".into(), CANARY.into())],
            request_body: Some(format!("{{\"password\":\"{CANARY}\"}}")),
            status: Some(400),
            response_headers: vec![(format!("x-{CANARY}"), "v".into())],
            response_body: format!("{{\"detail\":\"bad {CANARY}\"}}"),
            duration_ms: 1,
            origin: Some(format!("okta: {CANARY}")),
            note: Some(CANARY.into()),
        }
    }

    fn failure() -> Failure {
        Failure {
            kind: FailureKind::Body,
            subject: format!("$.{CANARY}"),
            message: format!("expected {CANARY}"),
            expected: Some(CANARY.into()),
            actual: Some(CANARY.into()),
            diff: Some(CANARY.into()),
        }
    }

    fn step(outcome: StepOutcome) -> StepResult {
        StepResult {
            index: 1,
            name: CANARY.into(),
            request_line: format!("GET /Users?x={CANARY}"),
            origin: Some(CANARY.into()),
            outcome,
            failures: vec![failure()],
            exchanges: vec![exchange()],
            snapshot: Some(SnapshotCheck {
                name: CANARY.into(),
                path: CANARY.into(),
                outcome: SnapshotStatus::Drift {
                    diff: CANARY.into(),
                    pending: Some(CANARY.into()),
                },
            }),
            duration_ms: 1,
        }
    }

    /// Every outcome variant holding text, in one case; and a secret equal
    /// to a serde tag (`failed`), which a serde round trip cannot redact.
    #[test]
    fn no_string_of_a_result_keeps_a_secret() {
        let mut case = CaseResult {
            suite: CANARY.into(),
            name: CANARY.into(),
            severity: Severity::Required,
            why: CANARY.into(),
            tags: vec![CANARY.into()],
            outcome: Outcome::Failed(vec![failure()]),
            steps: vec![
                step(StepOutcome::Errored(RunError::new(
                    RunErrorKind::Http,
                    format!("https://t.example/?token={CANARY}: refused"),
                ))),
                step(StepOutcome::Skipped(CANARY.into())),
            ],
            cleanup: vec![step(StepOutcome::Failed)],
            warnings: vec![CANARY.into()],
            duration_ms: 1,
        };
        let mut errored = case.clone();
        errored.outcome = Outcome::Errored(RunError::new(RunErrorKind::Step, CANARY));
        let mut skipped = case.clone();
        skipped.outcome = Outcome::Skipped(CANARY.into());
        let redactor = Redactor::new([CANARY.to_owned(), "failed".to_owned()]);
        for c in [&mut case, &mut errored, &mut skipped] {
            c.redact(&redactor);
            let text = format!("{c:?}");
            assert!(!text.contains(CANARY), "{text}");
            assert!(text.contains("***"), "{text}");
        }
        assert!(matches!(case.outcome, Outcome::Failed(_)));
    }
}
