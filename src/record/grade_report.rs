//! The client report of `--grade`: console lines, JSON and HTML. Violations
//! carry only the request line (method, path, query), never headers or
//! bodies, so nothing here can leak a credential. Formatting only: the
//! CLI writes the files.

use std::fmt::Write as _;

use super::grade::{GradeReport, Level};

/// One line per violation, then a verdict.
pub fn console(report: &GradeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "client grade: {} requests checked", report.requests);
    for v in &report.violations {
        let level = match v.level {
            Level::Error => "FAIL",
            Level::Warning => "warn",
        };
        let _ = writeln!(
            out,
            "  {level} [{}] #{} {}: {}",
            v.rule,
            v.seq + 1,
            crate::text::clip(&v.request, 160, crate::text::Mark::Ellipsis),
            v.message
        );
    }
    let errors = report
        .violations
        .iter()
        .filter(|v| v.level == Level::Error)
        .count();
    let _ = writeln!(
        out,
        "client grade: {} ({errors} violations, {} warnings)",
        if report.passed() { "PASS" } else { "FAIL" },
        report.violations.len() - errors
    );
    out
}

/// The report as JSON.
pub fn json(report: &GradeReport) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "requests": report.requests,
        "passed": report.passed(),
        "rules": report.rules(),
        "violations": report.violations,
    }))
    .unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML page.
pub fn html(report: &GradeReport) -> String {
    let mut rows = String::new();
    for v in &report.violations {
        let _ = write!(
            rows,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            match v.level {
                Level::Error => "error",
                Level::Warning => "warning",
            },
            v.seq + 1,
            escape(v.rule),
            escape(&v.request),
            escape(&v.message)
        );
    }
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>scimulator client grade</title>\
         <style>body{{font-family:sans-serif}}td{{padding:4px;border-bottom:1px solid #ddd}}\
         .error td:nth-child(2){{color:#b00}}.warning td:nth-child(2){{color:#a60}}</style></head>\
         <body><h1>Client grade: {}</h1><p>{} requests checked, {} findings.</p>\
         <table><tr><th>#</th><th>rule</th><th>request</th><th>violation</th></tr>{rows}</table>\
         </body></html>\n",
        if report.passed() { "PASS" } else { "FAIL" },
        report.requests,
        report.violations.len()
    )
}
