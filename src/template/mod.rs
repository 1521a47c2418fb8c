//! TODO(template): module doc.
