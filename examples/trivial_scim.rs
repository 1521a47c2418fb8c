//! A trivial SCIM-looking server for measuring the load generator itself
//! (`scripts/bench-load.sh`): it answers every request from constants, so
//! whatever rate a client reaches against it is the client's ceiling.
//!
//! `cargo run --release --example trivial_scim -- 127.0.0.1:18630`

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"load-bench-0@example.com","active":true,"name":{"givenName":"Load0","familyName":"Userbench"},"emails":[{"primary":true,"value":"load-bench-0@example.com","type":"work"}],"meta":{"resourceType":"User"}}"#;

fn scim(status: StatusCode, body: String) -> impl IntoResponse {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body,
    )
}

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18630".to_owned());
    let list = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{USER}]}}"#
    );
    let app = Router::new()
        .route(
            "/scim/v2/Users",
            get(move || async move { scim(StatusCode::OK, list.clone()) }),
        )
        .route(
            "/scim/v2/Users/{id}",
            get(|| async { scim(StatusCode::OK, USER.to_owned()) }),
        );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("trivial SCIM server on http://{addr}/scim/v2");
    axum::serve(listener, app).await.expect("serve");
}
