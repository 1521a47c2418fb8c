//! Reading and writing snapshots on disk, and the pending `.snap.new` files.
//! In `no` mode nothing is written or deleted: a check only reads.

use std::path::{Path, PathBuf};

use crate::snapshot::compare::{Comparison, compare, unified_diff};
use crate::snapshot::file::{SnapshotFile, SnapshotHeader};
use crate::snapshot::{SnapshotError, SnapshotMode};

/// What happened when a fresh snapshot was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The stored snapshot matches.
    Matched,
    /// There was none; it was written (recorded).
    Written(PathBuf),
    /// It differed and was overwritten (`always`).
    Updated(PathBuf),
    /// It differs (drift). `pending` is the `.snap.new` written (`new` mode).
    Mismatch {
        /// Unified diff stored → received.
        diff: String,
        /// The pending file, if one was written.
        pending: Option<PathBuf>,
    },
    /// There is none and the mode forbids writing (`no`): the check is skipped.
    Missing(PathBuf),
}

/// Checks `value` against the snapshot at `path` under `mode` (already resolved).
pub fn check(
    path: &Path,
    header: SnapshotHeader,
    value: &serde_json::Value,
    mode: SnapshotMode,
) -> Result<CheckOutcome, SnapshotError> {
    let body = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let fresh = SnapshotFile { header, body };
    let new_path = pending_path(path);
    let stored = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(SnapshotError::io(path, e)),
    };
    let Some(stored) = stored else {
        return match mode {
            SnapshotMode::No => Ok(CheckOutcome::Missing(path.to_owned())),
            _ => {
                write(path, &fresh.render())?;
                Ok(CheckOutcome::Written(path.to_owned()))
            }
        };
    };
    let stored_body = SnapshotFile::parse(&stored).map_or(stored.clone(), |f| f.body);
    match compare(&stored_body, &fresh.body) {
        Comparison::Match => {
            // A stale `.snap.new` goes once the stored snapshot matches
            // again, except in `no` mode, which never touches the disk.
            if mode != SnapshotMode::No {
                remove_if_exists(&new_path)?;
            }
            Ok(CheckOutcome::Matched)
        }
        Comparison::Mismatch { diff } => match mode {
            SnapshotMode::Always => {
                write(path, &fresh.render())?;
                remove_if_exists(&new_path)?;
                Ok(CheckOutcome::Updated(path.to_owned()))
            }
            SnapshotMode::New | SnapshotMode::Auto => {
                write(&new_path, &fresh.render())?;
                Ok(CheckOutcome::Mismatch {
                    diff,
                    pending: Some(new_path),
                })
            }
            SnapshotMode::No => Ok(CheckOutcome::Mismatch {
                diff,
                pending: None,
            }),
        },
    }
}

/// A `.snap.new` waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSnapshot {
    /// The `.snap.new` file.
    pub new_path: PathBuf,
    /// The `.snap` it would replace (may not exist).
    pub snap_path: PathBuf,
    /// Unified diff stored → new (everything added when there is no stored file).
    pub diff: String,
}

/// Every pending snapshot under `dirs` (files or directories), sorted by path.
pub fn pending(dirs: &[PathBuf]) -> Result<Vec<PendingSnapshot>, SnapshotError> {
    let mut files = Vec::new();
    for d in dirs {
        collect(d, &mut files, &|p| {
            p.to_string_lossy().ends_with(".snap.new")
        })?;
    }
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for new_path in files {
        let snap_path = PathBuf::from(
            new_path
                .to_string_lossy()
                .strip_suffix(".new")
                .unwrap_or_default(),
        );
        let new_text =
            std::fs::read_to_string(&new_path).map_err(|e| SnapshotError::io(&new_path, e))?;
        let old_text = std::fs::read_to_string(&snap_path).unwrap_or_default();
        let body = |t: &str| SnapshotFile::parse(t).map_or(t.to_owned(), |f| f.body);
        let diff = unified_diff(
            &body(&old_text),
            &body(&new_text),
            &snap_path.display().to_string(),
            &new_path.display().to_string(),
        );
        out.push(PendingSnapshot {
            new_path,
            snap_path,
            diff,
        });
    }
    Ok(out)
}

/// Every `.snap` file under `dir`, sorted.
pub fn stored(dir: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut files = Vec::new();
    collect(dir, &mut files, &|p| {
        p.extension().is_some_and(|e| e == "snap")
    })?;
    files.sort();
    Ok(files)
}

/// Accepts a pending snapshot: the `.snap.new` replaces the `.snap`.
pub fn accept(p: &PendingSnapshot) -> Result<(), SnapshotError> {
    std::fs::rename(&p.new_path, &p.snap_path).map_err(|e| SnapshotError::io(&p.new_path, e))
}

/// Rejects a pending snapshot: the `.snap.new` is deleted.
pub fn reject(p: &PendingSnapshot) -> Result<(), SnapshotError> {
    remove_if_exists(&p.new_path)
}

