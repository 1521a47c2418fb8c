//! Run options: where to send requests, with which credentials, what to
//! select, and the bounds that make every run end (timeouts, the body cap,
//! the 429 policy, the whole-run deadline). It holds data and the defaults
//! only; the client, the breaker and the orchestration enforce them.
//!
//! **Bounds with the defaults.** A request takes at most
//! [`DEFAULT_REQUEST_TIMEOUT`] (body included); one request waits at most
//! [`DEFAULT_MAX_THROTTLE_WAIT`] on `429` in all; the circuit breaker stops
//! the run after 3 consecutive requests without an answer or 2 consecutive
//! requests still throttled; [`DEFAULT_DEADLINE`] ends any run. So a target
//! that never answers ends a run within about 90 s, and one answering `429`
//! forever within about 60 s (see [`RunOptions::worst_case`]).

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

/// How `429 Too Many Requests` is handled: Okta's policy (okta-wire.md §3:
/// wait `Retry-After` seconds, or 5 minutes without it; double on each
/// further 429; give up after 10 attempts), bounded by `max_wait` per wait
/// and `max_total_wait` per request so a target answering 429 forever
/// cannot hold a run.
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
            max_wait: DEFAULT_MAX_THROTTLE_WAIT,
            max_total_wait: DEFAULT_MAX_THROTTLE_WAIT,
        }
    }
}

/// Default TCP connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default whole-request timeout (body included).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap of one response body: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Default bound of all 429 waits of one request.
pub const DEFAULT_MAX_THROTTLE_WAIT: Duration = Duration::from_secs(30);
/// Default whole-run deadline: 30 minutes.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30 * 60);

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
    /// Whole-request timeout, body included (Okta waits 60 s; the default
    /// is [`DEFAULT_REQUEST_TIMEOUT`] so a silent target ends a run in time).
    pub request_timeout: Duration,
    /// The largest response body read ([`DEFAULT_MAX_BODY`]); a larger one
    /// errors the step, naming the cap, after reading at most this much.
    /// A paginated step's pages together are held to it too.
    pub max_body: usize,
    /// The whole run's deadline ([`DEFAULT_DEADLINE`]): when it passes,
    /// requests in flight are abandoned and the remaining cases error.
    pub deadline: Duration,
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
    /// OAuth 2.0 client credentials: when set, `auth: default` steps carry
    /// a token from this source (instead of `credentials`).
    pub oauth: Option<std::sync::Arc<crate::runner::oauth::OAuthSource>>,
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
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            deadline: DEFAULT_DEADLINE,
            reference_server: false,
            audit_declared_schemas: false,
            round_trip: false,
            throttle: ThrottlePolicy::default(),
            oauth: None,
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

    /// Every secret the run knows so far: tokens, the basic password (and
    /// its encoded header), secret variables, the OAuth client secret and
    /// every token issued to the run until now. Reporters redact these.
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
        if let Some(oauth) = &self.oauth {
            out.extend(oauth.secrets());
        }
        out.retain(|s| s.len() >= 4);
        out
    }
}

/// How long runs against the worst targets can take with some options
/// (what the defaults promise, computed rather than waited for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorstCase {
    /// A target that accepts connections and never answers.
    pub silent: Duration,
    /// A target that answers every request with `429` at once (each
    /// answer's own time is bounded by the request timeout besides).
    pub throttling: Duration,
}

impl RunOptions {
    /// The longest a run can last against a silent or an always-throttling
    /// target, without the pre-flight (which stops earlier: after one
    /// timeout, or two throttled probes) and assuming the requests run one
    /// after another (parallel suites only trip the breaker sooner). Bounded
    /// by the deadline in any case.
    pub fn worst_case(&self) -> WorstCase {
        // A request that never answers lasts the request timeout (the
        // connect timeout is part of it when the handshake never completes).
        let silent = self
            .request_timeout
            .saturating_mul(super::breaker::NO_ANSWER_LIMIT);
        // A request answered 429 at once waits at most `max_total_wait`.
        let throttling = self
            .throttle
            .max_total_wait
            .saturating_mul(super::breaker::THROTTLED_LIMIT);
        WorstCase {
            silent: silent.min(self.deadline),
            throttling: throttling.min(self.deadline),
        }
    }
}

/// `16 MiB`, `512 KiB`, `1000 bytes`: a size as the flags accept it.
pub fn format_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes % KIB == 0 {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// `30s`, `20m`, `1h`, `1500ms`: a duration as the flags accept it.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    if s >= 3600 && s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s >= 60 && s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
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
    fn sizes_and_durations_read_like_the_flags() {
        assert_eq!(format_size(DEFAULT_MAX_BODY), "16 MiB");
        assert_eq!(format_size(512 * 1024), "512 KiB");
        assert_eq!(format_size(1000), "1000 bytes");
        assert_eq!(format_duration(DEFAULT_DEADLINE), "30m");
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn the_defaults_end_a_run_against_a_silent_target_within_2_minutes_and_a_throttling_one_within_90_s()
     {
        let w = RunOptions::default().worst_case();
        assert!(w.silent <= Duration::from_secs(120), "{w:?}");
        assert!(w.throttling <= Duration::from_secs(90), "{w:?}");
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
