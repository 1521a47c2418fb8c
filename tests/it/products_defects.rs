//! Proof that every case of `suites/products/` (the seed products' suites)
//! catches the defect it targets: each row runs one case through the
//! defect-injecting proxy in front of the reference server, under the
//! suite's own IdP profile, and expects a failure that names what broke.

use crate::support::faults::Fault::{self, *};
use crate::support::{defect_coverage, defects_not_caught};

const STACKAI: &str = "products/stackai.yaml";
const STACK_OVERFLOW: &str = "products/stack-overflow.yaml";
const STACKFLOW: &str = "products/stackflow.yaml";

/// (suite file, case name, defect, text the failure must contain).
const DEFECTS: &[(&str, &str, Fault, &str)] = &[
    (
        STACKAI,
        "an assigned user keeps the role Okta sent",
        RolesDropped,
        "$.roles",
    ),
    (
        STACKAI,
        "a mapped role resolves to the organisation role",
        RoleMappingCaseSensitive,
        "admin",
    ),
    (
        STACKAI,
        "a user without a role gets the default role",
        UnknownRoleGetsAdmin,
        "member",
    ),
    (
        STACKAI,
        "a role change in Okta changes the organisation role",
        PutIgnored,
        "editor",
    ),
    (
        STACKAI,
        "unassigning deactivates through a PUT and reassigning restores access",
        PutDropsActive,
        "$.active",
    ),
    (
        STACK_OVERFLOW,
        "userType, title and department are stored",
        UserTypeDropped,
        "$.userType",
    ),
    (
        STACK_OVERFLOW,
        "userType Moderator promotes and Registered demotes",
        PutIgnored,
        "member",
    ),
    (
        STACK_OVERFLOW,
        "userType Admin promotes to admin",
        UserTypeDropped,
        "admin",
    ),
    (
        STACK_OVERFLOW,
        "deactivation and reactivation use Okta's PATCH",
        PathlessPatchIgnored,
        "$.active",
    ),
    (
        STACKFLOW,
        "a pushed membership is stored",
        PutIgnored,
        "$.members",
    ),
    (
        STACKFLOW,
        "membership of StackFlow-Admins grants super_admin and leaving it revokes it",
        PutIgnored,
        "super_admin",
    ),
    (
        STACKFLOW,
        "unassigning deactivates the account",
        // The AIW deactivation is a PUT: a server that deletes answers it 204
        // with no user, and the unassignment already fails there.
        DeactivateDeletes,
        "got 204",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_product_case_fails_against_the_defect_it_targets() {
    let problems = defects_not_caught(DEFECTS.iter().map(|&(s, c, f, n)| (s, c, f, None, n))).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_product_case_is_covered_by_a_defect() {
    let problems = defect_coverage("products/", DEFECTS.iter().map(|&(s, c, _, _)| (s, c)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
