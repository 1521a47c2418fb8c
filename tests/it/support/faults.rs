//! The catalogue of defects and quirks the proxy can inject.
//!
//! Defects are behaviours of real SCIM servers that break an IdP (each named
//! after what it breaks); quirks are unusual but conformant behaviours that
//! the harness must accept without a false alarm.

use axum::http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::proxy::{Ctx, Req, Resp};

/// One injected behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    // ---- defects -------------------------------------------------------
    /// `/Groups` does not exist (404).
    GroupsEndpointMissing,
    /// `count` is ignored: every list returns everything.
    CountIgnored,
    /// A list without `attributes=` is refused (scimgateway#26).
    RequiresAttributesParam,
    /// POST /Users answers 201 with an empty body.
    CreateReturnsEmptyBody,
    /// `userName eq` compares case-sensitively.
    CaseSensitiveUserName,
    /// `+` in the query is taken literally instead of as a space.
    PlusNotDecoded,
    /// PUT answers 200 with the old resource and changes nothing.
    PutIgnored,
    /// A client creating a userName that exists gets a second account.
    DuplicatesAllowed,
    /// A filter that matches nothing gives 404 instead of an empty list.
    NotFoundForEmptyFilter,
    /// PUT bodies echoing `id`/`meta` are refused with 400 mutability.
    RejectsReadOnlyInPut,
    /// PUT treats a body without `active`… as inactive (drops `active`).
    PutDropsActive,
    /// GET of an unknown id answers 200 with an empty object.
    UnknownIdIs200,
    /// A PATCH operation without `path` is ignored (200 with the old resource).
    PathlessPatchIgnored,
    /// `{"active": true}` is ignored (a truthiness bug on reactivation).
    ReactivationIgnored,
    /// Inactive users are hidden from filtered lists.
    InactiveHiddenFromFilter,
    /// Deactivation deletes the user.
    DeactivateDeletes,
    /// `roles` is silently dropped from writes.
    RolesDropped,
    /// `userType` is silently dropped from writes.
    UserTypeDropped,
    /// A new `roles` value is appended to the old ones on PUT.
    RolesAppended,
    /// A role value outside the vendor's list is refused with 400.
    UnknownRoleRejected,
    /// Role mapping compares case-sensitively (the resolved role falls back).
    RoleMappingCaseSensitive,
    /// An unmapped role value resolves to `admin` instead of the default.
    UnknownRoleGetsAdmin,
    /// The revoked token still works.
    RevokedTokenAccepted,
    /// A request without credentials is served.
    MissingAuthAccepted,
    /// A malformed Authorization header crashes the server (500).
    MalformedAuthIs500,
    /// Any bearer token is accepted.
    AnyTokenAccepted,
    /// Error bodies carry `status` as a number.
    NumericErrorStatus,
    /// A `displayName eq` lookup never finds anything.
    GroupLookupEmpty,
    /// `remove` operations on group members are dropped.
    MemberRemoveDropped,
    /// `groups` is missing from users.
    UserGroupsMissing,
    /// A path-less replace carrying `id` is refused.
    RenameWithIdRejected,
    /// `replace members` adds instead of replacing.
    PushNowMerges,
    /// DELETE /Groups answers 204 and deletes nothing.
    GroupDeleteIgnored,
    /// Every list page repeats its first resource at the end.
    DuplicateOnPage,
    /// startIndex is read 0-based.
    ZeroBasedPaging,
    /// Unfiltered lists come back in a different order every other time.
    UnstableOrder,
    /// Every request is answered 429.
    AlwaysThrottle,
    /// Paging fields are strings.
    PagingFieldsAsStrings,
    /// Users come back without `emails`.
    EmailsMissing,
    /// `name` is dropped on create.
    NamesNotStored,
    // ---- quirks (conformant; implemented in `faults/quirks.rs`) ---------
    /// PATCH answers 204 with no body and no `Content-Type`.
    Patch204,
    /// PATCH answers 204 with no body but a `Content-Type` header (scim2-server).
    Patch204WithContentType,
    /// Responses say `application/json`.
    PlainJsonContentType,
    /// Responses say `application/scim+json; charset=utf-8`.
    ScimJsonCharset,
    /// The first request gets 429 with `Retry-After: 1`.
    ThrottleOnce,
    /// The first request to each distinct path gets 429 with `Retry-After: 1`.
    ThrottleEachPathOnce,
    /// A vendor extension, declared in `/Schemas` and `/ResourceTypes` with
    /// read-only attributes, is returned on every User and Group; writes of
    /// it are ignored (RFC 7644 §3.5.1).
    VendorAttributes,
    /// Lists return at most 1 resource per page, whatever `count` asks.
    PageCap,
    /// Resource ids look like `usr_01HV…-._~…`: long, URL-safe, unusual.
    UnusualIds,
    /// `meta.created` and `meta.lastModified` have whole-second resolution.
    SecondTimestamps,
    /// `/ServiceProviderConfig` advertises no etag, sort, bulk or
    /// changePassword; no ETag header and no `meta.version`.
    NoOptionalFeatures,
    /// Nothing is changed (for targets whose unusual part is their data or
    /// their other traffic, not their answers).
    Transparent,
    // ---- H5 (entra): Entra ID defects ----------------------------------
    /// A list without `count` is refused with 400.
    PagingParamsRequired,
    /// Responses say `text/html`.
    TextHtmlContentType,
    /// A create carrying read-only `meta` is refused with 400.
    RequestMetaRejected,
    /// An `externalId eq` filter never matches.
    ExternalIdFilterEmpty,
    /// A `userName eq` filter never matches.
    UserLookupEmpty,
    /// `userName` is returned lower-cased.
    UserNameLowercased,
    /// PATCH ops other than lower-case `add`/`replace`/`remove` are refused.
    CapitalisedOpsRejected,
    /// Dotted or URN keys inside a path-less replace are dropped.
    DottedKeysIgnored,
    /// PATCH ops with a value-filter path (`emails[type eq "work"]…`) are dropped.
    FilterPathIgnored,
    /// PATCH ops on a `urn:…:attribute` path are dropped.
    UrnPathIgnored,
    /// A PATCH of `userName` is refused as immutable.
    UserNameImmutable,
    /// `add` ops on single-valued attributes are dropped.
    SingleValuedAddIgnored,
    /// String booleans (`"True"`/`"False"`) are refused with 400.
    StringBooleanRejected,
    /// The string `"True"` is read as false.
    StringTrueIsFalse,
    /// Setting `active` false (any shape) deletes the user.
    DisableDeletes,
    /// DELETE /Users answers 204 and deletes nothing.
    UserDeleteIgnored,
    /// An inactive user reads as 404.
    InactiveUserIs404,
    /// A manager given as a plain string id is refused with 400.
    ManagerPlainIdRejected,
    /// `manager` is returned as a bare string instead of `{value, $ref}`.
    ManagerAsString,
    /// `remove` on the manager path is dropped.
    ManagerRemoveIgnored,
    /// A body listing a non-URN schema (Entra's ADSCIM Group) is refused.
    UnknownSchemaRejected,
    /// `excludedAttributes` is ignored.
    ExcludedAttributesIgnored,
    /// A member value carrying `"$ref": null` is refused with 400.
    NullRefRejected,
    /// `remove` on path `members` with a value array is dropped.
    ValueArrayRemoveIgnored,
    /// A second group with the same displayName is created.
    DuplicateGroupNamesAllowed,
    /// `/Schemas` does not exist (404).
    SchemasEndpointMissing,
    /// `/ResourceTypes` does not exist (404).
    ResourceTypesMissing,
    /// A filter joining clauses with `and` is refused with 400.
    AndFilterRejected,
    // ---- H5 (entra): quirks (conformant) -------------------------------
    /// Error bodies carry only `schemas` and `status`.
    MinimalErrorBody,
    /// Resource ids look like integers (`900000001`), as many databases make them.
    IntegerIds,
    // ---- H6 (rfc7644) defects ------------------------------------------
    /// `/ServiceProviderConfig` does not exist (404).
    SpcMissing,
    /// `/Schemas` answers an empty ListResponse.
    SchemasEmpty,
    /// `/Schemas/{urn}` answers 404.
    SchemaByUrnMissing,
    /// Extension schemas named by `/ResourceTypes` are not served.
    ExtensionSchemaMissing,
    /// POST answers 200 instead of 201.
    CreateAnswers200,
    /// PUT merges the body into the stored resource instead of replacing it.
    PutMerges,
    /// User responses carry `password`.
    PasswordReturned,
    /// A second group with a taken displayName is created anyway.
    GroupDuplicatesAllowed,
    /// `meta.lastModified` always equals `meta.created`.
    LastModifiedFrozen,
    /// `meta.version` and the ETag never change.
    VersionFrozen,
    /// A PATCH of `id` or `meta.*` answers 200 as if the value had changed.
    ReadOnlyPatchApplied,
    /// Requests with `Content-Type: application/scim+json` are refused (415).
    ScimJsonRejected,
    /// Responses say `text/plain`.
    TextPlainContentType,
    /// A malformed JSON body crashes the server (500).
    MalformedJsonIs500,
    /// A filter that does not parse is ignored (everything is returned).
    InvalidFilterReturnsAll,
    /// Error bodies carry a wrong `scimType`.
    ScimTypeWrong,
    /// Responses carry no ETag header.
    EtagHeaderMissing,
    /// `If-Match` is ignored.
    IfMatchIgnored,
    /// `If-None-Match` is ignored.
    IfNoneMatchIgnored,
    /// `totalResults` is the size of the page.
    TotalIsPageSize,
    /// `count=0` is ignored (resources are returned).
    CountZeroIgnored,
    /// A filter using this operator (text in the decoded filter) is dropped:
    /// everything is returned.
    FilterOperatorIgnored(&'static str),
    /// `sortBy`/`sortOrder` are ignored.
    SortIgnored,
    /// `attributes`/`excludedAttributes` are ignored.
    AttributesIgnored,
    /// PATCH operations with this `op` are dropped.
    PatchOpDropped(&'static str),
    /// PATCH operations whose path has a value filter (`[…]`) are dropped.
    ValueFilterPathIgnored,
    /// PATCH answers 200 with `{}` instead of the resource.
    Patch200Empty,
    /// PATCH answers 200 with no body at all (a 204 mislabelled).
    Patch200NoBody,
    /// Users carry `active` as the string `"true"` (contradicting /Schemas).
    DeclaredTypeContradiction,
    /// `/ServiceProviderConfig` advertises bulk, but `/Bulk` does not exist.
    BulkAdvertisedButMissing,
    /// A PATCH of `password` is refused with 400.
    PasswordChangeRefused,
    // ---- H6 (rfc7644) quirks (conformant) ------------------------------
    /// Error bodies carry only `schemas` and `status`.
    MinimalErrorBodies,
    /// A ListResponse with `totalResults: 0` has no `Resources`.
    EmptyListOmitsResources,
    /// Unsorted lists come newest first.
    ReverseListOrder,
    /// JSON bodies are pretty-printed.
    PrettyJson,
    /// ETags are not advertised: no `ETag` header, no `meta.version`.
    NoEtags,
    /// Unassigned attributes come back as `null` (single) or `[]` (multi).
    NullForUnassigned,
    // ---- issue 10 (schema): declared-schema audit and round trip ---------
    /// Users carry two attributes no schema declares (`legacyId`, `tenantTier`).
    TwoUndeclaredAttributes,
    /// `/ResourceTypes` and `/Schemas` declare a custom User extension
    /// (`urn:example:params:scim:schemas:extension:acme:2.0:User` with
    /// `costCenter` and `badgeNumber`); writes to it are accepted and dropped.
    CustomExtensionDropped,
    /// Any write carrying `nickName` is refused with 400 `invalidValue`.
    NickNameRefused,
    // ---- issue 12 (entitlements) ----------------------------------------
    /// Role and entitlement endpoints ignore `startIndex` (always page one).
    EntitlementStartIndexIgnored,
    /// Roles and entitlements come without `displayName`.
    EntitlementDisplayNameMissing,
    /// POST and PUT of a user drop `roles` and `entitlements`.
    GrantsDropped,
    /// Any PATCH of a user (Okta's deactivation) also clears its grants.
    DeactivationDropsGrants,
    /// A PUT with `entitlements: []` keeps the stored entitlements.
    RevokedGrantKept,
    /// `/ResourceTypes` lists none of Okta's types (a plain SCIM server; quirk).
    OktaTypesHidden,
    /// A role or entitlement read by id answers 404 (only lists work).
    EntitlementByIdMissing,
    /// `/ResourceTypes` gives Okta's types an extension `/Schemas` does not serve.
    EntitlementExtensionUnserved,
    // ---- issue 13 (security) ---------------------------------------------
    /// 401 answers carry no `WWW-Authenticate` header.
    NoWwwAuthenticate,
    /// A filter the server refuses (400) is answered 200 with an empty list.
    BadFilterIsEmpty200,
    /// The bearer scheme is matched case-sensitively (`bearer x` is 401).
    BearerCaseSensitive,
    /// PATCH `replace` of `active` with `true` answers 200 and changes nothing.
    PathActiveTrueIgnored,
    /// Any `Authorization` scheme is let in: `Basic …` is answered as a valid token.
    AnySchemeAccepted,
    // ---- issue 12 (IdP profiles) ------------------------------------------
    /// The last page of an unfiltered `/Groups` list loses its last group.
    LastListedGroupLost,
    /// A filter on `emails` without a sub-attribute is refused with 400.
    MultiValuedFilterRejected,
    /// `DELETE /Users/{id}` is refused with 405.
    UserDeleteRefused,
    /// A PATCH `add` of `members` replaces the members instead.
    MemberAddReplaces,
    /// A PATCH of a group answers 200 with the group unchanged.
    GroupPatchIgnored,
    /// A POST or PUT whose `active` is a string is refused with 400.
    StringActiveRejected,
    /// A member PATCH of a group is done as GET group, a pause, PUT group:
    /// concurrent member PATCHes overwrite each other (lost updates).
    MemberPatchReadModifyWrite,
    /// A query ending in `&` (OneLogin's `?filter=…&`) is refused with 400,
    /// as a strict query parser would.
    TrailingAmpersandRejected,
    /// An empty query (OneLogin's `PUT /Users/{id}?`) is refused with 400.
    EmptyQueryRejected,
    // ---- issue 14 (load): defects that only show under concurrency -------
    /// One member add that overlaps another PATCH of the same group is
    /// answered 200 and dropped (a read-modify-write race).
    LosesConcurrentMemberAdd,
    /// A create racing another create of the same userName is not refused:
    /// a second account is made (and both are listed under that userName).
    DuplicateUserOnRace,
    /// Every fifth request is answered 429 without `Retry-After`.
    ThrottleEveryFifthNoRetryAfter,
}

impl Fault {
    /// Rewrites the request, or answers it without going upstream.
    pub async fn on_request(&self, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
        use Fault::*;
        let bearer = |t: &str| HeaderValue::from_str(&format!("Bearer {t}")).ok();
        match self {
            GroupsEndpointMissing if req.path.starts_with("/scim/v2/Groups") => {
                return Some(Resp::scim_error(404, "no such endpoint"));
            }
            CountIgnored => {
                let pairs: Vec<_> = req
                    .query_pairs()
                    .into_iter()
                    .filter(|(k, _)| k != "count")
                    .collect();
                req.set_query_pairs(&pairs);
            }
            RequiresAttributesParam
                if req.method == Method::GET
                    && req.path == "/scim/v2/Users"
                    && !req.query_pairs().iter().any(|(k, _)| k == "attributes") =>
            {
                return Some(Resp::scim_error(400, "attributes is required"));
            }
            PlusNotDecoded => {
                if let Some(q) = &req.query {
                    req.query = Some(q.replace('+', "%2B"));
                }
            }
            PutIgnored if req.method == Method::PUT => {
                return Some(current(req, ctx).await);
            }
            RejectsReadOnlyInPut if req.method == Method::PUT => {
                if let Some(body) = req.json() {
                    if body.get("id").is_some() || body.get("meta").is_some() {
                        return Some(Resp::scim_error(400, "id and meta are read-only"));
                    }
                }
            }
            PutDropsActive if req.method == Method::PUT => edit_json(req, |b| {
                if let Some(o) = b.as_object_mut() {
                    o.remove("active");
                }
            }),
            PathlessPatchIgnored
                if req.method == Method::PATCH
                    && operations(req).iter().any(|op| op.get("path").is_none()) =>
            {
                return Some(current(req, ctx).await);
            }
            ReactivationIgnored if req.method == Method::PATCH => {
                let activates = operations(req)
                    .iter()
                    .any(|op| op.get("path").is_none() && op["value"]["active"] == json!(true));
                if activates {
                    return Some(current(req, ctx).await);
                }
            }
            DeactivateDeletes if req.method == Method::PATCH || req.method == Method::PUT => {
                let deactivates = operations(req)
                    .iter()
                    .any(|op| op["value"]["active"] == json!(false))
                    || (req.method == Method::PUT
                        && req.json().is_some_and(|b| b["active"] == json!(false)));
                if deactivates && req.is_item("Users") {
                    let mut delete = req.clone();
                    delete.method = Method::DELETE;
                    delete.body = Default::default();
                    ctx.upstream.send(&delete).await;
                    return Some(Resp::empty(204));
                }
            }
            UserTypeDropped if req.method == Method::POST || req.method == Method::PUT => {
                edit_json(req, |b| {
                    if let Some(o) = b.as_object_mut() {
                        o.remove("userType");
                    }
                });
            }
            RolesDropped if req.method == Method::POST || req.method == Method::PUT => {
                edit_json(req, |b| {
                    if let Some(o) = b.as_object_mut() {
                        o.remove("roles");
                    }
                });
            }
            RolesAppended if req.method == Method::PUT && req.is_item("Users") => {
                let old = ctx.upstream.get_json(&req.path, &ctx.creds).await;
                let old_roles = old.and_then(|o| o.get("roles").cloned());
                edit_json(req, |b| {
                    if let (Some(Value::Array(old)), Some(Value::Array(new))) =
                        (old_roles.clone(), b.get_mut("roles"))
                    {
                        for role in old {
                            if !new.contains(&role) {
                                new.push(json!({"value": role["value"], "primary": false}));
                            }
                        }
                    }
                });
            }
            UnknownRoleRejected if req.method == Method::POST || req.method == Method::PUT => {
                let known = ["admin", "member", "editor"];
                let unknown = req
                    .json()
                    .and_then(|b| b.get("roles").cloned())
                    .is_some_and(|roles| {
                        roles.as_array().is_some_and(|list| {
                            list.iter().any(|r| {
                                r["value"].as_str().is_some_and(|v| {
                                    !known.contains(&v.to_ascii_lowercase().as_str())
                                })
                            })
                        })
                    });
                if unknown {
                    return Some(Resp::scim_error(400, "unknown role"));
                }
            }
            RevokedTokenAccepted | AnyTokenAccepted => {
                let presented = req
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok());
                let swap = match self {
                    RevokedTokenAccepted => {
                        presented == Some(&format!("Bearer {}", ctx.creds.revoked))
                    }
                    _ => presented.is_some_and(|p| p.starts_with("Bearer ") && p.len() > 7),
                };
                if swap {
                    if let Some(v) = bearer(&ctx.creds.valid) {
                        req.headers.insert(header::AUTHORIZATION, v);
                    }
                }
            }
            MissingAuthAccepted if !req.headers.contains_key(header::AUTHORIZATION) => {
                if let Some(v) = bearer(&ctx.creds.valid) {
                    req.headers.insert(header::AUTHORIZATION, v);
                }
            }
            MalformedAuthIs500 => {
                let well_formed = req
                    .headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7);
                if !well_formed && req.headers.contains_key(header::AUTHORIZATION) {
                    return Some(Resp {
                        status: StatusCode::INTERNAL_SERVER_ERROR,
                        headers: Default::default(),
                        body: "NullPointerException".into(),
                    });
                }
            }
            GroupLookupEmpty
                if req.method == Method::GET
                    && req.path == "/scim/v2/Groups"
                    && req.query_pairs().iter().any(|(k, _)| k == "filter") =>
            {
                let mut resp = Resp::empty(200);
                resp.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/scim+json"),
                );
                resp.set_json(
                    &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []}),
                );
                return Some(resp);
            }
            MemberRemoveDropped if req.method == Method::PATCH && req.is_item("Groups") => {
                let is_remove = |op: &Value| {
                    op["op"]
                        .as_str()
                        .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
                };
                let ops = operations(req);
                if !ops.is_empty() && ops.iter().all(is_remove) {
                    // Nothing left to apply: answer as if it worked.
                    return Some(current(req, ctx).await);
                }
                edit_json(req, |b| {
                    if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                        ops.retain(|op| !is_remove(op));
                    }
                });
            }
            RenameWithIdRejected
                if req.method == Method::PATCH
                    && operations(req)
                        .iter()
                        .any(|op| op["value"].get("id").is_some()) =>
            {
                return Some(Resp::scim_error(400, "id is read-only"));
            }
            PushNowMerges if req.method == Method::PATCH => edit_json(req, |b| {
                if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                    for op in ops {
                        if op["op"] == json!("replace") && op["path"] == json!("members") {
                            op["op"] = json!("add");
                        }
                    }
                }
            }),
            GroupDeleteIgnored if req.method == Method::DELETE && req.is_item("Groups") => {
                return Some(Resp::empty(204));
            }
            ZeroBasedPaging => {
                let pairs: Vec<_> = req
                    .query_pairs()
                    .into_iter()
                    .map(|(k, v)| match (k.as_str(), v.parse::<u64>()) {
                        ("startIndex", Ok(n)) => (k, (n + 1).to_string()),
                        _ => (k, v),
                    })
                    .collect();
                req.set_query_pairs(&pairs);
            }
            AlwaysThrottle => return Some(throttled()),
            NamesNotStored if req.method == Method::POST => edit_json(req, |b| {
                if let Some(o) = b.as_object_mut() {
                    o.remove("name");
                }
            }),
            _ if self.is_quirk() => return quirk_on_request(*self, req, ctx).await,
            _ if self.is_entra() => return entra_on_request(*self, req, ctx).await,
            // ---- H6 (rfc7644) ----
            _ if self.is_rfc() => return rfc_on_request(*self, req, ctx).await,
            // ---- issue 10 (schema) ----
            _ if self.is_schema() => return schema_on_request(*self, req, ctx).await,
            // ---- issue 12 (entitlements) ----
            _ if self.is_entitlements() => {
                return entitlements_on_request(*self, req, ctx).await;
            }
            _ if self.is_security() => return security::on_request(*self, req, ctx).await,
            // ---- issue 12 (IdP profiles) ----
            _ if self.is_idps() => return idps_on_request(*self, req, ctx).await,
            // ---- issue 14 (load) ----
            _ if self.is_load() => return load_on_request(*self, req, ctx).await,
            _ => {}
        }
        None
    }

    /// Rewrites the response.
    pub async fn on_response(&self, req: &Req, resp: &mut Resp, ctx: &Ctx) {
        use Fault::*;
        match self {
            CreateReturnsEmptyBody
                if req.method == Method::POST && resp.status == StatusCode::CREATED =>
            {
                resp.body = Default::default();
                resp.headers.remove(header::CONTENT_LENGTH);
            }
            CaseSensitiveUserName => {
                if let Some(wanted) = filter_value(req, "userName") {
                    edit_list(resp, |r| r["userName"].as_str() == Some(wanted.as_str()));
                }
            }
            DuplicatesAllowed
                if req.method == Method::POST && resp.status == StatusCode::CONFLICT =>
            {
                let mut again = req.clone();
                edit_json(&mut again, |b| {
                    if let Some(u) = b["userName"].as_str() {
                        b["userName"] = json!(format!("dup-{}", u));
                    }
                });
                *resp = ctx.upstream.send(&again).await;
            }
            NotFoundForEmptyFilter => {
                let empty = resp.json().is_some_and(|b| b["totalResults"] == json!(0));
                if req.method == Method::GET
                    && empty
                    && req.query_pairs().iter().any(|(k, _)| k == "filter")
                {
                    *resp = Resp::scim_error(404, "no match");
                }
            }
            UnknownIdIs200 if resp.status == StatusCode::NOT_FOUND && req.method == Method::GET => {
                resp.status = StatusCode::OK;
                resp.set_json(&json!({}));
            }
            InactiveHiddenFromFilter if req.query_pairs().iter().any(|(k, _)| k == "filter") => {
                edit_list(resp, |r| r["active"] != json!(false));
            }
            RoleMappingCaseSensitive => edit_users(resp, |u| {
                let sent = u["roles"]
                    .as_array()
                    .and_then(|r| r.first())
                    .and_then(|r| r["value"].as_str());
                let product = "urn:scimulator:params:scim:schemas:extension:product:2.0:User";
                if sent.is_some_and(|s| s != "Admin" && s != "Editor" && s != "Member")
                    && u[product]["roleSource"] == json!("mapping")
                {
                    u[product] = json!({"role": "member", "roleSource": "default"});
                }
            }),
            UnknownRoleGetsAdmin => edit_users(resp, |u| {
                let product = "urn:scimulator:params:scim:schemas:extension:product:2.0:User";
                if u[product]["roleSource"] == json!("default") {
                    u[product] = json!({"role": "admin", "roleSource": "mapping"});
                }
            }),
            NumericErrorStatus if resp.status.as_u16() >= 400 => {
                if let Some(mut b) = resp.json() {
                    b["status"] = json!(resp.status.as_u16());
                    resp.set_json(&b);
                }
            }
            UserGroupsMissing => edit_users(resp, |u| {
                if let Some(o) = u.as_object_mut() {
                    o.remove("groups");
                }
            }),
            DuplicateOnPage if !req.query_pairs().iter().any(|(k, _)| k == "filter") => {
                // Unfiltered lists (imports) repeat their first resource, in a
                // consistent envelope (the total counts the duplicate), so only
                // the uniqueness check can notice.
                if let Some(mut b) = resp.json()
                    && let Some(Value::Array(list)) = b.get_mut("Resources")
                    && let Some(first) = list.first().cloned()
                {
                    list.push(first);
                    let n = list.len();
                    b["itemsPerPage"] = json!(n);
                    b["totalResults"] = json!(b["totalResults"].as_u64().unwrap_or(0) + 1);
                    resp.set_json(&b);
                }
            }
            ZeroBasedPaging => {
                if let Some(mut b) = resp.json() {
                    if let Some(n) = b["startIndex"].as_u64() {
                        b["startIndex"] = json!(n.saturating_sub(1).max(1));
                        resp.set_json(&b);
                    }
                }
            }
            PagingFieldsAsStrings => {
                if let Some(mut b) = resp.json() {
                    for key in ["totalResults", "itemsPerPage", "startIndex"] {
                        if let Some(n) = b.get(key).and_then(Value::as_u64) {
                            b[key] = json!(n.to_string());
                        }
                    }
                    resp.set_json(&b);
                }
            }
            EmailsMissing => edit_users(resp, |u| {
                if let Some(o) = u.as_object_mut() {
                    o.remove("emails");
                }
            }),
            UnstableOrder if !req.query_pairs().iter().any(|(k, _)| k == "filter") => {
                let flip = !ctx
                    .fired
                    .fetch_xor(true, std::sync::atomic::Ordering::SeqCst);
                if flip
                    && let Some(mut b) = resp.json()
                    && let Some(Value::Array(list)) = b.get_mut("Resources")
                {
                    list.reverse();
                    resp.set_json(&b);
                }
            }
            _ if self.is_quirk() => quirk_on_response(*self, req, resp, ctx).await,
            _ if self.is_entra() => entra_on_response(*self, req, resp, ctx).await,
            // ---- H6 (rfc7644) ----
            _ if self.is_rfc() => rfc_on_response(*self, req, resp, ctx).await,
            // ---- issue 10 (schema) ----
            _ if self.is_schema() => schema_on_response(*self, req, resp, ctx).await,
            // ---- issue 12 (entitlements) ----
            _ if self.is_entitlements() => entitlements_on_response(*self, req, resp, ctx).await,
            _ if self.is_security() => security::on_response(*self, req, resp),
            // ---- issue 12 (IdP profiles) ----
            _ if self.is_idps() => idps_on_response(*self, req, resp, ctx).await,
            _ if self.is_load() => load_on_response(*self, req, resp, ctx).await,
            _ => {}
        }
    }
}

