//! Proof that every case of the entitlement suites
//! (`suites/okta/runscope-entitlements.yaml`,
//! `suites/okta/runscope-crud-entitlements.yaml`) catches the defect it
//! targets (issue 12), passes on the reference server, and is skipped, not
//! failed, on a server that lists none of Okta's resource types.

use crate::support::faults::Fault::{self, *};
use crate::support::{CaseVerdict, defect_coverage, defects_not_caught, run_case};

const ENT: &str = "okta/runscope-entitlements.yaml";
const CRUD: &str = "okta/runscope-crud-entitlements.yaml";

/// (suite file, case name, defect, text the failure must contain).
pub(crate) const DEFECTS: &[(&str, &str, Fault, &str)] = &[
    (
        ENT,
        "Entitlements endpoint: the first page of one",
        CountIgnored,
        "$.itemsPerPage",
    ),
    (
        ENT,
        "Roles endpoint: the first page of one",
        CountIgnored,
        "$.itemsPerPage",
    ),
    (
        ENT,
        "Okta imports every entitlement one page at a time",
        EntitlementStartIndexIgnored,
        "unique",
    ),
    (
        ENT,
        "Okta imports every entitlement one page at a time",
        EntitlementExtensionUnserved,
        "$.Resources[*].id",
    ),
    (
        ENT,
        "Okta imports every role one page at a time",
        EntitlementDisplayNameMissing,
        "$.Resources[0].displayName",
    ),
    (
        ENT,
        "an entitlement is readable by its id",
        EntitlementByIdMissing,
        "404",
    ),
    (
        CRUD,
        "Grants: an assigned user granted a role and an entitlement carries both",
        GrantsDropped,
        "$.roles[*].value",
    ),
    (
        CRUD,
        "Grants survive deactivation and reactivation",
        DeactivationDropsGrants,
        "$.roles[*].value",
    ),
    (
        CRUD,
        "A revoked grant leaves the user",
        RevokedGrantKept,
        "$.entitlements",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entitlement_case_fails_against_the_defect_it_targets() {
    let problems = defects_not_caught(DEFECTS.iter().map(|&(s, c, f, n)| (s, c, f, None, n))).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_page_fails_when_the_entitlement_endpoint_ignores_count() {
    // The proof, on its own: Runscope's Entitlements step and Okta's
    // import both fail on a server that answers every entitlement at once.
    for case in [
        "Entitlements endpoint: the first page of one",
        "Okta imports every entitlement one page at a time",
    ] {
        match run_case(ENT, case, CountIgnored, None).await {
            CaseVerdict::Failed(text) => assert!(text.contains("itemsPerPage"), "{case}: {text}"),
            other => panic!("{case}: expected a failure, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entitlement_case_passes_on_the_reference_server_and_is_skipped_without_okta_types() {
    let mut problems = Vec::new();
    for &(suite, case, _, _) in DEFECTS {
        match run_case(suite, case, Transparent, None).await {
            CaseVerdict::Passed => {}
            other => problems.push(format!("{case}: expected a pass, got {other:?}")),
        }
        match run_case(suite, case, OktaTypesHidden, None).await {
            CaseVerdict::Skipped(why) if why.contains("/ResourceTypes lists no resource type") => {}
            other => problems.push(format!("{case}: expected a skip, got {other:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_entitlement_case_is_covered_by_a_defect() {
    let rows = DEFECTS.iter().map(|&(s, c, _, _)| (s, c));
    let mut problems = defect_coverage(ENT, rows.clone().filter(|(s, _)| *s == ENT));
    problems.extend(defect_coverage(CRUD, rows.filter(|(s, _)| *s == CRUD)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
