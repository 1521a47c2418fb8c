//! Integration tests of scimulator: one test binary, one module per concern.

mod cli;
mod core;
mod reports;
mod runner;
mod server;
mod server_auth;
mod suites_failing;
