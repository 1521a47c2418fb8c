//! TODO(schema): module doc.
