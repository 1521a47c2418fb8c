//! Baselines: a file of known failures that must not fail the run.
//!
//! ```yaml
//! # scimulator baseline
//! version: 1
//! entries:
//!   - suite: okta/push-new-user.yaml
//!     case: a duplicate is refused
//!     reason: "PLAT-1234: 409 lands in Q1"
//!     expires: 2027-03-31        # optional; the entry stops counting after this day
//! ```
//!
//! JSON with the same shape is accepted too (`.json` files), and so is a bare
//! list of entries. `suite` is the suite's path as shown in reports
//! (`okta/push-new-user.yaml`; the `.yaml` may be left out); `case` is the
//! case name. This module only reads, writes and matches entries; what a
//! match means for the run is decided in [`crate::report::gate`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::report::console::suite_label;
use crate::runner::{Outcome, RunReport};

/// The version written into new baseline files.
pub const BASELINE_VERSION: u32 = 1;

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Suite path (`okta/push-new-user.yaml`).
    pub suite: String,
    /// Case name.
    pub case: String,
    /// Why the failure is accepted (a ticket, a date, a person).
    #[serde(default)]
    pub reason: String,
    /// Last day (UTC) the entry counts, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "date_format")]
    pub expires: Option<Date>,
}

impl BaselineEntry {
    /// Whether this entry names the case `case` of suite `suite` (`suite` as in reports).
    pub fn matches(&self, suite: &str, case: &str) -> bool {
        self.case == case && suite_label(&self.suite) == suite_label(suite)
    }

    /// Whether the entry no longer counts on `today`.
    pub fn expired_on(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The known failures.
    pub entries: Vec<BaselineEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullFile {
    #[serde(default = "default_version")]
    version: u32,
    #[serde(default)]
    entries: Vec<BaselineEntry>,
}

fn default_version() -> u32 {
    BASELINE_VERSION
}

/// A baseline could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// Reading or writing the file failed.
    #[error("baseline {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid baseline.
    #[error("baseline {}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Baseline {
    /// Parses baseline text; `json` selects JSON, else YAML.
    pub fn parse(text: &str, json: bool) -> Result<Self, String> {
        let text = if text.trim().is_empty() { "[]" } else { text };
        // A bare list, or the full `{version, entries}` form.
        let (list, full): (Option<Vec<BaselineEntry>>, Option<FullFile>) = if json {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            if value.is_array() {
                (
                    Some(serde_json::from_value(value).map_err(|e| e.to_string())?),
                    None,
                )
            } else {
                (
                    None,
                    Some(serde_json::from_value(value).map_err(|e| e.to_string())?),
                )
            }
        } else {
            let value: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
            if value.is_sequence() {
                (
                    Some(serde_yaml_ng::from_value(value).map_err(|e| e.to_string())?),
                    None,
                )
            } else {
                (
                    None,
                    Some(serde_yaml_ng::from_value(value).map_err(|e| e.to_string())?),
                )
            }
        };
        let baseline = match (list, full) {
            (Some(entries), _) => Self {
                version: BASELINE_VERSION,
                entries,
            },
            (None, Some(f)) => Self {
                version: f.version,
                entries: f.entries,
            },
            (None, None) => Self::default(),
        };
        if baseline.version != BASELINE_VERSION {
            return Err(format!(
                "unsupported version {} (this scimulator reads version {BASELINE_VERSION})",
                baseline.version
            ));
        }
        for (i, e) in baseline.entries.iter().enumerate() {
            if e.suite.trim().is_empty() || e.case.trim().is_empty() {
                return Err(format!(
                    "entry {}: `suite` and `case` must not be empty",
                    i + 1
                ));
            }
        }
        Ok(baseline)
    }

    /// Reads a baseline file (`.json` as JSON, anything else as YAML).
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, is_json(path)).map_err(|message| BaselineError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    /// A starting baseline: one entry per failed case of `report`. Entries
    /// of `previous` for cases that still fail keep their reason and expiry.
    pub fn from_failures(report: &RunReport, previous: Option<&Baseline>) -> Self {
        let entries = report
            .cases()
            .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
            .map(|c| {
                let kept = previous.and_then(|p| p.find(&c.suite, &c.name));
                BaselineEntry {
                    suite: c.suite.clone(),
                    case: c.name.clone(),
                    reason: kept.map_or_else(
                        || "TODO: why this failure is accepted (ticket, owner)".to_owned(),
                        |e| e.reason.clone(),
                    ),
                    expires: kept.and_then(|e| e.expires),
                }
            })
            .collect();
        Self {
            version: BASELINE_VERSION,
            entries,
        }
    }

    /// The file text: JSON when `json`, else commented YAML.
    pub fn to_text(&self, json: bool) -> String {
        if json {
            let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
            s.push('\n');
            return s;
        }
        let body = serde_yaml_ng::to_string(self).unwrap_or_default();
        format!(
            "# scimulator baseline: known failures that do not fail the run.\n\
             # Give every entry a reason and, ideally, `expires: YYYY-MM-DD`.\n\
             # Remove an entry once its case passes (the run reports it as fixed).\n{body}"
        )
    }

    /// Writes the baseline to `path` (`.json` as JSON, else YAML), creating directories.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let io = |source| BaselineError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(path, self.to_text(is_json(path))).map_err(io)
    }

