//! The conformant-but-unusual behaviours of the proxy: each is something
//! RFC 7643/7644 allows a correct server to do, so every bundled case must
//! pass through it (`quirk_matrix.rs` runs the whole corpus behind each).
//! This module only rewrites what the reference server says; it never
//! injects a defect.

use axum::http::{HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::super::proxy::{Ctx, Req, Resp};
use super::{Fault, edit_json, throttled};

/// The vendor extension of Users added by [`Fault::VendorAttributes`].
pub const VENDOR_USER: &str = "urn:example:params:scim:schemas:extension:vendor:2.0:User";
/// The vendor extension of Groups added by [`Fault::VendorAttributes`].
pub const VENDOR_GROUP: &str = "urn:example:params:scim:schemas:extension:vendor:2.0:Group";

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SCIM: &str = "/scim/v2";

/// How the id quirks spell the ids the client sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdStyle {
    /// `900000001`, as many databases make them.
    #[default]
    Integer,
    /// `usr_01HV3KQ8ZP.x-y~z_000001_ABC…-._~`: long, URL-safe (RFC 3986
    /// unreserved characters only) and nothing like a UUID.
    Unusual,
}

impl IdStyle {
    /// The style a fault mints ids in.
    pub fn of(fault: Fault) -> Self {
        match fault {
            Fault::UnusualIds => Self::Unusual,
            _ => Self::Integer,
        }
    }

    /// The `n`-th id (from 1), of fixed width so none is a prefix of another.
    pub fn mint(self, n: usize) -> String {
        const TAIL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        match self {
            Self::Integer => (900_000_000 + n).to_string(),
            Self::Unusual => format!("usr_01HV3KQ8ZP.x-y~z_{n:06}_{TAIL}"),
        }
    }
}

impl Fault {
    /// Whether the variant is handled by this module.
    pub(super) fn is_quirk(&self) -> bool {
        use Fault::*;
        matches!(
            self,
            Patch204
                | Patch204WithContentType
                | PlainJsonContentType
                | ScimJsonCharset
                | ThrottleOnce
                | ThrottleEachPathOnce
                | VendorAttributes
                | PageCap
                | IntegerIds
                | UnusualIds
                | SecondTimestamps
                | NoOptionalFeatures
                | Transparent
        )
    }
}

/// The request side of the quirks.
pub(super) async fn quirk_on_request(fault: Fault, req: &mut Req, ctx: &Ctx) -> Option<Resp> {
    use Fault::*;
    match fault {
        ThrottleOnce if ctx.fire_once() => return Some(throttled()),
        ThrottleEachPathOnce => {
            let first = ctx
                .throttled_paths
                .lock()
                .map(|mut seen| seen.insert(req.path.clone()))
                .unwrap_or(false);
            if first {
                return Some(throttled());
            }
        }
        PageCap => {
            let pairs: Vec<_> = req
                .query_pairs()
                .into_iter()
                .map(|(k, v)| match (k.as_str(), v.parse::<u64>()) {
                    ("count", Ok(n)) if n > 1 => (k, "1".to_owned()),
                    _ => (k, v),
                })
                .collect();
            req.set_query_pairs(&pairs);
        }
        IntegerIds | UnusualIds => {
            if let Ok(ids) = ctx.ids.lock() {
                req.path = ids.inbound(&req.path);
                req.query = req.query.as_deref().map(|q| ids.inbound(q));
                if let Ok(text) = std::str::from_utf8(&req.body) {
                    req.body = ids.inbound(text).into();
                    req.headers.remove(header::CONTENT_LENGTH);
                }
            }
        }
        VendorAttributes => return vendor_request(req),
        _ => {}
    }
    None
}

