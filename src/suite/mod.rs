//! TODO(suite): module doc.
pub mod model;
