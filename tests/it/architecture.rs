//! The layering of `ARCHITECTURE.md` holds in the code: every `crate::X`
//! path under `src/<module>/` names a module the "Allowed edges" table lets
//! `<module>` import. The table is read from the file itself, so the map a
//! newcomer reads and the code cannot drift apart silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `module → modules it may import`, from the fenced block under
/// "## Allowed edges" (`a → b (why), c`; `(nothing)` for none; a row
/// `* → x` lets every module import `x`).
fn allowed_edges(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let section = text
        .split("## Allowed edges")
        .nth(1)
        .expect("ARCHITECTURE.md has an `## Allowed edges` section");
    let block = section
        .split("```")
        .nth(1)
        .expect("the section holds a fenced block");
    let mut edges = BTreeMap::new();
    for line in block.lines() {
        let Some((from, to)) = line.split_once('→') else {
            continue;
        };
        let mut targets = BTreeSet::new();
        // Drop parenthesised remarks, then split on commas.
        let mut depth = 0usize;
        let cleaned: String = to
            .chars()
            .filter(|c| match c {
                '(' => {
                    depth += 1;
                    false
                }
                ')' => {
                    depth = depth.saturating_sub(1);
                    false
                }
                _ => depth == 0,
            })
            .collect();
        for t in cleaned.split(',') {
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            // `suite::model` allows the module `suite`.
            let module = t.split("::").next().unwrap_or(t).trim();
            targets.insert(module.to_owned());
        }
        edges.insert(from.trim().to_owned(), targets);
    }
    if let Some(everyone) = edges.remove("*") {
        for (module, targets) in &mut edges {
            targets.extend(everyone.iter().filter(|t| *t != module).cloned());
        }
    }
    edges
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::name` in `text`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        // Not `scimulator_crate::` or `some_crate::`.
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = text[i + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

#[test]
fn the_module_graph_follows_architecture_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let allowed = allowed_edges(&doc);
    assert!(
        allowed.contains_key("server") && allowed.contains_key("runner"),
        "the edge table was not read: {allowed:?}"
    );
    let src = root.join("src");
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src/") {
        let path = entry.expect("an entry").path();
        // A module is a folder `src/x/` or a file `src/x.rs` (the crate
        // roots `lib.rs` and `main.rs` are not modules).
        let module = if path.is_dir() {
            path.file_name().and_then(|n| n.to_str())
        } else if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem()
                .and_then(|n| n.to_str())
                .filter(|n| *n != "lib" && *n != "main")
        } else {
            None
        };
        let Some(module) = module.map(str::to_owned) else {
            continue;
        };
        let Some(targets) = allowed.get(&module) else {
            problems.push(format!(
                "src/{module}/ has no row in ARCHITECTURE.md's Allowed edges"
            ));
            continue;
        };
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            for used in crate_paths(&text) {
                if used != module && allowed.contains_key(&used) && !targets.contains(&used) {
                    problems.push(format!(
                        "{} imports crate::{used}, which ARCHITECTURE.md does not allow for `{module}`",
                        file.strip_prefix(root).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_edge_reader_and_the_path_scanner_see_what_they_should() {
    let doc = "## Allowed edges\n```text\nreport → runner (results), suite::model (Severity)\nscim → (nothing)\ntext → (nothing)\n*    → text (why)\n```\n";
    let edges = allowed_edges(doc);
    assert_eq!(
        edges["report"],
        BTreeSet::from(["runner".to_owned(), "suite".to_owned(), "text".to_owned()])
    );
    assert_eq!(edges["scim"], BTreeSet::from(["text".to_owned()]));
    assert!(edges["text"].is_empty(), "a leaf does not import itself");
    assert!(!edges.contains_key("*"));
    let used = crate_paths("use crate::runner::X; my_crate::idp; crate::scim::y");
    assert_eq!(
        used,
        BTreeSet::from(["runner".to_owned(), "scim".to_owned()])
    );
}
