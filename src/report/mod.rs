//! Reporters: the one live console reporter (an [`EventSink`] that owns the
//! status lines, the progress bar and the closing lines), and the file
//! reports written after the run (JUnit XML, versioned JSON, HTML, markdown,
//! SVG badge), each a pure function of the report, the gate and the context.
//! Gating (`--fail-on`, baselines, `--fail-on-drift`) is defined here, in
//! [`gate`], from the results alone, and computed once by the caller from
//! the run report; [`causes`] groups failing cases by the
//! request and answer that broke them, and [`snapshots`] words snapshot
//! outcomes (recorded, skipped, drift). Everything written goes through a [`Redactor`] first.
//! Reporters only read the run's results; they never run anything.

pub mod badge;
pub mod baseline;
pub mod causes;
mod console;
mod error;
pub mod gate;
pub mod html;
mod json;
mod junit;
pub mod markdown;
pub mod progress;
pub mod scorecard;
pub mod snapshots;
mod transcript;

pub use crate::runner::{EventSink, RunEvent};
pub use console::{ConsoleReporter, case_label, suite_label};
pub use error::ReportError;
pub use json::{FORMAT_VERSION, to_json};
pub use junit::to_junit;
pub use scorecard::ReportContext;

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
    /// One self-contained HTML page (`html`).
    Html,
    /// A markdown summary (`markdown`, also `md`).
    Markdown,
    /// An SVG badge of the required checks (`badge`).
    Badge,
}

impl FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "junit" => Ok(Self::Junit),
            "json" => Ok(Self::Json),
            "html" => Ok(Self::Html),
            "markdown" | "md" => Ok(Self::Markdown),
            "badge" | "svg" => Ok(Self::Badge),
            other => Err(format!(
                "unknown report format `{other}` (supported: junit, json, html, markdown, badge)"
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

/// Writes every requested report with the run's context (the gate, computed
/// once by the caller from the run report, profiles, version); returns the
/// files written. `markdown` is the markdown summary, rendered once by the
/// caller (it also feeds `$GITHUB_STEP_SUMMARY`).
pub fn write_files(
    report: &RunReport,
    opts: &ReportOptions,
    ctx: &ReportContext,
    markdown: &str,
) -> Result<Vec<PathBuf>, ReportError> {
    let redactor = Redactor::new(opts.secrets.clone());
    let mut written = Vec::new();
    for (format, path) in &opts.outputs {
        let text = match format {
            ReportFormat::Junit => junit::to_junit_with(report, &redactor, Some(&ctx.gate))?,
            ReportFormat::Json => json_with_gate(report, ctx, &redactor)?,
            ReportFormat::Html => html::to_html(report, ctx, &redactor),
            ReportFormat::Markdown => markdown.to_owned(),
            ReportFormat::Badge => redactor.redact(&badge::to_badge(&ctx.gate)),
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

/// The JSON report plus a `gate` object: the outcome, `fail_on`, counts per
/// severity and the baseline verdict of every case that has one.
fn json_with_gate(
    report: &RunReport,
    ctx: &ReportContext,
    redactor: &Redactor,
) -> Result<String, ReportError> {
    let err = |e: serde_json::Error| ReportError::Serialize {
        format: "json",
        message: e.to_string(),
    };
    let text = to_json(report, redactor)?;
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(err)?;
    let gate = &ctx.gate;
    let by_severity: serde_json::Map<String, serde_json::Value> = gate
        .counts()
        .iter()
        .map(|(sev, c)| {
            let name = transcript::severity_name(*sev).to_owned();
            (name, serde_json::to_value(c).unwrap_or_default())
        })
        .collect();
    let baseline: Vec<serde_json::Value> = gate
        .baseline_findings()
        .into_iter()
        .map(|(suite, case, v)| {
            serde_json::json!({
                "suite": suite,
                "case": case,
                "verdict": v.label(),
                "message": gate.finding_text(v),
            })
        })
        .collect();
    if let serde_json::Value::Object(map) = &mut value {
        let gate_value = serde_json::json!({
            "outcome": gate.status_word(),
            "fail_on": transcript::severity_name(gate.fail_on),
            "blocking": gate.blocking(),
            "fail_on_drift": gate.fail_on_drift,
            "drifted": gate.drifted,
            "by_severity": by_severity,
            "baseline_file": gate.baseline,
            "baseline": baseline,
        });
        map.insert("gate".to_owned(), redactor.redact_value(&gate_value));
    }
    let mut text = serde_json::to_string_pretty(&value).map_err(err)?;
    text.push('\n');
    Ok(text)
}

/// Appends `markdown` to the file named by `$GITHUB_STEP_SUMMARY`, when set.
/// Returns the file appended to.
pub fn append_step_summary(markdown: &str) -> Result<Option<PathBuf>, ReportError> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| ReportError::io(&path, e))?;
    file.write_all(markdown.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| ReportError::io(&path, e))?;
    Ok(Some(path))
}
