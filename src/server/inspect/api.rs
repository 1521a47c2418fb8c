//! The inspector's admin JSON API (mounted under `/admin`, behind the admin
//! token) and the page itself (`GET /admin/ui`, public: the page holds no
//! data, it asks for the admin token and calls this API with it):
//!
//! - `GET /admin/feed?after=SEQ&limit=N`: exchanges newer than `SEQ`, newest first;
//! - `GET /admin/feed/{seq}`: one exchange with headers, bodies and diff;
//! - `GET /admin/resources/{Users|Groups}?q=TEXT`: current resources matching `TEXT`;
//! - `GET /admin/resources/{Users|Groups}/{id}/history`: the writes that touched it.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::error::ScimError;
use crate::server::state::AppState;
use crate::server::store::{Kind, QuerySpec};

/// The page: inline HTML, CSS and JS, no external assets.
pub(crate) const PAGE: &str = include_str!("page.html");

/// Most resources `/admin/resources/{type}` returns.
const RESOURCE_LIMIT: usize = 500;

/// Admin routes of the inspector (relative to `/admin`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feed", get(feed))
        .route("/feed/{seq}", get(feed_entry))
        .route("/resources/{kind}", get(resources))
        .route("/resources/{kind}/{id}/history", get(history))
}

/// `GET /admin/ui`: the page (served without the admin token).
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                 img-src data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

/// `GET /admin/feed` query.
#[derive(Debug, Deserialize)]
struct FeedQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

async fn feed(
    State(state): State<AppState>,
    Query(q): Query<FeedQuery>,
) -> Result<Json<Value>, ScimError> {
    let number = |v: Option<String>, name: &str, default: usize| {
        v.map_or(Ok(default), |v| {
            v.parse::<usize>()
                .map_err(|_| ScimError::invalid_value(format!("{name} must be a number")))
        })
    };
    let after = number(q.after, "after", 0)?;
    let limit = number(q.limit, "limit", usize::MAX)?;
    let entries = state.inspect.after(after as u64, limit);
    Ok(Json(json!({ "entries": entries })))
}

async fn feed_entry(
    State(state): State<AppState>,
    Path(seq): Path<String>,
) -> Result<Json<Value>, ScimError> {
    let entry = seq
        .parse::<u64>()
        .ok()
        .and_then(|seq| state.inspect.get(seq))
        .ok_or_else(|| ScimError::NotFound(format!("feed entry {seq} not found")))?;
    Ok(Json(json!(entry)))
}

fn kind_of(name: &str) -> Result<Kind, ScimError> {
    match name {
        "Users" => Ok(Kind::User),
        "Groups" => Ok(Kind::Group),
        other => Err(ScimError::NotFound(format!(
            "no resource type {other}: use Users or Groups"
        ))),
    }
}

/// `GET /admin/resources/{kind}` query.
#[derive(Debug, Deserialize)]
struct ResourceQuery {
    #[serde(default)]
    q: String,
}

async fn resources(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Query(query): Query<ResourceQuery>,
) -> Result<Json<Value>, ScimError> {
    let kind = kind_of(&kind)?;
    let needle = query.q.to_lowercase();
    let matches =
        move |v: &Value| needle.is_empty() || v.to_string().to_lowercase().contains(&needle);
    let spec = QuerySpec {
        index: None,
        predicate: Some(&matches),
        reads: None,
        sort_by: None,
        descending: false,
        start_index: 1,
        raw: false,
        count: RESOURCE_LIMIT,
    };
    let page = state.store.query(kind, &spec);
    Ok(Json(
        json!({ "total": page.total, "resources": page.resources }),
    ))
}

async fn history(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ScimError> {
    let kind = kind_of(&kind)?;
    let current = state.store.get(kind, &id).map(|mut v| {
        super::redact_json(&mut v);
        v
    });
    let entries = state.inspect.history(kind.endpoint(), &id);
    Ok(Json(json!({ "current": current, "history": entries })))
}
