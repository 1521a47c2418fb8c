//! The reference SCIM 2.0 server (axum). It never imports harness code.

pub mod filter;
pub mod patch;
