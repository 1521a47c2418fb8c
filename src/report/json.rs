//! The JSON report: `{"format_version": 1, …}` plus the whole [`RunReport`]
//! with every exchange, keys sorted, secrets redacted. Two derived arrays
//! sit beside the results (added in format 1 without breaking it: readers
//! ignore keys they do not know): `drift`, every snapshot that differs from
//! its stored version (see [`crate::report::snapshots::DriftEntry`]), and
//! `causes`, the root causes shared by two failing cases or more (see
//! [`crate::report::causes::Cause`]). Steps carry their snapshot check as
//! `snapshot: {name, path, outcome: {status, …}}`.

use serde_json::Value;

use crate::report::ReportError;
use crate::runner::RunReport;
use crate::template::Redactor;

/// The JSON report's format version; bumped on incompatible changes.
pub const FORMAT_VERSION: u64 = 1;

/// Serialises `report` as pretty JSON.
pub fn to_json(report: &RunReport, redactor: &Redactor) -> Result<String, ReportError> {
    let err = |e: serde_json::Error| ReportError::Serialize {
        format: "json",
        message: e.to_string(),
    };
    let mut value = serde_json::to_value(report).map_err(err)?;
    let drift =
        serde_json::to_value(crate::report::snapshots::drift_entries(report)).map_err(err)?;
    let causes = serde_json::to_value(crate::report::causes::root_causes(
        report.cases(),
        &report.target,
    ))
    .map_err(err)?;
    if let Value::Object(map) = &mut value {
        map.insert("format_version".to_owned(), Value::from(FORMAT_VERSION));
        map.insert("drift".to_owned(), drift);
        map.insert("causes".to_owned(), causes);
    }
    let value = redactor.redact_value(&value);
    let mut text = serde_json::to_string_pretty(&value).map_err(err)?;
    text.push('\n');
    Ok(text)
}
