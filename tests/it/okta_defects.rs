//! Proof that every case of `suites/okta/` catches the defect it targets
//! (issue 4), and that correct but unusual servers pass them all.
//!
//! Each row runs one bundled case through the defect-injecting proxy in
//! front of the reference server and asserts that the case fails, with a
//! failure that mentions what the defect broke. The quirk tests run every
//! Okta suite through a conformant-but-unusual proxy and expect no failure.

use crate::support::faults::Fault::{self, *};
use crate::support::{defect_coverage, defects_not_caught, run_suite_with_quirk};

/// (suite file, case name, defect, text the failure must contain).
const DEFECTS: &[(&str, &str, Fault, &str)] = &[
    // connector-test
    (
        "okta/connector-test.yaml",
        "the connector test lists users and groups",
        GroupsEndpointMissing,
        "404",
    ),
    (
        "okta/connector-test.yaml",
        "the user list honours count=2",
        CountIgnored,
        "$.Resources[2]",
    ),
    (
        "okta/connector-test.yaml",
        "no attributes parameter is required",
        RequiresAttributesParam,
        "400",
    ),
    // push-new-user
    (
        "okta/push-new-user.yaml",
        "a new user is created with Okta's body",
        CreateReturnsEmptyBody,
        "not JSON",
    ),
    (
        "okta/push-new-user.yaml",
        "the userName lookup ignores case",
        CaseSensitiveUserName,
        "$.totalResults",
    ),
    (
        "okta/push-new-user.yaml",
        "the lookup filter decodes + and %20 alike",
        PlusNotDecoded,
        "$.totalResults",
    ),
    (
        "okta/push-new-user.yaml",
        "an existing user is linked, not duplicated",
        PutIgnored,
        "Linked",
    ),
    (
        "okta/push-new-user.yaml",
        "a duplicate create is refused with 409",
        DuplicatesAllowed,
        "409",
    ),
    (
        "okta/push-new-user.yaml",
        "a lookup that finds nothing is an empty ListResponse",
        NotFoundForEmptyFilter,
        "404",
    ),
    // push-profile
    (
        "okta/push-profile.yaml",
        "a first-name change is applied",
        PutIgnored,
        "Amazing",
    ),
    (
        "okta/push-profile.yaml",
        "the echoed read-only attributes are accepted",
        RejectsReadOnlyInPut,
        "400",
    ),
    (
        "okta/push-profile.yaml",
        "a profile push leaves the user active",
        PutDropsActive,
        "$.active",
    ),
    (
        "okta/push-profile.yaml",
        "a profile push for an unknown id is a 404",
        UnknownIdIs200,
        "404",
    ),
    // deactivate-reactivate
    (
        "okta/deactivate-reactivate.yaml",
        "a pushed user can be deactivated",
        PathlessPatchIgnored,
        "$.active",
    ),
    (
        "okta/deactivate-reactivate.yaml",
        "a deactivated user is reactivated with the same id",
        ReactivationIgnored,
        "$.active",
    ),
    (
        "okta/deactivate-reactivate.yaml",
        "a deactivated user is still found by userName",
        InactiveHiddenFromFilter,
        "$.totalResults",
    ),
    (
        "okta/deactivate-reactivate.yaml",
        "unassigning deactivates and never deletes",
        DeactivateDeletes,
        "404",
    ),
    // role-attribute
    (
        "okta/role-attribute.yaml",
        "the role is stored as the primary roles entry",
        RolesDropped,
        "$.roles",
    ),
    (
        "okta/role-attribute.yaml",
        "a role change replaces the old role",
        RolesAppended,
        "Admin",
    ),
    (
        "okta/role-attribute.yaml",
        "an unknown role value is accepted and echoed",
        UnknownRoleRejected,
        "400",
    ),
    (
        "okta/role-attribute.yaml",
        "the reference server maps the role case-insensitively",
        RoleMappingCaseSensitive,
        "admin",
    ),
    (
        "okta/role-attribute.yaml",
        "the reference server falls back to the default role",
        UnknownRoleGetsAdmin,
        "member",
    ),
    // revoked-token
    (
        "okta/revoked-token.yaml",
        "a revoked token is refused at once",
        RevokedTokenAccepted,
        "401",
    ),
    (
        "okta/revoked-token.yaml",
        "a request without credentials is refused",
        MissingAuthAccepted,
        "401",
    ),
    (
        "okta/revoked-token.yaml",
        "a malformed Authorization header is refused",
        MalformedAuthIs500,
        "500",
    ),
    (
        "okta/revoked-token.yaml",
        "an unknown token is refused",
        AnyTokenAccepted,
        "401",
    ),
    (
        "okta/revoked-token.yaml",
        "a 401 carries an RFC 7644 Error body",
        NumericErrorStatus,
        "status",
    ),
    // push-groups
    (
        "okta/push-groups.yaml",
        "a pushed group is created and found again by name",
        GroupLookupEmpty,
        "409",
    ),
    (
        "okta/push-groups.yaml",
        "members are added and removed by Okta's delta PATCH",
        MemberRemoveDropped,
        "$.members",
    ),
    (
        "okta/push-groups.yaml",
        "a user shows the groups it was pushed into",
        UserGroupsMissing,
        "$.groups",
    ),
    (
        "okta/push-groups.yaml",
        "a group is renamed with the id inside the value",
        RenameWithIdRejected,
        "400",
    ),
    (
        "okta/push-groups.yaml",
        "Push Now replaces the whole membership",
        PushNowMerges,
        "$.members",
    ),
    (
        "okta/push-groups.yaml",
        "an unlinked group is deleted",
        GroupDeleteIgnored,
        "404",
    ),
    // import
    (
        "okta/import.yaml",
        "an import sees every user exactly once",
        DuplicateOnPage,
        "unique",
    ),
    (
        "okta/import.yaml",
        "an import sees every user exactly once",
        UnstableOrder,
        "same_order",
    ),
    (
        "okta/import.yaml",
        "startIndex is 1-based",
        ZeroBasedPaging,
        "$.Resources",
    ),
    (
        "okta/import.yaml",
        "an import sees every group exactly once",
        DuplicateOnPage,
        "unique",
    ),
    // rate-limit
    (
        "okta/rate-limit.yaml",
        "a 429 with Retry-After is retried after the wait",
        AlwaysThrottle,
        "429",
    ),
    // runscope-spec
    (
        "okta/runscope-spec.yaml",
        "Test 1: Users endpoint",
        PagingFieldsAsStrings,
        "number",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 2: Get Users/{{id}}",
        EmailsMissing,
        "$.emails[0].value",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 3: invalid User by username",
        NotFoundForEmptyFilter,
        "404",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 4: invalid User by ID",
        UnknownIdIs200,
        "404",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 5: random user doesn't exist",
        NotFoundForEmptyFilter,
        "404",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 6: create Okta user with realistic values",
        CreateReturnsEmptyBody,
        "not JSON",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 7: verify that user was created",
        NamesNotStored,
        "$.name",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 8: recreating the same user fails",
        DuplicatesAllowed,
        "409",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 9: userName case sensitivity",
        CaseSensitiveUserName,
        "$.totalResults",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 10: Groups endpoint (optional)",
        GroupsEndpointMissing,
        "404",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 11: status 401",
        MalformedAuthIs500,
        "500",
    ),
    (
        "okta/runscope-spec.yaml",
        "Test 12: status 404",
        UnknownIdIs200,
        "404",
    ),
    // The advisory wish of Runscope tests 4, 11 and 12: an error without
    // `detail` (conformant, RFC 7644 §3.12, so only this case notices).
    (
        "okta/runscope-spec.yaml",
        "Tests 4, 11 and 12: errors carry a detail",
        MinimalErrorBody,
        "$.detail",
    ),
    // runscope-crud
    (
        "okta/runscope-crud.yaml",
        "Steps 1-4: an assigned user is created in the SCIM app",
        EmailsMissing,
        "$.Resources[0].emails[0].value",
    ),
    (
        "okta/runscope-crud.yaml",
        "Steps 5-6: a first-name update reaches the SCIM app",
        PutIgnored,
        "$.name.givenName",
    ),
    (
        "okta/runscope-crud.yaml",
        "Steps 7-8: deactivating the Okta user deactivates the SCIM user",
        PathlessPatchIgnored,
        "$.active",
    ),
    (
        "okta/runscope-crud.yaml",
        "Steps 9-11: reactivating and re-assigning reactivates the SCIM user",
        ReactivationIgnored,
        "$.active",
    ),
    (
        "okta/runscope-crud.yaml",
        "Steps 12-13: removing the assignment deactivates and keeps the record",
        DeactivateDeletes,
        "404",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_okta_case_fails_against_the_defect_it_targets() {
    let problems = defects_not_caught(DEFECTS.iter().map(|&(s, c, f, n)| (s, c, f, None, n))).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_okta_case_is_covered_by_a_defect() {
    // The entitlement suites' rows live in `entitlements_defects.rs`.
    let entitlements = crate::entitlements_defects::DEFECTS.iter();
    let rows = DEFECTS
        .iter()
        .chain(entitlements)
        .map(|&(s, c, _, _)| (s, c));
    let problems = defect_coverage("okta/", rows);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_suites_pass_on_conformant_but_unusual_servers() {
    let mut problems = Vec::new();
    for quirk in [
        Patch204,
        PlainJsonContentType,
        ThrottleOnce,
        VendorAttributes,
        PageCap,
        IntegerIds,
    ] {
        for profile in ["okta", "okta-aiw"] {
            if let Err(text) = run_suite_with_quirk("okta/", quirk, profile).await {
                problems.push(format!("{quirk:?} under {profile}:\n{text}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
