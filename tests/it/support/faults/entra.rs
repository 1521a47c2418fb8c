//! H5's section of the fault catalogue: the defects and conformant quirks
//! of the Entra ID suites (`suites/entra`), proved by `entra_defects.rs`.

use axum::http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json, edit_list, edit_users, filter_value, operations};

impl Fault {
    /// Whether the variant is handled by the Entra section below.
    pub(super) fn is_entra(&self) -> bool {
        use Fault::*;
        matches!(
            self,
            AndFilterRejected
                | CapitalisedOpsRejected
                | DisableDeletes
                | DottedKeysIgnored
                | DuplicateGroupNamesAllowed
                | ExcludedAttributesIgnored
                | ExternalIdFilterEmpty
                | FilterPathIgnored
                | InactiveUserIs404
                | ManagerAsString
                | ManagerPlainIdRejected
                | ManagerRemoveIgnored
                | MinimalErrorBody
                | NullRefRejected
                | PagingParamsRequired
                | RequestMetaRejected
                | ResourceTypesMissing
                | SchemasEndpointMissing
                | SingleValuedAddIgnored
                | StringBooleanRejected
                | StringTrueIsFalse
                | TextHtmlContentType
                | UnknownSchemaRejected
                | UrnPathIgnored
                | UserDeleteIgnored
                | UserLookupEmpty
                | UserNameImmutable
                | UserNameLowercased
                | ValueArrayRemoveIgnored
        )
    }
}

/// The request side of the Entra faults.
pub(super) async fn entra_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    use Fault::*;
    match fault {
        PagingParamsRequired
            if req.method == Method::GET
                && (req.path == "/scim/v2/Users" || req.path == "/scim/v2/Groups")
                && !req.query_pairs().iter().any(|(k, _)| k == "count") =>
        {
            return Some(Resp::scim_error(400, "count is required"));
        }
        RequestMetaRejected
            if req.method == Method::POST
                && req.json().is_some_and(|b| b.get("meta").is_some()) =>
        {
            return Some(Resp::scim_error(400, "meta is read-only"));
        }
        CapitalisedOpsRejected
            if req.method == Method::PATCH
                && operations(req).iter().any(|op| {
                    op["op"]
                        .as_str()
                        .is_some_and(|o| o != o.to_ascii_lowercase())
                }) =>
        {
            return Some(Resp::scim_error(400, "invalid op"));
        }
        DottedKeysIgnored if req.method == Method::PATCH => {
            let emptied = edit_ops(req, |ops| {
                for op in ops.iter_mut() {
                    if op.get("path").is_none() {
                        if let Some(Value::Object(value)) = op.get_mut("value") {
                            value.retain(|k, _| !k.contains('.'));
                        }
                    }
                }
                ops.retain(|op| op.get("path").is_some() || op["value"] != json!({}));
            });
            if emptied {
                return Some(current(req, ctx).await);
            }
        }
        FilterPathIgnored
        | UrnPathIgnored
        | SingleValuedAddIgnored
        | ManagerRemoveIgnored
        | ValueArrayRemoveIgnored
            if req.method == Method::PATCH =>
        {
            let emptied = edit_ops(req, |ops| ops.retain(|op| !entra_drops(fault, op)));
            if emptied {
                return Some(current(req, ctx).await);
            }
        }
        UserNameImmutable
            if req.method == Method::PATCH
                && req.is_item("Users")
                && operations(req).iter().any(|op| {
                    op["path"]
                        .as_str()
                        .is_some_and(|p| p.eq_ignore_ascii_case("userName"))
                }) =>
        {
            return Some(Resp::scim_error(400, "userName is immutable"));
        }
        StringBooleanRejected
            if req.method == Method::PATCH
                && operations(req).iter().any(|op| {
                    op["value"].as_str().is_some_and(|v| {
                        v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
                    })
                }) =>
        {
            return Some(Resp::scim_error(400, "active must be a boolean"));
        }
        StringTrueIsFalse if req.method == Method::PATCH => edit_json(req, |b| {
            if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                for op in ops {
                    if op["value"] == json!("True") {
                        op["value"] = json!(false);
                    }
                }
            }
        }),
        DisableDeletes if req.method == Method::PATCH && req.is_item("Users") => {
            let disables = operations(req).iter().any(|op| {
                let path_active = op["path"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case("active"));
                (path_active && (op["value"] == json!(false) || op["value"] == json!("False")))
                    || op["value"]["active"] == json!(false)
            });
            if disables {
                let mut delete = req.clone();
                delete.method = Method::DELETE;
                delete.body = Default::default();
                ctx.upstream.send(&delete).await;
                return Some(Resp::empty(204));
            }
        }
        UserDeleteIgnored if req.method == Method::DELETE && req.is_item("Users") => {
            return Some(Resp::empty(204));
        }
        ManagerPlainIdRejected
            if req.method == Method::PATCH
                && operations(req).iter().any(|op| {
                    op["path"].as_str().is_some_and(|p| p.ends_with(":manager"))
                        && op["value"].is_string()
                }) =>
        {
            return Some(Resp::scim_error(400, "manager must be a complex value"));
        }
        UnknownSchemaRejected
            if (req.method == Method::POST || req.method == Method::PUT)
                && req.json().is_some_and(|b| {
                    b["schemas"].as_array().is_some_and(|list| {
                        list.iter()
                            .any(|s| s.as_str().is_some_and(|s| !s.starts_with("urn:")))
                    })
                }) =>
        {
            return Some(Resp::scim_error(400, "unknown schema"));
        }
        ExcludedAttributesIgnored => {
            let pairs: Vec<_> = req
                .query_pairs()
                .into_iter()
                .filter(|(k, _)| k != "excludedAttributes")
                .collect();
            req.set_query_pairs(&pairs);
        }
        NullRefRejected
            if req.method == Method::PATCH
                && operations(req).iter().any(|op| {
                    op["value"].as_array().is_some_and(|list| {
                        list.iter().any(|m| m.get("$ref") == Some(&Value::Null))
                    })
                }) =>
        {
            return Some(Resp::scim_error(400, "invalid $ref"));
        }
        SchemasEndpointMissing if req.path.starts_with("/scim/v2/Schemas") => {
            return Some(Resp::scim_error(404, "no such endpoint"));
        }
        ResourceTypesMissing if req.path.starts_with("/scim/v2/ResourceTypes") => {
            return Some(Resp::scim_error(404, "no such endpoint"));
        }
        AndFilterRejected
            if req.query_pairs().iter().any(|(k, v)| {
                k == "filter" && {
                    let v = v.to_ascii_lowercase();
                    v.contains("+and+") || v.contains("%20and%20")
                }
            }) =>
        {
            return Some(Resp::scim_error(400, "and is not supported"));
        }
        _ => {}
    }
    None
}

