//! Where a run's snapshots live: snapshots belong to a target.
//!
//! - **The embedded reference server** (a run without `--target`) is checked
//!   against the bundled snapshots, compiled into the binary from the
//!   repository's `snapshots/suites/` and read-only. In a checkout of
//!   scimulator itself (a folder whose `Cargo.toml` names the package
//!   `scimulator`), the checkout's `snapshots/` folder is used instead, read
//!   and written, so scimulator's developers can update them. Snapshots the
//!   bundled set lacks (a suite of your own) are recorded in
//!   `.scimulator/snapshots/embedded/`.
//! - **Any other target** has a folder of its own,
//!   `.scimulator/snapshots/<host>_<port>[_<path>]/` in the working
//!   directory (see [`target_dir_name`]); the first run records into it.
//! - `--snapshot-dir DIR` replaces both: snapshots are read from and written
//!   to `DIR` only.
//!
//! This module decides paths and reads the compiled-in snapshots; the file
//! I/O of one check is [`crate::snapshot::check`]. It never writes into the
//! bundled snapshots: they are compiled in, and a checkout's `snapshots/`
//! folder is only chosen for the reference server.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::snapshot::compare::{Comparison, compare};
use crate::snapshot::file::{SnapshotFile, SnapshotHeader, snapshot_path};
use crate::snapshot::store::{CheckOutcome, check};
use crate::snapshot::{SnapshotError, SnapshotMode};

/// The bundled snapshots of the reference server, compiled into the binary.
static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/snapshots/suites");

/// The folder (relative to the working directory) holding one folder per target.
pub const PER_TARGET_ROOT: &str = ".scimulator/snapshots";

/// The per-target folder of the embedded reference server (its port changes every run).
pub const EMBEDDED_DIR: &str = "embedded";

/// How compiled-in snapshots are named in messages and reports.
pub const BUNDLED_PREFIX: &str = "bundled:snapshots";

/// The folder name of a target's snapshots: host, port (explicit or the
/// scheme's default) and path, each reduced to `[a-z0-9.-]` and joined by
/// `_`: `https://App.example.com/scim/v2` → `app.example.com_443_scim_v2`.
/// Credentials, query and fragment are ignored. A target that is not a URL
/// becomes a slug of its text.
pub fn target_dir_name(target: &str) -> String {
    let mut parts = Vec::new();
    let Ok(url) = reqwest::Url::parse(target.trim()) else {
        parts.push(clean(target));
        return joined(parts);
    };
    if let Some(host) = url.host_str() {
        parts.push(clean(host.trim_start_matches('[').trim_end_matches(']')));
    }
    if let Some(port) = url.port_or_known_default() {
        parts.push(port.to_string());
    }
    for segment in url.path().split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        parts.push(clean(&decoded));
    }
    joined(parts)
}

/// The non-empty parts joined by `_`, or `target` when there are none.
fn joined(mut parts: Vec<String>) -> String {
    parts.retain(|p| !p.is_empty());
    if parts.is_empty() {
        "target".to_owned()
    } else {
        parts.join("_")
    }
}

/// Lower case; runs of anything but ASCII letters, digits, `.` and `-` become one `_`.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches(|c| c == '_' || c == '.').to_owned()
}

/// The per-target snapshot folder under `base`: `base/.scimulator/snapshots/<name>`.
pub fn per_target_dir(base: &Path, target: &str) -> PathBuf {
    base.join(PER_TARGET_ROOT).join(target_dir_name(target))
}

/// `base/snapshots` when `base` is a checkout of scimulator (its
/// `Cargo.toml` names the package `scimulator`) with a `snapshots/` folder.
pub fn checkout_snapshots(base: &Path) -> Option<PathBuf> {
    let manifest = std::fs::read_to_string(base.join("Cargo.toml")).ok()?;
    let is_scimulator = manifest
        .split("[package]")
        .nth(1)
        .and_then(|pkg| pkg.split("\n[").next())
        .is_some_and(|pkg| {
            pkg.lines().any(|l| {
                let l = l.trim();
                l.strip_prefix("name")
                    .map(str::trim_start)
                    .and_then(|l| l.strip_prefix('='))
                    .is_some_and(|v| v.trim().trim_matches('"') == "scimulator")
            })
        });
    let dir = base.join("snapshots");
    (is_scimulator && dir.is_dir()).then_some(dir)
}

