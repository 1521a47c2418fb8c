//! `/Groups`: list, search, create, read, replace, patch, delete. When the
//! product's `sync_groups` is off, every `/Groups` request answers 404.

use axum::Router;

use super::endpoints;
use crate::server::state::AppState;
use crate::server::store::Kind;

/// The `/Groups` routes under the SCIM base path `base`.
pub(crate) fn routes(base: &str) -> Router<AppState> {
    endpoints::routes(Kind::Group, base)
}
