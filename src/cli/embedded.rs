//! The embedded reference server for `run` without `--target`.
//! TEMPORARY: replaced once the server branch lands.

/// A running embedded server with a live token and a revoked one.
#[derive(Debug)]
pub(crate) struct Embedded {
    pub target: String,
    pub token: String,
    pub revoked_token: String,
}

impl Embedded {
    pub(crate) async fn start() -> anyhow::Result<Self> {
        anyhow::bail!("the embedded reference server is not available yet; pass --target")
    }

    pub(crate) async fn shutdown(self) {}
}
