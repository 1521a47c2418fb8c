//! Integration tests of scimulator: one test binary, one module per concern.
mod core;