/// The response side of the quirks.
pub(super) async fn quirk_on_response(fault: Fault, req: &Req, resp: &mut Resp, ctx: &Ctx) {
    use Fault::*;
    let patched = req.method == Method::PATCH && resp.status == StatusCode::OK;
    match fault {
        Patch204 if patched => *resp = Resp::empty(204),
        Patch204WithContentType if patched => {
            *resp = Resp::empty(204);
            resp.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/scim+json"),
            );
        }
        PlainJsonContentType if !resp.body.is_empty() => {
            resp.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        ScimJsonCharset if !resp.body.is_empty() => {
            resp.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/scim+json; charset=utf-8"),
            );
        }
        VendorAttributes => vendor_response(req, resp),
        IntegerIds | UnusualIds => {
            if let Ok(mut ids) = ctx.ids.lock() {
                if let Ok(text) = std::str::from_utf8(&resp.body) {
                    resp.body = ids.outbound(text).into();
                    resp.headers.remove(header::CONTENT_LENGTH);
                }
                if let Some(location) = resp
                    .headers
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                {
                    let mapped = ids.outbound(location);
                    if let Ok(v) = HeaderValue::from_str(&mapped) {
                        resp.headers.insert(header::LOCATION, v);
                    }
                }
            }
        }
        SecondTimestamps => edit_body(resp, |body| {
            each_meta(body, &mut |meta| {
                for key in ["created", "lastModified"] {
                    if let Some(Value::String(t)) = meta.get_mut(key) {
                        *t = whole_seconds(t);
                    }
                }
            });
        }),
        NoOptionalFeatures => {
            resp.headers.remove(header::ETAG);
            if req.path == format!("{SCIM}/ServiceProviderConfig") {
                edit_body(resp, |spc| {
                    for feature in ["etag", "sort", "bulk", "changePassword"] {
                        spc[feature]["supported"] = json!(false);
                    }
                });
            } else {
                edit_body(resp, |body| {
                    each_meta(body, &mut |meta| {
                        meta.remove("version");
                    });
                });
            }
        }
        _ => {}
    }
}

/// Applies `edit` to the JSON body, if it is JSON.
fn edit_body(resp: &mut Resp, edit: impl FnOnce(&mut Value)) {
    if let Some(mut body) = resp.json() {
        edit(&mut body);
        resp.set_json(&body);
    }
}

/// Calls `edit` on every `meta` object anywhere in `value`.
fn each_meta(value: &mut Value, edit: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(meta)) = map.get_mut("meta") {
                edit(meta);
            }
            for (key, v) in map.iter_mut() {
                if key != "meta" {
                    each_meta(v, edit);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| each_meta(v, edit)),
        _ => {}
    }
}

/// `2026-01-02T03:04:05.678901Z` → `2026-01-02T03:04:05Z` (any offset kept).
fn whole_seconds(t: &str) -> String {
    match t.find('.') {
        Some(dot) => {
            let rest = &t[dot + 1..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            format!("{}{}", &t[..dot], &rest[digits..])
        }
        None => t.to_owned(),
    }
}

/// The declaration of a vendor extension schema (RFC 7643 §7), every
/// attribute read-only.
fn vendor_schema(urn: &str, base: &str) -> Value {
    let attribute = |name: &str, ty: &str, description: &str| {
        json!({
            "name": name, "type": ty, "multiValued": false, "description": description,
            "required": false, "caseExact": false, "mutability": "readOnly",
            "returned": "default", "uniqueness": "none",
        })
    };
    let attributes = if urn == VENDOR_USER {
        json!([
            attribute("tenant", "string", "The vendor tenant the user belongs to."),
            attribute("seats", "integer", "Licence seats the user holds."),
        ])
    } else {
        json!([attribute(
            "region",
            "string",
            "Where the group's data lives."
        )])
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": urn,
        "name": if urn == VENDOR_USER { "VendorUser" } else { "VendorGroup" },
        "description": "A vendor extension the client never writes.",
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{urn}")},
    })
}

/// The base URL the client used (`http://host/scim/v2`).
fn client_base(req: &Req) -> String {
    let host = req
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}{SCIM}")
}