/// Where one run reads and writes snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotStore {
    /// The folder read first; missing snapshots are recorded here.
    pub dir: PathBuf,
    /// Whether the compiled-in bundled snapshots are read after `dir` (read-only).
    pub bundled: bool,
}

/// The result of one check: where the stored snapshot is, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The stored snapshot (or where a missing one would be written): a
    /// path, or `bundled:snapshots/suites/…` for a compiled-in one.
    pub location: String,
    /// Whether it is a compiled-in snapshot (never written).
    pub read_only: bool,
    /// What happened.
    pub outcome: CheckOutcome,
}

impl SnapshotStore {
    /// The store of a run against `target`, relative to `base` (the working
    /// directory; `Path::new("")` keeps paths relative). `explicit` is
    /// `--snapshot-dir`. See the module docs.
    pub fn for_run(
        target: &str,
        reference_server: bool,
        explicit: Option<&Path>,
        base: &Path,
    ) -> Self {
        if let Some(dir) = explicit {
            return Self {
                dir: dir.to_owned(),
                bundled: false,
            };
        }
        if !reference_server {
            return Self {
                dir: per_target_dir(base, target),
                bundled: false,
            };
        }
        match checkout_snapshots(base) {
            Some(dir) => Self {
                dir,
                bundled: false,
            },
            None => Self {
                dir: base.join(PER_TARGET_ROOT).join(EMBEDDED_DIR),
                bundled: true,
            },
        }
    }

    /// `.scimulator/snapshots/x`, or `… (and the bundled snapshots)`.
    pub fn describe(&self) -> String {
        if self.bundled {
            format!(
                "the bundled snapshots (read-only), then {}",
                self.dir.display()
            )
        } else {
            self.dir.display().to_string()
        }
    }

    /// Checks the normalised `value` of snapshot `name` of `case` in `suite`
    /// under `mode` (already resolved): a snapshot in `dir` first, then a
    /// bundled one (compared, never written), else the mode decides whether
    /// it is recorded in `dir`.
    pub fn check(
        &self,
        header: SnapshotHeader,
        name: &str,
        value: &serde_json::Value,
        mode: SnapshotMode,
    ) -> Result<Checked, SnapshotError> {
        let path = snapshot_path(&self.dir, &header.suite, &header.case, name);
        if self.bundled
            && !path.exists()
            && let Some((location, text)) = bundled_text(&header.suite, &header.case, name)
        {
            let body = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            let stored = SnapshotFile::parse(text).map_or_else(|| text.to_owned(), |f| f.body);
            let outcome = match compare(&stored, &body) {
                Comparison::Match => CheckOutcome::Matched,
                Comparison::Mismatch { diff } => CheckOutcome::Mismatch {
                    diff,
                    pending: None,
                },
            };
            return Ok(Checked {
                location,
                read_only: true,
                outcome,
            });
        }
        let outcome = check(&path, header, value, mode)?;
        Ok(Checked {
            location: path.display().to_string(),
            read_only: false,
            outcome,
        })
    }
}

