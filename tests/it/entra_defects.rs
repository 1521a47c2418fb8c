//! Proof that every case of `suites/entra/` catches the defect it targets
//! (issue 6, part A), and that correct but unusual servers pass them all
//! under both Entra flavours.
//!
//! Each row runs one bundled case through the defect-injecting proxy in
//! front of the reference server, under the Entra flavour named in the row,
//! and asserts that the case fails with a failure that mentions what the
//! defect broke.

use crate::support::faults::Fault::{self, *};
use crate::support::{defect_coverage, defects_not_caught, run_suite_with_quirk};

const DEFAULT: &str = "entra";
const OPT2020: &str = "entra-2020";

/// (suite file, case name, defect, flavour, text the failure must contain).
const DEFECTS: &[(&str, &str, Fault, &str, &str)] = &[
    // test-connection
    (
        "entra/test-connection.yaml",
        "the connection test finds no random user or group",
        NotFoundForEmptyFilter,
        DEFAULT,
        "404",
    ),
    (
        "entra/test-connection.yaml",
        "a lookup without paging parameters is answered",
        PagingParamsRequired,
        DEFAULT,
        "400",
    ),
    (
        "entra/test-connection.yaml",
        "every answer is SCIM JSON",
        TextHtmlContentType,
        DEFAULT,
        "text/html",
    ),
    // create-user
    (
        "entra/create-user.yaml",
        "a new user is created with Entra's body",
        RequestMetaRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/create-user.yaml",
        "a created user is found by userName",
        PlusNotDecoded,
        DEFAULT,
        "400",
    ),
    (
        "entra/create-user.yaml",
        "a created user is found by externalId",
        ExternalIdFilterEmpty,
        DEFAULT,
        "$.totalResults",
    ),
    (
        "entra/create-user.yaml",
        "an existing user is matched, not created twice",
        UserLookupEmpty,
        DEFAULT,
        "409",
    ),
    (
        "entra/create-user.yaml",
        "a duplicate userName is refused with 409",
        DuplicatesAllowed,
        DEFAULT,
        "409",
    ),
    (
        "entra/create-user.yaml",
        "values are kept as sent",
        UserNameLowercased,
        DEFAULT,
        "Mixed.Case",
    ),
    // update-user
    (
        "entra/update-user.yaml",
        "several attributes are updated at once",
        CapitalisedOpsRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/update-user.yaml",
        "several attributes are updated at once",
        DottedKeysIgnored,
        OPT2020,
        "$.name.givenName",
    ),
    (
        "entra/update-user.yaml",
        "the work email is replaced through a filter path",
        FilterPathIgnored,
        DEFAULT,
        "$.emails",
    ),
    (
        "entra/update-user.yaml",
        "the work email is replaced through a filter path",
        FilterPathIgnored,
        OPT2020,
        "$.emails",
    ),
    (
        "entra/update-user.yaml",
        "an enterprise attribute is updated by its URN path",
        UrnPathIgnored,
        DEFAULT,
        "employeeNumber",
    ),
    (
        "entra/update-user.yaml",
        "a userName change is applied",
        UserNameImmutable,
        DEFAULT,
        "400",
    ),
    (
        "entra/update-user.yaml",
        "a single-valued attribute is added with Add",
        CapitalisedOpsRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/update-user.yaml",
        "a single-valued attribute is added with Add",
        SingleValuedAddIgnored,
        OPT2020,
        "$.nickName",
    ),
    // lifecycle
    (
        "entra/lifecycle.yaml",
        "a user is disabled with Entra's active op",
        StringBooleanRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/lifecycle.yaml",
        "a disabled user stays retrievable",
        InactiveUserIs404,
        DEFAULT,
        "404",
    ),
    (
        "entra/lifecycle.yaml",
        "a disabled user is still found by userName",
        InactiveHiddenFromFilter,
        DEFAULT,
        "$.totalResults",
    ),
    (
        "entra/lifecycle.yaml",
        "a disabled user is enabled again",
        StringTrueIsFalse,
        DEFAULT,
        "$.active",
    ),
    (
        "entra/lifecycle.yaml",
        "unassigning disables and never deletes",
        DisableDeletes,
        DEFAULT,
        "404",
    ),
    (
        "entra/lifecycle.yaml",
        "unassigning disables and never deletes",
        DisableDeletes,
        OPT2020,
        "404",
    ),
    (
        "entra/lifecycle.yaml",
        "a hard-deleted user is gone",
        UserDeleteIgnored,
        DEFAULT,
        "404",
    ),
    // manager
    (
        "entra/manager.yaml",
        "the manager is set with a plain string id",
        ManagerPlainIdRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/manager.yaml",
        "the manager is read back in the RFC shape",
        ManagerAsString,
        DEFAULT,
        "manager",
    ),
    (
        "entra/manager.yaml",
        "a cleared manager is removed",
        ManagerRemoveIgnored,
        DEFAULT,
        "manager",
    ),
    // groups
    (
        "entra/groups.yaml",
        "a group is created with Entra's schemas",
        UnknownSchemaRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/groups.yaml",
        "a group lookup leaves members out",
        ExcludedAttributesIgnored,
        DEFAULT,
        "members",
    ),
    (
        "entra/groups.yaml",
        "a group read leaves members out when asked",
        ExcludedAttributesIgnored,
        DEFAULT,
        "$.members",
    ),
    (
        "entra/groups.yaml",
        "members are added with Entra's value array",
        NullRefRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/groups.yaml",
        "members are removed",
        ValueArrayRemoveIgnored,
        DEFAULT,
        "$.members",
    ),
    (
        "entra/groups.yaml",
        "members are removed",
        MemberRemoveDropped,
        OPT2020,
        "$.members",
    ),
    (
        "entra/groups.yaml",
        "a group is renamed with Replace",
        CapitalisedOpsRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/groups.yaml",
        "a group displayName is unique",
        DuplicateGroupNamesAllowed,
        DEFAULT,
        "409",
    ),
    (
        "entra/groups.yaml",
        "a deleted group is gone",
        GroupDeleteIgnored,
        DEFAULT,
        "404",
    ),
    // bad-credentials
    (
        "entra/bad-credentials.yaml",
        "an unknown token is refused with 401",
        AnyTokenAccepted,
        DEFAULT,
        "401",
    ),
    (
        "entra/bad-credentials.yaml",
        "a request without credentials is refused",
        MissingAuthAccepted,
        DEFAULT,
        "401",
    ),
    (
        "entra/bad-credentials.yaml",
        "a revoked token is refused at once",
        RevokedTokenAccepted,
        DEFAULT,
        "401",
    ),
    // validator
    (
        "entra/validator.yaml",
        "schema discovery lists the User, enterprise and Group schemas",
        SchemasEndpointMissing,
        DEFAULT,
        "404",
    ),
    (
        "entra/validator.yaml",
        "resource types list User and Group",
        ResourceTypesMissing,
        DEFAULT,
        "404",
    ),
    (
        "entra/validator.yaml",
        "a user goes through create, read, update and delete",
        UserDeleteIgnored,
        DEFAULT,
        "404",
    ),
    (
        "entra/validator.yaml",
        "a filter joining eq clauses with and is answered",
        AndFilterRejected,
        DEFAULT,
        "400",
    ),
    (
        "entra/validator.yaml",
        "an unknown id is a 404 with a SCIM error",
        UnknownIdIs200,
        DEFAULT,
        "404",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entra_case_fails_against_the_defect_it_targets() {
    let problems =
        defects_not_caught(DEFECTS.iter().map(|&(s, c, f, p, n)| (s, c, f, Some(p), n))).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_entra_case_is_covered_by_a_defect() {
    let problems = defect_coverage("entra/", DEFECTS.iter().map(|&(s, c, _, _, _)| (s, c)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_suites_pass_on_conformant_but_unusual_servers() {
    let mut problems = Vec::new();
    for quirk in [
        Patch204,
        PlainJsonContentType,
        VendorAttributes,
        PageCap,
        MinimalErrorBody,
        IntegerIds,
    ] {
        for profile in [DEFAULT, OPT2020] {
            if let Err(text) = run_suite_with_quirk("entra/", quirk, profile).await {
                problems.push(format!("{quirk:?} under {profile}:\n{text}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
