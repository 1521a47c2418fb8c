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
///
/// YAML anchors and aliases work anywhere; merge keys (`<<: *fields`) too,
/// though errors in a file using them are placed less precisely (the
/// merged document has no positions, so the line is found by key search).
pub fn load_str(source: &str, text: &str) -> Result<Suite, LoadError> {
    let mut suite: Suite = load_yaml(source, text)?;
    suite.source = source.to_string();
    suite.source_text = Some(Arc::from(text));
    Ok(suite)
}

/// Parses any YAML document (a suite, an IdP profile) with the errors of a
/// suite: `file:line:column: field: message`, "did you mean" suggestions,
/// and merge keys (`<<: *x`) applied.
pub fn load_yaml<T: serde::de::DeserializeOwned>(source: &str, text: &str) -> Result<T, LoadError> {
    if text.contains("<<") {
        load_merged(source, text)
    } else {
        serde_yaml_ng::from_str::<T>(text).map_err(|e| convert(source, text, &e))
    }
}

/// Loads a document that uses YAML merge keys: parse, merge, then deserialize
/// the merged value with a tracked field path.
fn load_merged<T: serde::de::DeserializeOwned>(source: &str, text: &str) -> Result<T, LoadError> {
    let mut value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| convert(source, text, &e))?;
    let invalid = |field: Option<String>, at: Option<(usize, usize)>, message: String| LoadError {
        path: source.to_string(),
        line: at.map(|a| a.0),
        column: at.map(|a| a.1),
        field,
        kind: LoadErrorKind::Invalid(message),
    };
    value
        .apply_merge()
        .map_err(|e| invalid(None, None, format!("bad merge key `<<`: {e}")))?;
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let message = suggest(strip_mark(&e.inner().to_string()));
        let mut keys: Vec<String> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                _ => None,
            })
            .collect();
        if let Some(unknown) = unknown_name(&message) {
            keys.push(unknown.to_string());
        }
        let mut pos = 0;
        let mut at = None;
        for key in &keys {
            // Merged content sits in its anchor, possibly above: search again from the top.
            if let Some(found) = find_key(text, key, pos).or_else(|| find_key(text, key, 0)) {
                pos = found;
                at = Some(line_col(text, found));
            }
        }
        let mut path = e.path().to_string();
        // serde_path_to_error ends the path with the unknown key itself; the
        // direct parser does not. Keep both alike.
        if let Some(unknown) = unknown_name(&message)
            && let Some(parent) = path.strip_suffix(&format!(".{unknown}"))
        {
            path = parent.to_string();
        }
        invalid((path != ".").then_some(path), at, message)
    })
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

    const ANCHORED: &str = "suite: s
x-fields: &fields
  $.id: { type: string }
  $.active: true
x-get: &get
  request: { method: GET, path: /Users/1 }
cases:
  - name: a
    why: w
    steps:
      - *get
      - request: { method: GET, path: /Users/2 }
        expect:
          json:
            <<: *fields
            $.active: false
";

    #[test]
    fn anchors_aliases_and_merge_keys_expand() {
        let suite = load_str("t.yaml", ANCHORED).expect("loads");
        let steps = &suite.cases[0].steps;
        assert_eq!(steps.len(), 2);
        let crate::suite::Step::Request(second) = &steps[1] else {
            panic!("a request step")
        };
        let keys: Vec<&str> = second.expect.json.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["$.active", "$.id"]);
        assert_eq!(
            second.expect.json.get("$.active"),
            Some(&crate::suite::Predicate::Eq(serde_json::json!(false)))
        );
    }

    #[test]
    fn errors_in_merged_files_still_name_field_and_line() {
        let text = ANCHORED.replace("{ type: string }", "{ tpye: string }");
        let err = load_str("t.yaml", &text).expect_err("typo");
        assert_eq!(
            err.to_string(),
            "t.yaml:3:11: cases[0].steps[1].expect.json.$.id: unknown field `tpye`, did you mean `type`?"
        );
    }

    #[test]
    fn x_keys_are_only_ignored_at_the_top_level() {
        let err = load_str(
            "t.yaml",
            "suite: s\ncases:\n  - name: a\n    why: w\n    x-note: 1\n    steps: []\n",
        )
        .expect_err("x- inside a case");
        assert_eq!(err.line, Some(5));
        assert!(err.to_string().contains("unknown field `x-note`"), "{err}");
    }

    #[test]
    fn unknown_keys_after_non_ascii_text_are_placed_in_characters() {
        let text = "suite: s\ncases:\n  - name: café ☕\n    why: «déjà vu»\n    steps:\n      - request: { method: GET, path: /Users/é }\n        expect: { stauts: 200 }\n";
        let err = load_str("t.yaml", text).expect_err("typo");
        assert_eq!(
            err.to_string(),
            "t.yaml:7:19: cases[0].steps[0].expect: unknown field `stauts`, did you mean `status`?"
        );
        let merged = format!(
            "x-get: &get {{ method: GET, path: /Users/é }}\n{}",
            text.replace("{ method: GET, path: /Users/é }", "{ <<: *get }")
        );
        let err = load_str("t.yaml", &merged).expect_err("typo");
        assert_eq!(err.line, Some(8), "{err}");
        assert_eq!(err.column, Some(19), "{err}");
    }
}
