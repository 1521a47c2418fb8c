//! Proof that every case of `suites/security/` fails against a server with
//! the defect it targets (issue 13), and passes against the reference server.
//!
//! Tenant and token defects are server set-ups: a "second tenant" that is in
//! truth the first one (a store shared across tenants: ids, lists and
//! uniqueness leak), a token of tenant A accepted as tenant B's (a token not
//! bound to its tenant), an "expired" or "unscoped" token the server still
//! accepts. Protocol defects are injected by the proxy
//! (`support/faults/security.rs`): 401 without `WWW-Authenticate`, a refused
//! filter answered with an empty 200, a case-sensitive bearer scheme; the
//! silent-write defects reuse existing faults.

use scimulator::runner::{Outcome, RunOptions, VecSink};
use scimulator::server::{OAuthClientConfig, ServerConfig, TenantSpec};
use scimulator::snapshot::SnapshotMode;
use serde_json::{Value, json};

use crate::support::faults::Fault::{self, *};
use crate::support::proxy::Proxy;
use crate::support::{CaseVerdict, Reference, defect_coverage, failure_text};

const A: &str = "security/auth.yaml";
const T: &str = "security/tenant-isolation.yaml";
const W: &str = "security/silent-writes.yaml";

/// How the target is broken for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setup {
    /// The proxy injects this fault; every security variable is real.
    Proxy(Fault),
    /// `--second-target` is tenant A itself, with another token of A: one
    /// store shared by both "tenants".
    SharedStore,
    /// `--second-token` is a token of tenant A: a token not bound to its tenant.
    TokenNotBound,
    /// `--expired-token` is a token the server still accepts.
    ExpiredAccepted,
    /// `--unscoped-token` is a token the server still accepts.
    UnscopedAccepted,
}

use Setup::*;

/// (suite, case, set-up, text the failure must contain).
const ROWS: &[(&str, &str, Setup, &str)] = &[
    (
        A,
        "an expired token is refused with 401",
        ExpiredAccepted,
        "expected status 401, got 200",
    ),
    (
        A,
        "an expired token's challenge says invalid_token",
        Proxy(NoWwwAuthenticate),
        "WWW-Authenticate",
    ),
    (
        A,
        "a token without the SCIM scope is refused",
        UnscopedAccepted,
        "got 200",
    ),
    (
        A,
        "Basic credentials instead of a bearer token are refused with 401",
        Proxy(AnySchemeAccepted),
        "expected status 401, got 200",
    ),
    (
        A,
        "every 401 carries a WWW-Authenticate challenge",
        Proxy(NoWwwAuthenticate),
        "WWW-Authenticate",
    ),
    (
        A,
        "the bearer scheme is accepted in any letter case",
        Proxy(BearerCaseSensitive),
        "got 401",
    ),
    (
        T,
        "tenant B cannot read, replace, patch or delete tenant A's user",
        SharedStore,
        "got 200",
    ),
    (
        T,
        "tenant A's user ids answer 404 in tenant B, like an id that never existed",
        SharedStore,
        "got 200",
    ),
    (
        T,
        "tenant B's list and filter do not show tenant A's user",
        SharedStore,
        "totalResults",
    ),
    (
        T,
        "tenant B cannot read, patch or delete tenant A's group",
        SharedStore,
        "got 200",
    ),
    (
        T,
        "tenant B cannot add tenant A's user to its own group",
        SharedStore,
        "got 20",
    ),
    (
        T,
        "the same userName can exist in both tenants",
        SharedStore,
        "got 409",
    ),
    (
        T,
        "tenant B's token does not reach tenant A's user at A's URL",
        TokenNotBound,
        "got 200",
    ),
    (
        W,
        "a filter on an unknown attribute is refused with 400, not an empty 200",
        Proxy(BadFilterIsEmpty200),
        "got 200",
    ),
    (
        W,
        "a filter with trailing garbage is 400, not a match list",
        Proxy(BadFilterIsEmpty200),
        "got 200",
    ),
    (
        W,
        "a filtered member removal removes that member and keeps the others",
        Proxy(MemberRemoveDropped),
        "members",
    ),
    (
        W,
        "a deleted user's userName can be created again",
        Proxy(UserDeleteIgnored),
        "409",
    ),
    (
        W,
        "a deactivated user can be reactivated",
        Proxy(PathActiveTrueIgnored),
        "$.active",
    ),
    (
        W,
        "a deactivated user keeps its data",
        Proxy(DisableDeletes),
        "404",
    ),
];

/// The reference server with a second tenant and a scoped OAuth client,
/// and every credential the security pack takes.
struct Target {
    reference: Reference,
    second_target: String,
    second_token: String,
    expired: String,
    unscoped: String,
}

async fn target() -> Target {
    let config = ServerConfig {
        oauth_clients: vec![OAuthClientConfig {
            client_id: "run".into(),
            client_secret: "defect-test-secret".into(),
            scopes: vec!["scim".into(), "audit".into()],
            token_ttl_secs: 3600,
        }],
        tenants: vec![TenantSpec {
            name: "second".into(),
            tokens: vec!["second-tenant-token".into()],
            ..TenantSpec::default()
        }],
        ..ServerConfig::default()
    };
    let reference = Reference::start_with(config).await;
    let server = &reference.server;
    let client = reqwest::Client::new();
    let expired: Value = client
        .post(format!("{}/tokens", server.admin_base()))
        .bearer_auth(server.admin_token())
        .json(&json!({"name": "expired", "expires_at": "2001-01-01T00:00:00Z"}))
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("JSON");
    let unscoped: Value = client
        .post(server.token_url())
        .basic_auth("run", Some("defect-test-secret"))
        .form(&[("grant_type", "client_credentials"), ("scope", "audit")])
        .send()
        .await
        .expect("token endpoint")
        .json()
        .await
        .expect("JSON");
    Target {
        second_target: server.tenant_scim_base("second"),
        second_token: "second-tenant-token".into(),
        expired: expired["token"].as_str().expect("token").to_owned(),
        unscoped: unscoped["access_token"].as_str().expect("token").to_owned(),
        reference,
    }
}

