//! Integration tests of scimulator: one test binary, one module per concern.

mod pure;
mod server;
mod server_auth;
mod server_live;
mod server_patch;
mod server_product;
