//! Issue 10's schema section of the fault catalogue: a server whose
//! responses contradict its declared schemas in two different ways (for the
//! declared-schema audit), and a server that declares a custom extension,
//! accepts writes to it and silently drops them (for the schema-driven
//! round trip), and one that refuses a declared attribute outright. Proved
//! by `schema_round_trip.rs`.

use axum::http::{HeaderValue, Method, header};
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, edit_json, edit_users};

/// The custom extension `CustomExtensionDropped` declares.
pub const ACME: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";

const SCIM: &str = "/scim/v2";

impl Fault {
    /// Whether the variant belongs to this section.
    pub(super) fn is_schema(&self) -> bool {
        matches!(
            self,
            Fault::TwoUndeclaredAttributes | Fault::CustomExtensionDropped | Fault::NickNameRefused
        )
    }
}

/// The ACME extension as `/Schemas` serves it (RFC 7643 §7).
fn acme_schema() -> Value {
    let attr = |name: &str, kind: &str| {
        json!({"name": name, "type": kind, "multiValued": false, "required": false,
               "caseExact": false, "mutability": "readWrite", "returned": "default",
               "uniqueness": "none", "description": format!("ACME {name}")})
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": ACME,
        "name": "AcmeUser",
        "description": "ACME's custom User extension",
        "attributes": [attr("costCenter", "string"), attr("badgeNumber", "integer")],
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{ACME}")}
    })
}

fn is_acme(key: &str) -> bool {
    key.eq_ignore_ascii_case(ACME)
}

/// Whether a resource or PatchOp body writes `nickName`.
fn mentions_nick_name(body: &Value) -> bool {
    let is_nick = |k: &str| k.eq_ignore_ascii_case("nickName");
    body.as_object()
        .is_some_and(|o| o.keys().any(|k| is_nick(k)))
        || body["Operations"].as_array().is_some_and(|ops| {
            ops.iter().any(|op| {
                op["path"].as_str().is_some_and(is_nick)
                    || op["value"]
                        .as_object()
                        .is_some_and(|v| v.keys().any(|k| is_nick(k)))
            })
        })
}

/// Removes the ACME object (and its URN in `schemas`) from a resource body.
fn strip_acme(body: &mut Value) {
    if let Some(obj) = body.as_object_mut() {
        obj.retain(|k, _| !is_acme(k));
        if let Some(Value::Array(schemas)) = obj.get_mut("schemas") {
            schemas.retain(|s| !s.as_str().is_some_and(is_acme));
        }
    }
}

/// The request side.
pub(super) async fn schema_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    if fault == Fault::NickNameRefused
        && matches!(req.method, Method::POST | Method::PUT | Method::PATCH)
        && req.json().is_some_and(|b| mentions_nick_name(&b))
    {
        let mut resp = Resp::scim_error(400, "nickName is not supported");
        if let Some(mut body) = resp.json() {
            body["scimType"] = json!("invalidValue");
            resp.set_json(&body);
        }
        return Some(resp);
    }
    if fault != Fault::CustomExtensionDropped {
        return None;
    }
    let path = req.path.clone();
    if req.method == Method::GET && path.starts_with(&format!("{SCIM}/Schemas/")) {
        let urn = path.rsplit('/').next().unwrap_or_default();
        if is_acme(urn) {
            let mut resp = Resp::empty(200);
            resp.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/scim+json"),
            );
            resp.set_json(&acme_schema());
            return Some(resp);
        }
    }
    if !path.starts_with(&format!("{SCIM}/Users")) {
        return None;
    }
    match req.method {
        Method::POST | Method::PUT => edit_json(req, strip_acme),
        Method::PATCH => {
            let mut emptied = false;
            edit_json(req, |b| {
                if let Some(Value::Array(ops)) = b.get_mut("Operations") {
                    ops.retain(|op| {
                        !op["path"]
                            .as_str()
                            .is_some_and(|p| p.get(..ACME.len()).is_some_and(is_acme))
                    });
                    for op in ops.iter_mut() {
                        if op.get("path").is_none() {
                            strip_acme(&mut op["value"]);
                        }
                    }
                    emptied = ops.is_empty();
                }
            });
            if emptied {
                // Nothing left to apply: answer as if it had worked.
                return Some(current(req, ctx).await);
            }
        }
        _ => {}
    }
    None
}

/// The response side.
pub(super) async fn schema_on_response(fault: Fault, req: &Req, resp: &mut Resp, _ctx: &Ctx) {
    match fault {
        Fault::TwoUndeclaredAttributes => edit_users(resp, |u| {
            u["legacyId"] = json!("L-1");
            u["tenantTier"] = json!("gold");
        }),
        Fault::CustomExtensionDropped if req.method == Method::GET => {
            let Some(mut body) = resp.json() else { return };
            let declare = |rt: &mut Value| {
                if rt["schema"] == json!(crate_user_schema()) {
                    let ext = json!({"schema": ACME, "required": false});
                    match rt.get_mut("schemaExtensions") {
                        Some(Value::Array(list)) => list.push(ext),
                        _ => rt["schemaExtensions"] = json!([ext]),
                    }
                }
            };
            if req.path == format!("{SCIM}/ResourceTypes") {
                if let Some(Value::Array(list)) = body.get_mut("Resources") {
                    list.iter_mut().for_each(declare);
                }
            } else if req.path == format!("{SCIM}/ResourceTypes/User") {
                declare(&mut body);
            } else if req.path == format!("{SCIM}/Schemas") {
                if let Some(Value::Array(list)) = body.get_mut("Resources") {
                    list.push(acme_schema());
                    let n = list.len();
                    body["totalResults"] = json!(n);
                    body["itemsPerPage"] = json!(n);
                }
            } else {
                return;
            }
            resp.set_json(&body);
        }
        _ => {}
    }
}

fn crate_user_schema() -> &'static str {
    "urn:ietf:params:scim:schemas:core:2.0:User"
}