/// The compiled-in snapshot of `name`, with its display location.
fn bundled_text(suite: &str, case: &str, name: &str) -> Option<(String, &'static str)> {
    let relative = snapshot_path(Path::new(""), suite, case, name);
    let inner = relative.strip_prefix("suites").ok()?;
    let text = BUNDLED.get_file(inner)?.contents_utf8()?;
    let location = format!("{BUNDLED_PREFIX}/{}", relative.display());
    Some((location, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn target_folders_are_named_after_host_port_and_path() {
        let table = [
            ("http://127.0.0.1:18510/v2", "127.0.0.1_18510_v2"),
            ("http://127.0.0.1:18510/v2/", "127.0.0.1_18510_v2"),
            (
                "https://App.Example.com/scim/v2",
                "app.example.com_443_scim_v2",
            ),
            ("http://example.com", "example.com_80"),
            ("https://user:pw@h.io:8443/a%20b?x=1#f", "h.io_8443_a_b"),
            ("http://[::1]:9000/scim", "1_9000_scim"),
            (
                "http://h/tenants/Acme Corp/scim",
                "h_80_tenants_acme_corp_scim",
            ),
            ("not a url", "not_a_url"),
            ("../..", "target"),
            ("", "target"),
        ];
        for (target, want) in table {
            assert_eq!(target_dir_name(target), want, "{target}");
        }
        assert_eq!(
            per_target_dir(Path::new(""), "http://h:1/v2"),
            Path::new(".scimulator/snapshots/h_1_v2")
        );
    }

    #[test]
    fn the_store_depends_on_the_target_the_checkout_and_the_flag() {
        let checkout = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            checkout.path().join("Cargo.toml"),
            "[package]\nname = \"scimulator\"\nversion = \"0.1.0\"\n\n[dependencies]\nname = \"x\"\n",
        )
        .expect("write");
        std::fs::create_dir(checkout.path().join("snapshots")).expect("mkdir");
        let other = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            other.path().join("Cargo.toml"),
            "[package]\nname = \"other\"\n[dependencies]\nscimulator = \"1\"\n",
        )
        .expect("write");
        std::fs::create_dir(other.path().join("snapshots")).expect("mkdir");
        let t = "http://h:1/v2";
        let store = |reference, explicit: Option<&Path>, base: &Path| {
            SnapshotStore::for_run(t, reference, explicit, base)
        };
        assert_eq!(
            store(true, None, checkout.path()),
            SnapshotStore {
                dir: checkout.path().join("snapshots"),
                bundled: false
            }
        );
        assert_eq!(
            store(true, None, other.path()),
            SnapshotStore {
                dir: other.path().join(".scimulator/snapshots/embedded"),
                bundled: true
            }
        );
        for base in [checkout.path(), other.path()] {
            assert_eq!(
                store(false, None, base),
                SnapshotStore {
                    dir: base.join(".scimulator/snapshots/h_1_v2"),
                    bundled: false
                }
            );
            assert_eq!(
                store(true, Some(Path::new("x")), base),
                SnapshotStore {
                    dir: PathBuf::from("x"),
                    bundled: false
                }
            );
        }
    }

    #[test]
    fn bundled_snapshots_are_compared_but_never_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SnapshotStore {
            dir: dir.path().join("local"),
            bundled: true,
        };
        let header = SnapshotHeader {
            suite: "okta/push-new-user.yaml".into(),
            case: "a new user is created with Okta's body".into(),
            request: "GET /Users/{{ id }}".into(),
        };
        for mode in [SnapshotMode::New, SnapshotMode::Always, SnapshotMode::No] {
            let checked = store
                .check(header.clone(), "created-user", &json!({"x": 1}), mode)
                .expect("check");
            assert!(checked.read_only);
            assert_eq!(
                checked.location,
                "bundled:snapshots/suites/okta/push-new-user/a_new_user_is_created_with_okta_s_body__created_user.snap"
            );
            assert!(
                matches!(
                    checked.outcome,
                    CheckOutcome::Mismatch { pending: None, .. }
                ),
                "{checked:?}"
            );
        }
        assert!(!dir.path().join("local").exists(), "nothing written");
        // A snapshot the bundled set lacks is recorded in the local folder.
        let mut mine = header;
        mine.suite = "mine.yaml".into();
        let checked = store
            .check(mine, "n", &json!(1), SnapshotMode::New)
            .expect("check");
        assert!(!checked.read_only);
        assert!(matches!(checked.outcome, CheckOutcome::Written(_)));
        assert!(
            dir.path()
                .join("local/suites/mine/a_new_user_is_created_with_okta_s_body__n.snap")
                .exists()
        );
    }
}
