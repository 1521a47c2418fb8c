//! Discovery endpoints (RFC 7644 §4): `/ServiceProviderConfig`,
//! `/ResourceTypes[/{name}]`, `/Schemas[/{urn}]`. They describe exactly
//! what this server does, including the product extension and the custom
//! extensions declared in the configuration.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::{Value, json};

use crate::scim::{
    ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, RESOURCE_TYPE_SCHEMA,
    SCIMULATOR_USER_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA, USER_SCHEMA,
};
use crate::server::entitlements;
use crate::server::error::ScimError;
use crate::server::extract::{BaseUrl, PathParam, ScimResponse};
use crate::server::scim_adapter;
use crate::server::state::AppState;

/// Discovery routes under the SCIM base path `base`.
pub(crate) fn routes(base: &str) -> Router<AppState> {
    Router::new()
        .route(
            &format!("{base}/ServiceProviderConfig"),
            get(service_provider_config),
        )
        .route(&format!("{base}/ResourceTypes"), get(resource_types))
        .route(
            &format!("{base}/ResourceTypes/{{name}}"),
            get(resource_type),
        )
        .route(&format!("{base}/Schemas"), get(schemas))
        .route(&format!("{base}/Schemas/{{urn}}"), get(schema))
}

/// The `ServiceProviderConfig` document.
pub(crate) fn service_provider_config_doc(state: &AppState, base: &str) -> Value {
    let mut schemes = vec![json!({
        "type": "oauthbearertoken",
        "name": "OAuth Bearer Token",
        "description": "Authentication with a bearer token issued by the admin API",
        "primary": true,
    })];
    if state.basic_auth.is_some() {
        schemes.push(json!({
            "type": "httpbasic",
            "name": "HTTP Basic",
            "description": "Authentication with the configured user name and password",
        }));
    }
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": state.max_results},
        "changePassword": {"supported": true},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": schemes,
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

async fn service_provider_config(
    State(state): State<AppState>,
    BaseUrl(base): BaseUrl,
) -> ScimResponse {
    ScimResponse::ok(service_provider_config_doc(&state, &base))
}

fn custom_extension_urns(state: &AppState) -> Vec<String> {
    state
        .product()
        .extensions
        .iter()
        .filter_map(|e| e.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn resource_type_docs(state: &AppState, base: &str) -> Vec<Value> {
    let mut user_ext = vec![
        json!({"schema": ENTERPRISE_USER_SCHEMA, "required": false}),
        json!({"schema": SCIMULATOR_USER_SCHEMA, "required": false}),
    ];
    user_ext.extend(
        custom_extension_urns(state)
            .into_iter()
            .map(|urn| json!({"schema": urn, "required": false})),
    );
    let mut docs = vec![json!({
        "schemas": [RESOURCE_TYPE_SCHEMA],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_SCHEMA,
        "schemaExtensions": user_ext,
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
    })];
    if state.product().sync_groups {
        docs.push(json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }));
    }
    // Okta's role and entitlement types (okta-wire.md §4.5).
    docs.extend(
        state
            .product()
            .entitlement_types
            .iter()
            .map(|t| entitlements::resource_type(t, base)),
    );
    docs
}

fn list_response(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": resources.len(),
        "itemsPerPage": resources.len(),
        "startIndex": 1,
        "Resources": resources,
    })
}

async fn resource_types(State(state): State<AppState>, BaseUrl(base): BaseUrl) -> ScimResponse {
    ScimResponse::ok(list_response(resource_type_docs(&state, &base)))
}

async fn resource_type(
    State(state): State<AppState>,
    BaseUrl(base): BaseUrl,
    PathParam(name): PathParam,
) -> Result<ScimResponse, ScimError> {
    resource_type_docs(&state, &base)
        .into_iter()
        .find(|d| d.get("id").and_then(Value::as_str) == Some(name.as_str()))
        .map(ScimResponse::ok)
        .ok_or_else(|| ScimError::NotFound(format!("resource type {name} not found")))
}

/// Every schema this server serves: built-in ones plus configured extensions.
pub(crate) fn schema_docs(state: &AppState, base: &str) -> Vec<Value> {
    let product = state.product();
    let mut docs = scim_adapter::schema_documents(&state.schemas());
    for doc in &mut docs {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if let Some(obj) = doc.as_object_mut() {
            obj.entry("schemas")
                .or_insert_with(|| json!([crate::scim::SCHEMA_SCHEMA]));
            obj.entry("meta").or_insert_with(
                || json!({"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}),
            );
        }
    }
    if !product.sync_groups {
        docs.retain(|d| d.get("id").and_then(Value::as_str) != Some(GROUP_SCHEMA));
    }
    docs.extend(
        entitlements::schemas_in_use(&product.entitlement_types)
            .into_iter()
            .filter_map(|urn| entitlements::schema(urn, base)),
    );
    docs
}

async fn schemas(State(state): State<AppState>, BaseUrl(base): BaseUrl) -> ScimResponse {
    ScimResponse::ok(list_response(schema_docs(&state, &base)))
}

async fn schema(
    State(state): State<AppState>,
    BaseUrl(base): BaseUrl,
    PathParam(urn): PathParam,
) -> Result<ScimResponse, ScimError> {
    schema_docs(&state, &base)
        .into_iter()
        .find(|d| {
            d.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.eq_ignore_ascii_case(&urn))
        })
        .map(ScimResponse::ok)
        .ok_or_else(|| ScimError::NotFound(format!("schema {urn} not found")))
}