/// Serves the vendor schemas; drops the read-only extension from writes
/// (RFC 7644 §3.5.1: values of read-only attributes are ignored).
fn vendor_request(req: &mut Req) -> Option<Resp> {
    let decoded = percent_encoding::percent_decode_str(&req.path)
        .decode_utf8_lossy()
        .into_owned();
    if req.method == Method::GET {
        for urn in [VENDOR_USER, VENDOR_GROUP] {
            if decoded == format!("{SCIM}/Schemas/{urn}") {
                let mut resp = Resp::empty(200);
                resp.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/scim+json"),
                );
                resp.set_json(&vendor_schema(urn, &client_base(req)));
                return Some(resp);
            }
        }
    }
    let writes_resource = (req.method == Method::POST || req.method == Method::PUT)
        && (req.path.starts_with(&format!("{SCIM}/Users"))
            || req.path.starts_with(&format!("{SCIM}/Groups")));
    if writes_resource {
        edit_json(req, |b| {
            if let Some(o) = b.as_object_mut() {
                o.remove(VENDOR_USER);
                o.remove(VENDOR_GROUP);
                if let Some(Value::Array(schemas)) = o.get_mut("schemas") {
                    schemas.retain(|s| s != VENDOR_USER && s != VENDOR_GROUP);
                }
            }
        });
    }
    None
}

/// Declares the vendor extension in `/Schemas` and `/ResourceTypes` and adds
/// its read-only values (and its URN in `schemas`) to every User and Group.
fn vendor_response(req: &Req, resp: &mut Resp) {
    if !resp.status.is_success() {
        return;
    }
    let path = req.path.as_str();
    let base = client_base(req);
    if path == format!("{SCIM}/Schemas") {
        edit_body(resp, |b| {
            if let Some(Value::Array(list)) = b.get_mut("Resources") {
                list.push(vendor_schema(VENDOR_USER, &base));
                list.push(vendor_schema(VENDOR_GROUP, &base));
                let n = list.len();
                b["totalResults"] = json!(n);
                b["itemsPerPage"] = json!(n);
            }
        });
        return;
    }
    if path.starts_with(&format!("{SCIM}/ResourceTypes")) {
        let declare = |rt: &mut Value| {
            let urn = match rt["name"].as_str() {
                Some("User") => VENDOR_USER,
                Some("Group") => VENDOR_GROUP,
                _ => return,
            };
            let extension = json!({"schema": urn, "required": false});
            match rt.get_mut("schemaExtensions") {
                Some(Value::Array(list)) => list.push(extension),
                _ => rt["schemaExtensions"] = json!([extension]),
            }
        };
        edit_body(resp, |b| match b.get_mut("Resources") {
            Some(Value::Array(list)) => list.iter_mut().for_each(declare),
            _ => declare(b),
        });
        return;
    }
    // A projection (`attributes=`) returns only what it names (RFC 7644 §3.9).
    if req.query_pairs().iter().any(|(k, _)| k == "attributes") {
        return;
    }
    let add = |r: &mut Value| {
        let Some(schemas) = r.get("schemas").and_then(Value::as_array) else {
            return;
        };
        let (urn, values) = if schemas.iter().any(|s| s == USER_SCHEMA) {
            (VENDOR_USER, json!({"tenant": "acme", "seats": 3}))
        } else if schemas.iter().any(|s| s == GROUP_SCHEMA) {
            (VENDOR_GROUP, json!({"region": "eu-west"}))
        } else {
            return;
        };
        r[urn] = values;
        if let Some(Value::Array(schemas)) = r.get_mut("schemas") {
            schemas.push(json!(urn));
        }
    };
    edit_body(resp, |b| match b.get_mut("Resources") {
        Some(Value::Array(list)) => list.iter_mut().for_each(add),
        _ => add(b),
    });
}

#[test]
fn whole_seconds_drops_the_fraction_and_keeps_the_offset() {
    assert_eq!(
        whole_seconds("2026-01-02T03:04:05.678901Z"),
        "2026-01-02T03:04:05Z"
    );
    assert_eq!(
        whole_seconds("2026-01-02T03:04:05.6+02:00"),
        "2026-01-02T03:04:05+02:00"
    );
    assert_eq!(
        whole_seconds("2026-01-02T03:04:05Z"),
        "2026-01-02T03:04:05Z"
    );
}
