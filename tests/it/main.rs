//! Integration tests of scimulator: one test binary, one module per concern.

mod runner;
mod server;
mod server_auth;
