//! `/Users`: list, search, create, read, replace, patch, delete.

use axum::Router;

use super::endpoints;
use crate::server::state::AppState;
use crate::server::store::Kind;

/// The `/Users` routes under the SCIM base path `base`.
pub(crate) fn routes(base: &str) -> Router<AppState> {
    endpoints::routes(Kind::User, base)
}
