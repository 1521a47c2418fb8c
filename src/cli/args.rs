//! Value parsers shared by the subcommands (`K: V`, `k=v`, `FORMAT=FILE`),
//! and suite loading from PATHS or the bundled suites.

use std::path::PathBuf;

use crate::report::ReportFormat;
use crate::suite::{LoadError, Suite};

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

/// Loads `paths`, or the bundled suites when empty; every load error is returned.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Vec<Suite>, Vec<LoadError>> {
    if paths.is_empty() {
        return crate::suite::bundled().map_err(|e| vec![e]);
    }
    let (suites, errors) = crate::suite::load_paths_all(paths);
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(errors)
    }
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
