//! Reading suites from text, files, directories and the bundled folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use include_dir::{Dir, include_dir};

use super::error::{LoadError, LoadErrorKind, suggest};
use super::locate::{find_key, line_col};
use super::model::Suite;

/// The repository's `suites/` folder, compiled into the binary.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites");

/// Parses one suite. `source` is the display path used in errors and stored
/// in [`Suite::source`].
pub fn load_str(source: &str, text: &str) -> Result<Suite, LoadError> {
    match serde_yaml_ng::from_str::<Suite>(text) {
        Ok(mut suite) => {
            suite.source = source.to_string();
            suite.source_text = Some(Arc::from(text));
            Ok(suite)
        }
        Err(err) => Err(convert(source, text, &err)),
    }
}

/// Turns a serde_yaml_ng error into a [`LoadError`] with line, column, field
/// path and a "did you mean" suggestion.
fn convert(source: &str, text: &str, err: &serde_yaml_ng::Error) -> LoadError {
    let syntax = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).is_err();
    let mut line = err.location().map(|l| l.line());
    let mut column = err.location().map(|l| l.column());
    let full = err.to_string();
    let (field, message) = if syntax {
        (None, syntax_message(&full, line, column))
    } else {
        split_path(strip_mark(&full))
    };
    let message = suggest(&message);
    // serde marks an unknown key at its mapping's start: point at the key itself.
    if let (Some(key), Some(loc)) = (unknown_name(&message), err.location())
        && let Some(at) = find_key(text, key, loc.index())
    {
        let (l, c) = line_col(text, at);
        line = Some(l);
        column = Some(c);
    }
    let kind = if syntax {
        LoadErrorKind::Syntax(message)
    } else if text.trim().is_empty() {
        LoadErrorKind::Invalid("the file is empty; a suite needs `suite:` and `cases:`".into())
    } else {
        LoadErrorKind::Invalid(message)
    };
    LoadError {
        path: source.to_string(),
        line,
        column,
        field,
        kind,
    }
}

/// Removes serde_yaml_ng's trailing " at line N column M".
fn strip_mark(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i)
            if message[i + 9..]
                .split_whitespace()
                .nth(1)
                .is_some_and(|w| w == "column") =>
        {
            &message[..i]
        }
        _ => message,
    }
}

/// libyaml's "X at line 7 column 15, while parsing a flow mapping at line 6
/// column 18" without the error's own position (shown in front already).
fn syntax_message(message: &str, line: Option<usize>, column: Option<usize>) -> String {
    let mut out = message.to_string();
    if let (Some(l), Some(c)) = (line, column) {
        out = out.replacen(&format!(" at line {l} column {c}"), "", 1);
    }
    format!(
        "invalid YAML: {}",
        out.replace(" at line ", " that started at line ")
    )
}

/// Splits "cases[0].steps[1]: message" into the field path and the message.
fn split_path(message: &str) -> (Option<String>, String) {
    if let Some((head, tail)) = message.split_once(": ")
        && !head.is_empty()
        && !head.contains(char::is_whitespace)
        && !head.contains('`')
    {
        return (Some(head.to_string()), tail.to_string());
    }
    (None, message.to_string())
}

/// The key named by "unknown field `x`…".
fn unknown_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Loads suites from files and directories (directories recursively: every
/// `*.yaml`/`*.yml`, sorted). Stops at the first error; see
/// [`load_paths_all`] to collect every error.
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<Suite>, LoadError> {
    let mut suites = Vec::new();
    for (source, file) in discover(paths)? {
        suites.push(load_file(&source, &file)?);
    }
    Ok(suites)
}

/// Like [`load_paths`], but keeps going: every suite that loads, and every error.
pub fn load_paths_all(paths: &[PathBuf]) -> (Vec<Suite>, Vec<LoadError>) {
    let mut suites = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let files = match discover(std::slice::from_ref(path)) {
            Ok(files) => files,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for (source, file) in files {
            match load_file(&source, &file) {
                Ok(s) => suites.push(s),
                Err(e) => errors.push(e),
            }
        }
    }
    (suites, errors)
}

fn load_file(source: &str, file: &Path) -> Result<Suite, LoadError> {
    let text = std::fs::read_to_string(file).map_err(|e| LoadError::io(source, e.to_string()))?;
    load_str(source, &text)
}

/// (display source, file path) for every suite file under `paths`.
fn discover(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| LoadError::io(&display, e.to_string()))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files)?;
            files.sort();
            for file in files {
                let rel = file.strip_prefix(path).unwrap_or(&file);
                let source = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((source, file));
            }
        } else {
            out.push((display, path.clone()));
        }
    }
    Ok(out)
}

fn is_suite_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e == "yaml" || e == "yml")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |e: std::io::Error| LoadError::io(dir.display().to_string(), e.to_string());
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_suite_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// The suites compiled into the binary from the repository's `suites/`
/// folder, sorted by path; `source` is the path inside it
/// (`okta/push-new-user.yaml`).
pub fn bundled() -> Result<Vec<Suite>, LoadError> {
    let mut files = Vec::new();
    collect_bundled(&BUNDLED, &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
        .into_iter()
        .map(|(source, contents)| {
            let text = std::str::from_utf8(contents)
                .map_err(|e| LoadError::io(&source, format!("not UTF-8: {e}")))?;
            load_str(&source, text)
        })
        .collect()
}

fn collect_bundled(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static [u8])>) {
    for file in dir.files() {
        if is_suite_file(file.path()) {
            let source = file
                .path()
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((source, file.contents()));
        }
    }
    for sub in dir.dirs() {
        collect_bundled(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_mark_and_split_path() {
        let m = "cases[0].steps[1].expect: unknown field `stauts` at line 12 column 5";
        let stripped = strip_mark(m);
        assert_eq!(stripped, "cases[0].steps[1].expect: unknown field `stauts`");
        assert_eq!(
            split_path(stripped),
            (
                Some("cases[0].steps[1].expect".to_string()),
                "unknown field `stauts`".to_string()
            )
        );
        assert_eq!(
            split_path("invalid type: string, expected u16"),
            (None, "invalid type: string, expected u16".to_string())
        );
    }
}
