//! Proof that every case of `suites/rfc7644/` catches the defect it targets
//! (issue 6), and that correct but unusual servers pass them all.
//!
//! Each row runs one bundled case through the defect-injecting proxy in
//! front of the reference server and asserts that the case fails with a
//! failure mentioning what the defect broke. The quirk test runs every
//! rfc7644 suite through a conformant-but-unusual proxy and expects no
//! failure (capability cases may be skipped).

use std::time::Duration;

use scimulator::runner::{Outcome, RunOptions, ThrottlePolicy, VecSink};
use scimulator::snapshot::SnapshotMode;

use crate::support::faults::Fault::{self, *};
use crate::support::proxy::Proxy;
use crate::support::{
    CaseVerdict, Reference, defect_coverage, defects_not_caught, failure_text, run_case,
};

const D: &str = "rfc7644/discovery.yaml";
const R: &str = "rfc7644/resources.yaml";
const Q: &str = "rfc7644/query.yaml";
const P: &str = "rfc7644/patch.yaml";
const G: &str = "rfc7644/groups.yaml";
const E: &str = "rfc7644/errors.yaml";
const S: &str = "rfc7644/declared-schemas.yaml";

/// (suite file, case name, defect, text the failure must contain).
const DEFECTS: &[(&str, &str, Fault, &str)] = &[
    // discovery
    (D, "ServiceProviderConfig is served", SpcMissing, "404"),
    (
        D,
        "ResourceTypes lists the User resource type",
        ResourceTypesMissing,
        "404",
    ),
    (
        D,
        "Schemas lists the core User schema",
        SchemasEmpty,
        "$.Resources",
    ),
    (
        D,
        "a schema is served by its URN",
        SchemaByUrnMissing,
        "404",
    ),
    (
        D,
        "every resource type's schema and extensions are served by /Schemas",
        ExtensionSchemaMissing,
        "404",
    ),
    // resources
    (
        R,
        "create answers 201 with Location, id, meta and schemas",
        CreateAnswers200,
        "201",
    ),
    (
        R,
        "an unknown id is a 404 SCIM error",
        UnknownIdIs200,
        "404",
    ),
    (
        R,
        "PUT replaces the resource and clears what it leaves out",
        PutMerges,
        "$.title",
    ),
    (
        R,
        "password is never returned",
        PasswordReturned,
        "$.password",
    ),
    (
        R,
        "password can be replaced when changePassword is advertised",
        PasswordChangeRefused,
        "400",
    ),
    (
        R,
        "a bulk create is processed when bulk is advertised",
        BulkAdvertisedButMissing,
        "status",
    ),
    (R, "a deleted user is gone", UserDeleteIgnored, "404"),
    (
        R,
        "a duplicate userName is refused with 409",
        DuplicatesAllowed,
        "409",
    ),
    (
        R,
        "meta.lastModified changes on update",
        LastModifiedFrozen,
        "$.meta.lastModified",
    ),
    (
        R,
        "meta.version and the ETag change on update",
        VersionFrozen,
        "$.meta.version",
    ),
    (
        R,
        "id and meta cannot be changed by PATCH",
        ReadOnlyPatchApplied,
        "$.id",
    ),
    (
        R,
        "SCIM JSON request bodies are accepted",
        ScimJsonRejected,
        "415",
    ),
    (
        R,
        "responses carry a JSON media type",
        TextPlainContentType,
        "text/plain",
    ),
    // query
    (
        Q,
        "a list is a ListResponse with integer paging fields",
        PagingFieldsAsStrings,
        "totalResults",
    ),
    (
        Q,
        "totalResults counts the whole match, not the page",
        TotalIsPageSize,
        "$.totalResults",
    ),
    (
        Q,
        "startIndex is 1-based and pages do not overlap",
        ZeroBasedPaging,
        "$.Resources",
    ),
    (
        Q,
        "count is honoured and never exceeded",
        CountIgnored,
        "$.Resources[2]",
    ),
    (
        Q,
        "count=0 returns only the total",
        CountZeroIgnored,
        "$.Resources[0]",
    ),
    (
        Q,
        "a query that matches nothing is an empty ListResponse",
        NotFoundForEmptyFilter,
        "404",
    ),
    (
        Q,
        "userName eq ignores case",
        CaseSensitiveUserName,
        "$.totalResults",
    ),
    (
        Q,
        "the ne operator excludes the value",
        FilterOperatorIgnored(" ne "),
        "$.totalResults",
    ),
    (
        Q,
        "the co operator matches substrings",
        FilterOperatorIgnored(" co "),
        "$.totalResults",
    ),
    (
        Q,
        "the sw operator matches prefixes",
        FilterOperatorIgnored(" sw "),
        "$.totalResults",
    ),
    (
        Q,
        "the ew operator matches suffixes",
        FilterOperatorIgnored(" ew "),
        "$.totalResults",
    ),
    (
        Q,
        "the pr operator matches present attributes",
        FilterOperatorIgnored(" pr"),
        "$.totalResults",
    ),
    (
        Q,
        "gt, ge, lt and le order strings",
        FilterOperatorIgnored(" gt "),
        "$.totalResults",
    ),
    (
        Q,
        "and, or and not combine filters",
        FilterOperatorIgnored(" or "),
        "$.totalResults",
    ),
    (
        Q,
        "a complex attribute filter selects by sub-attribute",
        FilterOperatorIgnored("["),
        "$.totalResults",
    ),
    (
        Q,
        "sortBy orders the results",
        SortIgnored,
        "$.Resources[*].id",
    ),
    (
        Q,
        "attributes limits the returned attributes",
        AttributesIgnored,
        "$.title",
    ),
    (
        Q,
        "excludedAttributes drops the named attributes",
        AttributesIgnored,
        "$.title",
    ),
    // patch
    (
        P,
        "add with a path sets the attribute",
        PatchOpDropped("add"),
        "$.nickName",
    ),
    (
        P,
        "replace with a path changes the attribute",
        PatchOpDropped("replace"),
        "$.name.familyName",
    ),
    (
        P,
        "remove with a path clears the attribute",
        PatchOpDropped("remove"),
        "$.title",
    ),
    (
        P,
        "a value-filter path targets the matching values",
        ValueFilterPathIgnored,
        "$.emails",
    ),
    (
        P,
        "a path-less replace sets every attribute of its value",
        PathlessPatchIgnored,
        "$.active",
    ),
    (
        P,
        "a PATCH answered 200 carries the resource",
        Patch200Empty,
        "$.id",
    ),
    // A 204 is conformant whatever its headers; a 200 without a body is not.
    (
        P,
        "a PATCH answered 200 carries the resource",
        Patch200NoBody,
        "not JSON",
    ),
    // groups
    (
        G,
        "a member is added with PATCH add members",
        PatchOpDropped("add"),
        "$.members",
    ),
    (
        G,
        "a member is removed with a value-filter path",
        ValueFilterPathIgnored,
        "$.members",
    ),
    (
        G,
        "User.groups lists the user's groups",
        UserGroupsMissing,
        "$.groups",
    ),
    (
        G,
        "a duplicate group displayName is refused with 409",
        GroupDuplicatesAllowed,
        "409",
    ),
    (G, "a deleted group is gone", GroupDeleteIgnored, "404"),
    // errors and versions
    (
        E,
        "errors carry schemas and status as a string",
        NumericErrorStatus,
        "$.status",
    ),
    (E, "malformed JSON is a 400", MalformedJsonIs500, "500"),
    (
        E,
        "an invalid filter is a 400",
        InvalidFilterReturnsAll,
        "400",
    ),
    (
        E,
        "errors name their scimType keyword",
        ScimTypeWrong,
        "$.scimType",
    ),
    (
        E,
        "responses carry an ETag equal to meta.version",
        EtagHeaderMissing,
        "ETag",
    ),
    (
        E,
        "If-Match with a stale version is a 412",
        IfMatchIgnored,
        "412",
    ),
    (
        E,
        "If-None-Match with the current version is a 304",
        IfNoneMatchIgnored,
        "304",
    ),
    // declared schemas
    (
        S,
        "responses follow the server's declared schemas",
        DeclaredTypeContradiction,
        "active is declared a boolean",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rfc7644_case_fails_against_the_defect_it_targets() {
    let problems = defects_not_caught(DEFECTS.iter().map(|&(s, c, f, n)| (s, c, f, None, n))).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_rfc7644_case_is_covered_by_a_defect() {
    let problems = defect_coverage("rfc7644/", DEFECTS.iter().map(|&(s, c, _, _)| (s, c)));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capability_cases_are_skipped_with_the_reason_when_not_advertised() {
    let bulk = run_case(
        R,
        "a bulk create is processed when bulk is advertised",
        Patch204,
        None,
    )
    .await;
    assert!(
        matches!(&bulk, CaseVerdict::Skipped(why) if why.contains("bulk")),
        "{bulk:?}"
    );
    let etag = run_case(E, "If-Match with a stale version is a 412", NoEtags, None).await;
    assert!(
        matches!(&etag, CaseVerdict::Skipped(why) if why.contains("etag")),
        "{etag:?}"
    );
}

fn options(proxy: &Proxy, reference: &Reference) -> RunOptions {
    let mut opts = RunOptions::new(proxy.scim_base())
        .with_token(reference.creds.valid.clone())
        .with_revoked_token(reference.creds.revoked.clone())
        .with_snapshots(
            SnapshotMode::No,
            std::env::temp_dir().join("scimulator-no-snapshots"),
        );
    opts.reference_server = true;
    opts.throttle = ThrottlePolicy {
        max_attempts: 3,
        default_wait: Duration::from_millis(50),
        max_wait: Duration::from_secs(2),
        max_total_wait: Duration::from_secs(5),
    };
    opts
}

/// Runs every rfc7644 case (except those tagged `skip_tag`) behind `quirk`;
/// `Err` lists the cases that failed or errored.
async fn rfc_suites_with_quirk(quirk: Fault, skip_tag: Option<&str>) -> Result<(), String> {
    let reference = Reference::start().await;
    let proxy = Proxy::start(&reference.root(), quirk, reference.creds.clone()).await;
    let mut suites: Vec<_> = scimulator::suite::bundled()
        .expect("bundled suites load")
        .into_iter()
        .filter(|s| s.source.starts_with("rfc7644/"))
        .collect();
    if let Some(tag) = skip_tag {
        for s in &mut suites {
            s.cases.retain(|c| !c.tags.iter().any(|t| t == tag));
        }
    }
    let opts = options(&proxy, &reference);
    let mut sink = VecSink::default();
    let report = scimulator::runner::run(suites, &opts, &mut sink)
        .await
        .map_err(|e| e.to_string())?;
    reference.server.shutdown().await;
    let bad: Vec<String> = report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .filter(|c| matches!(c.outcome, Outcome::Failed(_) | Outcome::Errored(_)))
        .map(|c| format!("{} › {}: {}", c.suite, c.name, c.outcome.label()))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", bad.join("\n"), failure_text(&report)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc7644_suites_pass_on_conformant_but_unusual_servers() {
    let mut problems = Vec::new();
    let quirks: &[(Fault, Option<&str>)] = &[
        (Patch204, None),
        (PlainJsonContentType, None),
        // scimType is OPTIONAL (RFC 7644 §3.12): only the advisory case needs it.
        (MinimalErrorBodies, Some("scim-type")),
        (EmptyListOmitsResources, None),
        (ReverseListOrder, None),
        (PrettyJson, None),
        (NoEtags, None),
        (NullForUnassigned, None),
        (IntegerIds, None),
    ];
    for (quirk, skip_tag) in quirks {
        if let Err(text) = rfc_suites_with_quirk(*quirk, *skip_tag).await {
            problems.push(format!("{quirk:?}:\n{text}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Sends one request through a proxy with `quirk` and returns (status, body).
async fn through(
    proxy: &Proxy,
    reference: &Reference,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", proxy.scim_base()))
        .bearer_auth(&reference.creds.valid);
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("proxy answers");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quirks_really_change_what_the_server_sends() {
    use serde_json::{Value, json};
    let user =
        |n: &str| json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": n});
    // IntegerIds: ids are decimal and usable in later requests.
    let reference = Reference::start().await;
    let proxy = Proxy::start(&reference.root(), IntegerIds, reference.creds.clone()).await;
    let (status, text) = through(
        &proxy,
        &reference,
        reqwest::Method::POST,
        "/Users",
        Some(user("int@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let created: Value = serde_json::from_str(&text).expect("JSON");
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "{id}"
    );
    let (status, text) = through(
        &proxy,
        &reference,
        reqwest::Method::GET,
        &format!("/Users/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&id), "{text}");
    drop(proxy);
    // ReverseListOrder: the newest user comes first.
    let proxy = Proxy::start(&reference.root(), ReverseListOrder, reference.creds.clone()).await;
    through(
        &proxy,
        &reference,
        reqwest::Method::POST,
        "/Users",
        Some(user("zz-second@example.com")),
    )
    .await;
    let (_, text) = through(&proxy, &reference, reqwest::Method::GET, "/Users", None).await;
    let list: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        list["Resources"][0]["userName"],
        json!("zz-second@example.com"),
        "{text}"
    );
    drop(proxy);
    // MinimalErrorBodies, PrettyJson, NoEtags, NullForUnassigned, EmptyListOmitsResources.
    let proxy = Proxy::start(
        &reference.root(),
        MinimalErrorBodies,
        reference.creds.clone(),
    )
    .await;
    let (_, text) = through(
        &proxy,
        &reference,
        reqwest::Method::GET,
        "/Users/nope",
        None,
    )
    .await;
    let error: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(error.as_object().map(|o| o.len()), Some(2), "{text}");
    drop(proxy);
    let proxy = Proxy::start(&reference.root(), PrettyJson, reference.creds.clone()).await;
    let (_, text) = through(
        &proxy,
        &reference,
        reqwest::Method::GET,
        &format!("/Users/{}", created_uuid(&reference).await),
        None,
    )
    .await;
    assert!(text.contains("\n  \""), "{text}");
    drop(proxy);
    let proxy = Proxy::start(&reference.root(), NoEtags, reference.creds.clone()).await;
    let (_, text) = through(&proxy, &reference, reqwest::Method::GET, "/Users", None).await;
    assert!(!text.contains("\"version\""), "{text}");
    drop(proxy);
    let proxy = Proxy::start(
        &reference.root(),
        NullForUnassigned,
        reference.creds.clone(),
    )
    .await;
    let (_, text) = through(&proxy, &reference, reqwest::Method::GET, "/Users", None).await;
    assert!(text.contains("\"nickName\":null"), "{text}");
    drop(proxy);
    let proxy = Proxy::start(
        &reference.root(),
        EmptyListOmitsResources,
        reference.creds.clone(),
    )
    .await;
    let (_, text) = through(
        &proxy,
        &reference,
        reqwest::Method::GET,
        "/Users?filter=userName%20eq%20%22nobody%22",
        None,
    )
    .await;
    assert!(
        text.contains("\"totalResults\":0") && !text.contains("Resources"),
        "{text}"
    );
    drop(proxy);
    reference.server.shutdown().await;
}

/// The id of some user of the reference server (as the server spells it).
async fn created_uuid(reference: &Reference) -> String {
    let proxy = Proxy::start(&reference.root(), Patch204, reference.creds.clone()).await;
    let (_, text) = through(
        &proxy,
        reference,
        reqwest::Method::GET,
        "/Users?count=1",
        None,
    )
    .await;
    let list: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    list["Resources"][0]["id"]
        .as_str()
        .expect("a user exists")
        .to_owned()
}

/// The run-wide audit (`scimulator run` checks every response against the
/// target's own `/Schemas`) fails, naming the attribute, when responses
/// contradict the declared schema, and passes on the reference server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_audit_names_attributes_that_contradict_the_declared_schema() {
    use crate::support::run_suite_audited;
    let clean = run_suite_audited("okta/deactivate-reactivate.yaml", None).await;
    assert!(
        clean.is_empty(),
        "no contradiction on the reference server: {clean:?}"
    );
    let broken = run_suite_audited(
        "okta/deactivate-reactivate.yaml",
        Some(DeclaredTypeContradiction),
    )
    .await;
    assert!(
        broken
            .iter()
            .any(|f| f.contains("active") && f.contains("boolean")),
        "the audit names `active`: {broken:?}"
    );
}
