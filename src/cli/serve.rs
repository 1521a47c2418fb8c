//! `scimulator serve`: runs the reference SCIM server until Ctrl-C. Maps the
//! command-line arguments onto [`ServerConfig`] (flags override the
//! `--config` file) and prints the SCIM base URL and the admin token, never
//! the SCIM tokens.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::server::{ServerConfig, TenantSpec, start};

/// `NAME:TOKEN` of `--tenant`.
fn parse_tenant(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, token)) if !name.is_empty() && !token.is_empty() => {
            Ok((name.to_owned(), token.to_owned()))
        }
        _ => Err("expected NAME:TOKEN".to_owned()),
    }
}

/// `NAME` of `--data-tenant`: `default`, or a valid tenant name.
fn parse_data_tenant(s: &str) -> Result<String, String> {
    use crate::server::store::persist::DEFAULT_TENANT;
    if s == DEFAULT_TENANT {
        return Ok(s.to_owned());
    }
    let spec = TenantSpec {
        name: s.to_owned(),
        ..TenantSpec::default()
    };
    spec.validate().map_err(|e| e.to_string())?;
    Ok(s.to_owned())
}

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
    /// A further tenant with a SCIM token, served at /t/NAME/scim/v2 with its own
    /// store (repeatable; repeating a NAME adds a token to it).
    #[arg(long = "tenant", value_name = "NAME:TOKEN", value_parser = parse_tenant)]
    pub tenants: Vec<(String, String)>,
    /// Admin API token [default: generated and printed at start].
    #[arg(long, env = "SCIMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Grade every SCIM request as a client request; the client report is printed at Ctrl-C.
    #[arg(long)]
    pub grade: bool,
    /// Client report to write with --grade (repeatable): json=FILE or html=FILE.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = super::record::parse_grade_report, requires = "grade")]
    pub reports: Vec<(super::record::GradeFormat, PathBuf)>,
    /// Keep users, groups, issued tokens and settings in this file (SQLite),
    /// restored at the next start [default: in memory, or the config's `data`].
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Write one tenant of the data file (the default one, or --data-tenant's)
    /// to this JSON file and exit (needs --data). Tokens and OAuth client
    /// secrets are written as SHA-256 hashes only.
    #[arg(long, value_name = "FILE.json", conflicts_with = "import")]
    pub export: Option<PathBuf>,
    /// Load an export into one tenant of the data file (the default one, or
    /// --data-tenant's), which must hold no resources, and exit (needs --data).
    #[arg(long, value_name = "FILE.json")]
    pub import: Option<PathBuf>,
    /// The tenant --export writes or --import fills [default: the default
    /// tenant, served at /scim/v2]. An import creates a named tenant the
    /// data file does not hold yet.
    #[arg(long, value_name = "NAME", value_parser = parse_data_tenant)]
    pub data_tenant: Option<String>,
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
        for (name, token) in &self.tenants {
            match config.tenants.iter_mut().find(|t| &t.name == name) {
                Some(tenant) => tenant.tokens.push(token.clone()),
                None => config.tenants.push(TenantSpec {
                    name: name.clone(),
                    tokens: vec![token.clone()],
                    ..TenantSpec::default()
                }),
            }
        }
        config.validate()?;
        if let Some(token) = &self.admin_token {
            config.admin_token = Some(token.clone());
        }
        if let Some(data) = &self.data {
            config.data = Some(data.clone());
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
    if args.grade {
        return super::record::serve_graded(config, &args.reports).await;
    }
    if args.export.is_some() || args.import.is_some() {
        return exchange(&args, &config);
    }
    if args.data_tenant.is_some() {
        eprintln!("error: --data-tenant applies to --export and --import only");
        return Ok(super::exit::code(super::exit::USAGE));
    }
    let token_count = config.tokens.len();
    let data = config.data.clone();
    let server = start(config)
        .await
        .context("cannot start the SCIM server")?;
    println!("scimulator reference SCIM server");
    println!("  SCIM base URL: {}", server.scim_base());
    println!("  admin API:     {}", server.admin_base());
    println!("  admin token:   {}", server.admin_token());
    println!("  inspector:     {}/ui", server.admin_base());
    println!("  SCIM tokens:   {token_count} from the command line / config (not shown)");
    println!(
        "  OAuth token:   {} (client credentials)",
        server.token_url()
    );
    for name in server.tenants().names() {
        println!("  tenant {name}: {}", server.tenant_scim_base(&name));
    }
    match &data {
        Some(path) => println!(
            "  data file:     {} (every write saved before it is answered)",
            path.display()
        ),
        None => println!("  data:          in memory (lost at exit; keep it with --data FILE)"),
    }
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

/// `--export` / `--import`: one tenant's data between the data file and JSON.
fn exchange(args: &ServeArgs, config: &ServerConfig) -> anyhow::Result<ExitCode> {
    use crate::server::store::persist::{DEFAULT_TENANT, DataFileError, Db, Exchange};
    let Some(data) = &config.data else {
        eprintln!("error: --export and --import need --data FILE (or `data:` in --config)");
        return Ok(super::exit::code(super::exit::USAGE));
    };
    let tenant = args.data_tenant.as_deref().unwrap_or(DEFAULT_TENANT);
    let db = Db::open(data)?;
    if let Some(out) = &args.export {
        let export = match db.export(tenant) {
            Ok(export) => export,
            Err(error @ DataFileError::UnknownTenant { .. }) => {
                eprintln!("error: {error}");
                return Ok(super::exit::code(super::exit::USAGE));
            }
            Err(error) => return Err(error.into()),
        };
        export.write(out)?;
        println!(
            "exported {} resources, {} tokens and {} OAuth clients (hashes only) of tenant {tenant} to {}",
            export.resources.len(),
            export.tokens.len(),
            export.clients.len(),
            out.display()
        );
    } else if let Some(input) = &args.import {
        let import = Exchange::read(input)?;
        let done = db.import(tenant, &import, input)?;
        let created = if done.created_tenant {
            format!(" (tenant created: served at /t/{tenant}/scim/v2 from the next start)")
        } else {
            String::new()
        };
        println!(
            "imported {} resources, {} tokens and {} OAuth clients into tenant {tenant} of {}{created}",
            done.resources,
            done.tokens,
            done.clients,
            data.display(),
        );
    }
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
            grade: false,
            reports: Vec::new(),
            tenants: vec![("acme".into(), "t1".into()), ("acme".into(), "t2".into())],
            data: Some("kept.db".into()),
            export: None,
            import: None,
            data_tenant: None,
            feed_size: Some(7),
        };
        let config = args.to_config().expect("config");
        assert_eq!(config.addr.port(), 0);
        assert_eq!(config.inspector.feed_size, 7);
        assert_eq!(config.tokens, vec!["from-file", "from-flag"]);
        assert_eq!(config.admin_token.as_deref(), Some("adm"));
        assert_eq!(config.tenants.len(), 1);
        assert_eq!(config.tenants[0].tokens, vec!["t1", "t2"]);
        assert_eq!(config.data, Some(PathBuf::from("kept.db")));
    }

    #[test]
    fn tenant_flag_needs_a_name_and_a_token() {
        assert!(parse_tenant("acme:t").is_ok());
        assert!(parse_tenant("acme").is_err());
        assert!(parse_tenant(":t").is_err());
    }

    #[test]
    fn data_tenant_is_default_or_a_valid_tenant_name() {
        assert_eq!(parse_data_tenant("default").as_deref(), Ok("default"));
        assert_eq!(parse_data_tenant("acme-2").as_deref(), Ok("acme-2"));
        for bad in ["", "Acme", "a b", "../x", &"x".repeat(64)] {
            let refused = parse_data_tenant(bad);
            assert!(refused.is_err(), "{bad:?}: {refused:?}");
        }
    }
}
