//! The embedded reference server for `run` without `--target`: start it on
//! `127.0.0.1:0`, issue a run token and a second token that is revoked at
//! once (so revocation checks run), and stop it at the end.

use anyhow::Context as _;
use serde_json::{Value, json};

use crate::server::{RunningServer, ServerConfig, start};

/// A running embedded server with a live token and a revoked one.
#[derive(Debug)]
pub(crate) struct Embedded {
    server: RunningServer,
    /// The SCIM base URL.
    pub target: String,
    /// A live SCIM token.
    pub token: String,
    /// A token that was issued and then revoked.
    pub revoked_token: String,
}

impl Embedded {
    /// Starts the server and issues the tokens through the admin API.
    pub(crate) async fn start() -> anyhow::Result<Self> {
        // The default product is `ProductConfig::reference()`: the three seed
        // products at once, so suites/products/ can check resolved roles.
        let config = ServerConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            // Nobody watches the embedded server: no inspector capture.
            inspector: crate::server::inspect::InspectorConfig { feed_size: 0 },
            ..ServerConfig::default()
        };
        let server = start(config)
            .await
            .context("starting the embedded reference server")?;
        let client = reqwest::Client::new();
        let admin = server.admin_base();
        let admin_token = server.admin_token().to_owned();
        let issue = |name: &'static str| {
            let client = client.clone();
            let url = format!("{admin}/tokens");
            let admin_token = admin_token.clone();
            async move {
                let resp = client
                    .post(&url)
                    .bearer_auth(&admin_token)
                    .json(&json!({"name": name, "expires_at": null}))
                    .send()
                    .await
                    .with_context(|| format!("POST {url}"))?;
                let status = resp.status();
                let body: Value = resp
                    .json()
                    .await
                    .with_context(|| format!("POST {url}: body"))?;
                if !status.is_success() {
                    anyhow::bail!("POST {url} answered {status}: {body}");
                }
                let field = |k: &str| {
                    body.get(k)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .with_context(|| format!("POST {url}: no `{k}` in {body}"))
                };
                Ok::<_, anyhow::Error>((field("id")?, field("token")?))
            }
        };
        let (_, token) = issue("run").await?;
        let (revoked_id, revoked_token) = issue("run-revoked").await?;
        let url = format!("{admin}/tokens/{revoked_id}");
        let resp = client
            .delete(&url)
            .bearer_auth(&admin_token)
            .send()
            .await
            .with_context(|| format!("DELETE {url}"))?;
        if !resp.status().is_success() {
            anyhow::bail!("DELETE {url} answered {}", resp.status());
        }
        Ok(Self {
            target: server.scim_base(),
            server,
            token,
            revoked_token,
        })
    }

    /// Stops the server.
    pub(crate) async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