    /// The entry naming this case, if any.
    pub fn find(&self, suite: &str, case: &str) -> Option<&BaselineEntry> {
        self.entries.iter().find(|e| e.matches(suite, case))
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// `YYYY-MM-DD` dates, as YAML/JSON strings.
mod date_format {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    pub(super) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => {
                let text = d.format(FORMAT).map_err(serde::ser::Error::custom)?;
                s.serialize_str(&text)
            }
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| {
            Date::parse(t.trim(), FORMAT).map_err(|_| {
                serde::de::Error::custom(format!("`expires: {t}` is not a date (YYYY-MM-DD)"))
            })
        })
        .transpose()
    }

    /// `d` as `YYYY-MM-DD`.
    pub(crate) fn show(d: Date) -> String {
        d.format(FORMAT).unwrap_or_else(|_| d.to_string())
    }
}

/// `d` as `YYYY-MM-DD`.
pub fn show_date(d: Date) -> String {
    date_format::show(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn yaml_json_and_bare_lists_parse_to_the_same_entries() {
        let yaml = "version: 1\nentries:\n  - suite: okta/a.yaml\n    case: c\n    reason: r\n    expires: 2026-12-31\n";
        let json = r#"{"entries": [{"suite": "okta/a.yaml", "case": "c", "reason": "r", "expires": "2026-12-31"}]}"#;
        let list = "- suite: okta/a.yaml\n  case: c\n  reason: r\n  expires: '2026-12-31'\n";
        let a = Baseline::parse(yaml, false).expect("yaml");
        assert_eq!(a, Baseline::parse(json, true).expect("json"));
        assert_eq!(a, Baseline::parse(list, false).expect("list"));
        assert_eq!(a.entries[0].expires, Some(date!(2026 - 12 - 31)));
    }

    #[test]
    fn bad_baselines_are_refused_with_the_reason() {
        let cases = [
            (
                "entries:\n  - suite: a\n    case: b\n    expires: tomorrow\n",
                "not a date",
            ),
            (
                "entries:\n  - suite: a\n    case: b\n    colour: red\n",
                "colour",
            ),
            ("version: 2\nentries: []\n", "unsupported version 2"),
            (
                "entries:\n  - suite: ''\n    case: b\n",
                "must not be empty",
            ),
        ];
        for (text, needle) in cases {
            let err = Baseline::parse(text, false).expect_err(text);
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn entries_match_with_or_without_the_yaml_suffix_and_expire_after_their_day() {
        let e = BaselineEntry {
            suite: "okta/a".into(),
            case: "c".into(),
            reason: String::new(),
            expires: Some(date!(2026 - 11 - 24)),
        };
        assert!(e.matches("okta/a.yaml", "c"));
        assert!(!e.matches("okta/a.yaml", "C"));
        assert!(!e.matches("okta/b.yaml", "c"));
        assert!(!e.expired_on(date!(2026 - 11 - 24)));
        assert!(e.expired_on(date!(2026 - 11 - 25)));
    }

    #[test]
    fn written_baselines_read_back_in_both_formats() {
        let b = Baseline {
            version: 1,
            entries: vec![BaselineEntry {
                suite: "s.yaml".into(),
                case: "quote: \"x\" #1".into(),
                reason: "r".into(),
                expires: Some(date!(2027 - 01 - 02)),
            }],
        };
        for json in [false, true] {
            let text = b.to_text(json);
            assert_eq!(Baseline::parse(&text, json).expect(&text), b, "{text}");
        }
        assert!(b.to_text(false).contains("expires: 2027-01-02"));
    }
}
