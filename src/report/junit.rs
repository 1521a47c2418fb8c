//! JUnit XML via `quick-junit`: one `<testsuite>` per suite file, one
//! `<testcase>` per case; `<failure>` for failed cases, `<error>` for
//! errored ones, `<skipped>` with the reason. Bodies carry the redacted transcript.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::ReportError;
use crate::report::console::suite_label;
use crate::report::transcript::case_transcript;
use crate::runner::{Outcome, RunReport};
use crate::template::Redactor;

/// Renders `report` as JUnit XML.
pub fn to_junit(report: &RunReport, redactor: &Redactor) -> Result<String, ReportError> {
    let mut junit = Report::new("scimulator");
    junit.set_time(Duration::from_millis(report.duration_ms));
    for suite in &report.suites {
        let label = suite_label(&suite.source);
        let mut ts = TestSuite::new(label.clone());
        ts.set_time(Duration::from_millis(suite.duration_ms));
        for case in &suite.cases {
            let transcript = redactor.redact(&case_transcript(case));
            let status = match &case.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed(failures) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let message = failures
                        .iter()
                        .map(crate::assert::Failure::headline)
                        .collect::<Vec<_>>()
                        .join("; ");
                    s.set_message(redactor.redact(&message));
                    if let Some(f) = failures.first() {
                        s.set_type(format!("{:?}", f.kind).to_lowercase());
                    }
                    s.set_description(transcript);
                    s
                }
                Outcome::Errored(e) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(redactor.redact(&e.message));
                    s.set_type(format!("{:?}", e.kind).to_lowercase());
                    s.set_description(transcript);
                    s
                }
                Outcome::Skipped(reason) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(redactor.redact(reason));
                    s
                }
            };
            let mut tc = TestCase::new(redactor.redact(&case.name), status);
            tc.set_classname(label.clone());
            tc.set_time(Duration::from_millis(case.duration_ms));
            ts.add_test_case(tc);
        }
        junit.add_test_suite(ts);
    }
    junit.to_string().map_err(|e| ReportError::Serialize {
        format: "junit",
        message: e.to_string(),
    })
}
