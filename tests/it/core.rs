//! Suite loading, lint and format fixtures (engineer H3's "core" modules).
//!
//! Every `tests/fixtures/invalid/*.yaml` must fail to load or lint with the
//! exact message pinned in `snapshots/insta/`; every `tests/fixtures/ok/*.yaml`
//! must load and lint clean.

use std::path::{Path, PathBuf};

use scimulator::suite::{self, LoadErrorKind, Step};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new("tests/fixtures").join(dir))
        .expect("fixture dir exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every error a file produces: the load error, or else every lint error.
fn errors_of(file: &Path) -> Vec<String> {
    match suite::load_paths(&[file.to_path_buf()]) {
        Err(e) => vec![e.to_string()],
        Ok(suites) => suite::validate(&suites)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

#[test]
fn every_invalid_fixture_fails_with_its_pinned_message() {
    let files = fixtures("invalid");
    assert!(
        files.len() >= 8,
        "expected the invalid fixtures, found {files:?}"
    );
    for file in files {
        let errors = errors_of(&file);
        assert!(
            !errors.is_empty(),
            "{} loaded and linted clean",
            file.display()
        );
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots/insta"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("invalid_{name}"), errors.join("\n"));
        });
    }
}

#[test]
fn every_invalid_fixture_error_names_file_line_and_column() {
    for file in fixtures("invalid") {
        for error in errors_of(&file) {
            let prefix = format!("{}:", file.display());
            let rest = error
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{error} does not start with {prefix}"));
            let mut parts = rest.splitn(3, ':');
            let line = parts.next().and_then(|l| l.parse::<usize>().ok());
            let column = parts.next().and_then(|c| c.parse::<usize>().ok());
            assert!(
                line.is_some() && column.is_some(),
                "{error} has no line:column"
            );
        }
    }
}

#[test]
fn every_ok_fixture_loads_and_lints_clean() {
    let files = fixtures("ok");
    assert!(!files.is_empty());
    for file in files {
        assert_eq!(errors_of(&file), Vec::<String>::new(), "{}", file.display());
    }
}

#[test]
fn the_full_format_fixture_keeps_every_part() {
    let suites =
        suite::load_paths(&[PathBuf::from("tests/fixtures/ok/full_format.yaml")]).expect("loads");
    let s = &suites[0];
    assert_eq!(s.source, "tests/fixtures/ok/full_format.yaml");
    assert_eq!(s.idp.map(|p| p.name()), Some("okta"));
    assert!(matches!(
        s.vars.get("token"),
        Some(suite::VarSpec::Detailed { secret: true, .. })
    ));
    let case = &s.cases[0];
    assert_eq!(case.steps.len(), 5);
    assert!(
        matches!(&case.steps[3], Step::Action(a) if a.action.to_string() == "okta.deactivate_user")
    );
    let Step::Request(create) = &case.steps[0] else {
        panic!("first step is a request")
    };
    assert_eq!(create.expect.json.len(), 8);
    assert_eq!(create.capture.len(), 3);
    assert_eq!(case.cleanup.len(), 1);
    assert_eq!(s.cases[1].requires.len(), 3);
    let Step::Parallel(last) = &s.cases[2].steps[1] else {
        panic!("a parallel group")
    };
    assert!(
        matches!(&last.parallel[1], Step::Action(a) if a.action.to_string() == "okta.deactivate_user")
    );
}

#[test]
fn a_directory_loads_recursively_sorted_with_relative_sources() {
    let dir = tempfile::tempdir().expect("tempdir");
    let minimal = std::fs::read_to_string("tests/fixtures/ok/minimal.yaml").expect("fixture");
    std::fs::create_dir_all(dir.path().join("okta")).expect("mkdir");
    std::fs::write(dir.path().join("okta/b.yaml"), &minimal).expect("write");
    std::fs::write(dir.path().join("a.yml"), &minimal).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a suite").expect("write");
    let suites = suite::load_paths(&[dir.path().to_path_buf()]).expect("loads");
    let sources: Vec<&str> = suites.iter().map(|s| s.source.as_str()).collect();
    assert_eq!(sources, vec!["a.yml", "okta/b.yaml"]);
}

#[test]
fn load_paths_all_keeps_going_after_an_error() {
    let (suites, errors) = suite::load_paths_all(&[
        PathBuf::from("tests/fixtures/invalid/yaml_syntax.yaml"),
        PathBuf::from("tests/fixtures/ok/minimal.yaml"),
        PathBuf::from("tests/fixtures/no/such/file.yaml"),
    ]);
    assert_eq!(suites.len(), 1);
    assert_eq!(errors.len(), 2);
    assert!(matches!(errors[0].kind, LoadErrorKind::Syntax(_)));
    assert!(matches!(errors[1].kind, LoadErrorKind::Io(_)));
}

#[test]
fn bundled_suites_load_and_lint_clean() {
    let suites = suite::bundled().unwrap_or_else(|e| panic!("{e}"));
    let lint: Vec<String> = suite::validate(&suites)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(lint, Vec::<String>::new());
    for s in &suites {
        assert!(
            s.source.ends_with(".yaml") || s.source.ends_with(".yml"),
            "{}",
            s.source
        );
        assert!(!s.source.starts_with('/'), "{}", s.source);
    }
}

#[test]
fn a_loaded_suite_round_trips_through_json() {
    let suites =
        suite::load_paths(&[PathBuf::from("tests/fixtures/ok/full_format.yaml")]).expect("loads");
    let original = suites.into_iter().next().expect("one suite");
    let json = serde_json::to_value(&original).expect("serialises");
    let mut back: suite::Suite = serde_json::from_value(json).expect("deserialises");
    back.source = original.source.clone();
    back.source_text = original.source_text.clone();
    assert_eq!(back, original);
}
