//! JUnit XML via `quick-junit`: one `<testsuite>` per suite file, one
//! `<testcase>` per case; `<failure>` for failed cases, `<error>` for
//! errored ones, `<skipped>` with the reason. Bodies carry the redacted transcript.
//! Every `<testcase>` carries a `severity` property (and, with a gate, a
//! `baseline` property for known, fixed and expired cases); every
//! `<testsuite>` carries its counts per severity (`required.passed`, …).
//! A snapshot check that did not simply match adds a `snapshot.<name>`
//! property (`recorded`, `updated`, `skipped` or `drift`) and a line in
//! `<system-out>`, with the diff for drift. Drift is not a failure, except
//! with a gate that has `--fail-on-drift`: then a case that passed but
//! drifted is a `<failure type="drift">`.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::ReportError;
use crate::report::console::suite_label;
use crate::report::gate::{Gate, SEVERITIES, Verdict};
use crate::report::transcript::{case_transcript, severity_name};
use crate::runner::{Outcome, RunReport, SnapshotStatus};
use crate::template::Redactor;

/// Renders `report` as JUnit XML.
pub fn to_junit(report: &RunReport, redactor: &Redactor) -> Result<String, ReportError> {
    to_junit_with(report, redactor, None)
}

/// Renders `report` as JUnit XML; `gate` (built from `report`) adds the
/// baseline verdicts as `baseline` properties.
pub fn to_junit_with(
    report: &RunReport,
    redactor: &Redactor,
    gate: Option<&Gate>,
) -> Result<String, ReportError> {
    let mut verdicts = gate.map(|g| g.verdicts.iter());
    let mut junit = Report::new("scimulator");
    junit.set_time(Duration::from_millis(report.duration_ms));
    for suite in &report.suites {
        let label = suite_label(&suite.source);
        let mut ts = TestSuite::new(label.clone());
        ts.set_time(Duration::from_millis(suite.duration_ms));
        for sev in SEVERITIES {
            let of_sev = || suite.cases.iter().filter(move |c| c.severity == sev);
            let count = |f: fn(&Outcome) -> bool| of_sev().filter(|c| f(&c.outcome)).count();
            let name = severity_name(sev);
            ts.add_property(Property::new(
                format!("{name}.passed"),
                count(|o| matches!(o, Outcome::Passed)).to_string(),
            ));
            ts.add_property(Property::new(
                format!("{name}.failed"),
                count(|o| matches!(o, Outcome::Failed(_) | Outcome::Errored(_))).to_string(),
            ));
        }
        for case in &suite.cases {
            let verdict = verdicts.as_mut().and_then(Iterator::next);
            let transcript = redactor.redact(&case_transcript(case));
            let drift_fails =
                gate.is_some_and(|g| g.fail_on_drift) && case.drift().next().is_some();
            let status = match &case.outcome {
                Outcome::Passed if drift_fails => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let names: Vec<String> =
                        case.drift().map(|(_, c)| format!("`{}`", c.name)).collect();
                    s.set_message(redactor.redact(&format!(
                        "snapshot {} drifted (--fail-on-drift)",
                        names.join(", ")
                    )));
                    s.set_type("drift");
                    s.set_description(transcript.clone());
                    s
                }
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Failed(failures) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let message = failures
                        .iter()
                        .map(crate::runner::Failure::headline)
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
            tc.add_property(Property::new("severity", severity_name(case.severity)));
            let mut system_out = String::new();
            for (step, check) in case.snapshot_checks() {
                let Some(sentence) = crate::report::snapshots::check_sentence(step, check) else {
                    continue;
                };
                tc.add_property(Property::new(
                    format!("snapshot.{}", check.name),
                    check.outcome.label(),
                ));
                system_out.push_str(&sentence);
                system_out.push('\n');
                if let SnapshotStatus::Drift { diff, .. } = &check.outcome {
                    system_out.push_str(diff);
                    if !diff.ends_with('\n') {
                        system_out.push('\n');
                    }
                }
            }
            if !system_out.is_empty() {
                tc.set_system_out(redactor.redact(&system_out));
            }
            if let Some(v @ (Verdict::Known(_) | Verdict::Fixed(_) | Verdict::Expired(_))) = verdict
            {
                tc.add_property(Property::new("baseline", v.label()));
            }
            ts.add_test_case(tc);
        }
        junit.add_test_suite(ts);
    }
    junit.to_string().map_err(|e| ReportError::Serialize {
        format: "junit",
        message: e.to_string(),
    })
}
