//! Integration tests of scimulator: one test binary, one module per concern.

mod architecture;
mod browser;
mod cli;
mod core;
mod entra_defects;
mod gating;
mod hostile;
mod inspector;
mod okta_defects;
mod products_defects;
mod pure;
mod quirk_matrix;
mod reports;
mod rfc_defects;
mod runner;
mod schema_round_trip;
mod server;
mod server_auth;
mod server_live;
mod server_patch;
mod server_product;
mod snapshots;
mod suites_failing;
mod support;