fn pending_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

fn write(path: &Path, text: &str) -> Result<(), SnapshotError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| SnapshotError::io(parent, e))?;
    }
    std::fs::write(path, text).map_err(|e| SnapshotError::io(path, e))
}

pub(crate) fn remove_if_exists(path: &Path) -> Result<(), SnapshotError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SnapshotError::io(path, e)),
    }
}

fn collect(
    path: &Path,
    out: &mut Vec<PathBuf>,
    keep: &dyn Fn(&Path) -> bool,
) -> Result<(), SnapshotError> {
    if path.is_file() {
        if keep(path) {
            out.push(path.to_owned());
        }
        return Ok(());
    }
    let entries = match std::fs::read_dir(path) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(SnapshotError::io(path, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| SnapshotError::io(path, e))?;
        collect(&entry.path(), out, keep)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header() -> SnapshotHeader {
        SnapshotHeader {
            suite: "s.yaml".into(),
            case: "c".into(),
            request: "GET /x".into(),
        }
    }

    #[test]
    fn missing_is_written_in_new_mode_and_a_failure_in_no_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/b.snap");
        assert_eq!(
            check(&path, header(), &json!({"a": 1}), SnapshotMode::No).expect("check"),
            CheckOutcome::Missing(path.clone())
        );
        assert_eq!(
            check(&path, header(), &json!({"a": 1}), SnapshotMode::New).expect("check"),
            CheckOutcome::Written(path.clone())
        );
        assert_eq!(
            check(&path, header(), &json!({"a": 1}), SnapshotMode::No).expect("check"),
            CheckOutcome::Matched
        );
    }

    #[test]
    fn a_mismatch_writes_snap_new_which_accept_promotes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("b.snap");
        check(&path, header(), &json!({"a": 1}), SnapshotMode::New).expect("write");
        let out = check(&path, header(), &json!({"a": 2}), SnapshotMode::New).expect("check");
        let CheckOutcome::Mismatch {
            diff,
            pending: Some(p),
        } = out
        else {
            panic!("expected a mismatch, got {out:?}");
        };
        assert!(diff.contains("-  \"a\": 1\n+  \"a\": 2"), "{diff}");
        let list = pending(&[dir.path().to_owned()]).expect("pending");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].new_path, p);
        accept(&list[0]).expect("accept");
        assert!(!p.exists());
        assert_eq!(
            check(&path, header(), &json!({"a": 2}), SnapshotMode::No).expect("check"),
            CheckOutcome::Matched
        );
    }

    /// Every file under `dir` with its contents, sorted.
    fn listing(dir: &Path) -> Vec<(PathBuf, String)> {
        let mut files = Vec::new();
        collect(dir, &mut files, &|_| true).expect("list");
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("read");
                (p, text)
            })
            .collect()
    }

    #[test]
    fn no_mode_writes_and_deletes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let matching = dir.path().join("s/match.snap");
        let differing = dir.path().join("s/differ.snap");
        check(&matching, header(), &json!(1), SnapshotMode::New).expect("write");
        check(&differing, header(), &json!(1), SnapshotMode::New).expect("write");
        // Stale pending files beside both.
        std::fs::write(pending_path(&matching), "stale").expect("write");
        std::fs::write(pending_path(&differing), "stale").expect("write");
        let before = listing(dir.path());
        assert_eq!(before.len(), 4);
        let outcomes = [
            check(&matching, header(), &json!(1), SnapshotMode::No).expect("check"),
            check(&differing, header(), &json!(2), SnapshotMode::No).expect("check"),
            check(
                &dir.path().join("s/missing.snap"),
                header(),
                &json!(3),
                SnapshotMode::No,
            )
            .expect("check"),
        ];
        assert_eq!(outcomes[0], CheckOutcome::Matched);
        assert!(matches!(
            outcomes[1],
            CheckOutcome::Mismatch { pending: None, .. }
        ));
        assert!(matches!(outcomes[2], CheckOutcome::Missing(_)));
        assert_eq!(listing(dir.path()), before, "no mode changed the folder");
        // `new` mode does clear the stale file beside a matching snapshot.
        check(&matching, header(), &json!(1), SnapshotMode::New).expect("check");
        assert!(!pending_path(&matching).exists());
    }

    #[test]
    fn always_overwrites_and_no_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.snap");
        check(&path, header(), &json!(1), SnapshotMode::New).expect("write");
        let out = check(&path, header(), &json!(2), SnapshotMode::No).expect("check");
        assert!(matches!(out, CheckOutcome::Mismatch { pending: None, .. }));
        assert!(
            pending(&[dir.path().to_owned()])
                .expect("pending")
                .is_empty()
        );
        assert_eq!(
            check(&path, header(), &json!(2), SnapshotMode::Always).expect("check"),
            CheckOutcome::Updated(path.clone())
        );
    }
}
