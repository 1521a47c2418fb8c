//! H6's section of the fault catalogue: the defects and conformant quirks
//! of the RFC 7644 core suite (`suites/rfc7644`), proved by `rfc_defects.rs`.
//! (`ResourceTypesMissing` and `UserDeleteIgnored` are shared with the Entra
//! section, which implements them.)

use axum::http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json, edit_users, operations};

impl Fault {
    /// Whether the variant belongs to the rfc7644 section below.
    pub(super) fn is_rfc(&self) -> bool {
        use Fault::*;
        matches!(
            self,
            SpcMissing
                | SchemasEmpty
                | SchemaByUrnMissing
                | ExtensionSchemaMissing
                | CreateAnswers200
                | PutMerges
                | PasswordReturned
                | GroupDuplicatesAllowed
                | LastModifiedFrozen
                | VersionFrozen
                | ReadOnlyPatchApplied
                | ScimJsonRejected
                | TextPlainContentType
                | MalformedJsonIs500
                | InvalidFilterReturnsAll
                | ScimTypeWrong
                | EtagHeaderMissing
                | IfMatchIgnored
                | IfNoneMatchIgnored
                | TotalIsPageSize
                | CountZeroIgnored
                | FilterOperatorIgnored(_)
                | SortIgnored
                | AttributesIgnored
                | PatchOpDropped(_)
                | ValueFilterPathIgnored
                | Patch200Empty
                | Patch200NoBody
                | DeclaredTypeContradiction
                | BulkAdvertisedButMissing
                | PasswordChangeRefused
                | MinimalErrorBodies
                | EmptyListOmitsResources
                | ReverseListOrder
                | PrettyJson
                | NoEtags
                | NullForUnassigned
        )
    }
}

const SCIM: &str = "/scim/v2";

fn drop_query(req: &mut Req, names: &[&str]) {
    let pairs: Vec<_> = req
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .collect();
    req.set_query_pairs(&pairs);
}

