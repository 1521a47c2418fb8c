//! Whether scimulator runs on a CI system: the one rule behind every
//! CI-dependent default (snapshots are not written, no progress bar).
//!
//! A leaf: it imports no other module of the crate. It reads the `CI`
//! environment variable and nothing else; it must not print or decide
//! anything beyond that one question.

use std::ffi::OsStr;

/// True when the environment variable `CI` is set to anything but the empty
/// string, `false` or `0` (GitHub Actions, GitLab CI, CircleCI and most
/// others set `CI=true`; `CI=false` or `CI=0` says "not CI" explicitly).
pub fn is_ci() -> bool {
    is_ci_value(std::env::var_os("CI").as_deref())
}

/// The rule behind [`is_ci`], given the value of `CI` (`None` when unset).
pub fn is_ci_value(ci: Option<&OsStr>) -> bool {
    ci.is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_is_a_set_non_empty_value_other_than_false_or_0() {
        let table = [
            (None, false),
            (Some(""), false),
            (Some("false"), false),
            (Some("0"), false),
            (Some("true"), true),
            (Some("1"), true),
            (Some("yes"), true),
            (Some("woodpecker"), true),
        ];
        for (ci, want) in table {
            assert_eq!(is_ci_value(ci.map(OsStr::new)), want, "CI={ci:?}");
        }
    }
}
