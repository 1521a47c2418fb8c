//! Issue 12's entitlements section of the fault catalogue: servers whose
//! Okta role and entitlement endpoints, or whose handling of the users'
//! `roles` and `entitlements`, break Okta Identity Governance
//! (okta-wire.md §4.5), and a server that does not list Okta's resource
//! types at all (the cases must then be skipped). Proved by
//! `entitlements_defects.rs`.

use axum::http::Method;
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json};

const SCIM: &str = "/scim/v2/";

impl Fault {
    /// Whether the variant belongs to this section.
    pub(super) fn is_entitlements(&self) -> bool {
        matches!(
            self,
            Fault::EntitlementStartIndexIgnored
                | Fault::EntitlementDisplayNameMissing
                | Fault::GrantsDropped
                | Fault::DeactivationDropsGrants
                | Fault::RevokedGrantKept
                | Fault::OktaTypesHidden
                | Fault::EntitlementByIdMissing
                | Fault::EntitlementExtensionUnserved
        )
    }
}

/// Whether the request lists or reads an endpoint that is not one of the
/// server's own (on the reference server: an Okta role or entitlement one).
fn is_catalogue(req: &Req) -> bool {
    let Some(rest) = req.path.strip_prefix(SCIM) else {
        return false;
    };
    let first = rest.split('/').next().unwrap_or_default();
    req.method == Method::GET
        && ![
            "Users",
            "Groups",
            "ServiceProviderConfig",
            "ResourceTypes",
            "Schemas",
        ]
        .contains(&first)
}

fn is_user_write(req: &Req) -> bool {
    req.path.starts_with("/scim/v2/Users")
        && [Method::POST, Method::PUT, Method::PATCH].contains(&req.method)
}

/// The request side.
pub(super) async fn entitlements_on_request(
    fault: Fault,
    req: &mut Req,
    ctx: &Ctx,
) -> Option<Resp> {
    use Fault::*;
    match fault {
        EntitlementStartIndexIgnored if is_catalogue(req) => {
            let pairs: Vec<_> = req
                .query_pairs()
                .into_iter()
                .filter(|(k, _)| k != "startIndex")
                .collect();
            req.set_query_pairs(&pairs);
        }
        EntitlementByIdMissing if is_catalogue(req) && req.path[SCIM.len()..].contains('/') => {
            return Some(Resp::scim_error(404, "not found"));
        }
        GrantsDropped if is_user_write(req) && req.method != Method::PATCH => edit_json(req, |b| {
            if let Some(o) = b.as_object_mut() {
                o.remove("roles");
                o.remove("entitlements");
            }
        }),
        DeactivationDropsGrants if req.method == Method::PATCH && req.is_item("Users") => {
            edit_json(req, |b| {
                if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                    ops.push(json!({"op": "replace", "path": "roles", "value": []}));
                    ops.push(json!({"op": "replace", "path": "entitlements", "value": []}));
                }
            });
        }
        RevokedGrantKept if req.method == Method::PUT && req.is_item("Users") => {
            let emptied = req
                .json()
                .is_some_and(|b| b.get("entitlements") == Some(&json!([])));
            if emptied {
                let kept = current(req, ctx)
                    .await
                    .json()
                    .and_then(|u| u.get("entitlements").cloned());
                if let Some(kept) = kept {
                    edit_json(req, |b| b["entitlements"] = kept);
                }
            }
        }
        _ => {}
    }
    None
}

/// The response side.
pub(super) async fn entitlements_on_response(fault: Fault, req: &Req, resp: &mut Resp, _ctx: &Ctx) {
    use Fault::*;
    match fault {
        EntitlementDisplayNameMissing if is_catalogue(req) => {
            let Some(mut body) = resp.json() else { return };
            let strip = |r: &mut Value| {
                if let Some(o) = r.as_object_mut() {
                    o.remove("displayName");
                }
            };
            match body.get_mut("Resources") {
                Some(Value::Array(list)) => list.iter_mut().for_each(strip),
                _ => strip(&mut body),
            }
            resp.set_json(&body);
        }
        EntitlementExtensionUnserved if req.path == "/scim/v2/ResourceTypes" => {
            let Some(mut body) = resp.json() else { return };
            if let Some(Value::Array(list)) = body.get_mut("Resources") {
                for t in list.iter_mut().filter(|t| {
                    t.get("schema")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.starts_with("urn:okta:"))
                }) {
                    t["schemaExtensions"] = json!([{"schema": "urn:example:scim:schemas:extension:grant:1.0", "required": false}]);
                }
            }
            resp.set_json(&body);
        }
        OktaTypesHidden if req.path == "/scim/v2/ResourceTypes" => {
            let Some(mut body) = resp.json() else { return };
            if let Some(Value::Array(list)) = body.get_mut("Resources") {
                list.retain(|t| {
                    !t.get("schema")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.starts_with("urn:okta:"))
                });
                let n = list.len();
                body["totalResults"] = json!(n);
                body["itemsPerPage"] = json!(n);
            }
            resp.set_json(&body);
        }
        _ => {}
    }
}
