//! `/Users`: list, search, create, read, replace, patch, delete.

use axum::Router;

use super::endpoints;
use crate::server::state::AppState;
use crate::server::store::Kind;

/// The `/Users` routes (relative to the SCIM base path).
pub fn routes() -> Router<AppState> {
    endpoints::routes(Kind::User)
}
