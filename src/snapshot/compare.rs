//! Comparing a stored snapshot body with a fresh one.

use similar::TextDiff;

/// The result of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Identical bodies.
    Match,
    /// Different bodies, with a unified diff (stored → new).
    Mismatch {
        /// Unified diff.
        diff: String,
    },
}

/// Compares the stored body `old` with the fresh body `new`.
pub fn compare(old: &str, new: &str) -> Comparison {
    if old.trim_end() == new.trim_end() {
        return Comparison::Match;
    }
    Comparison::Mismatch {
        diff: unified_diff(old, new, "stored", "received"),
    }
}

/// A unified diff of two texts.
pub(crate) fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let lines = |t: &str| {
        let t = t.trim_end();
        if t.is_empty() {
            String::new()
        } else {
            format!("{t}\n")
        }
    };
    let (old, new) = (lines(old), lines(new));
    TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bodies_match_and_different_ones_give_a_diff() {
        assert_eq!(compare("a\nb", "a\nb\n"), Comparison::Match);
        let Comparison::Mismatch { diff } = compare("a\nb", "a\nc") else {
            panic!("expected a mismatch");
        };
        assert!(diff.contains("-b\n+c"), "{diff}");
        assert!(diff.starts_with("--- stored\n+++ received"), "{diff}");
    }

    #[test]
    fn a_new_snapshot_diffs_as_all_added() {
        let diff = unified_diff("", "a\nb", "old", "new");
        assert!(diff.contains("@@ -0,0 +1,2 @@\n+a\n+b"), "{diff}");
    }
}
