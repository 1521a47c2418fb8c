//! The pre-flight against targets that are not SCIM endpoints, and against odd but valid ones.

use std::sync::atomic::Ordering;

use scimulator::runner::PreflightError;

use super::servers::Hostile;
use super::*;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// ---- not HTTP, not SCIM, elsewhere --------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_bytes_are_diagnosed_by_the_preflight_and_stop_the_run() {
    let target = Hostile::garbage().await;
    let opts = scaled(&target.base());
    let err = runner::preflight(&opts).await.expect_err("not HTTP");
    assert!(matches!(err, PreflightError::NotHttp { .. }), "{err:?}");
    assert!(
        err.to_string().contains("got no HTTP answer")
            && err
                .to_string()
                .contains("Is --target the address of an HTTP(S) server?"),
        "{err}"
    );
    let report = within(Duration::from_secs(30), "the run", run_all(&opts)).await;
    all_errored_with(
        &report,
        "the target stopped answering: 3 consecutive requests got no usable answer",
        2,
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let out = scimulator(dir.path(), &["run", "--target", &target.base()]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("got no HTTP answer"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_page_gets_one_diagnosis_naming_what_came_back() {
    let target = Hostile::login_page().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = format!("http://{}", target.addr);
    let out = within(
        Duration::from_secs(30),
        "the binary",
        scimulator(dir.path(), &["run", "--target", &root, "--token", TOKEN]),
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let expected = format!(
        "error: pre-flight: GET {root}/Users?count=1 answered 200 text/html; charset=utf-8, which is not SCIM JSON: \"<!DOCTYPE html> <html><head><title>Sign in · Example SSO</title>"
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("That is an HTML page"), "{stderr}");
    assert!(
        stderr.contains(&format!("it usually ends in /scim/v2, e.g. {root}/scim/v2")),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 1, "one message: {stderr}");
    assert!(stdout.is_empty() || !stdout.contains("FAIL ["), "{stdout}");
    assert!(!stderr.contains(TOKEN), "the token leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_host_is_named() {
    let elsewhere = Hostile::login_page().await;
    let location = format!("http://{}/sso/login", elsewhere.addr);
    let target = Hostile::redirecting(&location).await;
    let err = runner::preflight(&scaled(&target.base()))
        .await
        .expect_err("a foreign redirect stops the pre-flight");
    assert_eq!(
        err.to_string(),
        format!(
            "GET {}/ServiceProviderConfig redirects to another host: {location}. The harness does not send credentials across hosts; if that is where the SCIM API lives, use it as --target.",
            target.base()
        )
    );
    // The redirect was followed without the token.
    assert_eq!(elsewhere.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_unreachable_target_gets_one_message() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let err = runner::preflight(&scaled(&format!("http://127.0.0.1:{port}/scim/v2")))
        .await
        .expect_err("unreachable");
    assert!(matches!(err, PreflightError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the target is unreachable: http://127.0.0.1:")
            && err.to_string().contains("Check --target"),
        "{err}"
    );
}

#[tokio::test]
async fn tls_against_a_plain_http_server_is_a_tls_error() {
    let target = Hostile::eager().await;
    let err = runner::preflight(&scaled(&format!("https://{}/scim/v2", target.addr)))
        .await
        .expect_err("no TLS there");
    assert!(matches!(err, PreflightError::Tls { .. }), "{err:?}");
}

// ---- permissive and precise ----------------------------------------------

#[tokio::test]
async fn no_service_provider_config_but_a_json_user_list_passes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/Users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0,
        })))
        .mount(&server)
        .await;
    let info = runner::preflight(&scaled(&server.uri()))
        .await
        .expect("passes");
    assert_eq!(info.notes.len(), 1, "{info:?}");
    assert!(
        info.notes[0].contains("/ServiceProviderConfig answered 404"),
        "{info:?}"
    );
}

#[tokio::test]
async fn a_404_at_both_probes_suggests_the_usual_base() {
    let server = MockServer::start().await;
    let err = runner::preflight(&scaled(&server.uri()))
        .await
        .expect_err("nothing there");
    assert!(matches!(err, PreflightError::NotFound { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("e.g. {}/scim/v2.", server.uri())),
        "{err}"
    );
}

#[tokio::test]
async fn a_refused_token_is_said_and_never_shown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "401",
            "detail": format!("token {TOKEN} is not valid"),
        })))
        .mount(&server)
        .await;
    let err = runner::preflight(&scaled(&server.uri()))
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        matches!(err, PreflightError::Refused { status: 401, .. }),
        "{err:?}"
    );
    assert!(
        message.starts_with("the target refused the credentials: GET "),
        "{message}"
    );
    assert!(message.contains("Check --token"), "{message}");
    assert!(message.contains("credentials are never shown"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
}
