//! The schema-driven round trip (`schema-round-trip`, on in `scimulator
//! run`) and the declared-schema audit's findings, against the reference
//! server behind the fault proxy: a server that declares a custom extension
//! and silently drops it fails, naming each dropped attribute; the reference
//! server passes; a server that refuses part of a body is retried in smaller
//! writes and its refusals are notes, not failures.

use scimulator::runner::Outcome;

use crate::support::faults::Fault;
use crate::support::faults::schema::ACME;
use crate::support::{run_round_trip, run_round_trip_on, run_suite_audited};

fn failures(case: &scimulator::runner::CaseResult) -> Vec<String> {
    match &case.outcome {
        Outcome::Failed(f) => f.iter().map(|f| f.message.clone()).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_the_round_trip() {
    let case = run_round_trip(None).await;
    assert_eq!(
        case.outcome,
        Outcome::Passed,
        "{:?}\n{:#?}",
        failures(&case),
        case.warnings
    );
    assert!(
        case.steps
            .iter()
            .any(|s| s.request_line.starts_with("POST /Users"))
    );
    assert!(
        case.steps
            .iter()
            .any(|s| s.request_line.starts_with("POST /Groups"))
    );
    let deleted = case
        .cleanup
        .iter()
        .filter(|s| s.request_line.starts_with("DELETE"))
        .count();
    assert_eq!(deleted, 2, "the user and the group are deleted");
    // The reference server's product extension is read-only: said, not written.
    assert!(
        case.warnings
            .iter()
            .any(|w| w.contains("not written (readOnly)")
                && w.contains(
                    "urn:scimulator:params:scim:schemas:extension:product:2.0:User:role"
                )),
        "{:#?}",
        case.warnings
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silently_dropped_custom_extension_fails_naming_each_attribute() {
    let case = run_round_trip(Some(Fault::CustomExtensionDropped)).await;
    let got = failures(&case);
    for attr in ["costCenter", "badgeNumber"] {
        let needle =
            format!("{ACME}:{attr} was accepted (201 on POST /Users) but is absent when read back");
        assert!(
            got.iter().any(|f| f == &needle),
            "a failure `{needle}` in {got:#?}"
        );
    }
    assert_eq!(got.len(), 2, "only the dropped attributes fail: {got:#?}");
    let read_back = case.failing_step().expect("the read-back step failed");
    assert!(
        read_back.request_line.starts_with("GET /Users/"),
        "{}",
        read_back.request_line
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_attribute_is_noted_not_failed() {
    let case = run_round_trip(Some(Fault::NickNameRefused)).await;
    assert_eq!(case.outcome, Outcome::Passed, "{:?}", failures(&case));
    let notes = case.warnings.join("\n");
    assert!(
        notes.contains("retried with the required attributes"),
        "{notes}"
    );
    assert!(
        notes.contains("refused by the server with an error, so not a silent drop: nickName (400"),
        "{notes}"
    );
    assert!(
        case.steps.iter().any(|s| s.name == "add nickName"),
        "nickName was tried on its own"
    );
}

/// The audit keeps one finding per attribute and problem: two different
/// undeclared attributes are two findings (its old key, one per kind of
/// problem, kept only the first).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_audit_reports_each_undeclared_attribute() {
    let found = run_suite_audited(
        "okta/deactivate-reactivate.yaml",
        Some(Fault::TwoUndeclaredAttributes),
    )
    .await;
    for attr in ["legacyId", "tenantTier"] {
        assert!(
            found
                .iter()
                .any(|f| f.contains(&format!("{attr} is not declared"))),
            "a finding for {attr}: {found:#?}"
        );
    }
    assert_eq!(
        found.len(),
        2,
        "one finding each, however often seen: {found:#?}"
    );
}

/// A custom extension the reference server is configured with (`product.
/// extensions`) is declared, written and stored: the round trip writes its
/// attributes and passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_custom_extension_passes() {
    let mut config = scimulator::server::ServerConfig::default();
    let attr = |name: &str, kind: &str| {
        serde_json::json!({"name": name, "type": kind, "multiValued": false, "required": false,
            "caseExact": false, "mutability": "readWrite", "returned": "default",
            "uniqueness": "none"})
    };
    config.product.extensions = vec![serde_json::json!({
        "id": ACME, "name": "AcmeUser",
        "attributes": [attr("costCenter", "string"), attr("badgeNumber", "integer"),
                       attr("hired", "dateTime"), attr("ratio", "decimal")]
    })];
    let case = run_round_trip_on(config, None).await;
    assert_eq!(case.outcome, Outcome::Passed, "{:?}", failures(&case));
    let create = case
        .steps
        .iter()
        .find(|s| s.request_line == "POST /Users")
        .and_then(|s| s.exchanges.first())
        .and_then(|e| e.request_body.clone())
        .unwrap_or_default();
    for attr in ["costCenter", "badgeNumber", "hired", "ratio"] {
        assert!(create.contains(attr), "{attr} was written: {create}");
    }
}
