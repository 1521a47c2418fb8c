//! The `.snap` format and path scheme.
//!
//! ```text
//! suite: okta/push-new-user.yaml
//! case: a new user is created
//! request: POST /Users
//! ---
//! { pretty, key-sorted JSON }
//! ```

use std::path::{Component, Path, PathBuf};

/// The header lines of a snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    /// Suite source path.
    pub suite: String,
    /// Case name.
    pub case: String,
    /// The step's request line as written (templates unrendered, so it is stable).
    pub request: String,
}

/// A parsed or to-be-written snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Header.
    pub header: SnapshotHeader,
    /// Pretty JSON (sorted keys), without trailing newline.
    pub body: String,
}

impl SnapshotFile {
    /// The file's text.
    pub fn render(&self) -> String {
        format!(
            "suite: {}\ncase: {}\nrequest: {}\n---\n{}\n",
            one_line(&self.header.suite),
            one_line(&self.header.case),
            one_line(&self.header.request),
            self.body
        )
    }

    /// Parses a file's text; `None` when it has no `---` separator.
    pub fn parse(text: &str) -> Option<Self> {
        let (head, body) = text.split_once("\n---\n")?;
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": ").map(str::to_owned))
                .unwrap_or_default()
        };
        Some(Self {
            header: SnapshotHeader {
                suite: field("suite"),
                case: field("case"),
                request: field("request"),
            },
            body: body.trim_end_matches('\n').to_owned(),
        })
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// A file-name-safe form of a case or snapshot name: lower case, runs of
/// anything but ASCII letters and digits become one `_`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `<root>/suites/<suite source without .yaml>/<case slug>__<name slug>.snap`.
/// Absolute or `..` parts of the source are dropped so the path stays under `root`.
pub fn snapshot_path(root: &Path, suite_source: &str, case: &str, name: &str) -> PathBuf {
    let source = suite_source
        .strip_suffix(".yaml")
        .or_else(|| suite_source.strip_suffix(".yml"))
        .unwrap_or(suite_source);
    let mut path = root.join("suites");
    for comp in Path::new(source).components() {
        if let Component::Normal(part) = comp {
            path.push(part);
        }
    }
    path.push(format!("{}__{}.snap", slug(case), slug(name)));
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_snake_case() {
        assert_eq!(slug("A new user is created!"), "a_new_user_is_created");
        assert_eq!(slug("--"), "unnamed");
    }

    #[test]
    fn paths_stay_under_the_root() {
        let p = snapshot_path(
            Path::new("snapshots"),
            "okta/push-new-user.yaml",
            "Create user",
            "response",
        );
        assert_eq!(
            p,
            Path::new("snapshots/suites/okta/push-new-user/create_user__response.snap")
        );
        let p = snapshot_path(Path::new("s"), "/tmp/../x.yml", "c", "n");
        assert_eq!(p, Path::new("s/suites/tmp/x/c__n.snap"));
    }

    #[test]
    fn files_round_trip() {
        let f = SnapshotFile {
            header: SnapshotHeader {
                suite: "a.yaml".into(),
                case: "c".into(),
                request: "GET /Users/{{ id }}".into(),
            },
            body: "{\n  \"a\": 1\n}".into(),
        };
        assert_eq!(SnapshotFile::parse(&f.render()), Some(f));
    }
}
