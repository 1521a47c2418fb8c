//! Value parsers shared by the subcommands (`K: V`, `k=v`, `FORMAT=FILE`),
//! and the suite pipeline `run`, `validate` and `list` share ([`prepare`]),
//! so that a broken suite gets the same message and exit code 2 from each.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::exit;

use crate::report::ReportFormat;
use crate::runner::{Plan, PlanOptions};
use crate::suite::LoadError;

/// `--header 'K: V'`.
pub(crate) fn parse_header(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("expected `Name: value`, got `{s}`"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!("empty header name in `{s}`"));
    }
    Ok((k.to_owned(), v.trim().to_owned()))
}

/// `--var k=v`, `--secret k=v`.
pub(crate) fn parse_var(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected `name=value`, got `{s}`"))?;
    if k.trim().is_empty() {
        return Err(format!("empty variable name in `{s}`"));
    }
    Ok((k.trim().to_owned(), v.to_owned()))
}

/// `--basic USER:PASS`.
pub(crate) fn parse_basic(s: &str) -> Result<(String, String), String> {
    let (u, p) = s
        .split_once(':')
        .ok_or_else(|| "expected `USER:PASS`".to_owned())?;
    Ok((u.to_owned(), p.to_owned()))
}

/// `--report FORMAT=FILE`.
pub(crate) fn parse_report(s: &str) -> Result<(ReportFormat, PathBuf), String> {
    let (f, file) = s.split_once('=').ok_or_else(|| {
        format!("expected `FORMAT=FILE` (e.g. junit=reports/junit.xml), got `{s}`")
    })?;
    if file.is_empty() {
        return Err(format!("empty file name in `{s}`"));
    }
    Ok((f.parse::<ReportFormat>()?, PathBuf::from(file)))
}

/// The one suite pipeline of `run`, `validate` and `list`
/// ([`crate::runner::prepare`]: load, lint, expand, select): every suite
/// error is found before anything is sent, and printed alike by each.
pub(crate) fn prepare(paths: &[PathBuf], opts: &PlanOptions) -> Result<Plan, ExitCode> {
    crate::runner::prepare(paths, opts).map_err(|errors| suite_errors(&errors))
}

/// Loads the profile file of `--idp-file` (`run`, `validate`, `list`), if
/// given; a malformed one is printed as a located suite error (exit 2).
pub(crate) fn profile_file(
    file: Option<&PathBuf>,
) -> Result<Option<std::sync::Arc<crate::idp::profile::ProfileSpec>>, ExitCode> {
    file.map(|f| crate::idp::profile::load_file(f).map(std::sync::Arc::new))
        .transpose()
        .map_err(|e| suite_errors(&[e]))
}

/// Prints suite errors (one `error:` line each, then their count) and
/// returns the usage exit code.
pub(crate) fn suite_errors(errors: &[LoadError]) -> ExitCode {
    for e in errors {
        eprintln!("error: {e}");
    }
    eprintln!("{} error(s)", errors.len());
    exit::code(exit::USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_and_errors_say_what_is_expected() {
        assert_eq!(
            parse_header("X-Trace:  abc:1"),
            Ok(("X-Trace".into(), "abc:1".into()))
        );
        assert!(parse_header("nocolon").is_err());
        assert_eq!(parse_var("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(
            parse_report("json=out/r.json"),
            Ok((ReportFormat::Json, PathBuf::from("out/r.json")))
        );
        assert_eq!(
            parse_report("html=x.html"),
            Ok((ReportFormat::Html, PathBuf::from("x.html")))
        );
        let err = parse_report("pdf=x.pdf").expect_err("pdf is not a format");
        assert!(err.contains("unknown report format `pdf`"), "{err}");
    }
}
