//! PATCH engine: pure functions on serde_json::Value.
