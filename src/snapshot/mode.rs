//! When snapshots are written: insta's `INSTA_UPDATE` modes.

use std::str::FromStr;

/// Snapshot update mode (`--snapshots`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotMode {
    /// `no` on CI ([`crate::ci::is_ci`]), else `new`.
    #[default]
    Auto,
    /// Write missing snapshots; write `.snap.new` beside a mismatching one (and fail).
    New,
    /// Write missing snapshots and overwrite mismatching ones.
    Always,
    /// Write nothing: a missing or mismatching snapshot is a failure.
    No,
}

impl SnapshotMode {
    /// Resolves `Auto` using the environment.
    pub fn resolve(self) -> Self {
        self.resolve_with(crate::ci::is_ci())
    }

    /// Resolves `Auto` given whether this is CI.
    pub fn resolve_with(self, ci: bool) -> Self {
        match self {
            Self::Auto if ci => Self::No,
            Self::Auto => Self::New,
            other => other,
        }
    }
}

impl FromStr for SnapshotMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "new" => Ok(Self::New),
            "always" => Ok(Self::Always),
            "no" => Ok(Self::No),
            other => Err(format!(
                "unknown snapshot mode `{other}` (expected auto, new, always or no)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_means_no_on_ci_and_new_elsewhere() {
        assert_eq!(SnapshotMode::Auto.resolve_with(true), SnapshotMode::No);
        assert_eq!(SnapshotMode::Auto.resolve_with(false), SnapshotMode::New);
        assert_eq!(
            SnapshotMode::Always.resolve_with(true),
            SnapshotMode::Always
        );
    }

    #[test]
    fn modes_parse_from_their_cli_spelling() {
        assert_eq!("always".parse::<SnapshotMode>(), Ok(SnapshotMode::Always));
        assert!("sometimes".parse::<SnapshotMode>().is_err());
    }
}
