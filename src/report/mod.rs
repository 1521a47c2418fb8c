//! Reporters: the streaming console reporter (an [`EventSink`]) and the file
//! reports written after the run (JUnit XML, versioned JSON). Everything
//! written goes through a [`Redactor`] first. Reporters only read the run's
//! results; they never run anything.

mod console;
mod error;
mod json;
mod junit;
mod transcript;

pub use crate::runner::{EventSink, RunEvent};
pub use console::{ConsoleReporter, case_label, suite_label};
pub use error::ReportError;
pub use json::{FORMAT_VERSION, to_json};
pub use junit::to_junit;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::runner::RunReport;
use crate::template::Redactor;

/// A file report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// JUnit XML (`junit`).
    Junit,
    /// The whole run as JSON (`json`).
    Json,
}

impl FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "junit" => Ok(Self::Junit),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown report format `{other}` (supported: junit, json)"
            )),
        }
    }
}

/// Which reports to write and what to hide in them.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// `(format, file)` pairs; directories are created on demand.
    pub outputs: Vec<(ReportFormat, PathBuf)>,
    /// Values replaced by `***` in every report.
    pub secrets: Vec<String>,
}

impl ReportOptions {
    /// The default outputs: `reports/junit.xml` and `reports/report.json` under `dir`.
    pub fn defaults_in(dir: &Path) -> Vec<(ReportFormat, PathBuf)> {
        vec![
            (ReportFormat::Junit, dir.join("junit.xml")),
            (ReportFormat::Json, dir.join("report.json")),
        ]
    }
}

/// Writes every requested report; returns the files written.
pub fn write_files(report: &RunReport, opts: &ReportOptions) -> Result<Vec<PathBuf>, ReportError> {
    let redactor = Redactor::new(opts.secrets.clone());
    let mut written = Vec::new();
    for (format, path) in &opts.outputs {
        let text = match format {
            ReportFormat::Junit => to_junit(report, &redactor)?,
            ReportFormat::Json => to_json(report, &redactor)?,
        };
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| ReportError::io(parent, e))?;
        }
        std::fs::write(path, text).map_err(|e| ReportError::io(path, e))?;
        written.push(path.clone());
    }
    Ok(written)
}
