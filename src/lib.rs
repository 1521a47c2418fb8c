//! # scimulator
//!
//! A SCIM 2.0 conformance harness, a mock identity provider that replays
//! what Okta and Entra ID send, and a reference SCIM 2.0 server.
//!
//! The harness loads declarative YAML suites ([`suite`]), expands IdP
//! actions into concrete requests ([`idp`]), runs them against a target
//! ([`runner`]), checks every response ([`assert`](mod@assert), [`schema_check`],
//! [`snapshot`]) and writes reports ([`report`]). The reference server
//! ([`server`]) is the embedded default target.
//!
//! ```no_run
//! use scimulator::{runner, suite};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let suites = suite::load_paths(&["suites/okta".into()])?;
//! let opts = runner::RunOptions::new("https://app.example.com/scim/v2").with_token("token");
//! let report = runner::run(suites, &opts, &mut runner::NullSink).await?;
//! println!("{} failed", report.summary.failed);
//! # Ok(())
//! # }
//! ```
//!
//! Layering (who may import whom) is described in `ARCHITECTURE.md`: the
//! server never imports harness code, the runner never formats output, and
//! the filter and PATCH engines are pure functions on `serde_json::Value`.

pub mod assert;
pub mod ci;
pub mod cli;
pub mod idp;
pub mod jsonpath;
pub mod load;
pub mod record;
pub mod report;
pub mod runner;
pub mod schema_check;
pub mod scim;
pub mod server;
pub mod snapshot;
pub mod suite;
pub mod template;
pub mod text;