fn throttled() -> Resp {
    let mut r = Resp::scim_error(429, "slow down");
    r.headers
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// The resource as it is now, answered as if the write had succeeded.
async fn current(req: &Req, ctx: &Ctx) -> Resp {
    let mut get = req.clone();
    get.method = Method::GET;
    get.body = Default::default();
    get.query = None;
    ctx.upstream.send(&get).await
}

fn operations(req: &Req) -> Vec<Value> {
    req.json()
        .and_then(|b| b.get("Operations").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn edit_json(req: &mut Req, edit: impl FnOnce(&mut Value)) {
    if let Some(mut body) = req.json() {
        edit(&mut body);
        req.set_json(&body);
        req.headers.remove(header::CONTENT_LENGTH);
    }
}

/// Applies `edit` to a single user body or to every user of a list.
fn edit_users(resp: &mut Resp, mut edit: impl FnMut(&mut Value)) {
    let Some(mut body) = resp.json() else { return };
    if let Some(Value::Array(list)) = body.get_mut("Resources") {
        list.iter_mut().for_each(&mut edit);
    } else if body.get("userName").is_some() {
        edit(&mut body);
    } else {
        return;
    }
    resp.set_json(&body);
}

// ---- H6 (rfc7644): defects and quirks of the RFC 7644 core suite ----------
mod rfc;
use rfc::{rfc_on_request, rfc_on_response};

// ---- H5 (entra): defects and quirks of the Entra ID suites ---------------
mod entra;
use entra::{entra_on_request, entra_on_response};

// ---- issue 10 (schema): declared-schema audit and round trip -------------
pub mod schema;
use schema::{schema_on_request, schema_on_response};

// ---- issue 12 (entitlements): Okta's roles and entitlements --------------
mod entitlements;
use entitlements::{entitlements_on_request, entitlements_on_response};
// ---- issue 13 (security): authentication and silent-write defects --------
mod security;
// ---- issue 12: defects of the IdP profiles' suites ------------------------
mod idps;
use idps::{idps_on_request, idps_on_response};
// ---- list and filter helpers the sections share ---------------------------
mod edit;
use edit::{edit_list, filter_value};
// ---- issue 14 (load): concurrency defects ----------------------------------
pub mod load;
use load::{load_on_request, load_on_response};

// ---- quirks of the conformant-but-unusual server matrix -------------------
pub mod quirks;
pub use quirks::IdStyle;
use quirks::{quirk_on_request, quirk_on_response};
