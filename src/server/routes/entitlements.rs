//! The endpoints of Okta's role and entitlement resource types (`/Roles`,
//! `/Licenses`, … as `product.entitlement_types` configures them,
//! okta-wire.md §4.5): `GET` of the list (paged with `startIndex`/`count`,
//! filtered, sorted, projected) and of one resource by id. They are
//! read-only: any other method gets a SCIM 405, an unknown endpoint the
//! SCIM 404 of every unknown route.

use std::cmp::Ordering;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::routing::any;
use serde_json::{Value, json};

use super::list::Paging;
use crate::scim::LIST_RESPONSE_SCHEMA;
use crate::server::entitlements::{self, EntitlementType};
use crate::server::error::ScimError;
use crate::server::extract::{BaseUrl, ListParams, ScimResponse};
use crate::server::scim_adapter;
use crate::server::state::AppState;

type Reply = Result<ScimResponse, ScimError>;

/// The catch-all routes `{base}/{endpoint}` and `{base}/{endpoint}/{id}`;
/// the server's own static routes take precedence over them.
pub(crate) fn routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(&format!("{base}/{{collection}}"), any(collection))
        .route(&format!("{base}/{{collection}}/{{id}}"), any(item))
}

/// The path parameters; a malformed one is the SCIM 404 of unknown routes.
struct Segments(Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for Segments {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<Vec<String>>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(p)| Self(p))
            .map_err(|_| no_such_endpoint())
    }
}

fn no_such_endpoint() -> ScimError {
    ScimError::NotFound("no such endpoint".into())
}

/// The configured type at `segment`, or 404; 405 for a write to it.
fn resolve(state: &AppState, method: &Method, segment: &str) -> Result<EntitlementType, ScimError> {
    let product = state.product();
    let t = entitlements::find(&product.entitlement_types, segment)
        .cloned()
        .ok_or_else(no_such_endpoint)?;
    if method != Method::GET && method != Method::HEAD {
        return Err(ScimError::MethodNotAllowed);
    }
    Ok(t)
}

async fn collection(
    State(state): State<AppState>,
    method: Method,
    BaseUrl(base): BaseUrl,
    Segments(segments): Segments,
    params: ListParams,
) -> Reply {
    let segment = segments.first().ok_or_else(no_such_endpoint)?;
    let t = resolve(&state, &method, segment)?;
    list(&state, &t, &base, &params)
}

async fn item(
    State(state): State<AppState>,
    method: Method,
    BaseUrl(base): BaseUrl,
    Segments(segments): Segments,
    params: ListParams,
) -> Reply {
    let [segment, id] = segments.as_slice() else {
        return Err(no_such_endpoint());
    };
    let t = resolve(&state, &method, segment)?;
    let value = t
        .values
        .iter()
        .find(|v| v.id == *id)
        .ok_or_else(|| ScimError::NotFound(format!("{} {id} not found", t.name)))?;
    let doc = entitlements::resource(&t, value, &base);
    Ok(ScimResponse::ok(project(doc, &t.schema, &params)))
}

/// The top-level attribute `name` (case-insensitive), as text for sorting.
fn sort_key(resource: &Value, name: &str) -> Option<String> {
    let name = name.rsplit(':').next().unwrap_or(name);
    resource.as_object().and_then(|o| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_lowercase)
    })
}

/// `GET {endpoint}`: RFC 7644 §3.4.2 over the catalogue.
pub(crate) fn list(
    state: &AppState,
    t: &EntitlementType,
    base: &str,
    params: &ListParams,
) -> Reply {
    let paging = Paging::resolve(params, state.max_results)?;
    let descending = match params.sort_order.as_deref().map(str::trim) {
        None | Some("") => false,
        Some(o) if o.eq_ignore_ascii_case("ascending") => false,
        Some(o) if o.eq_ignore_ascii_case("descending") => true,
        Some(o) => {
            return Err(ScimError::invalid_value(format!(
                "sortOrder must be ascending or descending, not {o}"
            )));
        }
    };
    let mut items: Vec<Value> = t
        .values
        .iter()
        .map(|v| entitlements::resource(t, v, base))
        .collect();
    if let Some(text) = params.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        let schema = entitlements::schema(&t.schema, base)
            .ok_or_else(|| ScimError::Internal(format!("no schema for {}", t.schema)))?;
        items = scim_adapter::filter_catalogue(text, &schema, items)?;
    }
    if let Some(by) = params.sort_by.as_deref().filter(|s| !s.trim().is_empty()) {
        // RFC 7644 §3.4.2.3: resources without the attribute sort last
        // ascending (first descending, by reversal).
        items.sort_by(|a, b| match (sort_key(a, by), sort_key(b, by)) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        if descending {
            items.reverse();
        }
    }
    let total = items.len();
    let page: Vec<Value> = items
        .into_iter()
        .skip(paging.start_index.saturating_sub(1))
        .take(paging.count)
        .map(|doc| project(doc, &t.schema, params))
        .collect();
    Ok(ScimResponse::ok(json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": total,
        "itemsPerPage": page.len(),
        "startIndex": paging.start_index,
        "Resources": page,
    })))
}

