//! Run options: where to send requests, with which credentials, what to select.

use std::path::PathBuf;
use std::time::Duration;

use crate::snapshot::SnapshotMode;

/// The run's credentials, sent for steps with `auth: default`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// HTTP Basic.
    Basic {
        /// User name.
        user: String,
        /// Password (secret).
        password: String,
    },
}

/// How `429 Too Many Requests` is handled (Okta's policy with test-friendly caps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Total attempts, the first included (Okta: 10).
    pub max_attempts: u32,
    /// Wait when `Retry-After` is absent or not an integer (Okta: 300 s).
    pub default_wait: Duration,
    /// Upper bound of one wait.
    pub max_wait: Duration,
    /// Upper bound of all waits of one request together.
    pub max_total_wait: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            default_wait: Duration::from_secs(300),
            max_wait: Duration::from_secs(300),
            max_total_wait: Duration::from_secs(600),
        }
    }
}

/// Everything a run needs besides the suites. Build with `Default` plus the
/// `with_*` methods or struct update syntax.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// SCIM base URL, e.g. `https://app.example.com/scim/v2` (no trailing slash needed).
    pub target: String,
    /// Credentials for `auth: default` steps.
    pub credentials: Credentials,
    /// Extra headers sent with every request (`--header 'K: V'`).
    pub headers: Vec<(String, String)>,
    /// A token the target has revoked (`--revoked-token`).
    pub revoked_token: Option<String>,
    /// IdP profile override (`--idp`).
    pub idp: Option<String>,
    /// Only cases carrying one of these tags (suite or case tags); empty = all.
    pub tags: Vec<String>,
    /// Only cases whose `<suite source> › <case name>` contains this text (case-insensitive).
    pub filter: Option<String>,
    /// Public variables (`--var k=v`).
    pub vars: Vec<(String, String)>,
    /// Secret variables (`--secret k=v`), redacted everywhere.
    pub secret_vars: Vec<(String, String)>,
    /// Snapshot update mode.
    pub snapshot_mode: SnapshotMode,
    /// Directory holding `suites/<suite>/<case>__<name>.snap` (`--snapshot-dir`).
    /// `None`: the target's own folder, `.scimulator/snapshots/<target>/`, or
    /// the bundled snapshots for the reference server (see
    /// [`crate::snapshot::SnapshotStore`]).
    pub snapshot_dir: Option<PathBuf>,
    /// Stop starting new cases after the first failure.
    pub fail_fast: bool,
    /// Suites run in parallel (cases of one suite always run in order).
    pub jobs: usize,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (Okta's is 60 s).
    pub request_timeout: Duration,
    /// The target is scimulator's own reference server.
    pub reference_server: bool,
    /// Check every JSON response against the target's own `/Schemas` and
    /// report contradictions as one `recommended` check at the end of the
    /// run (`scimulator run` turns this on; `--no-schema-audit` turns it off).
    pub audit_declared_schemas: bool,
    /// Write every attribute the target declares writable on its User and
    /// Group resource types, read them back, and report those accepted but
    /// not stored as one `recommended` case at the end of the run
    /// (`scimulator run` turns this on; `--no-round-trip` turns it off).
    pub round_trip: bool,
    /// 429 handling.
    pub throttle: ThrottlePolicy,
    /// Redirects followed per request.
    pub max_redirects: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            target: "http://127.0.0.1:8080/scim/v2".to_owned(),
            credentials: Credentials::None,
            headers: Vec::new(),
            revoked_token: None,
            idp: None,
            tags: Vec::new(),
            filter: None,
            vars: Vec::new(),
            secret_vars: Vec::new(),
            snapshot_mode: SnapshotMode::Auto,
            snapshot_dir: None,
            fail_fast: false,
            jobs: 1,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            reference_server: false,
            audit_declared_schemas: false,
            round_trip: false,
            throttle: ThrottlePolicy::default(),
            max_redirects: 10,
        }
    }
}

impl RunOptions {
    /// Options for `target` with everything else defaulted.
    pub fn new(target: impl Into<String>) -> Self {
        Self {
            target: target.into(),
            ..Self::default()
        }
    }

    /// Sets a bearer token.
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Credentials::Bearer(token.into());
        self
    }

    /// Sets the revoked token.
    #[must_use]
    pub fn with_revoked_token(mut self, token: impl Into<String>) -> Self {
        self.revoked_token = Some(token.into());
        self
    }

    /// Sets the snapshot mode and directory.
    #[must_use]
    pub fn with_snapshots(mut self, mode: SnapshotMode, dir: impl Into<PathBuf>) -> Self {
        self.snapshot_mode = mode;
        self.snapshot_dir = Some(dir.into());
        self
    }

    /// Every secret the run knows before it starts: tokens, the basic
    /// password (and its encoded header), secret variables. Reporters redact these.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.credentials {
            Credentials::None => {}
            Credentials::Bearer(t) => out.push(t.clone()),
            Credentials::Basic { user, password } => {
                out.push(password.clone());
                out.push(basic_value(user, password));
            }
        }
        out.extend(self.revoked_token.iter().cloned());
        out.extend(self.secret_vars.iter().map(|(_, v)| v.clone()));
        out.retain(|s| s.len() >= 4);
        out
    }
}

/// The encoded part of a Basic `Authorization` header.
pub(crate) fn basic_value(user: &str, password: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_value_is_rfc_4648_base64() {
        assert_eq!(
            basic_value("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn secrets_include_the_basic_header_and_skip_short_values() {
        let opts = RunOptions {
            credentials: Credentials::Basic {
                user: "u".into(),
                password: "pass-word".into(),
            },
            secret_vars: vec![("k".into(), "abc".into())],
            ..RunOptions::default()
        };
        let s = opts.secrets();
        assert!(s.contains(&"pass-word".to_owned()));
        assert!(s.contains(&basic_value("u", "pass-word")));
        assert!(!s.contains(&"abc".to_owned()));
    }
}
