//! `scimulator serve`: runs the reference SCIM server until Ctrl-C. Maps the
//! command-line arguments onto [`ServerConfig`] (flags override the
//! `--config` file) and prints the SCIM base URL and the admin token, never
//! the SCIM tokens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::server::{ServerConfig, start};

/// Arguments of `scimulator serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, or the config file's `addr`].
    #[arg(long)]
    pub addr: Option<SocketAddr>,
    /// A SCIM bearer token to accept (repeatable; named cli-1, cli-2, …).
    #[arg(long = "token", env = "SCIMULATOR_SERVE_TOKEN", hide_env_values = true)]
    pub tokens: Vec<String>,
    /// YAML server configuration (product behaviour, tokens, limits).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Admin API token [default: generated and printed at start].
    #[arg(long, env = "SCIMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// SCIM exchanges the live inspector (`/admin/ui`) keeps; 0 turns it off
    /// [default: 1000, or the config file's `inspector.feed_size`].
    #[arg(long)]
    pub feed_size: Option<usize>,
}

impl ServeArgs {
    /// The effective configuration: the config file (if any) overridden by flags.
    pub fn to_config(&self) -> anyhow::Result<ServerConfig> {
        let mut config = match &self.config {
            Some(path) => ServerConfig::from_yaml_file(path)?,
            None => ServerConfig::default(),
        };
        if let Some(addr) = self.addr {
            config.addr = addr;
        }
        config.tokens.extend(self.tokens.iter().cloned());
        if let Some(token) = &self.admin_token {
            config.admin_token = Some(token.clone());
        }
        if let Some(size) = self.feed_size {
            config.inspector.feed_size = size;
        }
        Ok(config)
    }
}

/// Runs the server until Ctrl-C.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.to_config()?;
    let token_count = config.tokens.len();
    let server = start(config)
        .await
        .context("cannot start the SCIM server")?;
    println!("scimulator reference SCIM server");
    println!("  SCIM base URL: {}", server.scim_base());
    println!("  admin API:     {}", server.admin_base());
    println!("  admin token:   {}", server.admin_token());
    println!("  inspector:     {}/ui", server.admin_base());
    println!("  SCIM tokens:   {token_count} from the command line / config (not shown)");
    println!("Create a SCIM token: curl -X POST -H 'Authorization: Bearer <admin token>' \\");
    println!(
        "  -H 'Content-Type: application/json' -d '{{\"name\":\"okta\"}}' {}/tokens",
        server.admin_base()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.yaml");
        std::fs::write(&path, "addr: 127.0.0.1:9000\ntokens: [from-file]\n").expect("write");
        let args = ServeArgs {
            addr: Some("127.0.0.1:0".parse().expect("addr")),
            tokens: vec!["from-flag".into()],
            config: Some(path),
            admin_token: Some("adm".into()),
            feed_size: Some(7),
        };
        let config = args.to_config().expect("config");
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.inspector.feed_size, 7);
        assert_eq!(config.tokens, vec!["from-file", "from-flag"]);
        assert_eq!(config.admin_token.as_deref(), Some("adm"));
    }
}
