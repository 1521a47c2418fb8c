//! SCIM schema definitions (RFC 7643 §7) and attribute resolution.
