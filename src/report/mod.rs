//! TODO(report): module doc.
