//! The HTTP handlers of one resource endpoint (`/Users` or `/Groups`),
//! generic over [`Kind`]: extract → call [`resources`](super::resources) or
//! [`list`](super::list) → respond.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::Value;

use super::list::{SearchRequest, search};
use super::resources;
use crate::scim::message::PatchRequest;
use crate::server::error::ScimError;
use crate::server::extract::{
    BaseUrl, ListParams, PathParam, Preconditions, ScimJson, ScimResponse,
};
use crate::server::state::AppState;
use crate::server::store::Kind;

type Reply = Result<ScimResponse, ScimError>;

/// Routes of one endpoint under the SCIM base path `base`.
pub(crate) fn routes(kind: Kind, base: &str) -> Router<AppState> {
    let collection = format!("{base}/{}", kind.endpoint());
    let item = format!("{base}/{}/{{id}}", kind.endpoint());
    let dot_search = format!("{base}/{}/.search", kind.endpoint());
    Router::new()
        .route(
            &collection,
            get(
                move |State(s): State<AppState>, BaseUrl(b): BaseUrl, p: ListParams| async move {
                    search(&s, &[kind], &b, &p)
                },
            )
            .post(
                move |State(s): State<AppState>,
                      BaseUrl(b): BaseUrl,
                      p: ListParams,
                      ScimJson(body): ScimJson<Value>| async move {
                    resources::create(&s, kind, &b, &p, body)
                },
            ),
        )
        .route(
            &dot_search,
            post(
                move |State(s): State<AppState>,
                      BaseUrl(b): BaseUrl,
                      ScimJson(r): ScimJson<SearchRequest>| async move {
                    search(&s, &[kind], &b, &ListParams::from(r))
                },
            ),
        )
        .route(
            &item,
            get(
                move |State(s): State<AppState>,
                      PathParam(id): PathParam,
                      BaseUrl(b): BaseUrl,
                      p: ListParams,
                      pre: Preconditions| async move {
                    resources::get(&s, kind, &b, &id, &p, &pre)
                },
            )
            .put(
                move |State(s): State<AppState>,
                      PathParam(id): PathParam,
                      BaseUrl(b): BaseUrl,
                      p: ListParams,
                      pre: Preconditions,
                      ScimJson(body): ScimJson<Value>| async move {
                    resources::replace(&s, kind, &b, &id, &p, &pre, body)
                },
            )
            .patch(
                move |State(s): State<AppState>,
                      PathParam(id): PathParam,
                      BaseUrl(b): BaseUrl,
                      p: ListParams,
                      pre: Preconditions,
                      ScimJson(body): ScimJson<Value>| async move {
                    patch(&s, kind, &b, &id, &p, &pre, body)
                },
            )
            .delete(
                move |State(s): State<AppState>, PathParam(id): PathParam, pre: Preconditions| async move {
                    resources::delete(&s, kind, &id, &pre)
                },
            ),
        )
}

fn patch(
    state: &AppState,
    kind: Kind,
    base: &str,
    id: &str,
    params: &ListParams,
    pre: &Preconditions,
    body: Value,
) -> Reply {
    let request: PatchRequest = serde_json::from_value(body)
        .map_err(|e| ScimError::invalid_syntax(format!("not a PatchOp request: {e}")))?;
    resources::patch(state, kind, base, id, params, pre, request)
}

/// Root `POST /.search` across Users and Groups.
pub(crate) async fn root_search(
    State(state): State<AppState>,
    BaseUrl(base): BaseUrl,
    ScimJson(request): ScimJson<SearchRequest>,
) -> Reply {
    search(
        &state,
        &[Kind::User, Kind::Group],
        &base,
        &ListParams::from(request),
    )
}