async fn run(source: &str, case: Option<&str>, setup: Setup) -> Vec<(String, CaseVerdict)> {
    let t = target().await;
    let creds = t.reference.creds.clone();
    let fault = match setup {
        Proxy(f) => f,
        _ => Patch204,
    };
    let proxy = Proxy::start(&t.reference.root(), fault, creds.clone()).await;
    let snapshots = tempfile::tempdir().expect("tempdir");
    let mut opts = RunOptions::new(proxy.scim_base())
        .with_token(creds.valid.clone())
        .with_revoked_token(creds.revoked.clone())
        .with_snapshots(SnapshotMode::New, snapshots.path());
    opts.reference_server = true;
    let (second_target, second_token) = match setup {
        SharedStore => (proxy.scim_base(), creds.valid.clone()),
        TokenNotBound => (t.second_target.clone(), creds.valid.clone()),
        _ => (t.second_target.clone(), t.second_token.clone()),
    };
    let expired = if setup == ExpiredAccepted {
        creds.valid.clone()
    } else {
        t.expired.clone()
    };
    let unscoped = if setup == UnscopedAccepted {
        creds.valid.clone()
    } else {
        t.unscoped.clone()
    };
    opts.vars.push(("second_target".into(), second_target));
    opts.secret_vars.extend([
        ("second_token".to_owned(), second_token),
        ("expired_token".to_owned(), expired),
        ("unscoped_token".to_owned(), unscoped),
    ]);
    let mut suites: Vec<_> = scimulator::suite::bundled()
        .expect("bundled suites")
        .into_iter()
        .filter(|s| s.source == source)
        .collect();
    if let Some(case) = case {
        for s in &mut suites {
            s.cases.retain(|c| c.name == case);
        }
    }
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    t.reference.server.shutdown().await;
    let text = failure_text(&report);
    report
        .suites
        .iter()
        .filter(|s| s.source == source)
        .flat_map(|s| &s.cases)
        .map(|c| {
            let verdict = match &c.outcome {
                Outcome::Passed => CaseVerdict::Passed,
                Outcome::Failed(_) => CaseVerdict::Failed(text.clone()),
                Outcome::Skipped(why) => CaseVerdict::Skipped(why.clone()),
                Outcome::Errored(e) => CaseVerdict::Errored(e.to_string()),
            };
            (c.name.clone(), verdict)
        })
        .collect()
}

#[tokio::test]
async fn every_security_case_fails_on_its_defect() {
    let mut problems = Vec::new();
    for &(suite, case, setup, needle) in ROWS {
        let verdicts = run(suite, Some(case), setup).await;
        match verdicts.first().map(|(_, v)| v) {
            Some(CaseVerdict::Failed(text)) if text.contains(needle) => {}
            Some(CaseVerdict::Failed(text)) => problems.push(format!(
                "{suite} › {case} with {setup:?}: failed without `{needle}`:\n{text}"
            )),
            other => problems.push(format!(
                "{suite} › {case} with {setup:?}: expected a failure, got {other:?}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[tokio::test]
async fn every_security_case_has_a_defect_row() {
    let problems = defect_coverage("security/", ROWS.iter().map(|(s, c, ..)| (*s, *c)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn the_security_pack_passes_on_the_reference_server_with_two_tenants() {
    for source in [A, T, W] {
        let verdicts = run(source, None, Proxy(Patch204)).await;
        assert!(!verdicts.is_empty(), "{source} ran no case");
        let bad: Vec<_> = verdicts
            .iter()
            .filter(|(_, v)| !matches!(v, CaseVerdict::Passed))
            .collect();
        assert!(bad.is_empty(), "{source}: {bad:?}");
    }
}

#[tokio::test]
async fn without_the_flags_the_cases_needing_them_skip_with_the_reason() {
    let reference = Reference::start().await;
    let snapshots = tempfile::tempdir().expect("tempdir");
    let opts = RunOptions::new(format!("{}/scim/v2", reference.root()))
        .with_token(reference.creds.valid.clone())
        .with_snapshots(SnapshotMode::New, snapshots.path());
    let suites: Vec<_> = scimulator::suite::bundled()
        .expect("bundled suites")
        .into_iter()
        .filter(|s| s.source.starts_with("security/"))
        .collect();
    let report = scimulator::runner::run(suites, &opts, &mut VecSink::default())
        .await
        .expect("the run starts");
    reference.server.shutdown().await;
    let cases: Vec<_> = report.suites.iter().flat_map(|s| &s.cases).collect();
    for c in &cases {
        match &c.outcome {
            Outcome::Skipped(why) => assert!(
                why.contains("--second-t")
                    || why.contains("--expired-token")
                    || why.contains("--unscoped-token"),
                "{}: {why}",
                c.name
            ),
            Outcome::Passed => {}
            other => panic!("{}: {other:?}", c.name),
        }
    }
    let skipped = cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
        .count();
    assert_eq!(
        skipped, 10,
        "tenant (7), expired-token (2) and unscoped-token (1) cases skip"
    );
}