/// The response side of the Entra faults.
pub(super) async fn entra_on_response(fault: Fault, req: &Req, resp: &mut Resp, ctx: &Ctx) {
    use Fault::*;
    match fault {
        TextHtmlContentType if !resp.body.is_empty() => {
            resp.headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        }
        ExternalIdFilterEmpty if filter_value(req, "externalId").is_some() => {
            edit_list(resp, |_| false);
        }
        UserLookupEmpty
            if req.path == "/scim/v2/Users" && filter_value(req, "userName").is_some() =>
        {
            edit_list(resp, |_| false);
        }
        UserNameLowercased => edit_users(resp, |u| {
            if let Some(name) = u["userName"].as_str() {
                u["userName"] = json!(name.to_lowercase());
            }
        }),
        InactiveUserIs404
            if req.method == Method::GET
                && req.is_item("Users")
                && resp.json().is_some_and(|b| b["active"] == json!(false)) =>
        {
            *resp = Resp::scim_error(404, "no such user");
        }
        ManagerAsString => edit_users(resp, |u| {
            let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
            if let Some(id) = u[ext]["manager"]["value"].as_str().map(str::to_owned) {
                u[ext]["manager"] = json!(id);
            }
        }),
        DuplicateGroupNamesAllowed
            if req.method == Method::POST
                && req.path == "/scim/v2/Groups"
                && resp.status == StatusCode::CONFLICT =>
        {
            let mut again = req.clone();
            edit_json(&mut again, |b| {
                if let Some(n) = b["displayName"].as_str() {
                    b["displayName"] = json!(format!("dup-{n}"));
                }
            });
            *resp = ctx.upstream.send(&again).await;
        }
        MinimalErrorBody if resp.status.as_u16() >= 400 && !resp.body.is_empty() => {
            let status = resp.status.as_u16().to_string();
            resp.set_json(&json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": status,
            }));
        }
        _ => {}
    }
}

/// Edits the PATCH operations; true when none are left (the caller then
/// answers as if the PATCH had worked).
fn edit_ops(req: &mut Req, edit: impl FnOnce(&mut Vec<Value>)) -> bool {
    let mut emptied = false;
    edit_json(req, |b| {
        if let Some(Value::Array(ops)) = b.get_mut("Operations") {
            let before = ops.len();
            edit(ops);
            emptied = before > 0 && ops.is_empty();
        }
    });
    emptied
}

/// Whether an operation-dropping Entra fault drops `op`.
fn entra_drops(fault: Fault, op: &Value) -> bool {
    let kind = op["op"].as_str().unwrap_or("").to_ascii_lowercase();
    let path = op["path"].as_str().unwrap_or("");
    match fault {
        Fault::FilterPathIgnored => path.contains('['),
        Fault::UrnPathIgnored => path.starts_with("urn:"),
        Fault::SingleValuedAddIgnored => {
            kind == "add" && !path.is_empty() && path != "members" && !path.starts_with("urn:")
        }
        Fault::ManagerRemoveIgnored => kind == "remove" && path.ends_with(":manager"),
        Fault::ValueArrayRemoveIgnored => {
            kind == "remove" && path == "members" && op.get("value").is_some()
        }
        _ => false,
    }
}
