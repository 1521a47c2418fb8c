//! Issue 13's section of the fault catalogue: authentication and
//! silent-write defects of `suites/security/` that a proxy can inject (the
//! tenant defects are server configurations instead: see
//! `security_defects.rs`). Proved by `security_defects.rs`.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, current, operations};

impl Fault {
    /// Whether the variant belongs to this section.
    pub(super) fn is_security(&self) -> bool {
        matches!(
            self,
            Fault::NoWwwAuthenticate
                | Fault::BadFilterIsEmpty200
                | Fault::BearerCaseSensitive
                | Fault::PathActiveTrueIgnored
                | Fault::AnySchemeAccepted
        )
    }
}

pub(super) async fn on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    if fault == Fault::PathActiveTrueIgnored && req.method == Method::PATCH && req.is_item("Users")
    {
        let activates = operations(req).iter().any(|op| {
            op["path"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case("active"))
                && op["value"] == json!(true)
        });
        if activates {
            return Some(current(req, ctx).await);
        }
    }
    if fault == Fault::AnySchemeAccepted {
        let basic = req
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "));
        if basic {
            // The server let the request in: a list answer, as for a valid token.
            let mut resp = Resp::scim_error(200, "");
            resp.set_json(&json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []
            }));
            return Some(resp);
        }
    }
    if fault == Fault::BearerCaseSensitive {
        let auth = req
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if auth
            .split_once(' ')
            .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer") && scheme != "Bearer")
        {
            return Some(Resp::scim_error(401, "unsupported scheme"));
        }
    }
    None
}

pub(super) fn on_response(fault: Fault, req: &Req, resp: &mut Resp) {
    match fault {
        Fault::NoWwwAuthenticate if resp.status == StatusCode::UNAUTHORIZED => {
            resp.headers.remove(header::WWW_AUTHENTICATE);
        }
        Fault::BadFilterIsEmpty200
            if req.method == Method::GET
                && resp.status == StatusCode::BAD_REQUEST
                && req.query_pairs().iter().any(|(k, _)| k == "filter") =>
        {
            resp.status = StatusCode::OK;
            resp.set_json(&json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []
            }));
        }
        _ => {}
    }
}