/// The decoded `filter` query parameter.
fn decoded_filter(req: &Req) -> Option<String> {
    let (_, raw) = req.query_pairs().into_iter().find(|(k, _)| k == "filter")?;
    percent_encoding::percent_decode_str(&raw.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

fn op_is(op: &Value, name: &str) -> bool {
    op["op"]
        .as_str()
        .is_some_and(|o| o.eq_ignore_ascii_case(name))
}

pub(super) async fn rfc_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    use Fault::*;
    let path = req.path.clone();
    match fault {
        SpcMissing if path == format!("{SCIM}/ServiceProviderConfig") => {
            return Some(Resp::scim_error(404, "no such endpoint"));
        }
        SchemaByUrnMissing if path.starts_with(&format!("{SCIM}/Schemas/")) => {
            return Some(Resp::scim_error(404, "no such schema"));
        }
        ExtensionSchemaMissing
            if path.starts_with(&format!("{SCIM}/Schemas/")) && path.contains("extension") =>
        {
            return Some(Resp::scim_error(404, "no such schema"));
        }
        PutMerges if req.method == Method::PUT => {
            let old = ctx.upstream.get_json(&req.path, &ctx.creds).await;
            edit_json(req, |b| {
                if let (Some(Value::Object(old)), Some(new)) = (old, b.as_object_mut()) {
                    for (k, v) in old {
                        new.entry(k).or_insert(v);
                    }
                }
            });
        }
        ReadOnlyPatchApplied if req.method == Method::PATCH => {
            let ops = operations(req);
            let hit = ops.iter().find(|op| {
                op["path"]
                    .as_str()
                    .is_some_and(|p| p == "id" || p.starts_with("meta"))
            });
            if let Some(op) = hit.cloned() {
                let mut resp = current(req, ctx).await;
                if let Some(mut b) = resp.json() {
                    match op["path"].as_str() {
                        Some("id") => b["id"] = op["value"].clone(),
                        _ => b["meta"]["created"] = op["value"].clone(),
                    }
                    resp.set_json(&b);
                }
                return Some(resp);
            }
        }
        ScimJsonRejected => {
            let scim = req
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/scim+json"));
            if scim {
                return Some(Resp::scim_error(415, "unsupported media type"));
            }
        }
        MalformedJsonIs500
            if !req.body.is_empty()
                && req.json().is_none()
                && [Method::POST, Method::PUT, Method::PATCH].contains(&req.method) =>
        {
            return Some(Resp {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                headers: Default::default(),
                body: "Internal Server Error".into(),
            });
        }
        IfMatchIgnored => {
            req.headers.remove(header::IF_MATCH);
        }
        IfNoneMatchIgnored => {
            req.headers.remove(header::IF_NONE_MATCH);
        }
        CountZeroIgnored
            if req
                .query_pairs()
                .iter()
                .any(|(k, v)| k == "count" && v == "0") =>
        {
            drop_query(req, &["count"]);
        }
        FilterOperatorIgnored(op) if decoded_filter(req).is_some_and(|f| f.contains(op)) => {
            drop_query(req, &["filter"]);
        }
        SortIgnored => drop_query(req, &["sortBy", "sortOrder"]),
        AttributesIgnored => drop_query(req, &["attributes", "excludedAttributes"]),
        PatchOpDropped(name) if req.method == Method::PATCH => {
            return drop_operations(req, ctx, |op| op_is(op, name)).await;
        }
        ValueFilterPathIgnored if req.method == Method::PATCH => {
            return drop_operations(req, ctx, |op| {
                op["path"].as_str().is_some_and(|p| p.contains('['))
            })
            .await;
        }
        PasswordChangeRefused
            if req.method == Method::PATCH
                && operations(req)
                    .iter()
                    .any(|op| op["path"].as_str() == Some("password")) =>
        {
            return Some(Resp::scim_error(400, "password cannot be changed"));
        }
        ReverseListOrder
            if req.method == Method::GET
                && (path == format!("{SCIM}/Users") || path == format!("{SCIM}/Groups"))
                && !req.query_pairs().iter().any(|(k, _)| k == "sortBy") =>
        {
            let mut pairs = req.query_pairs();
            pairs.push(("sortBy".to_owned(), "meta.created".to_owned()));
            pairs.push(("sortOrder".to_owned(), "descending".to_owned()));
            req.set_query_pairs(&pairs);
        }
        _ => {}
    }
    None
}

/// Silently drops the PATCH operations for which `dropped` holds; when none
/// is left, answers 200 with the unchanged resource (as a server ignoring them).
async fn drop_operations(
    req: &mut Req,
    ctx: &Ctx,
    dropped: impl Fn(&Value) -> bool,
) -> Option<Resp> {
    let mut left = 0;
    edit_json(req, |b| {
        if let Some(Value::Array(ops)) = b.get_mut("Operations") {
            ops.retain(|op| !dropped(op));
            left = ops.len();
        }
    });
    if left == 0 {
        return Some(current(req, ctx).await);
    }
    None
}

/// Applies `edit` to a single resource (a body with `id`) or to every
/// resource of a ListResponse.
fn edit_resources(resp: &mut Resp, mut edit: impl FnMut(&mut Value)) {
    let Some(mut body) = resp.json() else { return };
    if let Some(Value::Array(list)) = body.get_mut("Resources") {
        list.iter_mut().for_each(&mut edit);
    } else if body.get("id").is_some() {
        edit(&mut body);
    } else {
        return;
    }
    resp.set_json(&body);
}

pub(super) async fn rfc_on_response(fault: Fault, req: &Req, resp: &mut Resp, ctx: &Ctx) {
    use Fault::*;
    let is_error = resp.status.as_u16() >= 400;
    match fault {
        SchemasEmpty if req.path == format!("{SCIM}/Schemas") => {
            resp.set_json(
                &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 0, "itemsPerPage": 0, "startIndex": 1, "Resources": []}),
            );
        }
        CreateAnswers200 if req.method == Method::POST && resp.status == StatusCode::CREATED => {
            resp.status = StatusCode::OK;
        }
        PasswordReturned => edit_users(resp, |u| u["password"] = json!("t1meMachine!")),
        GroupDuplicatesAllowed
            if req.method == Method::POST
                && req.path == format!("{SCIM}/Groups")
                && resp.status == StatusCode::CONFLICT =>
        {
            let mut again = req.clone();
            edit_json(&mut again, |b| {
                if let Some(n) = b["displayName"].as_str() {
                    b["displayName"] = json!(format!("{n} (2)"));
                }
            });
            *resp = ctx.upstream.send(&again).await;
        }
        LastModifiedFrozen => edit_resources(resp, |r| {
            if let Some(created) = r["meta"].get("created").cloned() {
                r["meta"]["lastModified"] = created;
            }
        }),
        VersionFrozen => {
            edit_resources(resp, |r| {
                if r["meta"].get("version").is_some() {
                    r["meta"]["version"] = json!("W/\"1\"");
                }
            });
            if resp.headers.contains_key(header::ETAG) {
                resp.headers
                    .insert(header::ETAG, HeaderValue::from_static("W/\"1\""));
            }
        }
        TextPlainContentType if !resp.body.is_empty() => {
            resp.headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        }
        InvalidFilterReturnsAll
            if resp.status == StatusCode::BAD_REQUEST
                && resp
                    .json()
                    .is_some_and(|b| b["scimType"] == json!("invalidFilter")) =>
        {
            let mut again = req.clone();
            drop_query(&mut again, &["filter"]);
            *resp = ctx.upstream.send(&again).await;
        }
        ScimTypeWrong if is_error => {
            if let Some(mut b) = resp.json() {
                if b.get("scimType").is_some() {
                    b["scimType"] = json!("invalidValue");
                    resp.set_json(&b);
                }
            }
        }
        EtagHeaderMissing => {
            resp.headers.remove(header::ETAG);
        }
        TotalIsPageSize => {
            if let Some(mut b) = resp.json() {
                if let Some(n) = b.get("Resources").and_then(Value::as_array).map(Vec::len) {
                    b["totalResults"] = json!(n);
                    resp.set_json(&b);
                }
            }
        }
        Patch200Empty if req.method == Method::PATCH && resp.status == StatusCode::OK => {
            resp.set_json(&json!({}));
        }
        Patch200NoBody if req.method == Method::PATCH && resp.status == StatusCode::OK => {
            resp.body = Default::default();
            resp.headers.remove(header::CONTENT_LENGTH);
        }
        DeclaredTypeContradiction => edit_users(resp, |u| {
            if let Some(a) = u.get("active").and_then(Value::as_bool) {
                u["active"] = json!(a.to_string());
            }
        }),
        BulkAdvertisedButMissing if req.path == format!("{SCIM}/ServiceProviderConfig") => {
            if let Some(mut b) = resp.json() {
                b["bulk"] =
                    json!({"supported": true, "maxOperations": 10, "maxPayloadSize": 1_000_000});
                resp.set_json(&b);
            }
        }
        MinimalErrorBodies if is_error => {
            let status = resp.status.as_u16().to_string();
            resp.set_json(
                &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": status}),
            );
        }
        EmptyListOmitsResources => {
            if let Some(mut b) = resp.json() {
                if b["totalResults"] == json!(0) {
                    if let Some(o) = b.as_object_mut() {
                        o.remove("Resources");
                    }
                    resp.set_json(&b);
                }
            }
        }
        PrettyJson => {
            if let Some(b) = resp.json() {
                if let Ok(text) = serde_json::to_string_pretty(&b) {
                    resp.body = text.into();
                    resp.headers.remove(header::CONTENT_LENGTH);
                }
            }
        }
        NoEtags => {
            resp.headers.remove(header::ETAG);
            if req.path == format!("{SCIM}/ServiceProviderConfig") {
                if let Some(mut b) = resp.json() {
                    b["etag"] = json!({"supported": false});
                    resp.set_json(&b);
                }
            } else {
                edit_resources(resp, |r| {
                    if let Some(meta) = r.get_mut("meta").and_then(Value::as_object_mut) {
                        meta.remove("version");
                    }
                });
            }
        }
        // Only attributes the request did not leave out: an excluded
        // attribute is omitted, not unassigned (RFC 7644 §3.9, RFC 7643 §2.5).
        NullForUnassigned if !req.query_pairs().iter().any(|(k, _)| k == "attributes") => {
            let excluded: Vec<String> = req
                .query_pairs()
                .into_iter()
                .filter(|(k, _)| k == "excludedAttributes")
                .flat_map(|(_, v)| {
                    percent_encoding::percent_decode_str(&v)
                        .decode_utf8_lossy()
                        .split(',')
                        .map(|a| a.trim().to_owned())
                        .collect::<Vec<_>>()
                })
                .collect();
            edit_resources(resp, |r| null_for_unassigned(r, &excluded));
        }
        _ => {}
    }
}

/// Adds `null` (single-valued) or `[]` (multi-valued) for unassigned
/// attributes of a User or Group, except those in `excluded`.
fn null_for_unassigned(r: &mut Value, excluded: &[String]) {
    let user = r.get("userName").is_some();
    // Only Users and Groups: other resource types (Okta's roles and
    // entitlements) declare neither list of attributes.
    let group = r["schemas"].as_array().is_some_and(|s| {
        s.iter()
            .any(|u| u == "urn:ietf:params:scim:schemas:core:2.0:Group")
    });
    if !user && !group {
        return;
    }
    let Some(o) = r.as_object_mut() else { return };
    let single: &[&str] = if user {
        &["nickName", "title", "displayName", "profileUrl"]
    } else {
        &[]
    };
    let multi: &[&str] = if user {
        &["phoneNumbers", "x509Certificates", "ims", "groups"]
    } else {
        &["members"]
    };
    let keep = |k: &&&str| !excluded.iter().any(|e| e.eq_ignore_ascii_case(k));
    for k in single.iter().filter(keep) {
        o.entry(*k).or_insert(Value::Null);
    }
    for k in multi.iter().filter(keep) {
        o.entry(*k).or_insert(json!([]));
    }
}