/// `attributes` / `excludedAttributes` on top-level attributes; `id`,
/// `schemas` and `meta` are always returned (RFC 7643 §3.1, §7 `returned`).
fn project(doc: Value, urn: &str, params: &ListParams) -> Value {
    let Value::Object(mut obj) = doc else {
        return doc;
    };
    let bare = |name: &str| -> String {
        let lower = name.to_ascii_lowercase();
        let prefix = format!("{}:", urn.to_ascii_lowercase());
        lower
            .strip_prefix(&prefix)
            .map_or(lower.clone(), str::to_owned)
    };
    let always = ["id", "schemas", "meta"];
    let keep = |key: &str, names: &[String]| {
        names
            .iter()
            .any(|n| bare(n).split('.').next() == Some(&key.to_ascii_lowercase()))
    };
    if !params.attributes.is_empty() {
        obj.retain(|k, _| always.contains(&k.as_str()) || keep(k, &params.attributes));
    } else if !params.excluded_attributes.is_empty() {
        obj.retain(|k, _| always.contains(&k.as_str()) || !keep(k, &params.excluded_attributes));
    }
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::ServerConfig;

    fn state(max_results: usize) -> AppState {
        let config = ServerConfig {
            max_results,
            ..ServerConfig::default()
        };
        AppState::new(&config, "admin")
    }

    fn params(pairs: &[(&str, &str)]) -> ListParams {
        let mut p = ListParams::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "startIndex" => p.start_index = v,
                "count" => p.count = v,
                "filter" => p.filter = v,
                "sortBy" => p.sort_by = v,
                "sortOrder" => p.sort_order = v,
                "attributes" => p.attributes = vec![(*v.as_deref().unwrap_or_default()).into()],
                _ => p.excluded_attributes = vec![(*v.as_deref().unwrap_or_default()).into()],
            }
        }
        p
    }

    fn body(reply: Reply) -> Value {
        match reply.expect("200").body {
            Some(crate::server::extract::ScimBody::Value(v)) => v,
            other => panic!("not a JSON value: {other:?}"),
        }
    }

    fn ids(list: &Value) -> Vec<&str> {
        list["Resources"]
            .as_array()
            .expect("Resources")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect()
    }

    #[test]
    fn paging_follows_start_index_and_count() {
        let state = state(1000);
        let roles = entitlements::default_types().remove(0);
        // (startIndex, count) → (ids, itemsPerPage, startIndex echoed); totalResults is always 4.
        type Row<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], usize);
        let table: &[Row<'_>] = &[
            (&[("count", "1"), ("startIndex", "1")], &["admin"], 1),
            (&[("count", "1"), ("startIndex", "2")], &["editor"], 2),
            (&[("count", "1"), ("startIndex", "4")], &["viewer"], 4),
            (&[("count", "1"), ("startIndex", "5")], &[], 5),
            (
                &[("count", "2"), ("startIndex", "3")],
                &["member", "viewer"],
                3,
            ),
            (&[("count", "0")], &[], 1),
            (&[("count", "-3")], &[], 1),
            (&[("startIndex", "0"), ("count", "1")], &["admin"], 1),
            (&[], &["admin", "editor", "member", "viewer"], 1),
        ];
        for (query, want, start) in table {
            let page = body(list(&state, &roles, "b", &params(query)));
            assert_eq!(ids(&page), *want, "{query:?}");
            assert_eq!(page["itemsPerPage"], want.len(), "{query:?}");
            assert_eq!(page["totalResults"], 4, "{query:?}");
            assert_eq!(page["startIndex"], *start, "{query:?}");
            assert_eq!(page["schemas"], json!([LIST_RESPONSE_SCHEMA]));
        }
    }

    #[test]
    fn count_is_capped_by_max_results() {
        let state = state(2);
        let roles = entitlements::default_types().remove(0);
        let page = body(list(&state, &roles, "b", &params(&[("count", "50")])));
        assert_eq!(ids(&page), vec!["admin", "editor"]);
        assert_eq!(page["totalResults"], 4);
    }

    #[test]
    fn filter_sort_and_projection_apply() {
        let state = state(1000);
        let licenses = entitlements::default_types().remove(1);
        let page = body(list(
            &state,
            &licenses,
            "b",
            &params(&[("filter", "displayName eq \"PRO\"")]),
        ));
        assert_eq!(ids(&page), vec!["pro"]);
        assert_eq!(page["totalResults"], 1);
        let page = body(list(
            &state,
            &licenses,
            "b",
            &params(&[("sortBy", "displayName"), ("sortOrder", "descending")]),
        ));
        assert_eq!(ids(&page), vec!["pro", "enterprise", "basic"]);
        let page = body(list(
            &state,
            &licenses,
            "b",
            &params(&[("attributes", "displayName")]),
        ));
        let first = &page["Resources"][0];
        assert!(first.get("description").is_none() && first.get("type").is_none());
        assert_eq!(first["displayName"], "Basic");
        assert_eq!(first["id"], "basic");
        let page = body(list(
            &state,
            &licenses,
            "b",
            &params(&[("excludedAttributes", "description")]),
        ));
        assert!(page["Resources"][0].get("description").is_none());
        assert_eq!(page["Resources"][0]["type"], "License");
    }

    #[test]
    fn bad_queries_are_scim_400s() {
        let state = state(1000);
        let roles = entitlements::default_types().remove(0);
        type Row<'a> = (&'a [(&'a str, &'a str)], &'a str);
        let table: &[Row<'_>] = &[
            (&[("count", "one")], "invalidValue"),
            (&[("startIndex", "x")], "invalidValue"),
            (&[("filter", "displayName eq")], "invalidFilter"),
            (&[("sortOrder", "up")], "invalidValue"),
        ];
        for (query, scim_type) in table {
            let err = list(&state, &roles, "b", &params(query)).expect_err("400");
            assert_eq!(err.status().as_u16(), 400, "{query:?}");
            assert_eq!(
                err.body().scim_type.as_deref(),
                Some(*scim_type),
                "{query:?}"
            );
        }
    }
}
