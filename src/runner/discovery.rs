//! The run's discovery documents: `/ServiceProviderConfig` (the capabilities
//! a case `requires`), `/ResourceTypes` (the resource types a case
//! `requires`) and `/Schemas` (the declared-schema check, the audit and the
//! round trip), each fetched at most once per run and cached with its typed
//! error.
//!
//! All are sent through the run's client like every other request, so the
//! body cap, the circuit breaker, the run's deadline and the 429 policy apply.
//! It must not send anything but `GET` of these three documents, and it records
//! no exchange: the cases that read them report what they concluded.

use serde_json::Value;
use tokio::sync::OnceCell;

use crate::runner::request::render_request;
use crate::runner::run::RunCtx;
use crate::scim::schema::SchemaDef;
use crate::suite::model::{Capability, Method, RequestSpec};

/// Why a discovery document is unavailable.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum DiscoveryError {
    /// The request was not answered (transport error, breaker, deadline).
    #[error("GET {path} failed: {reason}")]
    Send {
        /// The document's path.
        path: &'static str,
        /// The client's error.
        reason: String,
    },
    /// The target answered something other than 200.
    #[error("GET {path} answered {status}")]
    Status {
        /// The document's path.
        path: &'static str,
        /// The status it answered.
        status: u16,
    },
    /// The body is not JSON.
    #[error("GET {path} is not JSON: {reason}")]
    NotJson {
        /// The document's path.
        path: &'static str,
        /// The parser's error.
        reason: String,
    },
    /// `/Schemas` is JSON but not a list of schema definitions.
    #[error("{0}")]
    Schemas(String),
}

/// The cached discovery documents, one set per run.
#[derive(Default)]
pub(crate) struct Discovery {
    service_provider_config: OnceCell<Result<Value, DiscoveryError>>,
    resource_types: OnceCell<Result<Value, DiscoveryError>>,
    schemas: OnceCell<Result<Vec<SchemaDef>, DiscoveryError>>,
}

impl RunCtx {
    /// `Ok(())` when `/ServiceProviderConfig` advertises `<name>.supported: true`,
    /// else the skip reason. The document is fetched once per run.
    pub(crate) async fn capability(&self, capability: &Capability) -> Result<(), String> {
        let name = capability.name();
        let doc = self
            .discovery
            .service_provider_config
            .get_or_init(|| self.get_discovery("/ServiceProviderConfig"))
            .await;
        let doc = doc.as_ref().map_err(ToString::to_string)?;
        let supported = doc
            .as_object()
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.get("supported"))
            .and_then(Value::as_bool);
        match supported {
            Some(true) => Ok(()),
            Some(false) => Err(format!(
                "/ServiceProviderConfig says {name}.supported is false"
            )),
            None => Err(format!(
                "/ServiceProviderConfig does not advertise {name}.supported"
            )),
        }
    }

    /// `Ok(())` when `/ResourceTypes` lists a resource type whose `schema`,
    /// `name` or `id` is `wanted` (compared case-insensitively), else why not.
    pub(crate) async fn resource_type(&self, wanted: &str) -> Result<(), String> {
        let doc = self
            .discovery
            .resource_types
            .get_or_init(|| self.get_discovery("/ResourceTypes"))
            .await;
        let doc = doc.as_ref().map_err(ToString::to_string)?;
        // RFC 7644 §4 answers a ListResponse; a bare array is read too.
        let types = doc
            .get("Resources")
            .or(Some(doc))
            .and_then(Value::as_array)
            .ok_or_else(|| "/ResourceTypes is not a list of resource types".to_owned())?;
        let named = |t: &Value, key: &str| {
            t.get(key)
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
        };
        if types
            .iter()
            .any(|t| named(t, "schema") || named(t, "name") || named(t, "id"))
        {
            Ok(())
        } else {
            Err(format!("/ResourceTypes lists no resource type {wanted}"))
        }
    }

    /// The target's `/Schemas`, fetched once per run.
    pub(crate) async fn declared_schemas(&self) -> Result<&[SchemaDef], &DiscoveryError> {
        let declared = self
            .discovery
            .schemas
            .get_or_init(|| async {
                let doc = self.get_discovery("/Schemas").await?;
                crate::schema_check::parse_declared(&doc).map_err(DiscoveryError::Schemas)
            })
            .await;
        declared.as_deref()
    }

    /// `GET path` on the target with the run's credentials and headers,
    /// through the run's client, as JSON.
    async fn get_discovery(&self, path: &'static str) -> Result<Value, DiscoveryError> {
        // The same request path as every step: `render_request` gives the
        // auth, `Accept` and `--header`s a step's `GET path` would carry.
        let spec = RequestSpec {
            method: Method::Get,
            path: path.to_owned(),
            ..RequestSpec::default()
        };
        let req = render_request(&spec, &self.scope, &self.opts, None)
            .map_err(|e| DiscoveryError::Send {
                path,
                reason: e.to_string(),
            })?
            .outgoing;
        let resp = self
            .client
            .send(&req, None, &mut Vec::new())
            .await
            .map_err(|e| DiscoveryError::Send {
                path,
                reason: e.to_string(),
            })?;
        if resp.status != 200 {
            return Err(DiscoveryError::Status {
                path,
                status: resp.status,
            });
        }
        serde_json::from_str(&resp.body).map_err(|e| DiscoveryError::NotJson {
            path,
            reason: e.to_string(),
        })
    }
}
